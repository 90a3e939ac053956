"""Drawing figures with plotext, with and without colour (NO_COLOR)."""

from __future__ import annotations

import plotext

from dltui.figures import Figure, Heatmap, Series
from dltui.plotting import SHADES, draw_curves, draw_figure, figure_note

VALLEY = Heatmap([[abs(j - 10) / 10 for j in range(21)] for _ in range(8)], (-1, 1), (-1, 1), label="E")


def _text(plt) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", plt.build())


def test_scalar_heatmap_without_colour_uses_shading_that_keeps_the_valley_blank():
    note = draw_figure(plotext, Figure(title="valley", heatmap=VALLEY), 40, 14, color=False)
    out = _text(plotext)
    assert "\x1b[38;2" not in plotext.build()  # no RGB colours at all
    for shade in SHADES[2:]:
        assert shade in out
    middle_rows = [line for line in out.splitlines() if "│" in line or "┤" in line][2:-2]
    assert middle_rows, out
    assert "E: 0 " in note and "1" in note


def test_scalar_heatmap_in_colour_uses_rgb_blocks_and_a_colour_bar():
    note = draw_figure(plotext, Figure(title="valley", heatmap=VALLEY), 40, 14, color=True)
    assert "\x1b[38;2" in plotext.build()
    assert "▁▂▃▄▅▆▇█" in note


def test_class_regions_without_colour_mark_classes_with_different_characters():
    regions = Heatmap([[0] * 10 + [1] * 10 for _ in range(6)], (0, 1), (0, 1), categorical=True)
    points = [Series([0.25], [0.5], label="class 0", style="scatter", color=0),
              Series([0.75], [0.5], label="class 1", style="scatter", color=1)]
    note = draw_figure(plotext, Figure(heatmap=regions, series=points), 40, 12, color=False)
    out = _text(plotext)
    assert "░" in out and "▒" in out  # one shade per class
    assert "0" in out and "1" in out  # points drawn as their class digits
    assert "class 0" in note and "class 1" in note  # legend moved under the plot


def test_curves_are_thinned_but_keep_the_last_point():
    xs = list(range(1, 5001))
    draw_curves(plotext, {"loss": (xs, [1 / x for x in xs])}, 60, 12, max_points=100)
    out = _text(plotext)
    assert "5000" in out  # the x axis reaches the last step
    assert "loss" in out


def test_figure_note_joins_colour_bar_and_caption():
    fig = Figure(heatmap=VALLEY, caption="F(0,0) = 0.13")
    assert figure_note(fig, color=False).endswith("F(0,0) = 0.13")
