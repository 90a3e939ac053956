"""Plots legible at 80×24: half-block images, integer ticks, every bar labelled, distinct series."""

from __future__ import annotations

import plotext

from dltui.figures import Bars, Figure, Heatmap, Series
from dltui.plotting import curves_legend, draw_figure, heatmap_text, int_ticks, series_color


def test_an_8x8_image_keeps_one_column_and_half_a_row_per_pixel():
    one = [[1.0 if c in (3, 4) else 0.0 for c in range(8)] for _ in range(8)]  # a vertical bar "1"
    fig = Figure(heatmap=Heatmap(one, (0.0, 8.0), (0.0, 8.0)))
    lines = heatmap_text(fig, 40, 10, color=False).plain.splitlines()
    assert 4 <= len(lines) <= 10
    # Without colour each cell shows its shade: the bar's two columns are dark, the rest blank.
    assert all(line.strip() and line.count("█") >= 2 for line in lines)
    text = heatmap_text(fig, 40, 10, color=True)
    assert "▀" in text.plain and not any(ch.isdigit() for ch in text.plain)  # no pixel axes


def test_a_field_gets_axes_and_series_marks_on_top():
    z = [[float(i + j) for j in range(20)] for i in range(10)]
    fig = Figure(heatmap=Heatmap(z, (-1.0, 1.0), (-2.0, 2.0)), xlabel="y1",
                 series=[Series([0.0], [0.0], label="y", style="scatter", color="red", marker="x")])
    plain = heatmap_text(fig, 40, 12, color=True).plain
    assert plain.splitlines()[0].startswith(" 2┤") and "-2┤" in plain and "x" in plain
    assert plain.rstrip().endswith("y1")


def test_integer_step_ticks():
    assert int_ticks(1, 150, 4) == [50, 100, 150]
    assert all(isinstance(t, int) for t in int_ticks(1, 253, 5))


def test_every_bar_is_labelled():
    names = ["one family", "two", "three long name", "four", "five", "six", "seven", "eight"]
    plotext.clear_figure()
    draw_figure(plotext, Figure(bars=Bars(names, list(range(1, 9)))), 50, 14, color=False)
    canvas = plotext.build()
    assert all(name in canvas for name in names)


def test_series_sharing_a_colour_get_distinct_ones_and_markers_without_colour():
    fig = Figure(series=[Series([0], [0], label=f"iter {k}", color="gray") for k in range(3)])
    assert len({series_color(fig, k) for k in range(3)}) == 3
    legend = curves_legend({"loss_a": ([1], [0.5]), "loss_b": ([1], [0.4])}, color=False).plain
    marks = [entry.split()[0] for entry in legend.split("  ")]
    assert len(set(marks)) == 2 and "loss_a 0.5" in legend
