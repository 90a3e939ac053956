"""Every lab, with its lessons and the learner's best run."""

from __future__ import annotations

from rich.text import Text
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
        if self.refresh_table():
            self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.refresh_table()

    def refresh_table(self) -> bool:
        # Fast keys can close the screen before it has mounted its children: nothing to fill then.
        tables = self.query(DataTable)
        if not tables:
            return False
        table = tables.first()
        table.clear(columns=True)
        # Narrow terminals give the summary what is left; it wraps inside its cell.
        lab_w, lessons_w = (24, 26) if self.app.size.width >= 100 else (22, 20)
        table.add_column("lab", width=lab_w)
        table.add_column("runs", width=4)
        table.add_column("lessons", width=lessons_w)
        table.add_column("what it shows", width=max(16, self.app.size.width - lab_w - lessons_w - 4 - 10))
        titles = self._lesson_titles()
        for mod in labregistry.all_labs():
            info = mod.INFO
            runs = self.app.store.runs(info.id, limit=1000)
            name = Text(info.title, style="bold")
            name.append(f"\n{info.id}", style="dim")
            lessons = "\n".join(titles.get(le, le) for le in info.lessons)
            table.add_row(name, str(len(runs)), lessons, info.summary, key=info.id, height=None)
        return True

    def _lesson_titles(self) -> dict[str, str]:
        if self.app.curriculum is None:
            return {}
        return {le.id: le.title for le in self.app.curriculum.lessons()}

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        from dltui.screens.lab import LabScreen

        self.app.push_screen(LabScreen(event.row_key.value))

    def action_back(self) -> None:
        self.app.pop_screen()
