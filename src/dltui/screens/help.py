"""Keys and where things are."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# dltui keys

| where | key | does |
|---|---|---|
| everywhere | Tab / Shift+Tab | move between controls |
| everywhere | Ctrl+P | command palette |
| everywhere | q, Ctrl+C | quit (everything answered is already saved) |
| home | ↑ ↓ Enter | pick a lesson; Enter on a theme folds it |
| home | c | continue where you left off |
| home | l | all labs |
| lesson | ↑ ↓ PgUp PgDn | read |
| lesson | Tab | jump to the next question or lab |
| lesson | m | mark the lesson read |
| lesson | ] / [ | next / previous lesson |
| quiz | ↑ ↓ Enter | choose (single choice answers at once) |
| quiz | Space | tick an option (multiple choice), then Check |
| lab | F5 / F6 / F7 | start / stop / reset |
| lab | F2 | show or hide the settings (hidden while a lab runs in a small terminal) |
| lab | v | next view of the lab (when it has several) |
| lab | a | curves: loss → other metrics → hidden |
| any screen | Esc | back |

Progress lives in one SQLite file: `dltui progress` shows it, `--data-dir` moves it.
"""


class HelpScreen(ModalScreen):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("f1", "dismiss", "Close", show=False)]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(HELP)
