"""Draw :mod:`dltui.figures` and metric curves with plotext.

Works with both the ``plotext`` module (headless CLI) and textual-plotext's ``PlotextPlot.plt``:
they share the plotext API. Imports neither torch nor textual.
"""

from __future__ import annotations

import math
import os
from typing import Any

from dltui.figures import PALETTE, Figure, Heatmap

# A perceptually ordered ramp (viridis-like): dark = low energy, bright = high.
RAMP = [(68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37)]
# Without colour: light to dark shading, so valleys (low values) stay visibly blank.
SHADES = " ·:░▒▓█"
CLASS_SHADES = "░▒·:▓+"
CLASS_MARKS = "0123456789"


def color_enabled() -> bool:
    return "NO_COLOR" not in os.environ


def _levels(hm: Heatmap) -> tuple[list[list[float]], float, float]:
    flat = [v for row in hm.z for v in row if math.isfinite(v)]
    lo, hi = (min(flat), max(flat)) if flat else (0.0, 1.0)
    if hm.log_scale:
        z = [[math.log1p(max(v - lo, 0.0)) if math.isfinite(v) else float("nan") for v in row]
             for row in hm.z]
        return z, 0.0, math.log1p(hi - lo)
    return hm.z, lo, hi


def _resample(z: list[list[float]], rows: int, cols: int) -> list[list[float]]:
    """Nearest-neighbour resampling so every character cell of the canvas gets a value."""
    ny, nx = len(z), len(z[0]) if z else 0
    return [[z[min(ny - 1, int((i + 0.5) * ny / rows))][min(nx - 1, int((j + 0.5) * nx / cols))]
             for j in range(cols)] for i in range(rows)]


def draw_heatmap(plt: Any, hm: Heatmap, cols: int, rows: int, color: bool) -> None:
    """Scatter one block per character cell (the colour bar is in :func:`figure_note`)."""
    if not hm.z or not hm.z[0]:
        return
    z, lo, hi = _levels(hm)
    z = _resample(z, rows, cols)
    (x0, x1), (y0, y1) = hm.x_range, hm.y_range
    dx, dy = (x1 - x0) / cols, (y1 - y0) / rows
    xs, ys, colors, marks = [], [], [], []
    span = (hi - lo) or 1.0
    for i, row in enumerate(z):
        for j, v in enumerate(row):
            if not math.isfinite(v):
                continue
            xs.append(x0 + (j + 0.5) * dx)
            ys.append(y0 + (i + 0.5) * dy)
            if hm.categorical:
                k = int(v)
                colors.append(PALETTE[k % len(PALETTE)])
                marks.append("░" if color else CLASS_SHADES[k % len(CLASS_SHADES)])
            else:
                t = min(1.0, max(0.0, (v - lo) / span))
                colors.append(RAMP[min(len(RAMP) - 1, int(t * len(RAMP)))])
                marks.append("█" if color else SHADES[min(len(SHADES) - 1, int(t * len(SHADES)))])
    if color:
        plt.scatter(xs, ys, color=colors, marker="█" if not hm.categorical else "░")
    else:
        # One call per shade: plotext takes a single marker per call.
        for m in sorted(set(marks)):
            sel = [k for k, mk in enumerate(marks) if mk == m]
            if m.strip():
                plt.scatter([xs[k] for k in sel], [ys[k] for k in sel], marker=m)


def legend(hm: Heatmap, color: bool) -> str:
    if hm.categorical:
        return ""
    flat = [v for row in hm.z for v in row if math.isfinite(v)]
    if not flat:
        return ""
    lo, hi = min(flat), max(flat)
    bar = SHADES[1:] if not color else "▁▂▃▄▅▆▇█"
    scale = " (log)" if hm.log_scale else ""
    return f"{hm.label or 'value'}{scale}: {lo:.3g} {bar} {hi:.3g}"


def figure_note(fig: Figure, color: bool | None = None) -> str:
    """The text shown under a figure: its colour bar and caption."""
    color = color_enabled() if color is None else color
    notes = []
    if fig.heatmap is not None:
        text = legend(fig.heatmap, color)
        if text:
            notes.append(text)
        keys = [f"{_marker_glyph(s)} {s.label}" for s in fig.series if s.label and s.x]
        if keys:
            notes.append("  ".join(keys))
    if fig.caption:
        notes.append(fig.caption)
    return "   ".join(notes)


def _marker_glyph(s) -> str:
    if s.style != "scatter":
        return "─"
    if s.marker and len(s.marker) == 1:
        return s.marker
    return "•"


def draw_figure(plt: Any, fig: Figure, width: int, height: int, color: bool | None = None) -> str:
    """Draw ``fig`` on a cleared plotext figure of ``width`` × ``height`` characters.

    Returns the text to show under the plot (colour bar and caption).
    """
    color = color_enabled() if color is None else color
    plt.clear_figure()
    plt.plotsize(width, height)
    if not color:
        plt.theme("clear")
    plt.title(fig.title)
    if fig.xlabel:
        plt.xlabel(fig.xlabel)
    if fig.ylabel:
        plt.ylabel(fig.ylabel)
    if fig.heatmap is not None:
        hm = fig.heatmap
        plt.xlim(*hm.x_range)
        plt.ylim(*hm.y_range)
        # The canvas is the widget less the y tick labels, frame and title/x ticks.
        cols, rows = max(4, width - 8), max(2, height - 4 - bool(fig.xlabel))
        draw_heatmap(plt, hm, cols, rows, color)
    if fig.bars is not None:
        plt.bar(fig.bars.labels, fig.bars.values, label=fig.bars.label or None,
                color=None if not color else PALETTE[1], marker="sd" if color else "#")
    for k, s in enumerate(fig.series):
        if not s.x:
            continue
        c = s.color if s.color is not None else k
        col = (PALETTE[c % len(PALETTE)] if isinstance(c, int) else c) if color else None
        marker = s.marker
        if not color and s.style == "scatter" and isinstance(s.color, int):
            marker = CLASS_MARKS[s.color % len(CLASS_MARKS)]
        draw = plt.scatter if s.style == "scatter" else plt.plot
        # Over a heatmap plotext's legend box would hide a corner of the map: the labels go in
        # the note under the plot instead (figure_note).
        label = None if fig.heatmap is not None else (s.label or None)
        draw(s.x, s.y, label=label, color=col, marker=marker or ("hd" if s.style == "line" else "dot"))
    if fig.xlim:
        plt.xlim(*fig.xlim)
    if fig.ylim:
        plt.ylim(*fig.ylim)
    return figure_note(fig, color)


def draw_curves(plt: Any, history: dict[str, tuple[list[float], list[float]]], width: int, height: int,
                title: str = "", color: bool | None = None, max_points: int = 400) -> None:
    """Line plot of metric histories (name -> (steps, values)), thinned to ``max_points`` each."""
    color = color_enabled() if color is None else color
    plt.clear_figure()
    plt.plotsize(width, height)
    if not color:
        plt.theme("clear")
    plt.title(title)
    for k, (name, (xs, ys)) in enumerate(history.items()):
        if not xs:
            continue
        stride = max(1, len(xs) // max_points)
        px, py = xs[::stride], ys[::stride]
        if px[-1] != xs[-1]:
            px, py = px + [xs[-1]], py + [ys[-1]]
        plt.plot(px, py, label=name, marker="hd" if color else "dot",
                 color=PALETTE[k % len(PALETTE)] if color else None)
    plt.xlabel("step")
