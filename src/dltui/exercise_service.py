"""The app's side of exercises: a warm worker that grades, a watcher on the workspace, records.

One :class:`ExerciseService` per app (:func:`exercise_service`). It owns its own worker process
(the lab worker's code, ``dltui.engine.LabProcess``, started with torch imported), so grading
never waits behind a lab run and a runaway exercise can be killed without stopping a lab.
The worker stops an endless loop itself after the exercise's time limit; if no verdict arrives
``GRACE_SECONDS`` later, the service kills the worker, starts a fresh one and reports the time-out.

The workspace folder is watched (watchfiles) for as long as the app runs, so saving a file from
another editor re-runs its checks whatever screen is showing; the verdict goes to the screens
that listen for that exercise, or to a notification. Every verdict is recorded in the store.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from pathlib import Path
from typing import Any, Callable

from dltui.exercisespec import CheckOutcome, Exercise, ExerciseResult, ensure_learner_file, learner_file

GRACE_SECONDS = 3.0
WARMUP = "warmup"  # a grading of the solution nobody sees: pays torch's first-call costs
POLL_SECONDS = 0.03


def exercise_service(app) -> "ExerciseService":
    service = getattr(app, "_dltui_exercise_service", None)
    if service is None:
        service = ExerciseService(app)
        app._dltui_exercise_service = service
    return service


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha1(path.read_bytes()).hexdigest()
    except OSError:
        return None


class ExerciseService:
    def __init__(self, app, workspace: Path | None = None):
        self.app = app
        self.workspace = Path(workspace) if workspace else app.store.path.parent / "workspace"
        self._factory: Callable | None = getattr(app, "exercise_process_factory", None)
        self._proc = None
        self._exercises: dict[str, Exercise] | None = None
        self._inflight: tuple[str, float, float, str | None, str] | None = None  # id, t0, deadline, digest, source
        self._waiting: list[tuple[str, str]] = []  # (id, source), at most one entry per id
        self._graded: dict[str, str | None] = {}  # id -> digest of the content last sent for grading
        self._listeners: dict[str, list[Callable[[ExerciseResult], None]]] = {}
        self._observers: list[Callable[[str, ExerciseResult], None]] = []  # status lines, e.g. lesson blocks
        self._timer = None
        self._watcher: threading.Thread | None = None
        self._watch_stop = threading.Event()
        self._warmed = False
        self.latest: dict[str, ExerciseResult] = {}

    # -- exercises and files ----------------------------------------------------------------

    @property
    def exercises(self) -> dict[str, Exercise]:
        if self._exercises is None:
            from dltui.exercisespec import load_exercises

            root = getattr(self.app.curriculum, "root", None)
            self._exercises = {e.id: e for e in load_exercises(root)} if root else {}
        return self._exercises

    def exercise(self, exercise_id: str) -> Exercise | None:
        return self.exercises.get(exercise_id)

    def file_of(self, exercise: Exercise) -> Path:
        return ensure_learner_file(exercise, self.workspace)

    # -- the worker ---------------------------------------------------------------------------

    def process(self):
        if self._proc is not None and not self._proc.alive and self._proc.exitcode is not None:
            self._proc.kill()
            self._proc = None
        if self._proc is None:
            if self._factory is not None:
                self._proc = self._factory()
            else:
                from dltui.engine import LabProcess

                self._proc = LabProcess(str(self.app.store.path.with_name("lab-worker.log"))).start()
        return self._proc

    def prewarm(self, exercise_id: str | None = None) -> None:
        """Start the worker and the watcher; grade a solution once, unseen, so that the first
        real verdict does not pay for torch's first-call set-up (seconds on a small machine)."""
        self.process()
        self.watch()
        if exercise_id and not self._warmed and self.exercise(exercise_id) is not None:
            self._warmed = True
            self.submit(exercise_id, WARMUP)

    @property
    def busy(self) -> bool:
        return self._inflight is not None

    def submit(self, exercise_id: str, source: str = "app") -> None:
        """Grade the learner's file now (or as soon as the current grading ends)."""
        if self._inflight is not None:
            if self._inflight[0] == exercise_id and self._inflight[4] == WARMUP:
                self._inflight = self._inflight[:4] + ("replaced",)  # its verdict is dropped
            if all(w[0] != exercise_id for w in self._waiting):
                self._waiting.append((exercise_id, source))
            return
        exercise = self.exercise(exercise_id)
        if exercise is None:
            return
        if source == WARMUP:
            path, digest = exercise.solution, None
        else:
            path = self.file_of(exercise)
            digest = _digest(path)
            self._graded[exercise_id] = digest
        now = time.monotonic()
        proc = self.process()
        # Time to import torch is not the learner's: the deadline counts from the worker's ready.
        warmup = 0.0 if getattr(proc, "ready", True) else 60.0
        self._inflight = (exercise_id, now, now + warmup + exercise.time_limit + GRACE_SECONDS, digest, source)
        proc.submit(exercise.job(path))
        self._ensure_timer()

    def _ensure_timer(self) -> None:
        if self._timer is None:
            self._timer = self.app.set_interval(POLL_SECONDS, self._poll)

    def _poll(self) -> None:
        if self._inflight is None:
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
            return
        exercise_id, t0, deadline, digest, source = self._inflight
        proc = self._proc
        result = None
        from dltui.engine import Failed, Graded, Ready

        for event in proc.poll() if proc is not None else []:
            match event:
                case Ready():
                    # torch is in: from now on only the exercise's own time counts
                    exercise = self.exercise(exercise_id)
                    limit = exercise.time_limit if exercise else 5.0
                    deadline = time.monotonic() + limit + GRACE_SECONDS
                    self._inflight = (exercise_id, t0, deadline, digest, source)
                case Graded(result=verdict):
                    result = ExerciseResult.from_dict(verdict)
                case Failed(message=message):
                    result = self._failure(exercise_id, f"the checking worker failed: {message}", "crashed")
        if result is None and proc is not None and not proc.alive:
            result = self._failure(exercise_id, "the checking worker stopped unexpectedly (out of memory?); "
                                                "a fresh one is started for the next run", "crashed")
            self._restart()
        elif result is None and time.monotonic() > deadline:
            exercise = self.exercise(exercise_id)
            limit = exercise.time_limit if exercise else 0
            result = self._failure(exercise_id, f"stopped after {limit:g} s: your code did not finish "
                                                "(an endless loop?); the checking worker was restarted",
                                   "timeout")
            self._restart()
        if result is None:
            return
        self._inflight = None
        self._deliver(exercise_id, result, source)
        while self._waiting and self._inflight is None:
            next_id, next_source = self._waiting.pop(0)
            self.submit(next_id, next_source)

    def _failure(self, exercise_id: str, message: str, kind: str) -> ExerciseResult:
        return ExerciseResult(exercise_id, [CheckOutcome("the checks finish", False, message)], kind=kind)

    def _restart(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc = None
        self.process()

    def _deliver(self, exercise_id: str, result: ExerciseResult, source: str) -> None:
        if source in (WARMUP, "replaced"):
            return
        self.latest[exercise_id] = result
        try:
            self.app.store.record_exercise_attempt(exercise_id, result.passed, result.passed_count,
                                                   len(result.checks), result.seconds, source)
        except Exception as exc:  # noqa: BLE001 - a verdict is still shown if the store fails
            self.app.notify(f"The attempt was not saved: {exc}", severity="warning")
        for observer in list(self._observers):
            observer(exercise_id, result)
        listeners = self._listeners.get(exercise_id) or []
        for callback in list(listeners):
            callback(result)
        if not listeners:
            exercise = self.exercise(exercise_id)
            title = exercise.title if exercise else exercise_id
            mark = "all checks pass ✓" if result.passed else f"{result.passed_count}/{len(result.checks)} checks pass"
            self.app.notify(f"{title}: {mark}", timeout=5)

    def listen(self, exercise_id: str, callback: Callable[[ExerciseResult], None]) -> None:
        self._listeners.setdefault(exercise_id, []).append(callback)

    def unlisten(self, exercise_id: str, callback: Callable[[ExerciseResult], None]) -> None:
        if callback in self._listeners.get(exercise_id, []):
            self._listeners[exercise_id].remove(callback)

    def observe(self, callback: Callable[[str, ExerciseResult], None], stop: bool = False) -> None:
        """Hear every verdict without taking it over (the verdict is still notified)."""
        if stop:
            if callback in self._observers:
                self._observers.remove(callback)
        elif callback not in self._observers:
            self._observers.append(callback)

    # -- watching the workspace -----------------------------------------------------------------

    def watch(self) -> None:
        """Re-grade an exercise whenever its file changes on disk (from any editor)."""
        if self._watcher is not None:
            return
        self.workspace.mkdir(parents=True, exist_ok=True)
        self._watcher = threading.Thread(target=self._watch_loop, daemon=True, name="dltui-exercise-watch")
        self._watcher.start()

    def _watch_loop(self) -> None:
        import watchfiles

        try:
            for changes in watchfiles.watch(self.workspace, stop_event=self._watch_stop, debounce=80,
                                            step=30, recursive=False, raise_interrupt=False):
                names = {Path(p).name for _change, p in changes}
                try:
                    self.app.call_from_thread(self.changed, names)
                except Exception:  # noqa: BLE001 - the app is closing
                    return
        except Exception:  # noqa: BLE001 - watching is a convenience; Ctrl+S still works
            return

    def changed(self, names: set[str]) -> None:
        """Files named ``names`` changed in the workspace: re-grade those whose content is new."""
        for name in sorted(names):
            if not name.endswith(".py"):
                continue
            exercise = self.exercise(name[:-3])
            if exercise is None:
                continue
            path = learner_file(exercise, self.workspace)
            digest = _digest(path)
            if digest is None or digest == self._graded.get(exercise.id):
                continue  # deleted, or our own save that was already graded
            self.submit(exercise.id, "watch")

    def shutdown(self) -> None:
        self._watch_stop.set()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._proc is not None:
            self._proc.shutdown()
            self._proc = None


def format_duration(seconds: float) -> str:
    """A measured time as a person reads it: "< 1 ms", "12 ms", "430 ms", "3.1 s", "42 s",
    "2 min 5 s". Two decimals of a second ("0.00 s") told a learner nothing about a fast check."""
    if not math.isfinite(seconds):
        return "? s"
    ms = round(seconds * 1000)
    if ms < 1:
        return "< 1 ms"
    if ms < 1000:
        return f"{ms} ms"
    tenths = round(seconds, 1)
    if tenths < 10:
        return f"{tenths:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def stats_line(store: Any, exercises: list[Exercise]) -> str:
    """"3/8 exercises solved" for a list of exercises."""
    states = store.exercise_states()
    solved = sum(1 for e in exercises if states.get(e.id) and states[e.id].passed)
    return f"{solved}/{len(exercises)} exercises solved"
