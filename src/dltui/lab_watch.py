"""Whether the worker running a lab is still alive and speaking (pure: the screen acts on it).

A busy worker sends a heartbeat twice a second from its own thread, even while one long step
computes; this much silence means it is stopped or frozen, not slow. Starting (spawning, then
importing torch on a busy machine) gets more slack.
"""

from __future__ import annotations

from typing import Any

SILENT_SECONDS = 5.0
SILENT_SECONDS_STARTING = 30.0


class WorkerWatch:
    def __init__(self) -> None:
        self.unresponsive = False

    def reset(self) -> None:
        self.unresponsive = False

    def check(self, proc: Any) -> tuple[str, float] | None:
        """("silent", seconds) the first time the worker falls silent, ("back", 0) when it speaks
        again, else None."""
        limit = SILENT_SECONDS if getattr(proc, "ready", True) else SILENT_SECONDS_STARTING
        silent = proc.silent_for() if hasattr(proc, "silent_for") else 0.0
        if silent >= limit and not self.unresponsive:
            self.unresponsive = True
            return "silent", silent
        if silent < limit and self.unresponsive:
            self.unresponsive = False
            return "back", 0.0
        return None


def is_stopped(proc: Any) -> bool:
    """Stopped with SIGSTOP or Ctrl+Z (as opposed to busy or frozen)."""
    return bool(getattr(proc, "is_stopped", lambda: False)())
