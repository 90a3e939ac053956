"""An inline quiz question: choose (or type) an answer, check it, read every explanation."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Markdown, OptionList, SelectionList, Static
from textual.widgets.option_list import Option as ListOption

from dltui.curriculum import Question
from dltui.messages import OpenLab, QuizAnswered
from dltui.progress import Answer
from dltui.quiz import format_answer, grade, parse_number, right_predictions

KIND_LABEL = {"single": "one answer", "multiple": "tick every right answer", "numeric": "type a number",
              "predict": "predict, then run the lab"}


class QuizWidget(Vertical):
    """One question. Answers are posted as :class:`QuizAnswered`; the screen stores them."""

    def __init__(self, question: Question, lesson_id: str, number: int, previous: Answer | None = None,
                 run_metrics: dict | None = None):
        super().__init__(classes="quiz")
        self.run_metrics = run_metrics
        self.question = question
        self.lesson_id = lesson_id
        self.previous = previous
        self.border_title = f"Question {number} · {KIND_LABEL[question.kind]}"

    def compose(self) -> ComposeResult:
        q = self.question
        yield Markdown(q.prompt, classes="quiz-prompt")
        if q.kind in ("single", "predict"):
            yield OptionList(*[ListOption(f"{chr(65 + i)}. {o.text}", id=f"o{i}") for i, o in enumerate(q.options)],
                             classes="quiz-options")
        elif q.kind == "multiple":
            yield SelectionList[int](*[(f"{chr(65 + i)}. {o.text}", i) for i, o in enumerate(q.options)],
                                     classes="quiz-options")
        else:
            placeholder = f"your answer{(' in ' + q.unit) if q.unit else ''} (e.g. 0.25, 1/4, 25%)"
            yield Input(placeholder=placeholder, classes="quiz-input")
        # Single choice answers on Enter: its button row only appears with "Try again".
        with Horizontal(classes="quiz-buttons" + (" hidden" if q.kind == "single" else "")):
            if q.kind != "single":
                yield Button("Check" if q.kind != "predict" else "Save prediction", id="check", variant="primary",
                             compact=True)
            if q.kind == "predict":
                yield Button("Run lab ▶", id="run-lab", compact=True)
            yield Button("Try again", id="retry", classes="hidden", compact=True)
        yield Static(classes="quiz-feedback hidden")

    def on_mount(self) -> None:
        if self.previous is not None:
            self.show_answer(self.previous.answer, self.previous.correct)

    # -- answering -------------------------------------------------------------------------

    @on(OptionList.OptionSelected, ".quiz-options")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._submit(event.option_index)  # single choice and predictions answer on Enter

    @on(Input.Submitted, ".quiz-input")
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._check()

    @on(Button.Pressed, "#check")
    def _check_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._check()

    @on(Button.Pressed, "#retry")
    def _retry(self, event: Button.Pressed) -> None:
        event.stop()
        self._say("")
        self.query_one("#retry").add_class("hidden")
        if self.question.kind == "single":
            self.query_one(".quiz-buttons").add_class("hidden")
        for button in self.query("#check"):
            button.disabled = False
        self.remove_class("answered", "right", "wrong")
        for widget in self.query(".quiz-options, .quiz-input"):
            widget.disabled = False
            widget.focus()

    @on(Button.Pressed, "#run-lab")
    def _run_lab(self, event: Button.Pressed) -> None:
        event.stop()
        q = self.question
        self.post_message(OpenLab(q.lab or "", dict(q.settings), self.lesson_id))

    def _check(self) -> None:
        q = self.question
        if q.kind in ("single", "predict"):
            index = self.query_one(".quiz-options", OptionList).highlighted
            if index is None:
                self._say("Choose an option first (↑/↓, then Enter).")
                return
            self._submit(index)
        elif q.kind == "multiple":
            chosen = sorted(self.query_one(".quiz-options", SelectionList).selected)
            if not chosen:
                self._say("Tick at least one option first (Space toggles).")
                return
            self._submit(chosen)
        else:
            text = self.query_one(".quiz-input", Input).value
            try:
                value = parse_number(text)
            except (ValueError, ZeroDivisionError):
                self._say(f"“{text}” is not a number. Type something like 0.25, 1/4 or 25%.")
                return
            self._submit(value)

    def _submit(self, answer) -> None:
        result = grade(self.question, answer)
        self.post_message(QuizAnswered(self.lesson_id, self.question.id, self.question.kind, answer, result.correct))
        self.show_answer(answer, result.correct)

    # -- showing ---------------------------------------------------------------------------

    def show_answer(self, answer, correct: bool | None) -> None:
        q = self.question
        for widget in self.query(".quiz-options, .quiz-input"):
            if q.kind == "single" or q.kind == "predict":
                widget.highlighted = answer if isinstance(answer, int) else None
            elif q.kind == "multiple":
                for i in answer:
                    widget.select(i)
            else:
                widget.value = f"{answer:g}"
            widget.disabled = True
        self.query_one("#retry").remove_class("hidden")
        self.query_one(".quiz-buttons").remove_class("hidden")
        for button in self.query("#check"):
            button.disabled = True
        self.add_class("answered")
        self.set_class(correct is True, "right")
        self.set_class(correct is False, "wrong")
        self._say(self._feedback(answer, correct))

    def _say(self, content) -> None:
        feedback = self.query_one(".quiz-feedback", Static)
        feedback.update(content)
        feedback.set_class(not content, "hidden")

    def _feedback(self, answer, correct: bool | None) -> Text:
        q = self.question
        out = Text()
        if correct is None:
            out.append("Prediction saved: ", style="bold")
            out.append(format_answer(q, answer) + "\n")
            out.append("Run the lab (button above) with these settings; your prediction is graded from the "
                       "run's actual result.", style="italic")
            return out
        out.append("✓ Right. " if correct else "✗ Not quite. ", style="bold green" if correct else "bold red")
        if q.kind == "numeric":
            out.append(f"You answered {format_answer(q, answer)}; the answer is {q.answer:g}"
                       f"{(' ' + q.unit) if q.unit else ''} (± {q.tolerance:g}).\n")
            if not correct:
                hint = grade(q, answer).feedback
                if hint:
                    out.append(hint + "\n", style="italic")
            out.append(q.explain)
            return out
        chosen = [answer] if isinstance(answer, int) else list(answer)
        right = q.correct_indices
        if q.kind == "predict":
            right = (right_predictions(q, self.run_metrics) if self.run_metrics else None) or set()
            if self.run_metrics:
                from dltui.conditions import names

                used = set().union(*(names(o.when) for o in q.options if o.when))
                shown_metrics = ", ".join(f"{k} = {v:.3g}" for k, v in self.run_metrics.items() if k in used)
                out.append(f"Your run gave {shown_metrics}.", style="dim")
        out.append("\n")
        shown = set()
        for i in chosen:
            mark = "✓" if (i in right or (q.kind == "predict" and correct)) else "✗"
            out.append(f"{mark} You chose {chr(65 + i)}. {q.options[i].text}\n", style="bold")
            out.append(f"  {q.options[i].explain}\n")
            shown.add(i)
        for i in sorted(right - shown):
            out.append(f"✓ Right answer {chr(65 + i)}. {q.options[i].text}\n", style="bold")
            out.append(f"  {q.options[i].explain}\n")
        return out
