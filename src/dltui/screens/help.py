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
| everywhere | Ctrl+P | command palette: lessons, labs, exercises, Review (type part of a name or id) |
| everywhere | q, Ctrl+C | quit (everything answered is already saved) |
| everywhere | Esc | back, or close this panel, the palette or any popup |
| everywhere | F1 or ? | this panel |
| home | ↑ ↓ | move; → or Enter unfolds a theme, ← folds it |
| home | Enter | open the lesson |
| home | c | continue where you left off |
| home | l | all labs |
| home | r | review: the questions due today |
| lesson | ↓ ↑ j k PgDn PgUp | read (whatever has focus; ↓ leaves an answer field) |
| lesson | n / p, Tab / Shift+Tab | next / previous question or lab, in reading order |
| lesson | m | mark the lesson read |
| lesson | ] / [ | next / previous lesson |
| question | Enter | go into its options (or field), then answer |
| question | 0–9 | type a number answer straight away |
| question | Space | tick an option (multiple choice); Enter checks |
| question | t / r | try again / run the prediction's lab |
| review | Enter or n | next card (after answering) |
| review | o | open the card's lesson at this question (Esc comes back) |
| review | s | desired retention (how often cards come back) |
| lab | F5 / F6 / F7, or Ctrl+G / Ctrl+O / Ctrl+L | start / stop / reset (the Ctrl keys also work in a browser) |
| lab | F2 | show or hide the settings (hidden while a lab runs in a small terminal) |
| lab | v | next view of the lab (when it has several) |
| lab | a | curves: loss → other metrics → hidden |
| exercise | Ctrl+S | save your file and run the checks |
| exercise | Esc | leave the editor (then the keys below); Esc again goes back |
| exercise | h / s | next hint / solution (after passing, or give up) |
| exercise | e / r / t | open $EDITOR (in a terminal; not under `dltui serve`) / reset to the starter (keeps a .bak) / task page |

Progress lives in one SQLite file: `dltui progress` shows it, `--data-dir` moves it.
"""


class HelpScreen(ModalScreen):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("f1,question_mark", "dismiss", "Close", show=False)]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(HELP)
