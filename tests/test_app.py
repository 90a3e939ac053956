"""UI flows driven through Textual's Pilot, as a learner would use the keyboard."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList, Tree

from dltui.screens.home import HomeScreen
from dltui.screens.lab import LabScreen
from dltui.screens.lesson import LessonScreen
from dltui.widgets.quiz import QuizWidget

SIZE = (100, 30)


async def _wait(pilot, predicate, limit: int = 600, step: float = 0.2) -> None:
    """Let the app run until ``predicate()`` holds (bounded by a number of polls, not a timer)."""
    for _ in range(limit):
        if predicate():
            return
        await pilot.pause(step)
    raise AssertionError("condition never became true")


async def test_home_lists_themes_and_lessons(make_app, fixture_curriculum):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        tree = app.screen.query_one("#outline", Tree)
        labels = [str(n.label) for n in tree.root.children]
        assert labels[0].startswith("Basics") and labels[1].startswith("More")
        lessons = [str(n.label) for n in tree.root.children[0].children]
        assert any("A demo lesson" in label for label in lessons)


async def test_answer_quit_and_come_back(make_app, tmp_path):
    data = tmp_path / "learner"
    app = make_app(data)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")  # first lesson of the first theme
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        quiz = app.screen.query(QuizWidget).first()
        assert quiz.question.id == "sigmoid-zero"
        quiz.query_one(Input).focus()
        await pilot.press("0", ".", "5", "enter")
        await pilot.pause()
        assert quiz.has_class("right")
        # The single-choice question answers on Enter.
        single = [q for q in app.screen.query(QuizWidget) if q.question.id == "relu-kink"][0]
        single.query_one(OptionList).focus()
        await pilot.press("down", "enter")  # option B: wrong
        await pilot.pause()
        assert single.has_class("wrong")
        body = app.screen.query_one("#lesson-body")
        body.scroll_to(y=body.max_scroll_y // 2, animate=False)
        await pilot.pause()
        saved_fraction = body.scroll_y / body.max_scroll_y
        await pilot.press("q")  # quit straight from the lesson
    assert saved_fraction > 0.2

    again = make_app(data)
    async with again.run_test(size=SIZE) as pilot:
        answers = again.store.latest_answers("t1_demo")
        assert answers["sigmoid-zero"].answer == 0.5 and answers["sigmoid-zero"].correct is True
        assert answers["relu-kink"].answer == 1 and answers["relu-kink"].correct is False
        assert again.store.last_lesson() == "t1_demo"
        assert again.store.position("t1_demo") == pytest.approx(saved_fraction, abs=0.02)
        await pilot.press("c")  # Continue reopens the lesson at the saved place
        await _wait(pilot, lambda: isinstance(again.screen, LessonScreen))
        body = again.screen.query_one("#lesson-body")
        await _wait(pilot, lambda: body.scroll_y > 0, limit=50)
        assert body.scroll_y / body.max_scroll_y == pytest.approx(saved_fraction, abs=0.05)
        quiz = again.screen.query(QuizWidget).first()
        assert quiz.has_class("answered") and quiz.has_class("right")
        assert quiz.query_one(Input).value == "0.5"


async def test_home_progress_reflects_answers(make_app, tmp_path):
    app = make_app(tmp_path / "p")
    app.store.record_answer("t1_demo", "sigmoid-zero", "numeric", 0.5, True)
    app.store.mark_completed("t1_demo")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.screen.query_one("#outline", Tree)
        theme_label = str(tree.root.children[0].label)
        assert "1/1" in theme_label
        lesson_label = str(tree.root.children[0].children[0].label)
        assert lesson_label.startswith("✓") and "1/4" in lesson_label


async def _open_lab(app, pilot, **settings) -> LabScreen:
    await app.push_screen(LabScreen("spiral_classification", settings))
    await pilot.pause()
    return app.screen


@pytest.mark.slow
async def test_lab_run_is_saved_and_plotted(make_app, tmp_path):
    app = make_app(tmp_path / "lab")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_lab(app, pilot, steps=40, points=60, seed=1)
        await pilot.press("f5")
        assert screen.running
        await _wait(pilot, lambda: not screen.running)
        runs = app.store.runs("spiral_classification")
        assert len(runs) == 1 and runs[0].status == "finished"
        assert runs[0].settings["steps"] == 40 and runs[0].steps == 40
        assert set(runs[0].metrics) == {"acc_linear", "acc_hidden", "loss_linear", "loss_hidden"}
        # The curves and the decision regions received data and were drawn.
        assert len(screen.history["loss_hidden"][0]) == 40
        assert any(name.startswith("regions") for name in screen.figures)
        assert screen.redraws >= 2
        assert "Finished" in str(screen.query_one("#lab-message").render())
        # The run shows in the Runs tab.
        assert screen.query_one("#runs").row_count == 1


@pytest.mark.slow
async def test_lab_stop_mid_run(make_app, tmp_path):
    app = make_app(tmp_path / "stop")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_lab(app, pilot, steps=10000, points=200)
        await pilot.press("f5")
        await _wait(pilot, lambda: screen.step > 5)
        await pilot.press("f6")
        await _wait(pilot, lambda: not screen.running, limit=50)
        runs = app.store.runs("spiral_classification")
        assert runs[0].status == "stopped" and runs[0].steps < 10000


@pytest.mark.slow
async def test_lab_divergence_is_reported_and_app_keeps_working(make_app, tmp_path):
    app = make_app(tmp_path / "div")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_lab(app, pilot, optimizer="sgd", lr=100.0, steps=500)
        await pilot.press("f5")
        await _wait(pilot, lambda: not screen.running)
        message = str(screen.query_one("#lab-message").render())
        assert "diverged" in message.lower()
        assert app.store.runs("spiral_classification") == []
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_out_of_range_setting_is_refused(make_app, tmp_path):
    app = make_app(tmp_path / "bad")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_lab(app, pilot)
        field = screen.query_one("#set-lr", Input)
        field.value = "500"
        await pilot.press("f5")
        await pilot.pause()
        assert not screen.running
        error = str(screen.query_one("#settings-error").render())
        assert "lr" in error and "from 1e-05 to 100" in error
        assert field.has_class("-invalid")


async def test_prediction_is_graded_by_a_matching_run(make_app, tmp_path):
    app = make_app(tmp_path / "pred")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        quiz = [q for q in app.screen.query(QuizWidget) if q.question.kind == "predict"][0]
        quiz.query_one(OptionList).focus()
        await pilot.press("enter")  # highlight the first option ...
        quiz.query_one(OptionList).highlighted = 0
        await pilot.click(quiz.query_one("#check"))
        await pilot.pause()
        pending = app.store.pending_predictions()
        assert [(p.question_id, p.answer) for p in pending] == [("predict-linear", 0)]
        # A run with other settings does not grade it; one with the question's settings does.
        run_other = app.store.record_run("spiral_classification", {"model": "both"}, {"acc_linear": 0.5},
                                         status="finished", seconds=1, steps=1, device="cpu")
        assert app.grade_predictions("spiral_classification", {"model": "both"}, {"acc_linear": 0.5}, run_other) == []
        settings = {"model": "linear", "steps": 40, "points": 60}
        run = app.store.record_run("spiral_classification", settings, {"acc_linear": 0.5},
                                   status="finished", seconds=1, steps=40, device="cpu")
        notes = app.grade_predictions("spiral_classification", settings, {"acc_linear": 0.5}, run)
        assert len(notes) == 1 and "right" in notes[0]
        assert app.store.latest_answers("t1_demo")["predict-linear"].correct is True


async def test_broken_lesson_is_marked_and_shows_the_problem(make_app, tmp_path):
    import shutil

    from dltui.curriculum import load_curriculum
    from pathlib import Path

    root = tmp_path / "cur"
    shutil.copytree(Path(__file__).parent / "fixtures" / "curriculum", root)
    (root / "02-more" / "t2_broken.md").write_text(
        "---\nid: t2_broken\ntitle: Broken one\norder: 2\nminutes: 3\nobjectives: [x]\nsources: {notes: []}\n---\n\n"
        "Some text.\n\n```quiz\nid: q\nkind: single\nprompt: Which?\noptions:\n  - text: A\n    correct: true\n"
        "  - text: B\n    explain: no\n```\n", encoding="utf-8")
    app = make_app(tmp_path / "b", curriculum=load_curriculum(root))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.screen.query_one("#outline", Tree)
        labels = [str(n.label) for n in tree.root.children[1].children]
        assert any(label.startswith("⚠ Broken one") for label in labels)
        await pilot.press("down", "down", "down", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen) and app.screen.lesson.id == "t2_broken"
        banner = str(app.screen.query_one(".broken").render())
        assert "t2_broken.md:17: quiz 'q': option 1 has no explain" in banner


@pytest.mark.slow
async def test_predict_run_lab_button_grades_the_prediction(make_app, tmp_path):
    from textual.widgets import Button

    app = make_app(tmp_path / "flow")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        lesson_screen = app.screen
        quiz = [q for q in lesson_screen.query(QuizWidget) if q.question.kind == "predict"][0]
        options = quiz.query_one(OptionList)
        options.focus()
        await pilot.press("enter")  # focus highlights A; Enter saves the prediction
        await pilot.pause()
        assert app.store.pending_predictions()[0].answer == 0
        quiz.query_one("#run-lab", Button).focus()
        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, LabScreen))
        lab = app.screen
        assert lab.preset == {"model": "linear", "steps": 40, "points": 60}
        await pilot.press("f5")
        await _wait(pilot, lambda: not lab.running)
        await pilot.press("escape")
        await _wait(pilot, lambda: app.screen is lesson_screen)
        await pilot.pause()
        answer = app.store.latest_answers("t1_demo")["predict-linear"]
        assert answer.correct is True and answer.run_id is not None
        assert quiz.has_class("right")
        feedback = str(quiz.query_one(".quiz-feedback").render())
        assert "Graded by your run of spiral_classification with model=linear" in feedback
        assert "acc_linear = 0." in feedback and "loss_linear" not in feedback


async def test_curriculum_loads_after_the_first_frame(make_app, fixture_curriculum, tmp_path):
    calls = []

    def loader():
        calls.append(1)
        return fixture_curriculum

    app = make_app(tmp_path / "lazy", curriculum=loader)
    assert app.curriculum is None and calls == []  # nothing parsed before the app runs
    async with app.run_test(size=SIZE) as pilot:
        await _wait(pilot, lambda: app.curriculum is not None, limit=50)
        await pilot.pause()
        tree = app.screen.query_one("#outline", Tree)
        assert calls == [1] and len(tree.root.children) == 2
        await pilot.pause()
        title = str(app.screen.query_one("#detail-title").render())
        assert "Basics" in title  # the detail pane follows the tree once it is filled


@pytest.mark.slow
async def test_quit_mid_run_keeps_a_stopped_run(make_app, tmp_path):
    data = tmp_path / "quit"
    app = make_app(data)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_lab(app, pilot, steps=10000, points=200)
        await pilot.press("f5")
        await _wait(pilot, lambda: screen.step > 5)
        await pilot.press("q")
    from dltui.progress import Store

    with Store(data / "progress.sqlite3") as store:
        runs = store.runs("spiral_classification")
    assert len(runs) == 1 and runs[0].status == "stopped" and 5 < runs[0].steps < 10000
