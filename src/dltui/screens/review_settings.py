"""The review setting: the desired retention FSRS schedules for (0.7–0.99, 0.9 by default)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from dltui.review import RETENTION_RANGE


class RetentionScreen(ModalScreen[float | None]):
    DEFAULT_CSS = """
    RetentionScreen { align: center middle; }
    RetentionScreen #retention-box { width: 60; max-width: 100%; height: auto; border: round $accent;
                                     padding: 0 1; background: $surface; }
    RetentionScreen Input { width: 20; margin: 1 0; }
    RetentionScreen #retention-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel")]

    def __init__(self, current: float) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        low, high = RETENTION_RANGE
        with Vertical(id="retention-box"):
            yield Static(f"[b]Desired retention[/b] (now {self.current:.2f})\n"
                         f"The share of due questions you want to still recall, from {low:g} to {high:g}. "
                         "Higher: more reviews, shorter intervals. Enter saves, Esc cancels.")
            yield Input(value=f"{self.current:g}", id="retention-input")
            yield Static(id="retention-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            value = float(event.value.strip().replace(",", "."))
            self.app.store.set_review_retention(value)
        except ValueError as exc:
            low, high = RETENTION_RANGE
            message = str(exc) if "range" in str(exc) else f"“{event.value}” is not a number from {low:g} to {high:g}."
            self.query_one("#retention-error", Static).update(message)
            return
        self.dismiss(self.app.store.review_retention())

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
