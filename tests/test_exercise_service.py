"""The app's exercise service without the app: a worker that never answers is killed and
replaced, a worker that dies is reported, and every verdict is recorded."""

from __future__ import annotations

import types

import pytest

from dltui.engine import Graded
from dltui.exercise_service import GRACE_SECONDS, ExerciseService, format_duration
from dltui.exercisespec import CheckOutcome, ExerciseResult
from dltui.paths import curriculum_dir
from dltui.progress import Store


class FakeProcess:
    def __init__(self, answer=None):
        self.ready, self.alive, self.exitcode = True, True, None
        self.jobs, self.killed, self._answer = [], False, answer

    def submit(self, job):
        self.jobs.append(job)

    def poll(self):
        if self._answer and self.jobs:
            return [Graded(self._answer(self.jobs.pop()).to_dict())]
        return []

    def kill(self):
        self.killed, self.alive = True, False

    def shutdown(self):
        self.kill()


def fake_app(tmp_path, factory):
    store = Store(tmp_path / "progress.sqlite3")
    notes = []
    app = types.SimpleNamespace(store=store, curriculum=types.SimpleNamespace(root=curriculum_dir()),
                                exercise_process_factory=factory, notes=notes,
                                notify=lambda text, **kw: notes.append(text),
                                set_interval=lambda *a, **kw: types.SimpleNamespace(stop=lambda: None))
    return app


def test_a_worker_that_never_answers_is_replaced_after_the_time_limit(tmp_path, monkeypatch):
    made = []

    def factory():
        made.append(FakeProcess())
        return made[-1]

    app = fake_app(tmp_path, factory)
    service = ExerciseService(app)
    seen = []
    service.listen("tensor_basics", seen.append)
    clock = [1000.0]
    monkeypatch.setattr("dltui.exercise_service.time.monotonic", lambda: clock[0])
    service.submit("tensor_basics")
    service._poll()
    assert service.busy and not made[0].killed
    clock[0] += service.exercise("tensor_basics").time_limit + GRACE_SECONDS + 0.1
    service._poll()
    assert made[0].killed and len(made) == 2 and not service.busy
    assert seen[0].kind == "timeout" and "the checking worker was restarted" in seen[0].checks[0].message
    state = app.store.exercise_states()["tensor_basics"]
    assert state.attempts == 1 and not state.passed


def test_a_dead_worker_is_reported_and_the_verdict_goes_to_listeners(tmp_path):
    proc = FakeProcess()
    app = fake_app(tmp_path, lambda: proc)
    service = ExerciseService(app)
    seen = []
    service.listen("tensor_basics", seen.append)
    service.submit("tensor_basics")
    proc.alive, proc.exitcode = False, -9
    service._poll()
    assert seen and not seen[0].passed and "stopped unexpectedly" in seen[0].checks[0].message
    assert not app.notes  # a listener got it: no notification


def test_a_passing_verdict_is_recorded_and_own_saves_are_not_graded_twice(tmp_path):
    def answer(job):
        return ExerciseResult(job.exercise_id, [CheckOutcome("a", True)], 0.01)

    app = fake_app(tmp_path, lambda: FakeProcess(answer))
    service = ExerciseService(app)
    service.submit("tensor_basics")
    service._poll()
    assert app.store.exercise_states()["tensor_basics"].passed
    service.changed({"tensor_basics.py"})  # the watcher reports our own save: same content
    assert not service.busy
    (service.workspace / "tensor_basics.py").write_text("# changed elsewhere\n")
    service.changed({"tensor_basics.py", "notes.txt"})
    assert service.busy


@pytest.mark.parametrize("seconds, shown", [
    (0.0, "< 1 ms"),
    (0.0004, "< 1 ms"),
    (0.0009, "1 ms"),
    (0.0016, "2 ms"),
    (0.012, "12 ms"),
    (0.4304, "430 ms"),
    (0.9994, "999 ms"),
    (0.9996, "1.0 s"),  # never "1000 ms"
    (3.14, "3.1 s"),
    (9.96, "10 s"),  # never "10.0 s"
    (42.4, "42 s"),
    (59.6, "1 min"),
    (125.0, "2 min 5 s"),
    (float("nan"), "? s"),
])
def test_durations_read_as_a_person_says_them(seconds, shown):
    assert format_duration(seconds) == shown
