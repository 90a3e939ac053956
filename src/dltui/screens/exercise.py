"""An exercise: the task, the learner's file in an editor, and the checks' verdict.

The file on disk is the learner's work: Ctrl+S writes it and grades it; saving it from any other
editor (``e`` opens $VISUAL/$EDITOR, in a terminal only: not under ``dltui serve``) grades it too,
through the app's workspace watcher (:mod:`dltui.exercise_service`). Grading runs in the exercise
worker, never here.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown, Static, TextArea

from dltui.exercise_service import exercise_service, format_duration
from dltui.exercisespec import ExerciseResult, reset_learner_file
from dltui.widgets.bars import KeyBar, TitleBar

NARROW = 100  # below this many columns the task gets a page of its own (t)


class ExerciseScreen(Screen):
    CSS_PATH = "exercise.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save_and_check", "Save+check", priority=True),
        Binding("escape", "back", "Back"),
        Binding("h", "hint", "Hint"),
        # Task early: at 80 columns the key bar has room for five keys, and there the task is hidden
        Binding("t", "toggle_task", "Task"),
        Binding("s", "solution", "Solution"),
        Binding("e", "external_editor", "$EDITOR"),
        # In a browser the key bar hides the line above; e then explains what to do instead.
        Binding("e", "no_external_editor", "$EDITOR", show=False),
        Binding("r", "reset", "Reset"),
        Binding("i", "edit", "Edit"),
    ]

    def __init__(self, exercise_id: str):
        super().__init__()
        self.service = None
        self.exercise_id = exercise_id
        self.exercise = None
        self.path = None
        self._saved_text = ""
        self.hints_shown = 0
        self.passed = False
        self.gave_up = False

    def compose(self) -> ComposeResult:
        self.service = exercise_service(self.app)
        self.exercise = self.service.exercise(self.exercise_id)
        ex = self.exercise
        yield TitleBar()
        with Horizontal(id="ex-main"):
            with VerticalScroll(id="ex-task"):
                yield Markdown(f"# {ex.title}\n\n{ex.task}" if ex else "Unknown exercise.", id="ex-task-text")
                yield Static("", id="ex-hints")
            with Vertical(id="ex-work"):
                with Horizontal(id="ex-code"):
                    yield TextArea.code_editor("", language="python", id="ex-editor")
                    yield TextArea.code_editor("", language="python", id="ex-solution", read_only=True,
                                               classes="hidden")
                with VerticalScroll(id="ex-results"):
                    yield Static("", id="ex-status")
                    yield Vertical(id="ex-checks")
        yield KeyBar()

    def on_mount(self) -> None:
        if self.exercise is None:
            self.notify(f"Unknown exercise {self.exercise_id!r}.", severity="error")
            return
        store = self.app.store
        store.exercise_opened(self.exercise_id)
        state = store.exercise_states().get(self.exercise_id)
        self.passed = bool(state and state.passed)
        self.gave_up = bool(state and state.gave_up)
        self.hints_shown = min(state.hints_used if state else 0, len(self.exercise.hints))
        self._show_hints()
        self.path = self.service.file_of(self.exercise)
        self._load_from_disk()
        editor = self.query_one("#ex-editor", TextArea)
        editor.border_title = self._shown_path()
        self.query_one("#ex-results").border_title = "Checks"
        self.service.listen(self.exercise_id, self.show_result)
        self.service.prewarm(self.exercise_id)  # worker, watcher, warm-up: the first Ctrl+S is quick
        latest = self.service.latest.get(self.exercise_id)
        if latest is not None:
            self.show_result(latest)
        else:
            keys = "h, t, s, r" if self.app.is_web else "h, t, s, e, r"  # no $EDITOR in a browser
            self._status(f"Edit, then Ctrl+S to save and run the checks. Esc leaves the editor (then {keys}).")
        self._layout(self.size.width)
        editor.focus()

    def on_unmount(self) -> None:
        if self.service is not None:
            self.service.unlisten(self.exercise_id, self.show_result)

    def on_resize(self, event) -> None:
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        self.set_class(width < NARROW, "narrow")

    # -- the learner's file -----------------------------------------------------------------

    def _load_from_disk(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.notify(f"Cannot read {self.path}: {exc}", severity="error")
            return
        self._saved_text = text
        editor = self.query_one("#ex-editor", TextArea)
        if editor.text != text:
            editor.load_text(text)

    def save(self) -> bool:
        """Write the editor's text to the learner's file (if it changed). False if it failed."""
        if self.path is None:
            return False
        text = self.query_one("#ex-editor", TextArea).text
        if text == self._saved_text and self.path.exists():
            return True
        try:
            self.path.write_text(text, encoding="utf-8")
        except OSError as exc:
            self.notify(f"Could not save {self.path}: {exc}", severity="error", timeout=10)
            return False
        self._saved_text = text
        return True

    def flush_position(self) -> None:
        """Called by the app before it quits: nothing typed in the editor is lost."""
        self.save()

    def action_save_and_check(self) -> None:
        if self.exercise is None or not self.save():
            return
        self._status("Checking…")
        self.service.submit(self.exercise_id, "app")

    def action_edit(self) -> None:
        self.query_one("#ex-editor", TextArea).focus()

    def action_back(self) -> None:
        self.save()
        self.app.pop_screen()

    # -- results ---------------------------------------------------------------------------

    def _status(self, text: str) -> None:
        self.query_one("#ex-status", Static).update(text)

    def show_result(self, result: ExerciseResult) -> None:
        # A verdict can arrive while the screen closes: Textual removes its widgets before
        # on_unmount stops the listening, and a query then would end the app.
        if not self.is_attached or not self.query("#ex-results"):
            return
        self._follow_disk()
        results = self.query_one("#ex-results", VerticalScroll)
        results.set_class(result.passed, "passed")
        results.set_class(not result.passed, "failed")
        total = len(result.checks)
        # 0 s means not measured (the worker was stopped or died): no time rather than a wrong one
        took = f"  ({format_duration(result.seconds)})" if result.seconds > 0 else ""
        if result.passed:
            first = not self.passed
            self.passed = True
            status = f"[green]All {total} checks pass ✓[/]{took} · the solution is unlocked: Esc, then s"
            if first:
                self.notify("All checks pass: well done! The solution is unlocked (s).", timeout=6)
        else:
            status = f"[red]{result.passed_count}/{total} checks pass[/]{took}"
        first_failure = result.first_failure()
        rows: list[Static] = []
        for c in result.checks:
            mark = "[green]✓[/]" if c.passed else "[red]✗[/]"
            rows.append(Static(f"{mark} {escape(c.name)}", classes="check-name"))
            if not c.passed and c.message:
                rows.append(Static(escape(c.message), classes="check-message" + (
                    "" if c is first_failure else " check-later")))
            if c.detail and (c.passed or c is first_failure):
                rows.append(Static(escape(c.detail), classes="check-detail"))
        if result.output.strip():
            rows.append(Static("[b]Your code printed:[/b]", classes="check-name"))
            rows.append(Static(escape("\n".join(result.output.rstrip().splitlines()[:20])), classes="check-detail"))

        async def replace_rows() -> None:
            # The verdict line changes together with its rows, never ahead of them.
            boxes = self.query("#ex-checks").results(Vertical)
            box = next(boxes, None)
            if box is None:  # closed meanwhile
                return
            await box.remove_children()
            await box.mount_all(rows)
            self._status(status)

        self.call_later(replace_rows)

    def results_text(self) -> str:
        """What the results pane says, as plain text (for tests and screen readers' logs)."""
        parts = [str(self.query_one("#ex-status", Static).render())]
        parts += [str(w.render()) for w in self.query_one("#ex-checks", Vertical).query(Static)]
        return "\n".join(parts)

    def _follow_disk(self) -> None:
        """After an outside save, show the file as it is on disk (unless the editor has edits)."""
        try:
            disk = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return
        if disk == self._saved_text:
            return
        editor = self.query_one("#ex-editor", TextArea)
        if editor.text == self._saved_text:
            self._saved_text = disk
            editor.load_text(disk)
        else:
            self.notify("The file changed on disk while you have unsaved edits here; Ctrl+S would "
                        "overwrite it.", severity="warning", timeout=8)

    # -- hints, solution, reset, external editor -------------------------------------------------

    def _show_hints(self) -> None:
        hints = self.exercise.hints[:self.hints_shown] if self.exercise else []
        text = "\n".join(f"[b]Hint {i}:[/b] {escape(h)}" for i, h in enumerate(hints, 1))
        self.query_one("#ex-hints", Static).update(text)

    def action_hint(self) -> None:
        if self.exercise is None:
            return
        if self.hints_shown >= len(self.exercise.hints):
            self.notify("No more hints: the solution opens once the checks pass (or if you give up: s).",
                        timeout=5)
            return
        self.hints_shown += 1
        self.app.store.record_hint(self.exercise_id, self.hints_shown)
        self._show_hints()
        if self.has_class("narrow"):
            self.add_class("show-task")  # the hints are under the task
        self.query_one("#ex-task", VerticalScroll).scroll_end(animate=False)

    def action_solution(self) -> None:
        if self.exercise is None:
            return
        solution = self.query_one("#ex-solution", TextArea)
        if not solution.has_class("hidden"):
            solution.add_class("hidden")
            return
        if self.passed or self.gave_up:
            self._show_solution()
            return
        from dltui.screens.confirm import ConfirmScreen

        def answered(give_up: bool | None) -> None:
            if give_up:
                self.app.store.record_give_up(self.exercise_id)
                self.gave_up = True
                self._show_solution()

        self.app.push_screen(ConfirmScreen("The solution opens once every check passes.\n\nGive up and see it "
                                           "now? Giving up is recorded in your progress.", "Give up", "Keep trying"),
                             answered)

    def _show_solution(self) -> None:
        solution = self.query_one("#ex-solution", TextArea)
        solution.load_text(self.exercise.solution.read_text(encoding="utf-8"))
        solution.border_title = "solution"
        solution.remove_class("hidden")

    def action_reset(self) -> None:
        if self.exercise is None:
            return
        from dltui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            self.save()
            try:
                backup = reset_learner_file(self.exercise, self.path.parent)
            except OSError as exc:
                self.notify(f"Could not reset: {exc}", severity="error")
                return
            self._load_from_disk()
            kept = f" Your previous file is kept as {backup.name}." if backup else ""
            self.notify(f"The starter is back.{kept}", timeout=8)

        self.app.push_screen(ConfirmScreen(f"Put the starting code back in {self.path.name}?\n\nYour current "
                                           f"file is kept as {self.path.name}.bak-<time>.", "Reset", "Cancel"),
                             answered)

    def action_toggle_task(self) -> None:
        if self.has_class("narrow"):
            self.toggle_class("show-task")
        else:
            task = self.query_one("#ex-task")
            task.display = not task.display

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """A terminal editor cannot run in a browser tab: in web mode (`dltui serve`) e explains."""
        if action == "external_editor":
            return not self.app.is_web
        if action == "no_external_editor":
            return self.app.is_web
        return True

    def _shown_path(self) -> str:
        return str(self.path).replace(os.path.expanduser("~"), "~", 1) if self.path else "your file"

    def action_no_external_editor(self) -> None:
        self.notify("An external editor ($EDITOR) works only when dltui runs in a terminal. In the "
                    "browser, edit here (i, then Ctrl+S to check), or open "
                    f"{escape(self._shown_path())} with any editor: each save is checked at once.",
                    title="No $EDITOR in a browser", severity="warning", timeout=12)

    def action_external_editor(self) -> None:
        if self.exercise is None or not self.save():
            return
        command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or ("vi" if shutil.which("vi") else "")
        if not command:
            self.notify("Set $VISUAL or $EDITOR to the editor you want (e.g. export EDITOR=nano).",
                        severity="warning", timeout=8)
            return
        argv = shlex.split(command)
        if not argv or shutil.which(argv[0]) is None:
            self.notify(f"The editor {command!r} (from $VISUAL or $EDITOR) was not found.",
                        severity="error", timeout=8)
            return
        failed: list[Exception] = []
        try:
            with self.app.suspend():
                # Nothing may escape this block: Textual would not resume the screen.
                try:
                    subprocess.call([*argv, str(self.path)])
                except Exception as exc:  # noqa: BLE001
                    failed.append(exc)
        except Exception as exc:  # noqa: BLE001 - SuspendNotSupported (e.g. headless)
            failed.append(exc)
        if failed:
            self.notify(f"Could not open {command!r}: {failed[0]}", severity="error", timeout=8)
            return
        self._load_from_disk()
        self.action_save_and_check()
