"""The CLI's colours: none when redirected or with NO_COLOR; plot legends in the plot's colours."""

from __future__ import annotations

import io
from argparse import Namespace

from rich.console import Console

from dltui import commands
from dltui.figures import Figure, Heatmap, Series
from dltui.plotting import figure_note_rich, rich_color, series_color
from dltui.run_state import RunState


def _figure() -> Figure:
    z = [[(i + j) % 3 for j in range(12)] for i in range(8)]
    return Figure(title="regions", heatmap=Heatmap(z, (-1, 1), (-1, 1), categorical=True),
                  series=[Series([0.1], [0.2], style="scatter", color=k, label=f"class {k}", marker="●")
                          for k in range(3)])


def _energy() -> Figure:
    return Figure(title="energy", heatmap=Heatmap([[i * j for j in range(10)] for i in range(6)], (0, 1), (0, 1),
                                                  label="E"))


def test_no_colour_when_redirected_or_with_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert not commands.use_color(Console(file=io.StringIO()))  # not a terminal
    assert commands.use_color(Console(file=io.StringIO(), force_terminal=True))
    monkeypatch.setenv("NO_COLOR", "1")
    assert not commands.use_color(Console(file=io.StringIO(), force_terminal=True))


def test_redirected_plots_have_no_escape_codes(monkeypatch, capsys):
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = Console(file=io.StringIO(), width=80)
    state = RunState(history={"loss": ([1, 2, 3], [1.0, 0.5, 0.2])}, figures={"r": _figure(), "e": _energy()})
    commands._print_plots(out, state)
    printed = capsys.readouterr().out + out.file.getvalue()
    assert "\x1b" not in printed
    assert "class 0" in printed and "regions" in printed


def test_colour_plots_keep_the_terminal_background(monkeypatch, capsys):
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = Console(file=io.StringIO(), width=80, force_terminal=True, color_system="truecolor")
    commands._print_plots(out, RunState(figures={"e": _energy()}))
    printed = capsys.readouterr().out
    assert "\x1b[38;" in printed  # coloured marks ...
    assert "\x1b[47m" not in printed and "\x1b[48;5;15m" not in printed  # ... on no painted white canvas


def test_legend_keys_take_their_class_colours():
    fig = _figure()
    text = figure_note_rich(fig, color=True)
    styles = " ".join(str(span.style) for span in text.spans)
    plot_colours = {rich_color(series_color(fig, k)) for k in range(3)}
    assert len(plot_colours) == 3 and all(c in styles for c in plot_colours)  # the plot's own colours
    assert not figure_note_rich(fig, color=False).spans
    bar = figure_note_rich(_energy(), color=True)
    assert len({str(s.style) for s in bar.spans}) >= 6  # the colour bar follows the ramp


def test_labs_metrics_names_lessons_by_title(capsys):
    assert commands.cmd_labs(Namespace(metrics=True)) == 0
    out = capsys.readouterr().out
    assert "lessons: Neural nets training (t1_nn_training)" in out


def test_labs_wrap_under_their_summary_in_a_terminal(monkeypatch, capsys):
    import os
    import shutil

    monkeypatch.setattr(commands.sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(shutil, "get_terminal_size", lambda *a, **k: os.terminal_size((60, 20)))
    assert commands.cmd_labs(Namespace(metrics=False)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(len(ln) < 60 for ln in lines)
    spiral = next(i for i, ln in enumerate(lines) if ln.startswith("spiral_classification"))
    assert lines[spiral + 1].startswith(" " * 25) and lines[spiral + 1].strip()  # the summary goes on, indented
