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
SPARKS = "▁▂▃▄▅▆▇█"  # eighth blocks: colour-bar keys and sparklines
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
                colors.append(series_rgb(k))
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
    bar = SHADES[1:] if not color else SPARKS
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

    keys = [f"{_marker_glyph(s) if color else series_glyph(fig, k)} {s.label}"
            for k, s in enumerate(fig.series) if s.label and s.x]
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


def series_color(fig: Figure, k: int) -> int | str:
    """Series k's colour: its own, unless an earlier series of the figure has it already (then
    the next free palette colour), so every series of a plot is told apart."""
    taken = []
    for j, s in enumerate(fig.series[:k + 1]):
        c = s.color if s.color is not None else j
        name = PALETTE[c % len(PALETTE)] if isinstance(c, int) else c
        if s.style == "scatter" and isinstance(s.color, int):
            taken.append(c)  # class colours are meaningful: kept as given
            continue
        if name in [PALETTE[t % len(PALETTE)] if isinstance(t, int) else t for t in taken] or name not in RGB:
            c = next((i for i in range(len(PALETTE)) if PALETTE[i] not in
                      [PALETTE[t % len(PALETTE)] if isinstance(t, int) else t for t in taken]), j)
        taken.append(c)
    return taken[k]


def series_glyph(fig: Figure, k: int) -> str:
    """Without colour: a class's digit for class scatters, else a distinct marker per series."""
    s = fig.series[k]
    if s.style == "scatter" and isinstance(s.color, int):
        return CLASS_MARKS[s.color % len(CLASS_MARKS)]
    return MARKERS[k % len(MARKERS)]


def draw_figure(plt: Any, fig: Figure, width: int, height: int, color: bool | None = None,
                title: bool = True, legend: bool = True) -> str:
    """Draw ``fig`` on a cleared plotext figure of ``width`` × ``height`` characters.

    Returns the text to show under the plot (colour bar and caption). ``title=False`` leaves the
    title to the caller (the lab screen's header), which gives the plot its row.
    """
    color = color_enabled() if color is None else color
    plt.clear_figure()
    plt.plotsize(width, height)
    if not color:
        plt.theme("clear")
    if title:
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
        cols, rows = max(4, width - 8), max(2, height - 3 - bool(title and fig.title) - bool(fig.xlabel))
        draw_heatmap(plt, hm, cols, rows, color)
    if fig.bars is not None:
        # Sideways: each bar has a row of its own, so every label is shown, however long.
        plt.bar(fig.bars.labels[::-1], fig.bars.values[::-1], label=None, orientation="horizontal", width=0.6,
                color=None if not color else series_rgb(1), marker="sd" if color else "#")
    used: set = set()
    for k, s in enumerate(fig.series):
        if not s.x:
            continue
        c = series_color(fig, k)
        col = series_rgb(c) if color else None
        marker = s.marker
        if not color:
            marker = series_glyph(fig, k)
        elif s.style == "line":
            marker = "braille"
        used.add(col)
        draw = plt.scatter if s.style == "scatter" else plt.plot
        # plotext's legend box would hide part of the data: the labels go in the note under the
        # plot instead (figure_note), unless asked for (the CLI's plain canvas).
        label = (s.label or None) if legend and fig.heatmap is None else None
        draw(s.x, s.y, label=label, color=col, marker=marker or ("hd" if s.style == "line" else "dot"))
    if fig.xlim:
        plt.xlim(*fig.xlim)
    if fig.ylim:
        plt.ylim(*fig.ylim)
    return figure_note(fig, color)


def int_ticks(lo: float, hi: float, count: int = 5) -> list[int]:
    """About ``count`` whole-number ticks from ``lo`` to ``hi`` at a round stride (1, 2, 5 × 10ⁿ)."""
    lo, hi = math.floor(lo), math.ceil(hi)
    if hi <= lo:
        return [lo]
    strides = [m * 10 ** e for e in range(0, 10) for m in (1, 2, 5)]

    def ticks(stride: int) -> list[int]:
        return list(range(-(-lo // stride) * stride, hi + 1, stride))

    best = min(strides, key=lambda st: (abs(len(ticks(st)) - count), st))
    return ticks(best) or [lo]


def curve_marker(k: int, color: bool) -> str:
    """Braille dots read as lines in colour; without colour each curve gets its own character."""
    return "braille" if color else MARKERS[k % len(MARKERS)]


def curves_legend(history: dict, color: bool | None = None, width: int = 0):
    """The curves' names (and last values) with their colour or marker, for lines outside the
    plot; with ``width`` the entries are packed into lines of that width, none split."""
    from rich.text import Text

    color = color_enabled() if color is None else color
    text = Text(no_wrap=True, overflow="ellipsis")
    used = 0
    for k, name in enumerate(history):
        entry = Text()
        if color:
            entry.append("━━ ", style=rich_color(k))
        else:
            entry.append(MARKERS[k % len(MARKERS)] * 2 + " ")
        ys = history[name][1]
        entry.append(f"{name} {ys[-1]:.4g}" if ys else name)
        if used and width and used + 2 + entry.cell_len > width:
            text.append("\n")
            used = 0
        elif used:
            text.append("  ")
            used += 2
        text.append_text(entry)
        used += entry.cell_len
    return text


def draw_curves(plt: Any, history: dict[str, tuple[list[float], list[float]]], width: int, height: int,
                title: str = "", color: bool | None = None, max_points: int = 400, legend: bool = True) -> None:
    """Line plot of metric histories (name -> (steps, values)), thinned to ``max_points`` each.

    ``legend=False`` leaves the names to the caller (:func:`curves_legend`, drawn beside the plot)
    so no legend box covers the first steps.
    """
    color = color_enabled() if color is None else color
    plt.clear_figure()
    plt.plotsize(width, height)
    if not color:
        plt.theme("clear")
    plt.title(title)
    first, last = None, None
    for k, (name, (xs, ys)) in enumerate(history.items()):
        if not xs:
            continue
        stride = max(1, len(xs) // max_points)
        px, py = xs[::stride], ys[::stride]
        if px[-1] != xs[-1]:
            px, py = px + [xs[-1]], py + [ys[-1]]
        first = px[0] if first is None else min(first, px[0])
        last = px[-1] if last is None else max(last, px[-1])
        plt.plot(px, py, label=name if legend else None, marker=curve_marker(k, color),
                 color=series_rgb(k) if color else None)
    if first is not None:
        ticks = int_ticks(first, last, max(3, min(6, width // 10)))
        plt.xticks(ticks, [str(t) for t in ticks])
    plt.xlabel("step")


MIN_CHART_ROWS = 8  # plotext needs 5 rows for title, frame, ticks and label: below this, sparklines


def sparklines(history: dict[str, tuple[list[float], list[float]]], width: int, height: int,
               color: bool | None = None, title: str = ""):
    """Curves too short for a chart (a few rows at 80×24) as one line each: the name, the shape
    of the whole run in block characters (each curve on its own scale), and first → last value."""
    from rich.text import Text

    color = color_enabled() if color is None else color
    out = Text(no_wrap=True, overflow="crop")
    rows = [(k, name, ys) for k, (name, (_xs, ys)) in enumerate(history.items()) if ys]
    if title and len(rows) < height:
        out.append(title.center(width).rstrip() + "\n", style="bold")
    name_w = max((len(name) for _k, name, _ys in rows), default=0)
    for k, name, ys in rows[:height]:
        ends = f" {ys[0]:.3g} → {ys[-1]:.3g}"
        room = max(1, width - name_w - 1 - len(ends))
        picks = [ys[min(len(ys) - 1, i * len(ys) // room)] for i in range(min(room, len(ys)))]
        finite = [y for y in picks if math.isfinite(y)]
        lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
        spark = "".join(SPARKS[min(len(SPARKS) - 1, int((y - lo) / ((hi - lo) or 1) * len(SPARKS)))]
                        if math.isfinite(y) else " " for y in picks)
        out.append(name.ljust(name_w) + " ", style=rich_color(k) if color else "")
        out.append(spark, style=rich_color(k) if color else "")
        out.append(ends + "\n", style="dim")
    out.rstrip()
    return out


# -- heatmaps and images as text: two pixels per character cell ---------------------------------
# plotext gives every character cell a single colour; the upper half block ▀ with a foreground
# (upper pixel) and a background (lower pixel) doubles the vertical resolution, which is what makes
# an 8×8 digit recognisable in a few rows.

RGB = {"red": (230, 57, 70), "blue": (69, 123, 227), "green": (67, 170, 90), "orange": (245, 150, 40),
       "magenta": (200, 80, 200), "cyan": (40, 190, 200), "yellow": (230, 210, 60), "gray": (150, 150, 150),
       "white": (235, 235, 235), "black": (30, 30, 30)}
# Without colour, scattered series take these in order, so each series stays distinct.
MARKERS = "•x+o*#@%&"


def series_rgb(index_or_name: int | str) -> tuple[int, int, int]:
    """A series' colour as RGB, for legends and for plotext alike: a named colour would be the
    terminal theme's (its "blue" is often violet), and the key under a plot would not match."""
    name = PALETTE[index_or_name % len(PALETTE)] if isinstance(index_or_name, int) else index_or_name
    return RGB.get(name, RGB["gray"])


def rich_color(index_or_name: int | str) -> str:
    r, g, b = series_rgb(index_or_name)
    return f"rgb({r},{g},{b})"


def is_image(hm: Heatmap) -> bool:
    """A picture indexed by pixel (x from 0 to its width, y from 0 to its height): drawn without
    axes, one column and half a row per pixel."""
    rows, cols = len(hm.z), len(hm.z[0]) if hm.z else 0
    return tuple(hm.x_range) == (0.0, float(cols)) and tuple(hm.y_range) == (0.0, float(rows))


def _area_resample(z: list[list[float]], rows: int, cols: int) -> list[list[float]]:
    """Each output cell is the mean of the finite inputs it covers (thin strokes survive)."""
    ny, nx = len(z), len(z[0])
    out = []
    for i in range(rows):
        i0, i1 = i * ny // rows, max(i * ny // rows + 1, (i + 1) * ny // rows)
        line = []
        for j in range(cols):
            j0, j1 = j * nx // cols, max(j * nx // cols + 1, (j + 1) * nx // cols)
            vals = [z[a][b] for a in range(i0, min(i1, ny)) for b in range(j0, min(j1, nx)) if math.isfinite(z[a][b])]
            line.append(sum(vals) / len(vals) if vals else float("nan"))
        out.append(line)
    return out


def _rgb(c: tuple[int, int, int]) -> str:
    return f"rgb({c[0]},{c[1]},{c[2]})"


def _tick(v: float) -> str:
    return f"{v:.3g}"


def heatmap_text(fig: Figure, width: int, height: int, color: bool | None = None):
    """``fig`` (a heatmap, with any series on top) as a rich Text of at most width × height."""
    from rich.text import Text

    color = color_enabled() if color is None else color
    hm = fig.heatmap
    out = Text(no_wrap=True, overflow="crop")
    if hm is None or not hm.z or not hm.z[0] or width < 4 or height < 2:
        return out
    z, lo, hi = _levels(hm)
    span = (hi - lo) or 1.0
    image = is_image(hm)
    ny, nx = len(z), len(z[0])
    if image:
        margin, rows = 0, height
        scale = max(1, min(width // nx, (2 * rows) // ny))
        cols = min(width, nx * scale)
        rows = min(rows, -(-ny * scale // 2))
        if nx * scale <= width and ny * scale <= 2 * rows:
            grid = [[z[i // scale][j // scale] for j in range(nx * scale)] for i in range(ny * scale)]
            if len(grid) % 2:
                grid = [[float("nan")] * len(grid[0])] + grid  # pad at the bottom
        else:
            grid = _area_resample(z, 2 * rows, cols)
    else:
        ylabels = [_tick(hm.y_range[1]), _tick((hm.y_range[0] + hm.y_range[1]) / 2), _tick(hm.y_range[0])]
        margin = max(len(t) for t in ylabels) + 1
        rows = max(1, height - 2 - bool(fig.xlabel))
        cols = max(1, width - margin)
        grid = _resample(z, 2 * rows, cols) if hm.categorical else _area_resample(z, 2 * rows, cols)
    prow = len(grid)

    def rgb(v: float):
        if not math.isfinite(v):
            return None
        if hm.categorical:
            r, g, b = series_rgb(int(v))
            return (int(r * 0.45 + 15), int(g * 0.45 + 15), int(b * 0.45 + 15))
        t = min(1.0, max(0.0, (v - lo) / span))
        return RAMP[min(len(RAMP) - 1, int(t * len(RAMP)))]

    def shade(v: float) -> str:
        if not math.isfinite(v):
            return " "
        if hm.categorical:
            return CLASS_SHADES[int(v) % len(CLASS_SHADES)]
        t = min(1.0, max(0.0, (v - lo) / span))
        return SHADES[min(len(SHADES) - 1, int(t * len(SHADES)))]

    # Series on top: one mark per cell, in the series' colour (or its own marker without colour).
    marks: dict[tuple[int, int], tuple[str, str | None]] = {}
    if not image:
        (x0, x1), (y0, y1) = hm.x_range, hm.y_range
        for k, s in enumerate(fig.series):
            pts = list(zip(s.x, s.y))
            if s.style != "scatter" and len(pts) > 1:  # a line: enough points to join the cells
                dense = []
                for (xa, ya), (xb, yb) in zip(pts, pts[1:]):
                    n = max(1, int(abs(xb - xa) / ((x1 - x0) or 1) * cols * 2 + abs(yb - ya) / ((y1 - y0) or 1) * rows * 2))
                    dense += [(xa + (xb - xa) * t / n, ya + (yb - ya) * t / n) for t in range(n)]
                pts = dense + pts[-1:]
            c = s.color if s.color is not None else k
            own = s.marker if s.marker and len(s.marker) == 1 else "•"
            glyph = (own if s.style == "scatter" else "·") if color else (
                CLASS_MARKS[c % len(CLASS_MARKS)] if isinstance(c, int) and s.style == "scatter"
                else MARKERS[k % len(MARKERS)])
            style = f"bold {rich_color(c)}" if color else None
            for x, y in pts:
                if not (math.isfinite(x) and math.isfinite(y)):
                    continue
                j = int((x - x0) / ((x1 - x0) or 1) * cols)
                i = rows - 1 - int((y - y0) / ((y1 - y0) or 1) * rows)
                if 0 <= i < rows and 0 <= j < cols:
                    marks[(i, j)] = (glyph, style)
    for r in range(rows):
        if not image:
            label = ylabels[0] if r == 0 else ylabels[2] if r == rows - 1 else ylabels[1] if r == rows // 2 else ""
            out.append(label.rjust(margin - 1) + ("┤" if label else "│"), style="dim")
        upper = grid[prow - 1 - 2 * r] if prow - 1 - 2 * r >= 0 else []
        lower = grid[prow - 2 - 2 * r] if prow - 2 - 2 * r >= 0 else []
        for j in range(cols):
            top = upper[j] if j < len(upper) else float("nan")
            bottom = lower[j] if j < len(lower) else float("nan")
            mark = marks.get((r, j))
            if not color:
                out.append(mark[0] if mark else shade(top))
                continue
            ct, cb = rgb(top), rgb(bottom)
            if mark:
                bg = cb or ct
                out.append(mark[0], style=mark[1] + (f" on {_rgb(bg)}" if bg else ""))
            elif ct is None and cb is None:
                out.append(" ")
            elif ct is None:
                out.append("▄", style=_rgb(cb))
            else:
                out.append("▀", style=_rgb(ct) + (f" on {_rgb(cb)}" if cb else ""))
        out.append("\n")
    if not image:
        out.append(" " * (margin - 1) + "└" + "─" * cols + "\n", style="dim")
        left, mid, right = _tick(hm.x_range[0]), _tick((hm.x_range[0] + hm.x_range[1]) / 2), _tick(hm.x_range[1])
        line = [" "] * (margin + cols)
        for pos, t in ((margin, left), (margin + cols // 2 - len(mid) // 2, mid), (margin + cols - len(right), right)):
            for q, ch in enumerate(t):
                if 0 <= pos + q < len(line):
                    line[pos + q] = ch
        out.append("".join(line), style="dim")
        if fig.xlabel:
            out.append("\n" + fig.xlabel.center(margin + cols).rstrip(), style="dim")
    out.rstrip()
    return out


def figure_note_rich(fig: Figure, color: bool | None = None):
    """:func:`figure_note` as rich Text: each legend key and the colour bar in the plot's colours."""
    from rich.text import Text

    color = color_enabled() if color is None else color
    note = figure_note(fig, color)
    text = Text(note)
    if not color:
        return text
    for k, s in enumerate(fig.series):
        if s.label and s.x:
            at = note.find(f" {s.label}")
            if at > 0:
                text.stylize(f"bold {rich_color(series_color(fig, k))}", at - 1, at)
    bar = SPARKS
    at = note.find(bar)
    if at >= 0:
        for i in range(len(bar)):
            text.stylize(_rgb(RAMP[min(len(RAMP) - 1, i * len(RAMP) // len(bar))]), at + i, at + i + 1)
    return text
