"""A plotext plot that draws itself at its current size whenever it is refreshed."""

from __future__ import annotations

from typing import Any, Callable

from textual_plotext import PlotextPlot

Painter = Callable[[Any, int, int], Any]


class FigurePlot(PlotextPlot):
    """Holds a painter ``f(plt, width, height)``; drawing in ``render`` keeps heatmap cells and
    the widget's size in step after every resize."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._painter: Painter | None = None
        self.paints = 0

    def show(self, painter: Painter) -> None:
        self._painter, self._text_painter = painter, None
        self.refresh()

    def show_text(self, painter: Callable[[int, int], Any]) -> None:
        """Paint with ``f(width, height) -> rich Text`` instead of plotext (half-block heatmaps)."""
        self._text_painter = painter
        self.refresh()

    _text_painter = None

    def render(self):
        if self._text_painter is not None and self.size.width > 0 and self.size.height > 0:
            self.paints += 1
            return self._text_painter(self.size.width, self.size.height)
        if self._painter is not None and self.size.width > 0 and self.size.height > 0:
            self._painter(self.plt, self.size.width, self.size.height)
            self.paints += 1
        return super().render()
