"""What a lab run looks like: its curves and the lab's own view (decision boundary, energy
landscape, images), side by side when there is room, with their legends underneath.

The plots paint on their next refresh, at their own size; ``draw`` only hands them the data.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, Vertical

from dltui.plotting import MIN_CHART_ROWS, color_enabled, curves_legend, draw_curves, draw_figure, figure_note_rich, \
    heatmap_text, is_image, sparklines
from dltui.run_state import RunState
from dltui.widgets.lab_lines import TextLine
from dltui.widgets.plot import FigurePlot

CURVE_GROUPS = ("loss", "acc", "none")  # loss curves → other metrics → none (the view gets the room)
WIDE_ENOUGH = 76  # columns for curves and view side by side


class CurvesBox(Vertical):
    """The curves and their legend; a new height may call for the other form (chart or sparklines)."""

    def on_resize(self) -> None:
        view = self.parent
        if isinstance(view, LabView) and view.drawn:
            view.draw(view.run, curves=True, figure=False)


class LabView(Container):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = 0
        self.curve_group = "loss"
        self.run = RunState()
        self.drawn = False

    def compose(self) -> ComposeResult:
        with CurvesBox(id="curves-box"):
            yield FigurePlot(id="curves")
            yield TextLine(id="curves-note")
        with Vertical(id="figure-box"):
            yield FigurePlot(id="figure")
            yield TextLine(id="figure-note")

    # -- what is on show -------------------------------------------------------------------

    def shown_figure(self):
        names = list(self.run.figures)
        return self.run.figures[names[self.view % len(names)]] if names else None

    def view_title(self) -> tuple[str, int, int]:
        """(title of the view on show, its index, how many views there are)."""
        names = list(self.run.figures)
        if not names:
            return "", 0, 0
        self.view %= len(names)
        fig = self.run.figures[names[self.view]]
        return fig.title or names[self.view], self.view, len(names)

    def next_view(self) -> bool:
        if not self.run.figures:
            return False
        self.view = (self.view + 1) % len(self.run.figures)
        return True

    def next_curves(self) -> None:
        self.curve_group = CURVE_GROUPS[(CURVE_GROUPS.index(self.curve_group) + 1) % len(CURVE_GROUPS)]

    def fit(self, room: int) -> None:
        """Side by side in ``room`` columns when both fit, else stacked. A picture (the VAE's
        digits) keeps its pixels square, so it is side by side only if it fits at full size."""
        fig = self.shown_figure()
        need = WIDE_ENOUGH if fig is None or fig.heatmap is None or not is_image(fig.heatmap) else \
            len(fig.heatmap.z[0]) * 5 // 3 + 4
        self.set_class(room >= need, "wide")

    # -- drawing ---------------------------------------------------------------------------

    def draw(self, run: RunState, curves: bool = True, figure: bool = True) -> None:
        self.run, self.drawn = run, True
        color = color_enabled()
        if curves:
            self._draw_curves(color)
        if figure:
            self._draw_figure(color)

    def _draw_curves(self, color: bool) -> None:
        history = self.run.history
        losses = {k: v for k, v in history.items() if k.startswith("loss")}
        others = {k: v for k, v in history.items() if not k.startswith("loss")}
        group = (losses or others) if self.curve_group == "loss" else (others or losses)
        title = "loss" if group is losses else "metrics"
        # The plot paints in another thread while new steps arrive: it gets copies.
        group = {name: (list(xs), list(ys)) for name, (xs, ys) in group.items()}
        # Labs that report no curve (pure inference) give the whole area to their own view.
        self.query_one("#curves-box").display = (bool(group) or not self.run.figures) and self.curve_group != "none"
        plot, note = self.query_one("#curves", FigurePlot), self.query_one("#curves-note", TextLine)
        if not any(ys for _xs, ys in group.values()):
            plot.show(lambda plt, w, h: _placeholder(plt, w, h, "the curves appear here once it runs"))
            note.show(Text(""))
            return
        title = f"{title} (a: next)"
        if 0 < self.query_one(CurvesBox).size.height < MIN_CHART_ROWS + 2:
            # Too few rows for a chart (the VAE's digits take most of 80×24): a line per curve,
            # with its name and values, so the legend underneath would only repeat it.
            plot.show(lambda plt, w, h: sparklines(group, w, h, color, title=title))
            note.show(Text(""))
            return
        # Braille gives two dots per column: more points than that only cost time.
        plot.show(lambda plt, w, h: draw_curves(plt, group, w, h, title=title, color=color, legend=False,
                                                max_points=max(40, 2 * w)))
        note.show(curves_legend(group, color, (note.content_region.width or self.size.width // 2 - 2)))

    def _draw_figure(self, color: bool) -> None:
        plot = self.query_one("#figure", FigurePlot)
        note = self.query_one("#figure-note", TextLine)
        fig = self.shown_figure()
        if fig is None:
            plot.show(_placeholder)
            note.show(Text(""))
            return
        if fig.heatmap is not None:  # half blocks: twice the rows plotext would give
            plot.show_text(lambda w, h: heatmap_text(fig, w, h, color=color))
        else:
            plot.show(lambda plt, w, h: draw_figure(plt, fig, w, h, color=color, title=False, legend=False))
        _title, index, count = self.view_title()
        text = figure_note_rich(fig, color)  # the legend keys in their series' colours
        if count > 1:
            text.append_text(Text.from_markup(f"  [dim](v: view {index + 1}/{count})[/dim]"))
        note.show(text)


def _placeholder(plt, w: int, h: int, title: str = "the lab's view appears here once it runs") -> None:
    plt.clear_figure()
    plt.plotsize(w, h)
    plt.title(title)
