"""An exercise embedded in a lesson: its title, the learner's status and a button to open it."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Static

from dltui.curriculum import ExerciseBlock


@dataclass
class OpenExercise(Message):
    exercise_id: str


class ExerciseBlockWidget(Vertical):
    DEFAULT_CSS = """
    ExerciseBlockWidget { height: auto; border: round $warning; padding: 0 1; margin: 1 0; }
    ExerciseBlockWidget:focus-within { border: heavy $warning; border-title-style: bold reverse; }
    ExerciseBlockWidget Button { margin-top: 1; }
    """

    def __init__(self, block: ExerciseBlock, title: str, status: str):
        super().__init__(classes="exerciseblock")
        self.block = block
        self.border_title = f"Exercise · {block.exercise}"
        self._title = block.title or title
        self._status = status

    def compose(self) -> ComposeResult:
        yield Static(self._heading(), classes="exerciseblock-title")
        if self.block.text:
            yield Static(self.block.text, classes="exerciseblock-text")
        yield Button("Open exercise ▶", id="open-exercise", variant="warning", compact=True)

    def _heading(self) -> str:
        return f"[b]Exercise: {self._title}[/b]  [dim]{self._status}[/dim]"

    def on_mount(self) -> None:
        from dltui.exercise_service import exercise_service

        exercise_service(self.app).observe(self._verdict)

    def on_unmount(self) -> None:
        from dltui.exercise_service import exercise_service

        exercise_service(self.app).observe(self._verdict, stop=True)

    def _verdict(self, exercise_id: str, result) -> None:
        # A verdict can come while the lesson closes: the block's children go before its on_unmount.
        if exercise_id != self.block.exercise or not self.is_attached or not self.query(".exerciseblock-title"):
            return
        if result.passed:
            self._status = "passed ✓"
        elif self._status != "passed ✓":
            self._status = "started"
        self.query_one(".exerciseblock-title", Static).update(self._heading())

    @on(Button.Pressed, "#open-exercise")
    def _open(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(OpenExercise(self.block.exercise))
