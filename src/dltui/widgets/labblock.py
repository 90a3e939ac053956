"""A lab embedded in a lesson: what it shows, its preset, and a button that opens it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Static

from dltui.curriculum import LabBlock
from dltui.messages import OpenLab


class LabBlockWidget(Vertical):
    def __init__(self, block: LabBlock, lesson_id: str):
        super().__init__(classes="labblock")
        self.block = block
        self.lesson_id = lesson_id
        self.border_title = f"Lab · {block.lab}"

    def compose(self) -> ComposeResult:
        from dltui import labregistry

        try:
            info = labregistry.load(self.block.lab).INFO
            title, summary = self.block.title or info.title, info.summary
        except labregistry.UnknownLab:
            title, summary = self.block.title or self.block.lab, "(unknown lab)"
        yield Static(f"[b]{title}[/b]\n{summary}", classes="labblock-title")
        if self.block.text:
            yield Static(self.block.text, classes="labblock-text")
        if self.block.settings:
            preset = ", ".join(f"{k} = {v}" for k, v in self.block.settings.items())
            yield Static(f"[dim]preset: {preset}[/dim]")
        yield Button("Open lab ▶", id="open-lab", variant="success", compact=True)

    @on(Button.Pressed, "#open-lab")
    def _open(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(OpenLab(self.block.lab, dict(self.block.settings), self.lesson_id))
