"""The parts the lab screen was split into (issue 12): its texts, its estimates, sparklines, the
key names it quotes, the plot that paints in a thread, and the screen's promise not to lay itself
out again for every update while a lab trains."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
from fake_worker import ReplayWorker
from rich.text import Text
from textual.app import App

from dltui import lab_text
from dltui.engine import Begin, Done, Started, Update
from dltui.lab_estimates import Estimates
from dltui.plotting import sparklines
from dltui.screens.lab import LabScreen
from dltui.widgets.bars import key_name
from dltui.widgets.plot import FigurePlot, plots_settled


def named_keys(action: str) -> str:
    """A ``keys`` callable as the screen passes it in a browser."""
    return {"start": "Ctrl+G", "stop": "Ctrl+O", "reset": "Ctrl+L"}.get(action, f"<{action}>")


# -- lab_text ----------------------------------------------------------------------------------

@pytest.mark.parametrize("seconds, said", [(0.2, "1 s"), (8, "8 s"), (42, "40 s"), (125, "2 min"),
                                           (4200, "1 h 10 min"), (3600, "1 h"), (90 * 60, "1 h 30 min")])
def test_duration_is_rounded_the_way_one_says_it(seconds, said):
    assert lab_text.duration(seconds) == said


def test_duration_never_says_sixty_seconds():
    assert lab_text.duration(59) == "1 min"


@pytest.mark.parametrize("n, word, said", [(1, "step", "1 step"), (2, "epoch", "2 epochs"),
                                           (3, "β step", "3 β steps"), (2, "batch", "2 batches"),
                                           (0, "iteration", "0 iterations"), (1, "epoch", "1 epoch")])
def test_counted_uses_the_plural_except_for_one(n, word, said):
    assert lab_text.counted(n, word) == said


def test_settings_key_ignores_seeds_but_not_other_settings_or_the_device():
    base = {"lr": 0.01, "hidden": 32, "seed": 0, "data_seed": 1}
    key = lab_text.settings_key(base, "cpu")
    assert lab_text.settings_key({**base, "seed": 7, "data_seed": 9}, "cpu") == key
    assert lab_text.settings_key({**base, "lr": 0.02}, "cpu") != key
    assert lab_text.settings_key({**base, "hidden": 64}, "cpu") != key
    assert lab_text.settings_key(base, "cuda") != key
    # The order the form reads them in does not matter.
    assert lab_text.settings_key(dict(reversed(list(base.items()))), "cpu") == key


def test_refusal_title_names_the_kind_of_refusal():
    assert lab_text.refusal_title("lr: 'abc' is not a number; allowed: 0.0001–1") == "Not a number"
    assert lab_text.refusal_title("lr: 'abc' is not a number; allowed: 0.0001–1\n"
                                  "hidden: 'x' is not a number; allowed: 2–512") == "Not a number"
    assert lab_text.refusal_title("lr: 'abc' is not a number; allowed: 0.0001–1\n"
                                  "hidden: 9999 is out of range; allowed: 2–512") == "Setting out of range"
    assert lab_text.refusal_title("activation: 'gelu' is not allowed; allowed: relu, tanh") == "Setting not allowed"


def test_status_parts_in_order_with_the_estimate_after_the_rate_and_two_of_each_metric():
    last = {"loss_a": 1.0, "acc_a": 0.5, "loss_b": 2.0, "loss_c": 3.0, "acc_b": 0.25, "acc_c": 0.75, "other": 9.0}
    parts = lab_text.status_parts("epoch", 5, 100, 1234.0, last, "about 1 min left")
    assert parts == ["epoch 5/100", "1,234/s", "about 1 min left", "loss_a 1", "loss_b 2", "acc_a 0.5", "acc_b 0.25"]
    # No rate yet: the estimate follows the progress; no total: a bare step count.
    assert lab_text.status_parts("step", 3, 0, 0.0, {"loss": 0.5}, "about 8 s on this CPU") == \
        ["step 3", "about 8 s on this CPU", "loss 0.5"]
    assert lab_text.status_parts("step", 3, 10, 0.0, {}) == ["step 3/10"]


def test_time_left_is_empty_during_the_warm_up():
    assert lab_text.time_left(10.0, 50, 100, elapsed=1.0) == ""  # too early to trust the rate
    assert lab_text.time_left(10.0, 2, 100, elapsed=5.0) == ""  # too few steps
    assert lab_text.time_left(0.0, 50, 100, elapsed=5.0) == ""  # no rate
    assert lab_text.time_left(10.0, 100, 100, elapsed=5.0) == ""  # done
    assert lab_text.time_left(10.0, 50, 100, elapsed=5.0) == "about 5 s left"
    assert lab_text.time_left(1.0, 10, 130, elapsed=5.0) == "about 2 min left"


def test_messages_name_the_keys_they_are_given():
    long = lab_text.long_run(130, "CPU (2 threads)", 12, "epoch", named_keys)
    assert "about 2 min on this CPU" in long and "12 epochs" in long
    assert "Ctrl+G starts it" in long and "Ctrl+O stops it" in long and "F5" not in long
    assert "on this GPU" in lab_text.long_run(130, "CUDA:0", 1, "step", named_keys)

    died = lab_text.worker_died("was killed (SIGKILL)", "step", 42, named_keys)
    assert "step 42" in died and "Ctrl+G starts a fresh worker" in died
    assert "at its start" in lab_text.worker_died("exited", "step", 0, named_keys)

    line, note = lab_text.not_responding(7.2, False, named_keys)
    assert "7 s" in line and "Ctrl+O stops the run" in line and "Ctrl+O" in note
    line, _note = lab_text.not_responding(7.2, True, named_keys)
    assert "SIGSTOP" in line and "Ctrl+O" in line


# -- lab_estimates -----------------------------------------------------------------------------

def test_estimates_ask_only_about_valid_unknown_settings():
    book = Estimates()
    book.wanted = True
    assert book.ask(None) is None and not book.wanted  # invalid settings: nothing to time
    first = book.ask("k1")
    assert first is not None
    assert book.answer(first, 30.0, "CPU") == "k1"
    assert book.ask("k1") is None  # known already
    assert book.by_key["k1"] == (30.0, "CPU")


def test_an_answer_about_settings_no_longer_on_show_is_ignored():
    book = Estimates()
    old = book.ask("k1")
    new = book.ask("k2")
    assert old != new
    assert book.answer(old, 99.0, "CPU") is None
    assert "k1" not in book.by_key and "k2" not in book.by_key
    assert book.answer(new, 5.0, "CPU") == "k2"
    assert book.answer(new, 6.0, "CPU") == "k2" and book.by_key["k2"] == (6.0, "CPU")


def test_learn_and_before_run():
    book = Estimates()
    assert book.before_run(None) == "" and book.before_run("never timed") == ""
    book.learn("k", 125.0, "CPU (2 threads)")
    assert book.before_run("k") == "about 2 min on this CPU"
    book.learn("k", 8.0, "CUDA:0")  # a finished run overrides a probe
    assert book.before_run("k") == "about 8 s on this GPU"
    assert book.ask("k") is None


# -- sparklines --------------------------------------------------------------------------------

def history(n: int = 100) -> dict:
    xs = list(range(1, n + 1))
    return {"loss_test": (xs, [40 - s / 5 for s in xs]), "loss_kl": (xs, [1 + s / 20 for s in xs])}


def test_sparklines_one_line_per_series_with_name_and_first_to_last():
    text = sparklines(history(), 60, 2, color=True)
    lines = text.plain.split("\n")
    assert len(lines) == 2
    assert lines[0].startswith("loss_test ") and lines[0].endswith("39.8 → 20")
    assert lines[1].startswith("loss_kl ") and lines[1].endswith("1.05 → 6")
    assert "▁" in lines[0] and "█" in lines[0]
    assert all(len(line) <= 60 for line in lines)


@pytest.mark.parametrize("width", [30, 45, 80, 200])
def test_sparklines_fit_the_width(width):
    lines = sparklines(history(500), width, 4, color=False).plain.split("\n")
    assert lines and all(len(line) <= width for line in lines)


def test_sparklines_without_colour_carry_no_colour():
    coloured = sparklines(history(), 60, 2, color=True)
    plain = sparklines(history(), 60, 2, color=False)
    assert plain.plain == coloured.plain
    assert any("rgb" in str(span.style) for span in coloured.spans)
    assert not any("rgb" in str(span.style) or "color" in str(span.style) for span in plain.spans)


def test_sparklines_survive_nan_and_infinite_values():
    xs = [1, 2, 3, 4]
    text = sparklines({"loss": (xs, [1.0, math.nan, math.inf, 0.5]), "acc": (xs, [math.nan] * 4)}, 50, 2, False)
    lines = text.plain.split("\n")
    assert len(lines) == 2 and lines[0].startswith("loss") and lines[0].endswith("1 → 0.5")
    assert lines[1].startswith("acc") and lines[1].endswith("nan → nan")


def test_sparklines_title_only_when_there_is_a_spare_row():
    tight = sparklines(history(), 60, 2, color=False, title="loss (a: next)").plain.split("\n")
    assert len(tight) == 2 and "loss (a: next)" not in tight[0]
    roomy = sparklines(history(), 60, 3, color=False, title="loss (a: next)").plain.split("\n")
    assert len(roomy) == 3 and roomy[0].strip() == "loss (a: next)"
    assert roomy[1].startswith("loss_test")


# -- key names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("web, action, said", [
    (False, "start", "F5"), (False, "back", "Esc"), (False, "defaults", "d"), (False, "reset", "F7"),
    (True, "start", "Ctrl+G"), (True, "stop", "Ctrl+O"), (True, "reset", "Ctrl+L"),
    (True, "back", "Esc"), (True, "defaults", "d"), (True, "toggle_settings", "F2"),
])
def test_key_name_names_the_key_that_works_where_the_learner_is(web, action, said):
    assert key_name(SimpleNamespace(is_web=web), LabScreen.BINDINGS, action) == said


def test_key_name_keeps_a_browser_key_with_no_alternative_and_unknown_actions():
    from textual.binding import Binding

    assert key_name(SimpleNamespace(is_web=True), [Binding("f1", "help", "Help")], "help") == "F1"
    assert key_name(SimpleNamespace(is_web=False), LabScreen.BINDINGS, "nowhere") == "nowhere"


# -- Pilot helpers -----------------------------------------------------------------------------

async def settle(pilot, predicate, polls: int = 100):
    for _ in range(polls):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition never became true")


def painted(plot: FigurePlot) -> str:
    return "\n".join(strip.text for strip in plot._strips)


def rendered(widget) -> str:
    return str(widget.render())


async def open_lab(app, pilot, lab_id="spiral_classification"):
    await app.push_screen(LabScreen(lab_id))
    await pilot.pause()
    return app.screen


def scalars(step: int) -> dict:
    return {"loss_linear": 1.0 - step / 100, "loss_hidden": 1.0 - step / 50,
            "acc_linear": 0.4, "acc_hidden": 0.4 + step / 100}


# -- no layout pass per update -----------------------------------------------------------------

async def test_updates_while_training_cause_no_layout_pass(make_app, monkeypatch):
    """Each layout pass repaints the whole screen: once the first update is on show, more updates
    (new steps, new rate, new values) must only repaint the lines and plots that changed."""
    first = [Started("CPU (1 thread)"), Begin(100), Update([(1, scalars(1))], {}),
             Done("finished", scalars(1), 1.0, 1)]
    worker = ReplayWorker(lambda job: first, hold=True)  # the Done waits: the run stays on
    app = make_app(lab_process_factory=lambda: worker)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(app, pilot)
        await pilot.press("f5")
        await settle(pilot, lambda: screen.step == 1 and not worker._queue)
        await pilot.pause(0.3)
        await settle(pilot, lambda: plots_settled(screen))
        await pilot.pause()

        layouts, widget_layouts = [], []
        real_refresh_layout = screen._refresh_layout
        monkeypatch.setattr(screen, "_refresh_layout",
                            lambda *a, **kw: (layouts.append(a), real_refresh_layout(*a, **kw))[1])
        watched = {f"#{name}": screen.query_one(f"#{name}") for name in
                   ("lab-status", "lab-message", "curves-note", "figure-note", "lab-header")}
        for name, widget in watched.items():
            real = widget.refresh

            def spy(*a, _name=name, _real=real, **kw):
                if kw.get("layout"):
                    widget_layouts.append(_name)
                return _real(*a, **kw)

            monkeypatch.setattr(widget, "refresh", spy)
        status_before = rendered(screen.query_one("#lab-status"))
        paints_before = screen.query_one("#curves", FigurePlot).paints

        worker._queue.extend(Update([(s, scalars(s))], {}) for s in range(2, 32))
        await settle(pilot, lambda: screen.step == 31 and not worker._queue)
        await pilot.pause(0.3)
        await settle(pilot, lambda: plots_settled(screen))
        await pilot.pause()

        assert screen.running and len(screen.history["loss_hidden"][1]) == 31
        status = rendered(screen.query_one("#lab-status"))
        assert status != status_before and "31/100" in status  # the lines did change…
        assert screen.query_one("#curves", FigurePlot).paints > paints_before  # …and the curves
        assert widget_layouts == []  # …without asking for a layout
        assert layouts == []
        await pilot.press("f6")
        await settle(pilot, lambda: not screen.running)


# -- a plot whose painter fails ----------------------------------------------------------------

class PlotApp(App):
    def compose(self):
        yield FigurePlot(id="plot")


async def test_a_plot_that_cannot_be_drawn_says_so_and_the_app_keeps_running():
    def broken(plt, width, height):
        raise ValueError("no such colour: mauve")

    app = PlotApp()
    async with app.run_test(size=(60, 16)) as pilot:
        plot = app.query_one(FigurePlot)
        await pilot.pause()
        plot.show(broken)
        assert not plots_settled(app.screen)  # the paint is under way
        await settle(pilot, lambda: plots_settled(app.screen))
        lines = painted(plot)
        assert "could not be drawn" in lines and "mauve" in lines
        assert app.is_running

        plot.show_text(lambda w, h: Text("drawn at last"))
        await settle(pilot, lambda: plots_settled(app.screen) and "drawn at last" in painted(plot))
        assert "could not be drawn" not in painted(plot)


# -- the keys a lab names, in a terminal and in a browser --------------------------------------

@pytest.mark.parametrize("web", [False, True])
async def test_the_lab_names_keys_that_work_where_the_learner_is(make_app, monkeypatch, web):
    from dltui.app import DltuiApp

    monkeypatch.setattr(DltuiApp, "is_web", property(lambda self: web))
    app = make_app(lab_process_factory=lambda: ReplayWorker(lambda job: []))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lab(app, pilot)
        header = rendered(screen.query_one("#lab-header"))
        about = rendered(screen.query_one("#about"))
        keys_line = next(line for line in about.splitlines() if line.startswith("Keys:"))
        if web:
            assert "no run yet: Ctrl+G starts one" in header
            assert "Ctrl+G start" in keys_line and "Ctrl+O stop" in keys_line and "Ctrl+L clear" in keys_line
            assert "F5" not in header + keys_line and "F6" not in keys_line and "F7" not in keys_line
        else:
            assert "no run yet: F5 starts one" in header
            assert "F5 start" in keys_line and "F6 stop" in keys_line and "F7 clear" in keys_line
            assert "Ctrl+G" not in header + keys_line


# -- short curve areas show sparklines, tall ones a chart --------------------------------------

def vae_events(job):
    from dltui.figures import Figure
    from dltui.labs.vae import mosaic

    glyph = [[0.9 if (r + c) % 3 else 0.1 for c in range(8)] for r in range(8)]
    fig = Figure(title="Test digits (top) and their reconstructions (bottom)",
                 heatmap=mosaic([[glyph] * 8, [glyph] * 8]), caption="reconstruction 21.4 nats per image")
    updates = [(s, {"loss_test": 40 - s / 2, "loss_recon": 36 - s / 2, "loss_kl": 1 + s / 20}) for s in range(1, 41)]
    return [Started("CPU, 1 thread"), Begin(40), Update(updates, {"reconstructions": fig}),
            Done("finished", dict(updates[-1][1]), 3.2, 40)]


async def curves_of_a_vae_run(make_app, tmp_path, size) -> str:
    app = make_app(tmp_path / f"vae{size[0]}", lab_process_factory=lambda: ReplayWorker(vae_events))
    async with app.run_test(size=size) as pilot:
        screen = await open_lab(app, pilot, "vae")
        await pilot.press("f5")
        await settle(pilot, lambda: not screen.running and screen.step == 40)
        await pilot.pause(0.3)
        await settle(pilot, lambda: plots_settled(screen))
        return painted(screen.query_one("#curves", FigurePlot))


async def test_vae_curves_are_sparklines_at_80x24(make_app, tmp_path):
    lines = await curves_of_a_vae_run(make_app, tmp_path, (80, 24))
    assert "→" in lines and "loss_test" in lines and "39.5 → 20" in lines
    assert "┤" not in lines


async def test_vae_curves_are_a_chart_at_120x40(make_app, tmp_path):
    lines = await curves_of_a_vae_run(make_app, tmp_path, (120, 40))
    assert "┤" in lines or "step" in lines
    assert "→" not in lines


# -- lab_watch: a silent worker is told once, and taken back when it speaks ----------------------

class _Quiet:
    def __init__(self, ready=True):
        self.ready, self.silent = ready, 0.0

    def silent_for(self):
        return self.silent


def test_worker_watch_warns_once_and_takes_it_back():
    from dltui.lab_watch import SILENT_SECONDS, WorkerWatch

    watch, proc = WorkerWatch(), _Quiet()
    proc.silent = SILENT_SECONDS - 0.1
    assert watch.check(proc) is None and not watch.unresponsive
    proc.silent = SILENT_SECONDS + 1
    assert watch.check(proc) == ("silent", SILENT_SECONDS + 1) and watch.unresponsive
    assert watch.check(proc) is None  # said once
    proc.silent = 0.2
    assert watch.check(proc) == ("back", 0.0) and not watch.unresponsive


def test_worker_watch_gives_a_starting_worker_more_slack():
    from dltui.lab_watch import SILENT_SECONDS, SILENT_SECONDS_STARTING, WorkerWatch

    proc = _Quiet(ready=False)
    proc.silent = SILENT_SECONDS + 1
    assert WorkerWatch().check(proc) is None
    proc.silent = SILENT_SECONDS_STARTING + 1
    assert WorkerWatch().check(proc)[0] == "silent"


@pytest.mark.parametrize("met, settings, preset, said", [
    (True, {"lr": 0.01}, None, "expectation met ✓"),
    (False, {"lr": 0.01}, None, "expectation not met ✗"),
    (False, {"lr": 0.5}, {"lr": 0.5}, "as the lesson describes"),
    (False, {"lr": 0.5}, None, "other settings than the expectation's"),
    (None, {"lr": 0.01}, None, ""),
])
def test_verdict_judges_the_default_settings_only(met, settings, preset, said):
    text = lab_text.verdict(met, settings, {"lr": 0.01}, preset)
    assert (said in text) if said else text == ""


# -- lab_memory: the last settings per lab, minus what the lab no longer accepts ------------------

class _State:
    def __init__(self):
        self.kv = {}

    def state(self, key):
        return self.kv.get(key)

    def set_state(self, key, value):
        self.kv[key] = value


def test_last_settings_round_trip_and_drop_what_is_no_longer_allowed():
    from dltui import lab_memory, labregistry
    from dltui.labspec import setting_specs

    specs = setting_specs(labregistry.load("spiral_classification").Settings)
    store = _State()
    assert lab_memory.last_settings(store, "spiral_classification", specs) == {}
    lab_memory.remember(store, "spiral_classification", {"steps": 500, "hidden": 10**9, "gone": 1})
    assert lab_memory.last_settings(store, "spiral_classification", specs) == {"steps": 500}
    store.kv[lab_memory.KEY + "spiral_classification"] = "{not json"
    assert lab_memory.last_settings(store, "spiral_classification", specs) == {}


def test_failure_text_points_a_crash_to_the_log():
    title, text = lab_text.failure("crashed", "  boom\n at step 3 ", {"crashed": "The lab crashed"})
    assert title == "The lab crashed" and text == "boom at step 3 (the details are in lab-worker.log)"
    assert lab_text.failure("weird", "", {}) == ("Failed", "weird")
    assert lab_text.log_details([]) is None
    from rich.text import Text

    shown = Text.from_markup("\n".join(lab_text.log_details(["Error: [bold] in a log line"]))).plain
    assert "[bold] in a log line" in shown  # a log line is shown as written, not read as markup
