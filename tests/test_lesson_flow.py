"""The lesson's keyboard flow at 80×24: focus after an answer, n/p order, reading keys."""

from __future__ import annotations

from textual.widgets import Input

from dltui.screens.lesson import LessonScreen
from dltui.widgets.labblock import LabBlockWidget
from dltui.widgets.quiz import QuizWidget

SIZE = (80, 24)


async def _open_demo(app, pilot) -> LessonScreen:
    await pilot.press("down", "enter")
    await pilot.pause()
    assert isinstance(app.screen, LessonScreen)
    return app.screen


def _block_of(screen: LessonScreen):
    block = screen.current_block()
    if isinstance(block, QuizWidget):
        return block.question.id
    return "lab" if isinstance(block, LabBlockWidget) else None


def _visible(screen: LessonScreen, widget) -> bool:
    body = screen.query_one("#lesson-body")
    return widget.region.height > 0 and body.region.contains_region(widget.region)


async def test_focus_stays_on_the_question_and_its_feedback_is_shown(make_app, tmp_path):
    app = make_app(tmp_path / "focus")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_demo(app, pilot)
        await pilot.press("n")  # the first question takes focus; typing a digit goes into its field
        quiz = screen.query(QuizWidget).first()
        assert app.focused is quiz
        await pilot.press(*"1,000")
        assert isinstance(app.focused, Input) and app.focused.value == "1,000"
        await pilot.press("enter")
        await pilot.pause()
        quiz = screen.query(QuizWidget).first()
        assert app.focused is quiz  # not lost: the answered question keeps it
        feedback = quiz.query_one(".quiz-feedback")
        assert "You answered 1000" in str(feedback.render())
        assert _visible(screen, feedback)
        body = screen.query_one("#lesson-body")
        before = body.scroll_y
        await pilot.press("j")
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > before  # reading keys work with the question focused
        await pilot.press("k")
        await pilot.pause()
        assert app.focused is quiz


async def test_empty_answer_asks_for_one(make_app, tmp_path):
    app = make_app(tmp_path / "empty")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_demo(app, pilot)
        await pilot.press("n", "enter", "enter")  # into the field, then answer with it empty
        await pilot.pause()
        quiz = screen.query(QuizWidget).first()
        assert str(quiz.query_one(".quiz-feedback").render()) == "Type an answer first."
        assert not quiz.answered and isinstance(app.focused, Input)


async def test_down_leaves_the_answer_field(make_app, tmp_path):
    app = make_app(tmp_path / "leave")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_demo(app, pilot)
        await pilot.press("n", "enter", *"njk")  # letters go into the field, not to the lesson
        field = screen.query_one(Input)
        assert field.value == "njk"
        await pilot.press("down")
        assert app.focused is screen.query(QuizWidget).first()


async def test_n_p_tab_move_through_questions_and_labs_in_reading_order(make_app, tmp_path):
    app = make_app(tmp_path / "order")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_demo(app, pilot)
        seen = []
        for key in ["n", "n", "tab", "n", "n"]:
            await pilot.press(key)
            await pilot.pause()
            seen.append(_block_of(screen))
        assert seen == ["sigmoid-zero", "relu-kink", "linear-maps", "predict-linear", "lab"]
        await pilot.press("n")  # past the last block: focus stays
        assert _block_of(screen) == "lab"
        await pilot.press("p", "p")
        assert _block_of(screen) == "linear-maps"
        await pilot.press("shift+tab")
        assert _block_of(screen) == "relu-kink"
        # Answering the single-choice question keeps focus there; Tab then goes to the *next* one.
        await pilot.press("enter", "enter")  # into the options, then choose the highlighted one
        await pilot.pause()
        assert _block_of(screen) == "relu-kink" and app.focused.has_class("answered")
        await pilot.press("tab")
        assert _block_of(screen) == "linear-maps"


async def test_n_from_reading_goes_to_the_next_question_below(make_app, tmp_path):
    app = make_app(tmp_path / "below")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_demo(app, pilot)
        quizzes = list(screen.query(QuizWidget))
        body = screen.query_one("#lesson-body")
        body.scroll_to(y=quizzes[1].virtual_region.y + 1, animate=False)  # just past question 2's top
        await pilot.pause()
        await pilot.press("n")
        assert _block_of(screen) == "linear-maps"


async def test_focused_question_is_marked(make_app, tmp_path):
    app = make_app(tmp_path / "mark")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_demo(app, pilot)
        await pilot.press("n", "n")
        await pilot.pause()
        quizzes = list(screen.query(QuizWidget))
        assert quizzes[1].has_focus_within and not quizzes[0].has_focus_within
        assert quizzes[1].styles.border.top[0] == "heavy" and quizzes[0].styles.border.top[0] == "round"


def _lines(widget) -> list[str]:
    return [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]


async def test_nothing_is_cut_at_80_columns(make_app, tmp_path):
    import shutil
    from pathlib import Path

    from dltui.curriculum import load_curriculum

    root = tmp_path / "cur"
    shutil.copytree(Path(__file__).parent / "fixtures" / "curriculum", root)
    lesson = root / "01-basics" / "t1_demo.md"
    long_option = "Far from the data a large spread means the prediction should be trusted much more than near it"
    long_formula = "x_k(t) = t · ( sin θ, cos θ ),   θ = (2π/K)·(2t + k − 1 + noise),   0 ≤ t ≤ 1 (end of formula)"
    text = lesson.read_text(encoding="utf-8")
    text = text.replace("σ(x) = 1 / (1 + e⁻ˣ)", long_formula).replace("A rotation about the origin", long_option)
    lesson.write_text(text, encoding="utf-8")
    app = make_app(tmp_path / "wrap", curriculum=load_curriculum(root))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_demo(app, pilot)
        await pilot.pause()
        ticks = [q for q in screen.query(QuizWidget) if q.question.kind == "multiple"][0].query_one(".quiz-options")
        shown = " ".join(" ".join(_lines(ticks)).split())
        assert "trusted much more than near it" in shown and "…" not in shown
        # Wrapped lines of an option stay under its text, not under its letter.
        first = next(i for i, ln in enumerate(_lines(ticks)) if "A." in ln)
        assert _lines(ticks)[first + 1].lstrip().startswith(("much", "more", "than", "near", "it", "trusted"))
        assert _lines(ticks)[first + 1].index(_lines(ticks)[first + 1].lstrip()[0]) > _lines(ticks)[first].index("A.")
        from textual.widgets._markdown import MarkdownFence

        from textual.widgets import Label

        fence = next(f for f in screen.query(MarkdownFence) if "θ" in f.code).query_one(Label)
        formula = [ln for ln in _lines(fence) if ln.strip()]
        assert len(formula) >= 2 and "(end of formula)" in " ".join(" ".join(formula).split())  # wrapped
