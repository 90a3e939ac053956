"""One snapshot per screen, fed with the fixture curriculum and canned lab events."""

from __future__ import annotations

from dltui.engine import Begin, Done, Event, Started, Update
from dltui.figures import Figure, Heatmap, Series
from dltui.screens.lab import LabScreen
from dltui.widgets.plot import plots_settled

SIZE = (100, 30)


def _canned_events() -> list[Event]:
    steps = list(range(1, 41))
    updates = [(s, {"loss_linear": 1.1 - 0.3 * s / 40, "loss_hidden": 1.1 * (1 - s / 45),
                    "acc_linear": 0.35 + 0.15 * s / 40, "acc_hidden": 0.35 + 0.6 * s / 40}) for s in steps]
    z = [[(i // 10 + j // 16) % 3 for j in range(48)] for i in range(30)]
    fig = Figure(title="Decision regions (canned)", heatmap=Heatmap(z, (-1.1, 1.1), (-1.1, 1.1), categorical=True),
                 series=[Series([-0.5, 0.0, 0.5], [0.5, 0.0, -0.5], style="scatter", color=0, marker="●")],
                 xlim=(-1.1, 1.1), ylim=(-1.1, 1.1))
    energy = Figure(title="Energy (canned)",
                    heatmap=Heatmap([[((i - 15) ** 2 + (j - 24) ** 2) / 100 for j in range(48)] for i in range(30)],
                                    (-2, 2), (-2, 2), label="E"))
    return [Started("CPU, 1 thread"), Begin(40),
            Update(updates, {"regions: hidden": fig, "energy": energy}),
            Done("finished", {k: v for k, v in updates[-1][1].items()}, 1.25, 40)]


def test_home_snapshot(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE)


def test_home_snapshot_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24), press=["down"])


def test_home_snapshot_80x24_course_folded(snap_compare, make_app, tmp_path):
    """The shipped course at 80×24: nine themes with their bars, only the one in progress unfolded."""
    from dltui.curriculum import load_curriculum
    from dltui.paths import curriculum_dir

    app = make_app(tmp_path / "course", curriculum=load_curriculum(curriculum_dir()))
    app.store.lesson_opened("t3_lv_ebm_inference")
    assert snap_compare(app, terminal_size=(80, 24))


def test_lesson_answered_question_snapshot_80x24(snap_compare, make_app, tmp_path):
    """After an answer the question keeps focus (heavy frame) and its feedback is on screen."""
    app = make_app(tmp_path / "answered80")
    assert snap_compare(app, terminal_size=(80, 24), press=["down", "enter", "n", "1", ",", "0", "0", "0", "enter"])


def test_lesson_snapshot(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, press=["down", "enter"])


def test_lesson_answered_quiz_snapshot(snap_compare, make_app, tmp_path):
    app = make_app(tmp_path / "answered")
    app.store.record_answer("t1_demo", "sigmoid-zero", "numeric", 1.0, False)
    app.store.record_answer("t1_demo", "relu-kink", "single", 0, True)

    async def run_before(pilot):
        await pilot.press("down", "enter")
        await pilot.pause(0.5)
        app.screen.query_one("#lesson-body").scroll_to(y=14, animate=False)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_lab_snapshot(snap_compare, make_app, tmp_path):
    """Mid-run: the worker has sent everything but its "done"."""
    events = _canned_events()
    assert _lab_at(snap_compare, make_app, tmp_path, "spiral_classification", lambda job: events, size=SIZE,
                   hold=True)


def test_lab_snapshot_energy_view_wide(snap_compare, make_app, tmp_path):
    events = _canned_events()
    assert _lab_at(snap_compare, make_app, tmp_path, "spiral_classification", lambda job: events, views=1,
                   size=(130, 40))


def test_lab_list_snapshot(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, press=["l"])


def test_help_snapshot(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, press=["f1"])


# -- the lab screen at 80×24, fed by a worker that replays canned events (no private calls) -------

DIGITS = {  # 8×8 glyphs, row 0 on top, for canned VAE reconstructions
    "0": ["..####..", ".##..##.", ".##..##.", ".##..##.", ".##..##.", ".##..##.", "..####..", "........"],
    "1": ["...##...", "..###...", "...##...", "...##...", "...##...", "...##...", "..####..", "........"],
    "7": [".######.", ".....##.", "....##..", "...##...", "..##....", "..##....", "..##....", "........"],
    "3": [".#####..", ".....##.", "...###..", ".....##.", ".....##.", ".##..##.", "..####..", "........"],
}


def _glyph(ch: str, blur: float = 0.0) -> list[list[float]]:
    return [[(0.95 - blur) if c == "#" else blur for c in row] for row in DIGITS[ch]]


def _vae_events(job):
    from dltui.labs.vae import mosaic

    shown = [_glyph(c) for c in "01730173"]
    recon = [_glyph(c, 0.15) for c in "01730173"]
    fig = Figure(title="Test digits (top) and their reconstructions (bottom)",
                 heatmap=mosaic([shown, recon]), caption="reconstruction 21.4 nats per image")
    updates = [(s, {"loss_test": 40 - s / 2, "loss_recon": 36 - s / 2, "loss_kl": 1 + s / 20}) for s in range(1, 41)]
    return [Started("CPU, 1 thread"), Begin(40), Update(updates, {"reconstructions": fig}),
            Done("finished", dict(updates[-1][1]), 3.2, 40)]


def _ebm_events(job):
    import math

    nx, ny = 60, 30
    z = [[abs(math.hypot((-3 + 6 * (j + .5) / nx) / 2, (-2 + 4 * (i + .5) / ny) / 1.2) - 1) * 3
          for j in range(nx)] for i in range(ny)]
    t = [2 * math.pi * k / 60 for k in range(61)]
    fig = Figure(title="Zero-temperature free energy F∞(y) = min_z E(y, z), w = (2, 1.2)",
                 heatmap=Heatmap(z, (-3, 3), (-2, 2), label="F∞(y)", log_scale=True),
                 series=[Series([2 * math.cos(a) for a in t], [1.2 * math.sin(a) for a in t], label="model ellipse",
                                color="cyan"),
                         Series([1.0], [1.5], label="y", style="scatter", color="red", marker="x")],
                 xlim=(-3, 3), ylim=(-2, 2), xlabel="y1", ylabel="y2",
                 caption="F∞(0,0) = 1.000   F∞(y) = 0.412")
    return [Started("CPU, 1 thread"), Begin(1), Update([], {"landscape: F∞": fig}),
            Done("finished", {"f_inf_center": 1.0}, 0.1, 1)]


def _lab_at(snap_compare, make_app, tmp_path, lab_id, script, views=0, size=(80, 24), hold=False):
    from fake_worker import ReplayWorker

    worker = ReplayWorker(script, hold=hold)
    app = make_app(tmp_path / lab_id, lab_process_factory=lambda: worker)

    async def run_before(pilot):
        await app.push_screen(LabScreen(lab_id))
        await pilot.pause()
        await pilot.press("f5")
        for _ in range(100):
            if not app.screen.running or (hold and not worker._queue):
                break
            await pilot.pause(0.05)
        await pilot.press(*["v"] * views)
        await pilot.pause(0.3)
        for _ in range(100):  # plots paint in a thread of their own
            if plots_settled(app.screen):
                break
            await pilot.pause(0.05)

    return snap_compare(app, terminal_size=size, run_before=run_before)


def _lab_at_80x24(snap_compare, make_app, tmp_path, lab_id, script):
    return _lab_at(snap_compare, make_app, tmp_path, lab_id, script)


def test_lab_spiral_80x24(snap_compare, make_app, tmp_path):
    """Braille curves with their legend under them, half-block decision regions, the header."""
    events = _canned_events()
    assert _lab_at_80x24(snap_compare, make_app, tmp_path, "spiral_classification", lambda job: events)


def test_lab_vae_reconstructions_80x24(snap_compare, make_app, tmp_path):
    """The digits read as digits: one column and half a row per pixel."""
    assert _lab_at_80x24(snap_compare, make_app, tmp_path, "vae", _vae_events)


def test_lab_ebm_ellipse_inference_80x24(snap_compare, make_app, tmp_path):
    """A pure-inference lab: its landscape with the ellipse on top gets the whole area."""
    assert _lab_at_80x24(snap_compare, make_app, tmp_path, "ebm_ellipse_inference", _ebm_events)
