"""The review screen, driven by Pilot with a fake clock: right and wrong answers, shuffled options
graded right, leaving mid-way and coming back, the lesson link, the retention setting."""

from __future__ import annotations

import random
from datetime import timedelta

from textual.widgets import Input, OptionList

from dltui.progress import Store
from dltui.screens.home import HomeScreen
from dltui.screens.lesson import LessonScreen
from dltui.screens.review import ReviewQuiz, ReviewScreen
from dltui.screens.review_settings import RetentionScreen
from fake_clock import T0, FakeClock


def _app(make_app, tmp_path, name="data"):
    app = make_app(tmp_path / name)
    clock = FakeClock()
    app.store.clock = clock
    return app, clock


def _seed_wrong(app, clock, *questions):
    """Answer these fixture questions wrong in their lesson, then let 11 minutes pass: all due."""
    kinds = {"sigmoid-zero": ("numeric", 2.0), "relu-kink": ("single", 1), "linear-maps": ("multiple", [1])}
    for qid in questions:
        kind, answer = kinds[qid]
        app.store.record_answer("t1_demo", qid, kind, answer, False)
    clock.now += timedelta(minutes=11)


def _right_index(quiz: ReviewQuiz) -> int:
    return next(i for i, o in enumerate(quiz.question.options) if o.correct)


async def _answer_right(pilot, quiz: ReviewQuiz) -> None:
    if quiz.question.kind == "numeric":
        await pilot.press("0", ".", "5", "enter")
        return
    options = quiz.query_one(OptionList)
    for i, o in enumerate(quiz.question.options):
        if o.correct:
            options.highlighted = i
            if quiz.question.kind == "multiple":
                await pilot.press("space")
    await pilot.press("enter")


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_home_counts_due_cards_and_r_opens_the_review(make_app, tmp_path):
    app, clock = _app(make_app, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#review-due").has_class("hidden")  # nothing when 0
    app, clock = _app(make_app, tmp_path)
    _seed_wrong(app, clock, "relu-kink", "sigmoid-zero")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "2 to review today" in _text(app, "#review-due")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert "2 due now" in _text(app, "#review-status")


async def test_right_and_wrong_answers_reschedule_and_the_round_ends_with_a_summary(make_app, tmp_path):
    app, clock = _app(make_app, tmp_path)
    _seed_wrong(app, clock, "relu-kink", "sigmoid-zero")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ReviewScreen(random.Random(1)))
        await pilot.pause()
        screen = app.screen
        seen = []
        for _ in range(2):
            quiz = screen.query_one(ReviewQuiz)
            seen.append(quiz.question.id)
            assert "A demo lesson" in _text(app, "#open-lesson")
            if quiz.question.kind == "single":  # right: Enter on the (shuffled) right option
                options = quiz.query_one(OptionList)
                assert options.has_focus
                options.highlighted = _right_index(quiz)
                await pilot.press("enter")
            else:  # numeric, wrong again
                assert quiz.query_one(Input).has_focus
                await pilot.press("9", "enter")
            await pilot.pause()
            after = _text(app, "#review-after")
            if quiz.question.kind == "single":
                assert "Comes back in" in after and "day" in after and quiz.has_class("right")
            else:
                assert "Comes back again in 10 min" in after and quiz.has_class("wrong")
                assert "Worked answer" in " ".join(str(w.render()) for w in quiz.query(".quiz-choice"))
            await pilot.press("enter")
            await pilot.pause()
        assert sorted(seen) == ["relu-kink", "sigmoid-zero"]
        summary = _text(app, "#review-summary")
        assert "Nothing to review now" in summary and "2 reviewed, 1 right" in summary
        assert "again in" not in summary and "(in 10 min)" in summary  # the wrong one is next
        ratings = sorted((e.key, e.rating) for e in app.store.review_log()[2:])
        assert ratings == [("t1_demo/relu-kink", 3), ("t1_demo/sigmoid-zero", 1)]


async def test_shuffled_options_are_still_graded_right(make_app, tmp_path):
    orders = set()
    for seed in range(4):
        app, clock = _app(make_app, tmp_path, f"d{seed}")
        _seed_wrong(app, clock, "linear-maps")
        async with app.run_test(size=(80, 24)) as pilot:
            app.push_screen(ReviewScreen(random.Random(seed)))
            await pilot.pause()
            quiz = app.screen.query_one(ReviewQuiz)
            texts = [o.text for o in quiz.question.options]
            orders.add(tuple(texts))
            ticks = quiz.query_one(OptionList)
            for i, o in enumerate(quiz.question.options):
                if o.correct:
                    ticks.highlighted = i
                    await pilot.press("space")
            await pilot.press("enter")
            await pilot.pause()
            assert quiz.has_class("right"), texts
            assert app.store.review_log()[-1].rating == 3
            shown = [str(w.render()) for w in quiz.query(".quiz-choice")]
            # The explanation names the options by their shuffled letters and texts.
            assert all("You chose" in line for line in shown)
    assert len(orders) > 1  # the order changes from one showing to the next


async def test_leaving_mid_way_loses_nothing_and_coming_back_goes_on(make_app, tmp_path):
    app, clock = _app(make_app, tmp_path)
    _seed_wrong(app, clock, "relu-kink", "sigmoid-zero", "linear-maps")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ReviewScreen(random.Random(0)))
        await pilot.pause()
        quiz = app.screen.query_one(ReviewQuiz)
        first = quiz.question.id
        await _answer_right(pilot, quiz)
        await pilot.pause()
        assert quiz.has_class("right")
        await pilot.press("escape")  # leave before the next card
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "2 to review today" in _text(app, "#review-due")
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.query_one(ReviewQuiz).question.id != first
        assert "2 due now" in _text(app, "#review-status")
    with Store(app.store.path) as saved:  # on disk, not only in this session
        assert saved.review_card(f"t1_demo/{first}").due > (T0 + timedelta(days=1)).timestamp()
        assert len(saved.review_log()) == 4


async def test_enter_on_the_link_opens_the_lesson_at_the_question(make_app, tmp_path):
    app, clock = _app(make_app, tmp_path)
    _seed_wrong(app, clock, "linear-maps")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ReviewScreen())
        await pilot.pause()
        app.screen.query_one("#open-lesson").focus()
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert isinstance(app.screen, LessonScreen)
        block = app.screen.current_block()
        assert block is not None and block.question.id == "linear-maps"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.screen.query_one(ReviewQuiz).question.id == "linear-maps"


async def test_retention_is_set_on_the_review_screen_and_checked(make_app, tmp_path):
    app, clock = _app(make_app, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ReviewScreen())
        await pilot.pause()
        assert "No questions yet" in _text(app, "#review-summary")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, RetentionScreen)
        field = app.screen.query_one(Input)
        field.value = "0.5"
        await pilot.press("enter")
        await pilot.pause()
        assert "from 0.7 to 0.99" in _text(app, "#retention-error")
        field.value = "0.85"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and "retention 0.85" in _text(app, "#review-status")
    with Store(app.store.path) as saved:
        assert saved.review_retention() == 0.85


async def test_reviewing_never_imports_torch(make_app, tmp_path):
    import sys

    app, clock = _app(make_app, tmp_path)
    _seed_wrong(app, clock, "relu-kink")
    had_torch = "torch" in sys.modules
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ReviewScreen())
        await pilot.pause()
        await pilot.press("enter")  # answers the highlighted option
        await pilot.pause()
    assert had_torch or "torch" not in sys.modules


async def test_a_given_up_exercise_comes_back_as_re_run_your_solution(make_app, tmp_path):
    from dltui.curriculum import load_curriculum
    from dltui.paths import curriculum_dir
    from dltui.screens.exercise import ExerciseScreen

    app = make_app(tmp_path / "ex", curriculum=load_curriculum(curriculum_dir()))
    clock = FakeClock()
    app.store.clock = clock
    app.store.record_give_up("autograd_basics")
    clock.now += timedelta(minutes=11)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "1 to review today" in _text(app, "#review-due")
        await pilot.press("r")
        await pilot.pause()
        assert "Re-run your solution" in _text(app, "#review-exercise")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen) and app.screen.exercise_id == "autograd_basics"
        app.store.record_exercise_attempt("autograd_basics", True, 4, 4, 0.2)  # what a passing save records
        app.pop_screen()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert "✓ Comes back in" in _text(app, "#review-after")
        await pilot.press("enter")
        await pilot.pause()
        assert "1 reviewed, 1 right" in _text(app, "#review-summary")
