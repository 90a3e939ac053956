"""A one-line title bar and key bar.

Textual's Header and Footer build a widget per key and cost about 50 ms before the first frame on
a small machine; one line of text each does the same job for a keyboard-only app.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


# Keys a browser may keep for itself (reload, close or open a tab, full screen, its help). In web
# mode (`dltui serve`) the key bar shows a binding's other key instead, one that works in both.
BROWSER_KEYS = frozenset({"f1", "f3", "f5", "f6", "f7", "f11", "f12", "ctrl+w", "ctrl+t", "ctrl+n",
                          "ctrl+r", "ctrl+tab"})


class TitleBar(Static):
    DEFAULT_CSS = """
    TitleBar { dock: top; height: 1; width: 100%; background: $panel; color: $text; text-align: center; }
    """

    def on_mount(self) -> None:
        title = Text(self.app.title, style="bold")
        if self.app.sub_title:
            title.append(f" — {self.app.sub_title}", style="")
        self.update(title)


class KeyBar(Static):
    """The active key bindings of the screen, refreshed whenever they change."""

    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; width: 100%; background: $panel; color: $text-muted; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.show_keys)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:
        if self.is_attached and screen is self.screen:
            self.show_keys()

    def show_keys(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        seen: set[str] = set()
        active = list(self.screen.active_bindings.values())
        for _node, binding, enabled, _tooltip in active:
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            if self.app.is_web and binding.key in BROWSER_KEYS:  # show the alternative that gets through
                binding = next((other for _n, other, _e, _t in active if other.action == binding.action
                                and other.key not in BROWSER_KEYS), binding)
            key_style = "bold reverse" if enabled else "dim"
            text.append(f" {self.app.get_key_display(binding)} ", style=key_style)
            text.append(f" {binding.description}  ", style="" if enabled else "dim")
        text.append(" ^p ", style="bold reverse")
        text.append(" palette", style="")
        self.update(text)
