"""Every lab, with its lessons and the learner's best run."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable

from dltui.widgets.bars import KeyBar, TitleBar

from dltui import labregistry


class LabListScreen(Screen):
    BINDINGS = [Binding("escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield DataTable(id="lab-list", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.refresh_table()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.refresh_table()

    def refresh_table(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column("lab", width=22)
        table.add_column("runs", width=4)
        table.add_column("lessons", width=26)
        table.add_column("what it shows", width=max(20, self.app.size.width - 62))
        for mod in labregistry.all_labs():
            runs = self.app.store.runs(mod.INFO.id, limit=1000)
            table.add_row(mod.INFO.id, str(len(runs)), ", ".join(mod.INFO.lessons), mod.INFO.summary,
                          key=mod.INFO.id)

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        from dltui.screens.lab import LabScreen

        self.app.push_screen(LabScreen(event.row_key.value))

    def action_back(self) -> None:
        self.app.pop_screen()
