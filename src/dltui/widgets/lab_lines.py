"""The lab screen's text lines: the status line, the message line and the notes under the plots.

They change up to ten times a second while a lab trains. A plain ``Static.update`` asks for a new
layout each time, and a layout pass repaints the whole screen (tens of milliseconds on a small
machine: keys lagged while a lab ran). These lines repaint only when their text changes, and ask
for a layout only when their height may change.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class TextLine(Static):
    _shown: Text | None = None
    _lines = -1

    def show(self, text: Text) -> None:
        if text == self._shown:
            return
        self._shown = text
        self.update(text, layout=self._height_changes(text))

    def _height_changes(self, text: Text) -> bool:
        width = self.content_region.width
        if width <= 0:
            return True  # not laid out yet
        lines = len(text.wrap(self.app.console, width)) if not text.no_wrap else text.plain.count("\n") + 1
        changed, self._lines = lines != self._lines, lines
        return changed


class StatusLine(TextLine):
    """The device in bold, then whole " · "-separated parts as far as they fit: a part cut in the
    middle could show a metric's name without its value."""

    def show_parts(self, device: str, parts: list[str]) -> None:
        text = Text(device, style="bold", no_wrap=True, overflow="ellipsis")
        room = (self.content_region.width or self.app.size.width - 2)
        for part in parts:
            if text.cell_len + 3 + len(part) > room:
                break
            text.append(" · " + part, style="")
        self.show(text)


class MessageLine(TextLine):
    """One line cut with an ellipsis (the Runs tab keeps every number); a failure's message wraps,
    and its details follow it."""

    def say(self, markup: str, details: list[str] | None = None) -> None:
        long = details is not None or markup.startswith("[b red]")
        self.set_class(long, "-long")
        if long:
            self.show(Text.from_markup("\n".join([markup, *(details or [])])))
            return
        line = Text.from_markup(markup.replace("\n", " "), overflow="ellipsis")
        line.no_wrap = True
        self.show(line)

    @property
    def text(self) -> str:
        return self._shown.plain if self._shown is not None else ""
