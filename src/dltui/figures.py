"""Plain, picklable descriptions of what a lab wants drawn. Pure: no torch, no textual.

Labs build these from tensors (``.tolist()``) and hand them to ``ctx.figure(name, fig)``; the
lab screen and the headless CLI draw them with plotext (see :mod:`dltui.plotting`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Colours for class ids / series, in order. plotext names; shading markers stand in with NO_COLOR.
PALETTE = ("red", "blue", "green", "orange", "magenta", "cyan", "yellow", "gray", "white", "black")


@dataclass
class Series:
    """A line or a point cloud. ``color`` is a palette index (e.g. a class id) or a plotext name."""

    x: list[float]
    y: list[float]
    label: str = ""
    style: str = "line"  # "line" | "scatter"
    color: int | str | None = None
    marker: str | None = None  # e.g. "dot", "braille", "x", "o", "●"


@dataclass
class Heatmap:
    """A scalar field (energy, loss surface) or class regions over a rectangle of the plane.

    ``z[i][j]`` is the value at x = x_range[0] + (j + ½)·Δx, y = y_range[0] + (i + ½)·Δy:
    row 0 is the *bottom* row. With ``categorical`` the values are class ids (decision regions).
    """

    z: list[list[float]]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    categorical: bool = False
    label: str = ""  # what the value is, shown beside the colour bar, e.g. "F∞(y)"
    log_scale: bool = False  # colour by log(1 + z − min): keeps valleys visible next to huge values


@dataclass
class Bars:
    labels: list[str]
    values: list[float]
    label: str = ""


@dataclass
class Figure:
    title: str = ""
    series: list[Series] = field(default_factory=list)
    heatmap: Heatmap | None = None
    bars: Bars | None = None
    xlabel: str = ""
    ylabel: str = ""
    xlim: tuple[float, float] | None = None
    ylim: tuple[float, float] | None = None
    caption: str = ""  # one line under the plot (key numbers), shown by the lab screen
