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
_KEY_NAMES = {"escape": "Esc", "enter": "Enter", "tab": "Tab", "space": "Space"}


def key_name(app, bindings, action: str) -> str:
    """The key to name in a message for ``action``: its first key ("F5"), or in web mode the first
    one a browser lets through ("Ctrl+G"), as the key bar shows it."""
    for binding in bindings:
        if binding.action != action:
            continue
        keys = [k.strip() for k in binding.key.split(",")]
        if app.is_web:
            keys = [k for k in keys if k not in BROWSER_KEYS] or keys
        *mods, last = keys[0].split("+")
        last = _KEY_NAMES.get(last) or (last.upper() if mods or len(last) > 1 else last)
        return "+".join([*(m.capitalize() for m in mods), last])
    return action


class TitleBar(Static):
    DEFAULT_CSS = """
    TitleBar { dock: top; height: 1; width: 100%; background: $panel; color: $text; text-align: center; }
    """

    def on_mount(self) -> None:
        title = Text(self.app.title, style="bold")
        if self.app.sub_title:
            title.append(f" — {self.app.sub_title}", style="")
        self.update(title)


def shorten(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, its end replaced by "…" when cut."""
    if len(text) <= width:
        return text
    return text[:max(0, width - 1)] + "…" if width > 0 else ""


def fit_pair(first: str, second: str, width: int, sep: str = " ▸ ") -> tuple[str, str]:
    """Both texts on one line of ``width`` cells: the longer is shortened first, and neither
    below a third of the line, so neither is ever dropped."""
    room = width - len(sep)
    if len(first) + len(second) <= room:
        return first, second
    floor = max(4, room // 3)
    a = min(len(first), max(floor, room - len(second)))
    b = max(min(len(second), room - a), min(len(second), floor))
    a = min(a, max(1, room - b))
    return shorten(first, a), shorten(second, b)


class LabHeader(TitleBar):
    """The lab's title and the title of the view on show, always on one line (the app's warning,
    such as "progress not saved", keeps its place at the end)."""

    DEFAULT_CSS = """
    LabHeader { text-align: left; padding: 0 1; }
    """

    lab_title = ""
    view_title = ""

    def set_titles(self, lab_title: str, view_title: str) -> None:
        self.lab_title, self.view_title = lab_title, view_title
        self.on_mount()

    def on_resize(self) -> None:
        self.on_mount()

    def on_mount(self) -> None:
        sub = self.app.sub_title
        warning = sub[sub.index("⚠"):] if "⚠" in sub else ""
        width = (self.size.width or self.app.size.width) - 2 - (len(warning) + 3 if warning else 0)
        lab, view = fit_pair(self.lab_title, self.view_title, width)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(lab, style="bold")
        if view:
            text.append(" ▸ ", style="dim")
            text.append(view)
        if warning:
            text.append(f" · {warning}", style="bold")
        if text != getattr(self, "_shown", None):  # one line, docked: no layout pass needed
            self._shown = text
            self.update(text, layout=False)


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

    def on_resize(self) -> None:
        self.show_keys()

    def show_keys(self) -> None:
        """Whole "key label" pairs that fit, disabled ones dimmed; a pair that does not fit is left
        out rather than cut, so the bar never ends in a bare key."""
        items: list[Text] = []
        seen: set[str] = set()
        active = list(self.screen.active_bindings.values())
        for _node, binding, enabled, _tooltip in active:
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            if self.app.is_web and binding.key in BROWSER_KEYS:  # show the alternative that gets through
                binding = next((other for _n, other, _e, _t in active if other.action == binding.action
                                and other.key not in BROWSER_KEYS), binding)
            item = Text()
            item.append(f" {self.app.get_key_display(binding)} ", style="bold reverse" if enabled else "dim")
            item.append(f" {binding.description}  ", style="" if enabled else "dim")
            items.append(item)
        palette = Text()
        palette.append(" ^p ", style="bold reverse")
        palette.append(" palette", style="")
        width = self.size.width or self.app.size.width
        text = Text(no_wrap=True, overflow="ellipsis")
        room = width - palette.cell_len
        for item in items:
            if text.cell_len + item.cell_len > room:
                break
            text.append_text(item)
        text.append_text(palette)
        self.update(text)
