"""An inline quiz question: choose (or type) an answer, check it, read every explanation.

The question itself takes focus once it is answered (its controls are disabled), so the keys keep
working and the feedback stays on screen; the lesson moves focus between questions with n/p.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Input, Markdown, OptionList, Static
from textual.widgets.option_list import Option as ListOption

from dltui.curriculum import Question
from dltui.messages import OpenLab, QuizAnswered
from dltui.progress import Answer
from dltui.quiz import (NumberError, format_answer, format_number, grade, graded_by, parse_number,
                        right_predictions)

if TYPE_CHECKING:
    from dltui.progress import Run

KIND_LABEL = {"single": "one answer", "multiple": "tick every right answer", "numeric": "type a number",
              "predict": "predict, then run the lab"}


def _scroll_lesson(widget: Widget, action: str) -> None:
    run = getattr(widget.screen, f"action_{action}", None)
    if run is not None:
        run()


class QuizOptions(OptionList):
    """Options of a single-choice or predict question; ↓ past the last option reads on."""

    BINDINGS = [Binding("pagedown", "lesson('page_down')", show=False),
                Binding("pageup", "lesson('page_up')", show=False)]

    def action_lesson(self, action: str) -> None:
        _scroll_lesson(self, action)

    def action_cursor_down(self) -> None:
        if self.highlighted is not None and self.highlighted >= self.option_count - 1:
            _scroll_lesson(self, "scroll_down")
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.highlighted == 0:
            _scroll_lesson(self, "scroll_up")
        else:
            super().action_cursor_up()


def option_prompt(letter: str, text: str, tick: str = "") -> Table:
    """An option as a two-column grid, so its wrapped lines stay under its text, not its letter."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(Text(f"{tick}{letter}."), Text(text))  # Text: a "[" in an option is not markup
    return grid


class QuizTicks(OptionList):
    """Options of a multiple-choice question: Space ticks, Enter checks the ticked set.

    An OptionList rather than a SelectionList: a SelectionList cuts long options at one line.
    """

    BINDINGS = [Binding("space", "toggle", "Tick"),
                Binding("enter", "check", "Check"),
                Binding("pagedown", "lesson('page_down')", show=False),
                Binding("pageup", "lesson('page_up')", show=False)]

    def __init__(self, texts: list[str], **kwargs) -> None:
        self.texts = texts
        self.selected: set[int] = set()
        super().__init__(*[self._prompt(i) for i in range(len(texts))], **kwargs)

    def _prompt(self, i: int) -> Table:
        return option_prompt(chr(65 + i), self.texts[i], "☒ " if i in self.selected else "☐ ")

    def toggle(self, i: int) -> None:
        self.selected ^= {i}
        self.replace_option_prompt_at_index(i, self._prompt(i))

    def select(self, i: int) -> None:
        if i not in self.selected:
            self.toggle(i)

    def action_toggle(self) -> None:
        if self.highlighted is not None:
            self.toggle(self.highlighted)

    def action_lesson(self, action: str) -> None:
        _scroll_lesson(self, action)

    def action_check(self) -> None:
        quiz = next((a for a in self.ancestors if isinstance(a, QuizWidget)), None)
        if quiz is not None:
            quiz.check()


class QuizInput(Input):
    """The answer field of a numeric question; ↓ leaves it so the lesson can be read on."""

    BINDINGS = [Binding("down", "leave", show=False)]

    def action_leave(self) -> None:
        quiz = next((a for a in self.ancestors if isinstance(a, QuizWidget)), None)
        if quiz is not None:
            quiz.focus()


class QuizWidget(Vertical, can_focus=True):
    """One question. Answers are posted as :class:`QuizAnswered`; the screen stores them."""

    BINDINGS = [
        Binding("t", "retry", "Retry"),
        Binding("r", "run_lab", "Run"),
        Binding("enter", "enter", "Answer", show=False),
    ]

    def __init__(self, question: Question, lesson_id: str, number: int, previous: Answer | None = None,
                 run: Run | None = None):
        super().__init__(classes="quiz")
        self.run = run
        self.question = question
        self.lesson_id = lesson_id
        self.previous = previous
        self.number = number
        self.border_title = f"Question {number} · {KIND_LABEL[question.kind]}"

    def compose(self) -> ComposeResult:
        q = self.question
        yield Markdown(q.prompt, classes="quiz-prompt")
        if q.kind in ("single", "predict"):
            yield QuizOptions(*[ListOption(option_prompt(chr(65 + i), o.text), id=f"o{i}")
                                for i, o in enumerate(q.options)], classes="quiz-options")
        elif q.kind == "multiple":
            yield QuizTicks([o.text for o in q.options], classes="quiz-options")
        else:
            placeholder = f"your answer{(' in ' + q.unit) if q.unit else ''} (e.g. 0.25, 1/4, 25%)"
            yield QuizInput(placeholder=placeholder, classes="quiz-input", select_on_focus=False)
        # Single choice answers on Enter: its button row only appears with "Try again".
        with Horizontal(classes="quiz-buttons" + (" hidden" if q.kind == "single" else "")):
            if q.kind != "single":
                yield Button("Check" if q.kind != "predict" else "Save prediction", id="check", variant="primary",
                             compact=True)
            if q.kind == "predict":
                yield Button("Run lab ▶", id="run-lab", compact=True)
            yield Button("Try again", id="retry", classes="hidden", compact=True)
        yield Static(classes="quiz-feedback hidden")
        yield Vertical(classes="quiz-explanations")

    def on_mount(self) -> None:
        if self.previous is not None:
            self.show_answer(self.previous.answer, self.previous.correct, scroll=False)

    @property
    def answered(self) -> bool:
        return self.has_class("answered")

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "retry":
            return self.answered
        if action == "run_lab":
            return self.question.kind == "predict"
        return True

    def focus_control(self) -> None:
        """Focus the answer control, or the question itself once it is answered."""
        controls = [w for w in self.query(".quiz-options, .quiz-input") if not w.disabled]
        (controls[0] if controls else self).focus()

    # -- answering -------------------------------------------------------------------------

    @on(OptionList.OptionSelected, ".quiz-options")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if isinstance(event.option_list, QuizTicks):  # a click on a multiple-choice option ticks it
            event.option_list.toggle(event.option_index)
            return
        self._submit(event.option_index)  # single choice and predictions answer on Enter

    @on(Input.Submitted, ".quiz-input")
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.check()

    @on(Button.Pressed, "#check")
    def _check_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.check()

    @on(Button.Pressed, "#retry")
    def _retry_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_retry()

    @on(Button.Pressed, "#run-lab")
    def _run_lab_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_run_lab()

    def on_focus(self) -> None:
        # A hint on the focused question's frame: how to start answering it.
        if not self.answered:
            self.border_subtitle = "type a number or Enter" if self.question.kind == "numeric" else "Enter to choose"

    def on_blur(self) -> None:
        self.border_subtitle = ""

    def action_enter(self) -> None:
        if not self.answered:
            self.focus_control()

    def on_key(self, event) -> None:
        # Typing a number on a focused numeric question goes straight into its answer field.
        if self.question.kind != "numeric" or self.answered or self.focused_child() is not None:
            return
        if event.character and event.character in "0123456789.-−+":
            event.stop()
            event.prevent_default()
            field = self.query_one(".quiz-input", Input)
            field.focus()
            field.insert_text_at_cursor(event.character)

    def focused_child(self):
        focused = self.screen.focused
        return focused if focused is not None and focused is not self and self in focused.ancestors else None

    def action_retry(self) -> None:
        if not self.answered:
            return
        self._say("")
        self._explain([])
        self.query_one("#retry").add_class("hidden")
        if self.question.kind == "single":
            self.query_one(".quiz-buttons").add_class("hidden")
        for button in self.query("#check"):
            button.disabled = False
        self.remove_class("answered", "right", "wrong")
        for widget in self.query(".quiz-options, .quiz-input"):
            widget.disabled = False
        self.focus_control()
        self.refresh_bindings()

    def action_run_lab(self) -> None:
        q = self.question
        if q.kind == "predict":
            self.post_message(OpenLab(q.lab or "", dict(q.settings), self.lesson_id))

    def check(self) -> None:
        q = self.question
        if q.kind in ("single", "predict"):
            index = self.query_one(".quiz-options", OptionList).highlighted
            if index is None:
                self._say("Choose an option first (↑/↓, then Enter).")
                return
            self._submit(index)
        elif q.kind == "multiple":
            chosen = sorted(self.query_one(".quiz-options", QuizTicks).selected)
            if not chosen:
                self._say("Tick at least one option first (Space ticks, Enter checks).")
                return
            self._submit(chosen)
        else:
            text = self.query_one(".quiz-input", Input).value
            try:
                value = parse_number(text, q.answer, q.tolerance)
            except NumberError as exc:
                self._say(str(exc))
                return
            self._submit(value)

    def _submit(self, answer) -> None:
        result = grade(self.question, answer)
        self.post_message(QuizAnswered(self.lesson_id, self.question.id, self.question.kind, answer, result.correct))
        self.show_answer(answer, result.correct)

    # -- showing ---------------------------------------------------------------------------

    def show_answer(self, answer, correct: bool | None, *, scroll: bool = True) -> None:
        q = self.question
        had_focus = self.has_focus_within
        if had_focus:
            self.focus()  # before the controls are disabled, so focus stays on this question
        for widget in self.query(".quiz-options, .quiz-input"):
            if q.kind == "single" or q.kind == "predict":
                widget.highlighted = answer if isinstance(answer, int) else None
            elif q.kind == "multiple":
                for i in answer:
                    widget.select(i)
            else:
                widget.value = format_number(answer)
            widget.disabled = True
        self.query_one("#retry").remove_class("hidden")
        self.query_one(".quiz-buttons").remove_class("hidden")
        for button in self.query("#check"):
            button.disabled = True
        self.add_class("answered")
        self.set_class(correct is True, "right")
        self.set_class(correct is False, "wrong")
        header, explanations = self._feedback(answer, correct)
        self._say(header)
        mounted = self._explain(explanations)
        self.refresh_bindings()
        if scroll:
            self.call_later(self._reveal_when_mounted, mounted)

    async def _reveal_when_mounted(self, mounted) -> None:
        # Once the explanations are mounted and laid out, bring the feedback into view.
        await mounted
        self.call_after_refresh(self._reveal_feedback)

    def _reveal_feedback(self) -> None:
        body = self.parent
        if body is None or body.id != "lesson-body" or not self.is_attached:
            return
        from textual.geometry import Region

        # From the verdict to the question's bottom border, in the lesson's scroll coordinates;
        # scroll_to_region keeps the top of a region taller than the view.
        feedback = self.query_one(".quiz-feedback")
        box = self.virtual_region
        start = box.y + self.styles.border.spacing.top + feedback.virtual_region.y - 1
        body.scroll_to_region(Region(0, start, 1, max(1, box.bottom - start)), animate=False, immediate=True)

    def _say(self, content) -> None:
        feedback = self.query_one(".quiz-feedback", Static)
        feedback.update(content)
        feedback.set_class(not content, "hidden")

    def _explain(self, items: list[tuple[Text, str]]):
        box = self.query_one(".quiz-explanations", Vertical)
        box.remove_children()
        widgets = []
        for head, explain in items:
            widgets.append(Static(head, classes="quiz-choice"))
            widgets.append(Static(explain, classes="quiz-explain", markup=False))
        return box.mount_all(widgets)

    def _feedback(self, answer, correct: bool | None) -> tuple[Text, list[tuple[Text, str]]]:
        """The verdict lines, and (option line, explanation) pairs shown below them, indented."""
        q = self.question
        out = Text()
        if correct is None:
            out.append("Prediction saved: ", style="bold")
            out.append(format_answer(q, answer) + "\n")
            out.append("Run the lab (r, or the button above) with these settings; your prediction is graded "
                       "from the run's actual result.", style="italic")
            return out, []
        out.append("✓ Right. " if correct else "✗ Not quite. ", style="bold green" if correct else "bold red")
        if q.kind == "numeric":
            out.append(f"You answered {format_answer(q, answer)}; the answer is {q.answer:g}"
                       f"{(' ' + q.unit) if q.unit else ''} (± {q.tolerance:g}).")
            if not correct:
                hint = grade(q, answer).feedback
                if hint:
                    out.append("\n" + hint, style="italic")
            return out, [(Text("Worked answer", style="bold"), q.explain)]
        chosen = [answer] if isinstance(answer, int) else list(answer)
        right = q.correct_indices
        if q.kind == "predict":
            metrics = self.run.metrics if self.run else {}
            right = (right_predictions(q, metrics) if metrics else None) or set()
            if self.run is not None:
                line = graded_by(q, self.run.settings, metrics)
                out.append(line[0].upper() + line[1:] + ".", style="dim")
        items = []
        shown = set()
        for i in chosen:
            mark = "✓" if (i in right or (q.kind == "predict" and correct)) else "✗"
            items.append((Text(f"{mark} You chose {chr(65 + i)}. {q.options[i].text}", style="bold"),
                          q.options[i].explain))
            shown.add(i)
        for i in sorted(right - shown):
            items.append((Text(f"✓ Right answer {chr(65 + i)}. {q.options[i].text}", style="bold"),
                          q.options[i].explain))
        return out, items
