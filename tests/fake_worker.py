"""A stand-in for the lab worker process: it replays canned typed events (``dltui.engine``'s
dataclasses, as the real worker sends them), so lab-screen tests need neither torch nor a
subprocess."""

from __future__ import annotations

from dltui.engine import EVENT_TYPES


class ReplayWorker:
    """Each submitted run is answered by ``script(job)``: a list of events handed out, a batch per
    poll. With ``hold=True`` the last event (normally a ``Done``) waits until ``request_stop``."""

    def __init__(self, script, hold: bool = False):
        self.script, self.hold = script, hold
        self.ready, self.alive, self.exitcode, self.pid = True, True, None, 4242
        self.jobs: list = []
        self._queue: list = []
        self._held: list = []

    def submit(self, job) -> None:
        self.jobs.append(job)
        if type(job).__name__ == "Probe":
            return  # no estimate: the tests do not wait for one
        events = list(self.script(job))
        strangers = [e for e in events if not isinstance(e, EVENT_TYPES)]
        if strangers:  # the screen would ignore them, and the test would wait in vain
            raise TypeError(f"a worker sends typed events, not {strangers[0]!r}")
        if self.hold:
            events, self._held = events[:-1], events[-1:]
        self._queue.extend(events)

    def request_stop(self) -> None:
        self._queue.extend(self._held)
        self._held = []

    def poll(self, limit: int = 1000) -> list:
        out, self._queue = self._queue[:2], self._queue[2:]
        return out

    def silent_for(self) -> float:
        return 0.0

    def is_stopped(self) -> bool:
        return False

    def log_tail(self, lines: int = 3) -> list[str]:
        return []

    def kill(self) -> None:
        self.alive = False

    def shutdown(self) -> None:
        self.kill()


class SilentWorker:
    """A checking worker that takes jobs and never answers: the tests hand over verdicts themselves."""

    ready, alive, exitcode = True, True, None

    def submit(self, job):
        pass

    def poll(self):
        return []

    def kill(self):
        self.alive = False

    def shutdown(self):
        self.kill()
