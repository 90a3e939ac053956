"""Runs labs: in a spawned worker process for the app, in-process for the headless CLI.

Pure at import time (no torch, no textual). Torch is imported by :func:`execute`, which runs
inside the worker (or the CLI process), never in the UI process.

Events sent back are tuples, at most ~10 "update" events per second:

- ``("started", device_label)``
- ``("begin", total_steps)``
- ``("update", [(step, {name: value}), ...], {figure_name: Figure})``
- ``("log", text)``
- ``("done", status, metrics, seconds, steps)`` with status "finished" or "stopped"
- ``("error", kind, message)`` with kind "diverged", "oom", "device", "crashed" or "settings"
"""

from __future__ import annotations

import importlib
import math
import os
import queue
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable

from dltui.labspec import LabDiverged, SettingError, make_settings

UPDATE_INTERVAL = 0.1  # seconds between updates: ≤ 10 redraws per second


@dataclass
class Job:
    lab_id: str
    settings: dict[str, Any]
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    threads: int | None = None
    live: bool = False  # someone is watching (the app): labs may pace their animations


class _Context:
    """What a lab's ``train`` sees: reporting, figures, the stop flag and the device."""

    def __init__(self, device: str, emit: Callable[[tuple], None], stop: Callable[[], bool],
                 live: bool = False):
        self.device = device
        self.live = live
        self._emit = emit
        self._stop = stop
        self._pending: list[tuple[int, dict[str, float]]] = []
        self._figures: dict[str, Any] = {}
        self._last_flush = 0.0
        self.last_step = 0

    def begin(self, total_steps: int) -> None:
        self._emit(("begin", int(total_steps)))

    def report(self, step: int, **scalars: float) -> None:
        clean = {}
        for name, value in scalars.items():
            value = float(value)
            if not math.isfinite(value):
                self.flush()
                raise LabDiverged(
                    f"{name} became {value} at step {step}: training diverged. "
                    "Lower the learning rate (or the scale of the inputs) and try again.")
            clean[name] = value
        self.last_step = int(step)
        self._pending.append((int(step), clean))
        self._maybe_flush()

    def figure(self, name: str, fig: Any) -> None:
        self._figures[name] = fig
        self._maybe_flush()

    def should_stop(self) -> bool:
        return self._stop()

    def log(self, text: str) -> None:
        self._emit(("log", str(text)))

    def _maybe_flush(self) -> None:
        if time.monotonic() - self._last_flush >= UPDATE_INTERVAL:
            self.flush()

    def flush(self) -> None:
        if self._pending or self._figures:
            self._emit(("update", self._pending, self._figures))
            self._pending, self._figures = [], {}
        self._last_flush = time.monotonic()


def resolve_device(requested: str) -> tuple[str, str]:
    """Return (torch device string, human label). Raises RuntimeError for an unusable request."""
    import torch

    if requested == "auto":
        requested = "cuda" if torch.cuda.is_available() else "cpu"
    if requested.startswith("cuda"):
        if not torch.cuda.is_available():
            raise RuntimeError("CUDA was requested but no CUDA device is available "
                               "(is a CUDA build of torch installed? see README). Use --device cpu.")
        index = torch.device(requested).index or 0
        return requested, f"CUDA: {torch.cuda.get_device_name(index)}"
    if requested != "cpu":
        raise RuntimeError(f"unknown device {requested!r}; use auto, cpu or cuda")
    n = torch.get_num_threads()
    return "cpu", f"CPU, {n} thread{'s' if n != 1 else ''}"


def default_threads() -> int:
    """CPU threads for torch: 1 unless $DLTUI_TORCH_THREADS says otherwise.

    The labs' models are tiny: a second thread costs more in synchronisation than it saves (on
    the 2-core development machine echo_rnn took 40 s with two threads and 3 s with one), and
    in the app the other core stays free for the UI, so keys stay responsive.
    """
    try:
        wanted = int(os.environ.get("DLTUI_TORCH_THREADS", "1"))
    except ValueError:
        wanted = 1
    return max(1, min(wanted, os.cpu_count() or 1))


def fold_scalars(history: dict[str, tuple[list[int], list[float]]],
                 batch: list[tuple[int, dict[str, float]]]) -> int | None:
    """Append an update's (step, scalars) batch to per-metric histories; returns the last step."""
    step = None
    for step, scalars in batch:
        for name, value in scalars.items():
            xs, ys = history.setdefault(name, ([], []))
            xs.append(step)
            ys.append(value)
    return step


def execute(job: Job, emit: Callable[[tuple], None], stop: Callable[[], bool]) -> None:
    """Run one job to the end, reporting through ``emit``. Never raises."""
    from dltui import labregistry

    try:
        module = labregistry.load(job.lab_id)
        cfg = make_settings(module.Settings, job.settings)
    except (SettingError, KeyError) as exc:
        emit(("error", "settings", str(exc)))
        return
    try:
        import torch

        torch.set_num_threads(job.threads or default_threads())
        device, label = resolve_device(job.device)
    except RuntimeError as exc:
        emit(("error", "device", str(exc)))
        return
    emit(("started", label))
    ctx = _Context(device, emit, stop, live=job.live)
    t0 = time.perf_counter()
    try:
        metrics = module.train(cfg, ctx)
        ctx.flush()
    except LabDiverged as exc:
        emit(("error", "diverged", str(exc)))
        return
    except MemoryError:
        _flush_quietly(ctx)
        emit(("error", "oom", "The run ran out of memory. Try fewer points, a smaller model "
                              "or a smaller batch."))
        return
    except Exception as exc:  # noqa: BLE001 - a lab crash must never take the app down
        _flush_quietly(ctx)
        if type(exc).__name__ == "OutOfMemoryError" or "out of memory" in str(exc).lower():
            emit(("error", "oom", "The GPU ran out of memory. Try smaller settings, or run on "
                                  "the CPU (device: cpu)."))
        else:
            detail = traceback.format_exc(limit=3)
            emit(("error", "crashed", f"The lab crashed: {type(exc).__name__}: {exc}\n{detail}"))
        return
    seconds = time.perf_counter() - t0
    metrics = {k: float(v) for k, v in (metrics or {}).items()}
    bad = [k for k, v in metrics.items() if not math.isfinite(v)]
    if bad:
        emit(("error", "diverged", f"{bad[0]} is {metrics[bad[0]]}: training diverged. "
                                   "Lower the learning rate and try again."))
        return
    status = "stopped" if stop() else "finished"
    emit(("done", status, metrics, seconds, ctx.last_step))


def _flush_quietly(ctx: _Context) -> None:
    """Send what was reported before a failure, so the curves show where it went wrong."""
    try:
        ctx.flush()
    except Exception:  # noqa: BLE001
        pass


def _worker_main(jobs, events, stop_event, log_path: str | None = None) -> None:
    """Body of the spawned worker: import torch once, then run jobs until told to quit."""
    # The worker shares the app's terminal: anything it printed would garble the screen.
    target = os.open(log_path or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(target, 1)
    os.dup2(target, 2)
    try:
        importlib.import_module("torch")  # paid once, before the first Start
    except Exception as exc:  # noqa: BLE001
        events.put(("error", "crashed", f"torch could not be imported: {exc}"))
        return
    events.put(("ready",))
    while True:
        job = jobs.get()
        if job is None:
            return
        stop_event.clear()
        if getattr(job, "kind", "") == "exercise":  # an ExerciseJob: grade a learner's file
            from dltui.exercise_runner import run_job as grade_exercise

            grade_exercise(job, events.put)
            continue
        execute(job, events.put, stop_event.is_set)


@contextmanager
def _real_stdio():
    """Textual swaps sys.stdout/stderr for objects without a file descriptor, which
    multiprocessing needs while it spawns processes; lend it the real ones meanwhile."""
    import sys

    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


class LabProcess:
    """A warm worker process for the app: spawn it early, submit jobs, poll events."""

    def __init__(self, log_path: str | None = None) -> None:
        import multiprocessing as mp

        self._mp = mp.get_context("spawn")
        with _real_stdio():  # queues start multiprocessing's resource tracker
            self._jobs = self._mp.Queue()
            self._events = self._mp.Queue()
            self._stop = self._mp.Event()
        self._proc = self._mp.Process(target=_worker_main,
                                      args=(self._jobs, self._events, self._stop, log_path),
                                      daemon=True, name="dltui-lab")
        self.ready = False

    def start(self) -> "LabProcess":
        with _real_stdio():
            self._proc.start()
        return self

    @property
    def alive(self) -> bool:
        return self._proc.is_alive()

    @property
    def exitcode(self) -> int | None:
        return self._proc.exitcode

    def submit(self, job: Job) -> None:
        self._stop.clear()
        self._jobs.put(job)

    def request_stop(self) -> None:
        self._stop.set()

    def poll(self, limit: int = 1000) -> list[tuple]:
        out = []
        for _ in range(limit):
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                break
            if event[0] == "ready":
                self.ready = True
            out.append(event)
        return out

    def kill(self) -> None:
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(timeout=1)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join(timeout=1)
        for q in (self._jobs, self._events):
            q.cancel_join_thread()
            q.close()

    def shutdown(self) -> None:
        """Ask the worker to quit after its current job; kill it if it lingers."""
        if self._proc.is_alive():
            self._stop.set()
            try:
                self._jobs.put(None)
            except (ValueError, OSError):
                pass
            self._proc.join(timeout=0.5)
        self.kill()


@dataclass
class RunResult:
    """Everything a finished in-process run produced (used by tests and benchmarks)."""

    status: str  # finished | stopped | error
    metrics: dict[str, float]
    seconds: float = 0.0
    steps: int = 0
    history: dict[str, tuple[list[int], list[float]]] | None = None
    figures: dict[str, Any] | None = None
    error_kind: str = ""
    message: str = ""
    updates: int = 0


def run_inline(lab_id: str, settings: dict[str, Any] | None = None, device: str = "cpu",
               threads: int | None = None, stop: Callable[[], bool] | None = None) -> RunResult:
    """Run a lab in this process and collect what it reported."""
    history: dict[str, tuple[list[int], list[float]]] = {}
    figures: dict[str, Any] = {}
    final: list[tuple] = []
    count = [0]

    def emit(event: tuple) -> None:
        if event[0] == "update":
            count[0] += 1
            fold_scalars(history, event[1])
            figures.update(event[2])
        elif event[0] in ("done", "error"):
            final.append(event)

    execute(Job(lab_id, dict(settings or {}), device, threads), emit, stop or (lambda: False))
    event = final[-1] if final else ("error", "crashed", "no result")
    if event[0] == "error":
        return RunResult("error", {}, history=history, figures=figures, error_kind=event[1],
                         message=event[2], updates=count[0])
    _, status, metrics, seconds, steps = event
    return RunResult(status, metrics, seconds, steps, history, figures, updates=count[0])
