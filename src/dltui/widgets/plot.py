"""A plot that paints itself off the UI thread, at its current size.

It paints with plotext (curves, scatter plots) or with a function returning rich Text (half-block
heatmaps). A plot is a few thousand styled cells: building and rendering them costs tens of
milliseconds on a small machine, up to ten times a second while a lab runs, and keys waited for
it. So one painter thread, shared by every plot, builds the lines (rich renders them to segments)
and hands them back to the UI, which only swaps them in. Until the first lines arrive a plot is
blank; after that it shows its last lines until the new ones are ready.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual_plotext import PlotextPlot

Painter = Callable[[Any, int, int], Any]
TextPainter = Callable[[int, int], Text]

log = logging.getLogger("dltui.plot")
# One thread: plotext keeps some state at module level, and paints are short; they queue.
_PAINTER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dltui-plot")


class FigurePlot(PlotextPlot):
    """Holds a painter ``f(plt, width, height)`` that draws on plt or returns rich Text (or a
    ``f(width, height) -> Text``), and the lines it painted last."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._painter: Painter | None = None
        self._text_painter: TextPainter | None = None
        self._strips: list[Strip] = []
        self._wanted = 0  # bumped by every show() and resize; a paint for an older one is redone
        self._painted = 0
        self._busy = False
        self.paints = 0

    def show(self, painter: Painter) -> None:
        self._painter, self._text_painter = painter, None
        self._want()

    def show_text(self, painter: TextPainter) -> None:
        """Paint with ``f(width, height) -> rich Text`` instead of plotext (half-block heatmaps)."""
        self._text_painter = painter
        self._want()

    @property
    def settled(self) -> bool:
        """True once the lines on show are those of the last painter at the current size."""
        return not self._busy and self._painted == self._wanted

    def on_resize(self) -> None:
        self._want()

    def _want(self) -> None:
        self._wanted += 1
        self._paint_soon()

    def _paint_soon(self) -> None:
        if self._busy or not self.is_mounted:
            return  # the running paint looks at _wanted when it ends
        size = self.size
        if size.width <= 0 or size.height <= 0:
            self._painted = self._wanted  # nothing to paint until it has a size
            return
        self._busy = True
        job = (self._wanted, size, self._painter, self._text_painter, self.rich_style)
        loop = asyncio.get_running_loop()
        _PAINTER.submit(self._paint_in_thread, loop, *job)

    def _paint_in_thread(self, loop, wanted: int, size: Size, painter, text_painter, style) -> None:
        try:
            strips = self._render_strips(size, painter, text_painter, style)
        except Exception as exc:  # a bad figure must not take the app down: say so in the plot
            log.exception("painting a plot failed")
            strips = [Strip.blank(size.width, style)] * (size.height // 2) + \
                self._strips_of(Text(f"(this view could not be drawn: {exc})", style="red"), size, style)
        try:
            loop.call_soon_threadsafe(self._install, wanted, size, strips)
        except RuntimeError:
            pass  # the app has closed

    def _install(self, wanted: int, size: Size, strips: list[Strip]) -> None:
        self._busy = False
        if size == self.size:
            self._strips, self._painted = strips, wanted
            self.paints += 1
            self.refresh()
        if self._painted != self._wanted or size != self.size:
            self._paint_soon()

    def _render_strips(self, size: Size, painter, text_painter, style) -> list[Strip]:
        width, height = size
        if text_painter is not None:
            text = text_painter(width, height)
        elif painter is not None:  # it draws on plt, or returns Text of its own
            text = painter(self.plt, width, height)
            if not isinstance(text, Text):
                text = self._plotext_text(size)
        else:
            text = Text()
        return self._strips_of(text, size, style)

    def _plotext_text(self, size: Size) -> Text:
        # What PlotextPlot.render does, at the size this paint was asked for.
        self._plot.plotsize(size.width, size.height)
        self._plot._set_size(size.width, size.height)
        self._plot.theme(self._get_plotext_theme_name(self.app.theme))
        return Text.from_ansi(self._plot.build())

    def _strips_of(self, text: Text, size: Size, style) -> list[Strip]:
        console = self.app.console
        options = console.options.update(width=size.width, height=size.height, no_wrap=True, overflow="crop")
        lines = console.render_lines(text, options, style=style, pad=True, new_lines=False)
        return [Strip(line, size.width) for line in lines[:size.height]]

    def render_line(self, y: int) -> Strip:
        if y < len(self._strips):
            return self._strips[y].crop_extend(0, self.size.width, self.rich_style)
        return Strip.blank(self.size.width, self.rich_style)


def plots_settled(screen) -> bool:
    """Whether every plot on ``screen`` shows its last painter's lines (tests wait for this)."""
    return all(plot.settled for plot in screen.query(FigurePlot))
