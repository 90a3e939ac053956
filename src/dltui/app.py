"""The Textual app: wiring only. Screens live in dltui.screens, widgets in dltui.widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from textual.app import App
from textual.binding import Binding

if TYPE_CHECKING:
    from dltui.curriculum import Curriculum
    from dltui.progress import Store


class DltuiApp(App):
    TITLE = "dltui"
    SUB_TITLE = "NYU Deep Learning · Spring 2021"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("f1", "help", "Help"),
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
        if self.store.notice:
            self.notify(self.store.notice, title="Progress file moved aside", severity="warning", timeout=15)
        if self.curriculum is None:
            self.call_after_refresh(self._load_curriculum)
        else:
            self._curriculum_loaded()

    def _load_curriculum(self) -> None:
        self.curriculum = self._curriculum_loader()
        self._curriculum_loaded()
        rebuild = getattr(self.screen, "rebuild", None)  # the home screen, if it is showing
        if rebuild is not None:
            rebuild()

    def _curriculum_loaded(self) -> None:
        if self.curriculum.problems:
            self.notify(f"{len(self.curriculum.problems)} problem(s) in the curriculum; broken lessons are "
                        "marked ⚠. Run `dltui validate` for details.", severity="warning", timeout=8)

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

    def restart_lab_process(self) -> None:
        if self._lab_process is not None:
            self._lab_process.kill()
            self._lab_process = None

    def grade_predictions(self, lab_id: str, settings: dict, metrics: dict, run_id: int) -> list[str]:
        """Grade the learner's pending predictions that this run answers; returns messages."""
        from dltui.quiz import grade_prediction

        notes = []
        for ans in self.store.pending_predictions():
            lesson = self.curriculum.lesson(ans.lesson_id)
            q = lesson.question(ans.question_id) if lesson else None
            if q is None or q.lab != lab_id:
                continue
            if any(settings.get(k) != v for k, v in q.settings.items()):
                continue  # the run used other settings than the question asked about
            result = grade_prediction(q, ans.answer, metrics)
            if result is None:
                continue
            self.store.resolve_prediction(ans.id, bool(result.correct), run_id)
            verdict = "right ✓" if result.correct else "not right ✗"
            notes.append(f"Your prediction in “{lesson.title}” was {verdict}")
        return notes

    async def action_quit(self) -> None:
        for screen in self.screen_stack:
            flush = getattr(screen, "flush_position", None)
            if flush is not None:
                flush()
        self.exit()

    def action_help(self) -> None:
        from dltui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def on_unmount(self) -> None:
        if self._lab_process is not None:
            self._lab_process.shutdown()
        self.store.close()
