"""A lesson: summary, objectives, sources, inline quizzes and lab blocks. Position is saved."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Markdown, Static

from dltui.curriculum import ExerciseBlock, LabBlock, Lesson, Prose, Question
from dltui.messages import OpenLab, QuizAnswered
from dltui.progress import Run
from dltui.widgets.bars import KeyBar, TitleBar
from dltui.widgets.exerciseblock import ExerciseBlockWidget, OpenExercise
from dltui.widgets.labblock import LabBlockWidget
from dltui.widgets.quiz import QuizWidget


def _header_markdown(lesson: Lesson, theme_title: str) -> str:
    src = lesson.sources or {}
    lines = [f"# {lesson.title}", "", f"*{theme_title} · about {lesson.minutes} minutes · "
             f"{len(lesson.questions)} questions*", "", "**You will be able to**", ""]
    lines += [f"- {o}" for o in lesson.objectives]
    lines += ["", "**Sources**", ""]
    if src.get("video"):
        lines.append(f"- Lecture video: {src['video']}")
    for s in src.get("slides") or []:
        lines.append(f"- Slides: {s}")
    for n in src.get("notebooks") or []:
        lines.append(f"- Notebook: {n}")
    for n in src.get("notes") or []:
        lines.append(f"- Course notes: `{n}`")
    return "\n".join(lines)


class LessonScreen(Screen):
    CSS_PATH = "lesson.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("m", "mark_read", "Mark read"),
        # ] and [ are in the help and at the end of the lesson; the key bar has room for n only.
        Binding("right_square_bracket", "next_lesson", "Next lesson", show=False),
        Binding("left_square_bracket", "previous_lesson", "Previous lesson", show=False),
        Binding("n", "next_block", "Next question"),
        Binding("p", "previous_block", "Previous question", show=False),
        Binding("tab", "next_block", show=False),
        Binding("shift+tab", "previous_block", show=False),
        # Reading keys work whatever has focus (a question keeps it after an answer).
        Binding("down,j", "scroll_down", show=False),
        Binding("up,k", "scroll_up", show=False),
        Binding("pagedown", "page_down", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("home", "top", "Top", show=False),
        Binding("end", "bottom", show=False),
    ]

    def __init__(self, lesson: Lesson):
        super().__init__()
        self.lesson = lesson
        self._saved_position = -1.0

    def compose(self) -> ComposeResult:
        lesson = self.lesson
        theme = self.app.curriculum.theme_of(lesson.id)
        answers = self.app.store.latest_answers(lesson.id)
        runs = self._runs(answers)
        yield TitleBar()
        with VerticalScroll(id="lesson-body"):
            if lesson.broken:
                problems = "\n".join(str(p) for p in lesson.problems[:10])
                yield Static(f"[b]⚠ This lesson file has problems[/b] (run `dltui validate`):\n{problems}",
                             classes="broken")
            yield Markdown(_header_markdown(lesson, theme.title if theme else ""), classes="lesson-head")
            number = 0
            for block in lesson.blocks:
                if isinstance(block, Prose):
                    yield Markdown(block.text, classes="prose")
                elif isinstance(block, Question):
                    number += 1
                    yield QuizWidget(block, lesson.id, number, answers.get(block.id), runs.get(block.id))
                elif isinstance(block, LabBlock):
                    yield LabBlockWidget(block, lesson.id)
                elif isinstance(block, ExerciseBlock):
                    yield self._exercise_block(block)
            yield Static("End of the lesson. [b]m[/b] marks it read, [b]][/b] opens the next one.",
                         classes="lesson-end")
        yield KeyBar()

    def _runs(self, answers) -> dict[str, Run]:
        """The run that graded each graded prediction, by question id."""
        ids = {a.run_id for a in answers.values() if a.run_id}
        if not ids:
            return {}
        runs = {r.id: r for r in self.app.store.runs(limit=500) if r.id in ids}
        return {qid: runs[a.run_id] for qid, a in answers.items() if a.run_id in runs}

    def on_mount(self) -> None:
        self.app.store.lesson_opened(self.lesson.id)
        body = self.query_one("#lesson-body", VerticalScroll)
        body.focus()
        position = self.app.store.position(self.lesson.id)
        self._saved_position = position
        if position > 0:
            # Wait for the Markdown widgets to lay out before scrolling to the saved place.
            self.set_timer(0.3, lambda: self._restore(position))
        else:
            self._restored = True
        self.watch(body, "scroll_y", self._scrolled, init=False)

    _restored = False
    _save_timer = None

    def _restore(self, position: float) -> None:
        self._restored = True
        if self.current_block() is not None:
            return  # the learner already moved to a question (n/p) before the old place came back
        body = self.query_one("#lesson-body", VerticalScroll)
        body.scroll_to(y=position * body.max_scroll_y, animate=False)

    def _fraction(self) -> float:
        body = self.query_one("#lesson-body", VerticalScroll)
        return body.scroll_y / body.max_scroll_y if body.max_scroll_y else 0.0

    def _scrolled(self, _old: float, _new: float) -> None:
        # Saved as the learner reads, coalesced to a few writes a second; quitting flushes the
        # last place (see flush_position). Nothing is saved before the old place is restored.
        if self._restored and self._save_timer is None:
            self._save_timer = self.set_timer(0.25, self._save_position)

    def flush_position(self) -> None:
        """Save the reading position now (the app calls this before quitting)."""
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_position()

    def _save_position(self) -> None:
        self._save_timer = None
        if not self._restored or not self.is_attached:
            return
        fraction = round(self._fraction(), 4)
        if abs(fraction - self._saved_position) > 1e-4:
            self.app.store.save_position(self.lesson.id, fraction)
            self._saved_position = fraction
        if fraction >= 0.98:
            progress = self.app.store.lesson_progress().get(self.lesson.id)
            if progress is None or not progress.completed:
                self.app.store.mark_completed(self.lesson.id)
                self.notify("Lesson marked as read.", timeout=3)

    async def on_screen_resume(self) -> None:
        # Predictions may have been graded by a lab run: redraw the quizzes from the store.
        answers = self.app.store.latest_answers(self.lesson.id)
        runs = self._runs(answers)
        for quiz in self.query(QuizWidget):
            ans = answers.get(quiz.question.id)
            if ans is not None and quiz.question.kind == "predict":
                quiz.run = runs.get(quiz.question.id)
                quiz.show_answer(ans.answer, ans.correct, scroll=quiz.has_focus_within)

    @on(QuizAnswered)
    def _answered(self, event: QuizAnswered) -> None:
        self.app.store.record_answer(event.lesson_id, event.question_id, event.kind, event.answer, event.correct)

    @on(OpenLab)
    def _open_lab(self, event: OpenLab) -> None:
        from dltui.screens.lab import LabScreen

        if not event.lab_id:
            return
        self.app.push_screen(LabScreen(event.lab_id, event.settings, event.lesson_id))

    def _exercise_block(self, block: ExerciseBlock) -> ExerciseBlockWidget:
        from dltui.exercise_service import exercise_service

        exercise = exercise_service(self.app).exercise(block.exercise)
        state = self.app.store.exercise_states().get(block.exercise)
        status = {"passed": "passed ✓", "failing": "started", "gave up": "solution seen"}.get(
            state.status if state else "", "")
        return ExerciseBlockWidget(block, exercise.title if exercise else block.exercise, status)

    @on(OpenExercise)
    def _open_exercise(self, event: OpenExercise) -> None:
        from dltui.screens.exercise import ExerciseScreen

        self.flush_position()
        self.app.push_screen(ExerciseScreen(event.exercise_id))

    def action_back(self) -> None:
        self.flush_position()
        self.app.pop_screen()

    # -- reading and moving between questions ----------------------------------------------

    @property
    def _body(self) -> VerticalScroll:
        return self.query_one("#lesson-body", VerticalScroll)

    def action_top(self) -> None:
        self._body.scroll_home(animate=False)

    def action_bottom(self) -> None:
        self._body.scroll_end(animate=False)

    def action_scroll_down(self) -> None:
        self._body.scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self._body.scroll_up(animate=False)

    def action_page_down(self) -> None:
        self._body.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self._body.scroll_page_up(animate=False)

    def blocks(self) -> list[Widget]:
        """Questions and lab blocks, in reading order."""
        return [w for w in self._body.children if isinstance(w, (QuizWidget, LabBlockWidget, ExerciseBlockWidget))]

    def current_block(self) -> Widget | None:
        focused = self.focused
        return next((b for b in self.blocks() if focused is not None and (focused is b or b in focused.ancestors)),
                    None)

    def action_next_block(self) -> None:
        self._move(1)

    def action_previous_block(self) -> None:
        self._move(-1)

    def _move(self, step: int) -> None:
        blocks = self.blocks()
        if not blocks:
            return
        current = self.current_block()
        if current is not None:
            index = blocks.index(current) + step
        else:
            # From plain reading: the next block that starts on or below the top of the view, or the
            # last one above it.
            top = self._body.scroll_y
            below = [i for i, b in enumerate(blocks) if b.virtual_region.y >= top]
            if step > 0:
                index = below[0] if below else len(blocks)
            else:
                index = (below[0] - 1) if below else len(blocks) - 1
        if not 0 <= index < len(blocks):
            where = "last" if step > 0 else "first"
            self.notify(f"That was the {where} question or lab of this lesson"
                        + (" (] opens the next lesson)." if step > 0 else "."), timeout=2)
            return
        self.focus_block(blocks[index])

    def focus_block(self, block: Widget) -> None:
        # The question itself takes focus (Enter goes into its options or field), so n/p never
        # land in a text field that would swallow the next n.
        if isinstance(block, QuizWidget):
            block.focus()
        else:
            block.query_one(Button).focus()
        self._body.scroll_to_widget(block, animate=False)

    def action_mark_read(self) -> None:
        self.app.store.mark_completed(self.lesson.id)
        self.notify(f"“{self.lesson.title}” marked as read.", timeout=3)

    def _neighbour(self, step: int) -> Lesson | None:
        lessons = self.app.curriculum.lessons()
        index = next(i for i, le in enumerate(lessons) if le.id == self.lesson.id)
        j = index + step
        return lessons[j] if 0 <= j < len(lessons) else None

    def action_next_lesson(self) -> None:
        self._go(self._neighbour(1))

    def action_previous_lesson(self) -> None:
        self._go(self._neighbour(-1))

    def _go(self, lesson: Lesson | None) -> None:
        if lesson is None:
            self.notify("No more lessons in that direction.", timeout=2)
            return
        self.flush_position()
        self.app.switch_screen(LessonScreen(lesson))
