"""One snapshot per screen, fed with the fixture curriculum and canned lab events."""

from __future__ import annotations

from dltui.figures import Figure, Heatmap, Series
from dltui.screens.lab import LabScreen

SIZE = (100, 30)


def _canned_events() -> list[tuple]:
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
    return [("started", "CPU (1 threads)"), ("begin", 40),
            ("update", updates, {"regions: hidden": fig, "energy": energy}),
            ("done", "finished", {k: v for k, v in updates[-1][1].items()}, 1.25, 40)]


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


def test_lab_snapshot(snap_compare, make_app):
    app = make_app()

    async def run_before(pilot):
        await app.push_screen(LabScreen("spiral_classification", {"steps": 40}))
        await pilot.pause()
        app.screen.apply_events(_canned_events()[:-1])
        app.screen._draw()
        app.screen._status()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_lab_snapshot_energy_view_wide(snap_compare, make_app):
    app = make_app()

    async def run_before(pilot):
        await app.push_screen(LabScreen("spiral_classification"))
        await pilot.pause()
        app.screen.apply_events(_canned_events())
        app.screen.view = 1
        app.screen._draw()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(130, 40), run_before=run_before)


def test_lab_list_snapshot(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, press=["l"])


def test_help_snapshot(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, press=["f1"])
