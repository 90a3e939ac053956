"""Spaced review: the due questions one at a time, out of their lessons, rescheduled by FSRS.

Each answer is saved (card and log entry, one transaction) the moment it is given, so leaving at
any point loses nothing. Choice options are shuffled every time a card is shown, so an answer is
not remembered by its position; the quiz widget grades the shuffled copy of the question. No torch
on the way here: the scheduler is the pure ``fsrs`` package.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timezone

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from dltui.curriculum import Lesson, Question
from dltui.messages import QuizAnswered
from dltui.progress import ReviewCard
from dltui.review import EXERCISE_CARDS, REVIEWABLE_KINDS, describe_interval
from dltui.widgets.bars import KeyBar, TitleBar
from dltui.widgets.quiz import QuizWidget


class LessonLink(Static, can_focus=True):
    """The card's lesson, as a link: Enter (or a click) opens the lesson at this question."""

    BINDINGS = [Binding("enter", "open", "Open lesson", show=False)]

    def action_open(self) -> None:
        self.run_worker(self.screen.action_open_lesson())

    def on_click(self) -> None:
        self.action_open()


class ExerciseLink(Static, can_focus=True):
    """A given-up exercise's card: Enter opens the exercise; its next check run grades the card."""

    BINDINGS = [Binding("enter", "open", "Open exercise")]

    def action_open(self) -> None:
        self.screen.open_exercise()

    def on_click(self) -> None:
        self.action_open()


class ReviewQuiz(QuizWidget):
    """A lesson question asked again: one answer per card (no "Try again"), then Enter moves on."""

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("retry", "run_lab"):
            return False
        if action == "enter":
            return not self.answered  # answered: Enter goes on to the screen (next card)
        return super().check_action(action, parameters)


def shuffled(question: Question, rng: random.Random) -> Question:
    """A copy of a choice question with its options in a new order (grading follows the copy)."""
    if question.kind not in ("single", "multiple"):
        return question
    options = list(question.options)
    rng.shuffle(options)
    return dataclasses.replace(question, options=options)


def when_text(due: datetime, now: datetime) -> str:
    local = due.astimezone()
    return f"{local:%a %d %b %H:%M} ({describe_interval(due - now).removeprefix('again ')})"


class ReviewScreen(Screen):
    CSS_PATH = "review.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("enter,n", "next_card", "Next"),
        Binding("o", "open_lesson", "Open lesson"),
        Binding("s", "settings", "Retention"),
    ]

    def __init__(self, rng: random.Random | None = None) -> None:
        super().__init__()
        self.rng = rng or random.Random()
        self.reviewed = 0
        self.right = 0
        self.card: ReviewCard | None = None
        self.lesson: Lesson | None = None
        self.question: Question | None = None  # the shuffled copy on screen
        self.exercise = None  # the exercise of a "re-run your solution" card
        self.answered = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="review-body"):
            yield Static(id="review-status")
            yield LessonLink(id="open-lesson")
            yield ExerciseLink(id="review-exercise", classes="hidden")
            yield Static(id="review-after", classes="hidden")
            yield Static(id="review-summary", classes="hidden")
        yield KeyBar()

    def on_mount(self) -> None:
        self.next_card()

    # -- the round -------------------------------------------------------------------------

    def due(self) -> list[tuple[ReviewCard, Lesson | None, object]]:
        """Due cards whose question (or exercise) is still in the course, longest overdue first."""
        curriculum = self.app.curriculum
        out = []
        for card in self.app.store.due_cards():
            if card.lesson_id == EXERCISE_CARDS:
                exercise = self._exercises().get(card.question_id)
                if exercise is not None:
                    out.append((card, None, exercise))
                continue
            lesson = curriculum.lesson(card.lesson_id) if curriculum else None
            question = lesson.question(card.question_id) if lesson else None
            if question is not None and question.kind in REVIEWABLE_KINDS:
                out.append((card, lesson, question))
        return out

    def _exercises(self) -> dict:
        from dltui.exercise_service import exercise_service

        return exercise_service(self.app).exercises

    def next_card(self) -> None:
        for quiz in self.query(ReviewQuiz):
            quiz.remove()
        self.query_one("#review-after", Static).add_class("hidden")
        self.query_one("#review-exercise").add_class("hidden")
        due = self.due()
        self.exercise = None
        if not due:
            self.card = self.lesson = self.question = None
            self._show_summary()
            return
        self.card, self.lesson, original = due[0]
        self.answered = False
        self.query_one("#review-summary").add_class("hidden")
        if self.lesson is None:
            self._show_exercise(original, len(due))
            return
        self.question = shuffled(original, self.rng)
        theme = self.app.curriculum.theme_of(self.lesson.id)
        link = Text("From ", style="dim")
        link.append(f"{self.lesson.title} ↗", style="underline")
        link.append(f"  {theme.title}" if theme else "", style="dim")
        self.query_one("#open-lesson", LessonLink).update(link)
        self.query_one("#open-lesson").remove_class("hidden")
        quiz = ReviewQuiz(self.question, self.lesson.id, self.reviewed + 1)
        self.query_one("#review-body").mount(quiz, before=self.query_one("#review-after"))
        self._status(len(due))
        self.call_after_refresh(quiz.focus_control)
        self.refresh_bindings()

    def _show_exercise(self, exercise, due_now: int) -> None:
        self.exercise, self.question = exercise, None
        self.query_one("#open-lesson").add_class("hidden")
        text = Text()
        text.append(f"Re-run your solution · {exercise.title} ↗\n", style="bold underline")
        text.append("You gave up on this exercise. Write it again (or run what you have) and save: when every "
                    "check passes it comes back later; if not, again in 10 minutes. Enter opens the exercise.")
        link = self.query_one("#review-exercise", ExerciseLink)
        link.update(text)
        link.remove_class("hidden")
        link.focus()
        self._status(due_now)
        self.refresh_bindings()

    def open_exercise(self) -> None:
        from dltui.screens.exercise import ExerciseScreen

        if self.exercise is not None:
            self.app.push_screen(ExerciseScreen(self.exercise.id))

    def on_screen_resume(self) -> None:
        # Back from the exercise: a check run after the card was due has reviewed it.
        if self.exercise is None or self.card is None or self.answered:
            return
        fresh = self.app.store.review_card(self.card.key)
        if fresh is None or fresh.last_review == self.card.last_review:
            return
        passed = self.app.store.review_log()[-1].rating != 1
        self._reviewed(passed, describe_interval(datetime.fromtimestamp(fresh.due, timezone.utc)
                                                 - datetime.fromtimestamp(fresh.last_review, timezone.utc)))

    def _status(self, due_now: int) -> None:
        text = Text()
        text.append("Review", style="bold")
        text.append(f" · {due_now} due now · this round {self.reviewed} reviewed, {self.right} right"
                    f" · retention {self.app.store.review_retention():.2f}")
        self.query_one("#review-status", Static).update(text)

    def _show_summary(self) -> None:
        self.query_one("#open-lesson").add_class("hidden")
        store = self.app.store
        now = store.clock()
        text = Text()
        text.append("Nothing to review now.\n\n", style="bold")
        if self.reviewed:
            text.append(f"This round: {self.reviewed} reviewed, {self.right} right.\n")
        upcoming = [c for c in store.review_cards().values()]
        if upcoming:
            nxt = min(upcoming, key=lambda c: c.due)
            due = datetime.fromtimestamp(nxt.due).astimezone()
            text.append(f"Next question due: {when_text(due, now)}.\n")
            text.append(f"{len(upcoming)} question(s) in review in all.\n", style="dim")
        else:
            text.append("No questions yet: every question you answer in a lesson comes back here when "
                        "it is due.\n")
        text.append("\nEsc goes back; s sets the retention FSRS aims for.", style="dim")
        summary = self.query_one("#review-summary", Static)
        summary.update(text)
        summary.remove_class("hidden")
        self._status(0)
        self.refresh_bindings()

    @on(QuizAnswered)
    def _answered(self, event: QuizAnswered) -> None:
        event.stop()  # a review is not a lesson answer: the screen records it, not the lesson's store path
        if self.card is None or self.answered or event.correct is None:
            return
        store = self.app.store
        outcome = store.reviewer().review(self.card.card, bool(event.correct))
        store.save_review(self.card.key, outcome)
        self._reviewed(bool(event.correct), outcome.comes_back)

    def _reviewed(self, correct: bool, comes_back: str) -> None:
        self.answered = True
        self.reviewed += 1
        self.right += correct
        after = Text()
        after.append("✓ " if correct else "✗ ", style="bold green" if correct else "bold red")
        after.append(f"Comes back {comes_back}.", style="bold")
        after.append("  Enter or n: next question.", style="dim")
        box = self.query_one("#review-after", Static)
        box.update(after)
        box.remove_class("hidden")
        if self.exercise is not None:
            self.query_one("#review-body").focus()  # Enter now goes on, not back into the exercise
        self._status(len(self.due()))
        self.refresh_bindings()
        self.call_after_refresh(lambda: self.query_one("#review-body").scroll_end(animate=False))

    # -- keys ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "next_card":
            return self.answered and self.card is not None
        if action == "open_lesson":
            return self.lesson is not None
        return True

    def action_next_card(self) -> None:
        self.next_card()

    def action_back(self) -> None:
        self.app.pop_screen()

    async def action_open_lesson(self) -> None:
        """The lesson, scrolled to this question (Esc there comes back to this card)."""
        from dltui.screens.lesson import LessonScreen

        if self.lesson is None or self.card is None:
            return
        screen = LessonScreen(self.lesson)
        question_id = self.card.question_id
        await self.app.push_screen(screen)  # mounted: its questions exist

        def focus_question() -> None:
            if not screen.is_attached:
                return
            for quiz in screen.query(QuizWidget):
                if quiz.question.id == question_id:
                    screen.focus_block(quiz)
                    return

        focus_question()  # at once, so the lesson does not restore its old reading place over it
        for delay in (0.1, 0.5):  # again as the Markdown above the question is laid out
            screen.set_timer(delay, focus_question)

    def action_settings(self) -> None:
        from dltui.screens.review_settings import RetentionScreen

        def changed(value: float | None) -> None:
            if value is not None:
                self.notify(f"Desired retention {value:.2f}: it shapes the intervals of your next reviews.",
                            timeout=4)
                self._status(len(self.due()))

        self.app.push_screen(RetentionScreen(self.app.store.review_retention()), changed)
