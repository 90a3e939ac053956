"""The Textual app: wiring only. Screens live in dltui.screens, widgets in dltui.widgets."""

from __future__ import annotations

import gc
import threading
from typing import TYPE_CHECKING, Callable

from textual.app import App
from textual.binding import Binding

PREWARM_AFTER_PAINT_SECONDS = 0.5  # let home's first frames go out before the worker competes for CPU

if TYPE_CHECKING:
    from dltui.curriculum import Curriculum
    from dltui.progress import Store


def _course_commands():
    # Imported when the palette first opens, not on the way to the first frame.
    from dltui.palette import CourseCommands

    return CourseCommands


def _system_commands():
    # Textual's Quit, Theme, … found by typing only: an empty palette's first entry was sometimes
    # Quit, so Ctrl+P, Enter quit the app (see SearchedSystemCommands).
    from dltui.palette import SearchedSystemCommands

    return SearchedSystemCommands


class DltuiApp(App):
    TITLE = "dltui"
    SUB_TITLE = "NYU Deep Learning · Spring 2021"
    CSS_PATH = "app.tcss"
    COMMANDS = {_system_commands, _course_commands}
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("f1,question_mark", "help", "Help"),
    ]

    def __init__(self, curriculum: Curriculum | Callable[[], Curriculum], store: Store, *,
                 lab_process_factory: Callable | None = None, prewarm_labs: bool = True):
        super().__init__()
        # A loader is called right after the first frame is painted, so start-up stays quick.
        self._curriculum_loader = curriculum if callable(curriculum) else None
        self.curriculum: Curriculum | None = None if callable(curriculum) else curriculum
        self.store = store
        self.prewarm_labs = prewarm_labs
        self._lab_process_factory = lab_process_factory
        self._lab_process = None

    def get_default_screen(self):
        # Home is the base screen itself: no blank default screen is built and painted first.
        from dltui.screens.home import HomeScreen

        return HomeScreen()

    def on_mount(self) -> None:
        self._end_on_hangup_and_term()
        if self.store.notice:
            self.notify(self.store.notice, title="Progress file repaired", severity="warning", timeout=15)
        self.store.on_problem = self._progress_not_saved
        if self.store.problem:
            self._progress_not_saved(self.store.problem)
        if self.prewarm_labs:
            # Once home has painted, spawn the lab worker (it imports torch in its own process), so
            # the first Start of the session plots its first point within a second.
            self.call_after_refresh(lambda: self.set_timer(PREWARM_AFTER_PAINT_SECONDS, self._prewarm_lab_worker))
        if self.curriculum is None:
            # A thread, so a slow disk or a huge lesson never freezes the keys; home says "Loading…".
            self.run_worker(self._load_curriculum_in_thread, thread=True, exit_on_error=False)
        else:
            self._curriculum_loaded()

    def _load_curriculum_in_thread(self) -> None:
        try:
            curriculum = self._curriculum_loader()
        except Exception as exc:  # noqa: BLE001 - the loader reports file faults itself; this is a bug
            import logging
            from pathlib import Path

            from dltui.curriculum import Curriculum, Problem

            logging.getLogger("dltui").exception("loading the curriculum")
            curriculum = Curriculum(Path("."), [], [Problem(Path("curriculum"), 1, f"could not be loaded "
                                                            f"({type(exc).__name__}: {exc})")])
        try:
            self.call_from_thread(self._load_curriculum, curriculum)
        except RuntimeError:
            pass  # the app closed while the lessons were loading

    def _load_curriculum(self, curriculum: Curriculum) -> None:
        self.curriculum = curriculum
        self._curriculum_loaded()
        rebuild = getattr(self.screen, "rebuild", None)  # the home screen, if it is showing
        if rebuild is not None:
            rebuild()

    def _curriculum_loaded(self) -> None:
        # What start-up built (the course, the widgets of home) lives as long as the app. Taken out
        # of the collector's reach, it is not scanned again: full collections over it paused the UI
        # for 50–120 ms, several times a minute while a lab trained.
        self.call_after_refresh(gc.freeze)
        if self.curriculum.problems:
            from dltui.paths import curriculum_dir

            # An author's own folder (--curriculum) needs naming: plain `validate` checks the shipped one.
            where = "" if self.curriculum.root == curriculum_dir() else f" {self.curriculum.root}"
            self.notify(f"{len(self.curriculum.problems)} problem(s) in the curriculum; broken lessons are "
                        f"marked ⚠. Run `dltui validate{where}` for details.", severity="warning", timeout=8)

    def _progress_not_saved(self, message: str) -> None:
        """The store could not write and carries on in memory: say so once, and keep a reminder in
        the title bar of every screen."""
        if self._thread_id != threading.get_ident():
            self.call_from_thread(self._progress_not_saved, message)
            return
        self.sub_title = f"{type(self).SUB_TITLE} · ⚠ progress not saved"
        from dltui.widgets.bars import TitleBar

        for screen in self.screen_stack:
            for bar in screen.query(TitleBar):
                bar.on_mount()  # redraws the title from app.sub_title
        self.notify(message, title="Progress is not being saved", severity="error", timeout=30)

    # -- the lab worker process, shared by all lab screens ---------------------------------

    def lab_process(self, start: bool = True):
        """The warm lab worker (spawned on first use, respawned if it died)."""
        if self._lab_process is not None and not self._lab_process.alive and self._lab_process.exitcode is not None:
            self._lab_process.kill()
            self._lab_process = None
        if self._lab_process is None and start:
            if self._lab_process_factory is not None:
                self._lab_process = self._lab_process_factory()
            else:
                from dltui.engine import LabProcess

                log = self.store.path.with_name("lab-worker.log")
                self._lab_process = LabProcess(str(log)).start()
        return self._lab_process

    def _prewarm_lab_worker(self) -> None:
        if self.prewarm_labs and self.is_running:
            self.lab_process()

    def restart_lab_process(self) -> None:
        if self._lab_process is not None:
            self._lab_process.kill()
            self._lab_process = None

    def grade_predictions(self, lab_id: str, settings: dict, metrics: dict, run_id: int) -> list[str]:
        """Store the grades of the pending predictions this run answers (see quiz.grade_predictions)."""
        from dltui.quiz import grade_predictions

        results = grade_predictions(self.store.pending_predictions(), self.curriculum, lab_id, settings, metrics)
        for result in results:
            self.store.resolve_prediction(result.answer_id, result.correct, run_id)
        return [result.note for result in results]

    async def action_quit(self) -> None:
        for screen in self.screen_stack:
            flush = getattr(screen, "flush_position", None)
            if flush is not None:
                flush()
        code, message = self._signal_exit_code, None
        if self.store.problem_reason:  # said when it happened; on the way out, say what it cost
            from rich.text import Text

            code = code or 1
            message = Text(f"dltui: your progress was not saved because {self.store.problem_reason}; "
                           f"{self.store.unsaved_changes} change(s) made in this session were lost.")
        self.exit(return_code=code, message=message)

    # A closed terminal, a dropped SSH link (SIGHUP) or SIGTERM ends the app the way Ctrl+C does:
    # positions flushed, a lab run in progress saved as stopped, the worker ended. The exit
    # status is the shell's convention for "ended by signal N": 128 + N (129 SIGHUP, 143 SIGTERM).
    _signal_exit_code = 0
    _previous_handlers: dict = {}

    def _end_on_hangup_and_term(self) -> None:
        import asyncio
        import signal
        import threading

        if threading.current_thread() is not threading.main_thread():
            return  # only the main thread may set signal handlers
        loop = asyncio.get_running_loop()
        for name in ("SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)
            if sig is not None:
                self._previous_handlers[sig] = signal.signal(
                    sig, lambda number, _frame: self._ended_by_signal(number, loop))

    def _ended_by_signal(self, number: int, loop) -> None:
        """A plain signal handler (not the event loop's), so it runs even if the loop is stuck."""
        import signal

        if self._signal_exit_code:
            return
        self._signal_exit_code = 128 + number
        if not self.is_headless:
            if number == getattr(signal, "SIGHUP", None):
                _detach_from_terminal()
            _exit_if_stuck(self._signal_exit_code)
        loop.call_soon_threadsafe(self.call_next, self.action_quit)

    def get_system_commands(self, screen):
        # Textual's "Keys" panel cannot be closed with Esc; ours (F1) can.
        for command in super().get_system_commands(screen):
            if command.title != "Keys":
                yield command

    def action_command_palette(self) -> None:
        # Our subclass survives keys typed faster than the palette updates (see CoursePalette).
        from textual.command import CommandPalette

        from dltui.palette import CoursePalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CoursePalette(id="--command-palette"))

    def search_themes(self) -> None:
        # The palette's "Theme" command opens a second palette; Textual's own would have the races
        # CoursePalette guards against (random keys reach it: Ctrl+P, t, Enter).
        from textual.theme import ThemeProvider

        from dltui.palette import CoursePalette

        self.push_screen(CoursePalette(providers=[ThemeProvider], placeholder="Search for themes…"))

    def action_help(self) -> None:
        from dltui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def on_unmount(self) -> None:
        if self._lab_process is not None:
            self._lab_process.shutdown()
        exercises = getattr(self, "_dltui_exercise_service", None)  # see dltui.exercise_service
        if exercises is not None:
            exercises.shutdown()
        self.store.close()
        import signal

        for sig, previous in self._previous_handlers.items():
            signal.signal(sig, previous)


def _detach_from_terminal() -> None:
    """The terminal is gone: reads and writes to it now fail, and Textual's output thread would
    die and leave the app waiting on it. Point stdin/stdout/stderr at the null device instead."""
    import os

    try:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
    except OSError:
        pass


def _exit_if_stuck(code: int, seconds: float = 8.0) -> None:
    """Every answer and run is already committed; if tearing down the screen hangs (a terminal
    that went away mid-write), end the process anyway rather than linger without one."""
    import os
    import threading
    import time

    def later() -> None:
        time.sleep(seconds)
        os._exit(code)

    threading.Thread(target=later, daemon=True, name="dltui-exit-guard").start()
