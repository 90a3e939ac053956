"""Runs labs: in a spawned worker process for the app, in-process for the headless CLI.

Pure at import time (no torch, no textual). Torch is imported by :func:`execute`, which runs
inside the worker (or the CLI process), never in the UI process.

Events sent back are the frozen dataclasses below (picklable, matched with ``match``), at most
~10 :class:`Update` events per second:

- :class:`Ready` once the worker has imported torch
- :class:`Started` (device label), then :class:`Begin` (total steps)
- :class:`Update` (``[(step, {name: value}), ...]``, ``{figure_name: Figure}``)
- :class:`Log` (a line for the learner)
- :class:`Done` (status "finished" or "stopped", metrics, seconds, steps)
- :class:`Failed` (kind "diverged", "oom", "device", "crashed" or "settings", message): the
  message is one paragraph for the learner (no title, no traceback: that goes to the log)
- :class:`Estimate` answers a :class:`Probe`; :class:`Graded` answers an exercise job

While the worker is busy it also sends :class:`Alive` twice a second from a thread; a frozen or
stopped worker falls silent, a slow lab does not. :meth:`LabProcess.poll` consumes these.
"""

from __future__ import annotations

import importlib
import logging
import math
import os
import re
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable

from dltui.labspec import LabDiverged, SettingError, make_settings

UPDATE_INTERVAL = 0.1  # seconds between updates: ≤ 10 redraws per second
HEARTBEAT_SECONDS = 0.5  # a busy worker says it is alive this often
PROBE_SECONDS = 0.6  # how long a Probe times a lab's first steps

log = logging.getLogger("dltui.lab")
# A library stays quiet unless someone configures logging (the worker sends it to its log file).
logging.getLogger("dltui").addHandler(logging.NullHandler())

# Titles of the error kinds, for whoever shows an error (the lab screen, the CLI).
ERROR_TITLES = {"diverged": "Training diverged", "oom": "Out of memory", "device": "Device unavailable",
                "settings": "Bad settings", "crashed": "The lab crashed", "died": "The lab worker died"}


# -- typed events: what the worker sends; picklable, matched with ``match`` --

@dataclass(frozen=True)
class Ready:
    """The worker has imported torch and waits for jobs."""


@dataclass(frozen=True)
class Alive:
    """Heartbeat of a busy worker (see :data:`HEARTBEAT_SECONDS`); never returned by ``poll``."""


@dataclass(frozen=True)
class Started:
    device: str


@dataclass(frozen=True)
class Begin:
    total: int


@dataclass(frozen=True)
class Update:
    scalars: list  # [(step, {name: value}), ...]
    figures: dict  # {name: Figure}


@dataclass(frozen=True)
class Log:
    text: str


@dataclass(frozen=True)
class Done:
    status: str  # finished | stopped
    metrics: dict
    seconds: float
    steps: int


@dataclass(frozen=True)
class Failed:
    kind: str  # a key of ERROR_TITLES
    message: str

    @property
    def title(self) -> str:
        return ERROR_TITLES.get(self.kind, "Failed")


@dataclass(frozen=True)
class Estimate:
    token: int
    seconds: float
    steps_timed: int
    total: int
    device: str = ""


@dataclass(frozen=True)
class Graded:
    """An exercise job's verdict: :meth:`dltui.exercisespec.ExerciseResult.to_dict`."""

    result: dict


Event = Ready | Alive | Started | Begin | Update | Log | Done | Failed | Estimate | Graded
EVENT_TYPES = (Ready, Alive, Started, Begin, Update, Log, Done, Failed, Estimate, Graded)


def decode(event: object) -> Event | None:
    """``event`` if it is one of the typed events, else None (nothing is decoded any more: this
    only keeps callers tolerant of objects this version does not know)."""
    return event if isinstance(event, EVENT_TYPES) else None


@dataclass
class Job:
    lab_id: str
    settings: dict[str, Any]
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    threads: int | None = None
    live: bool = False  # someone is watching (the app): labs may pace their animations


@dataclass
class Probe:
    """Time the first steps of ``job`` (for about PROBE_SECONDS) to estimate how long it takes.

    Answered by one :class:`Estimate` event, or none if the lab failed before its second step. Nothing else it does is reported, and it gives way
    at once to any job submitted after it.
    """

    job: Job
    token: int = 0
    seconds: float = PROBE_SECONDS


class _Context:
    """What a lab's ``train`` sees: reporting, figures, the stop flag and the device."""

    def __init__(self, device: str, emit: Callable[[Event], None], stop: Callable[[], bool],
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
        self._emit(Begin(int(total_steps)))

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
        self._emit(Log(str(text)))

    def _maybe_flush(self) -> None:
        if time.monotonic() - self._last_flush >= UPDATE_INTERVAL:
            self.flush()

    def flush(self) -> None:
        if self._pending or self._figures:
            self._emit(Update(self._pending, self._figures))
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


def execute(job: Job, emit: Callable[[Event], None], stop: Callable[[], bool]) -> None:
    """Run one job to the end, reporting through ``emit``. Never raises."""
    from dltui import labregistry

    try:
        module = labregistry.load(job.lab_id)
        cfg = make_settings(module.Settings, job.settings)
    except (SettingError, KeyError) as exc:
        emit(Failed("settings", str(exc)))
        return
    try:
        import torch

        torch.set_num_threads(job.threads or default_threads())
        device, label = resolve_device(job.device)
    except RuntimeError as exc:
        emit(Failed("device", str(exc)))
        return
    emit(Started(label))
    ctx = _Context(device, emit, stop, live=job.live)
    t0 = time.perf_counter()
    try:
        metrics = module.train(cfg, ctx)
        ctx.flush()
    except LabDiverged as exc:
        emit(Failed("diverged", str(exc)))
        return
    except Exception as exc:  # noqa: BLE001 - a lab crash must never take the app down
        _flush_quietly(ctx)
        log.error("%s failed at step %s", job.lab_id, ctx.last_step, exc_info=True)
        emit(Failed(*classify_failure(exc, device, _size_settings(cfg))))
        return
    seconds = time.perf_counter() - t0
    metrics = {k: float(v) for k, v in (metrics or {}).items()}
    bad = [k for k, v in metrics.items() if not math.isfinite(v)]
    if bad:
        emit(Failed("diverged", f"{bad[0]} is {metrics[bad[0]]}: training diverged. "
                                "Lower the learning rate and try again."))
        return
    status = "stopped" if stop() else "finished"
    emit(Done(status, metrics, seconds, ctx.last_step))


_CPU_OOM = re.compile(r"DefaultCPUAllocator|can't allocate memory|cannot allocate memory", re.I)
_ASKED_BYTES = re.compile(r"allocate (\d+) bytes")


def classify_failure(exc: BaseException, device: str = "cpu", size_settings: list[str] = ()) -> tuple[str, str]:
    """(kind, message) for an exception a lab raised: "oom" when memory ran out, else "crashed"."""
    text = str(exc)
    fewer = (f"Try smaller values of {_or_list(size_settings)}." if size_settings
             else "Try smaller settings (fewer points, hidden units or steps).")
    if isinstance(exc, MemoryError) or _CPU_OOM.search(text):
        asked = _ASKED_BYTES.search(text)
        size = f" (it asked for {_gib(int(asked.group(1)))} at once)" if asked else ""
        return "oom", f"This run needs more memory than the computer can give it{size}. {fewer}"
    if type(exc).__name__ == "OutOfMemoryError" or "out of memory" in text.lower():
        where = "the GPU" if device.startswith("cuda") or "cuda" in text.lower() else "the device"
        return "oom", (f"This run needs more memory than {where} has free. {fewer} Or run it on the "
                       "CPU (device: cpu).")
    first = text.strip().splitlines()[0] if text.strip() else ""
    return "crashed", f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def _or_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _size_settings(cfg: Any) -> list[str]:
    """The lab's whole-number settings that can size a run (all but seeds)."""
    from dataclasses import fields

    try:
        return [f.name for f in fields(cfg) if type(getattr(cfg, f.name)) is int and "seed" not in f.name]
    except TypeError:
        return []


def time_first_steps(probe: Probe, emit: Callable[[Event], None], give_way: Callable[[], bool]) -> None:
    """Run ``probe.job`` for about ``probe.seconds`` and emit how long the whole job would take."""
    marks: list[tuple[float, int]] = []  # (time, last step) at each update
    total = [0]
    device = [""]
    failed = [False]

    def collect(event: Event) -> None:
        match event:
            case Failed():
                failed[0] = True
            case Started(device=label):
                device[0] = label
            case Begin(total=steps):
                total[0] = steps
            case Update(scalars=scalars) if scalars:
                marks.append((time.perf_counter(), scalars[-1][0]))

    def stop() -> bool:
        return give_way() or bool(marks and time.perf_counter() - marks[0][0] >= probe.seconds)

    t0 = time.perf_counter()
    execute(probe.job, collect, stop)
    if failed[0] or not total[0] or len(marks) < 2 or marks[-1][1] <= marks[0][1]:
        return  # failed, gave way, or too few steps to time: no estimate beats a wrong one
    (t1, s1), (tn, sn) = marks[0], marks[-1]
    per_step = (tn - t1) / (sn - s1)
    setup = max(0.0, t1 - t0 - s1 * per_step)
    emit(Estimate(probe.token, setup + total[0] * per_step, sn, total[0], device[0]))


def _flush_quietly(ctx: _Context) -> None:
    """Send what was reported before a failure, so the curves show where it went wrong."""
    try:
        ctx.flush()
    except Exception:  # noqa: BLE001
        pass


def _warm_up(torch) -> None:
    """Pay for torch's lazy imports before "ready": the first optimizer a process builds imports
    its compile machinery, which took seconds (12 s on a loaded 2-core machine) inside the first
    run, between Start and the first plotted point."""
    try:
        weight = torch.zeros(1, requires_grad=True)
        for make in (torch.optim.Adam, torch.optim.SGD):
            opt = make([weight], lr=0.0)
            (weight * 1.0).sum().backward()
            opt.step()
            opt.zero_grad()
    except Exception:  # noqa: BLE001 - a warm-up that fails only costs the first run its speed
        log.warning("warm-up failed", exc_info=True)


def _worker_main(jobs, events, stop_flag, log_path: str | None = None) -> None:
    """Body of the spawned worker: import torch once, then run jobs until told to quit."""
    # The worker shares the app's terminal: anything it printed would garble the screen.
    target = os.open(log_path or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(target, 1)
    os.dup2(target, 2)
    # The app decides when the worker ends: a closed terminal (SIGHUP) or a Ctrl+C reaching the
    # whole process group must not kill it before the app has recorded the run.
    for sig in (signal.SIGINT, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            signal.signal(sig, signal.SIG_IGN)
    import faulthandler

    faulthandler.enable()  # a segfault leaves its stack in the log, for the bug report
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(process)d: %(message)s")
    busy = threading.Event()
    busy.set()  # importing torch counts as busy: the app hears the worker while it waits
    threading.Thread(target=_watch, args=(events, busy, os.getppid()), daemon=True,
                     name="dltui-heartbeat").start()
    try:
        torch = importlib.import_module("torch")  # paid once, before the first Start
    except Exception as exc:  # noqa: BLE001
        log.error("torch could not be imported", exc_info=True)
        events.put(Failed("crashed", f"torch could not be imported: {exc}"))
        return
    _warm_up(torch)
    log.info("ready (torch %s)", torch.__version__)
    events.put(Ready())
    while True:
        busy.clear()
        job = jobs.get()
        if job is None:
            return
        busy.set()
        stop_flag.value = 0
        run_job(job, events.put, lambda: bool(stop_flag.value), give_way=lambda: not jobs.empty())


def run_job(job, emit: Callable[[Event], None], stop: Callable[[], bool],
            give_way: Callable[[], bool] = lambda: False) -> None:
    """Run one job of any kind the worker knows."""
    if isinstance(job, Probe):
        time_first_steps(job, emit, give_way)
    elif getattr(job, "kind", "") == "exercise":  # an ExerciseJob: grade a learner's file
        from dltui.exercise_runner import run_job as grade_exercise

        grade_exercise(job, emit)
    else:
        log.info("run %s %s on %s", job.lab_id, job.settings, job.device)
        execute(job, emit, stop)


def _watch(events, busy: threading.Event, parent: int, done: threading.Event | None = None) -> None:
    """Heartbeat while busy; quit when the app is gone (killed, so it could not tell us)."""
    while not (done is not None and done.is_set()):
        time.sleep(HEARTBEAT_SECONDS)
        if os.getppid() != parent:
            os._exit(0)
        if busy.is_set():
            try:
                events.put(Alive())
            except (ValueError, OSError):
                os._exit(0)


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
    """A warm worker process for the app: spawn it early, submit jobs, poll events.

    Nothing here can block the app, whatever state the worker is in (killed in the middle of
    sending an event, or stopped while holding a lock): events are read by a thread of their
    own, and the stop flag is a lock-free byte in shared memory.
    """

    def __init__(self, log_path: str | None = None) -> None:
        import collections
        import multiprocessing as mp

        self._mp = mp.get_context("spawn")
        with _real_stdio():  # queues start multiprocessing's resource tracker
            self._jobs = self._mp.Queue()
            self._events = self._mp.Queue()
            self._stop = self._mp.RawValue("b", 0)
        self._inbox: collections.deque = collections.deque()
        self._proc = self._mp.Process(target=_worker_main,
                                      args=(self._jobs, self._events, self._stop, log_path),
                                      daemon=True, name="dltui-lab")
        self.log_path = log_path
        self.ready = False
        self.last_heard = time.monotonic()

    def start(self) -> "LabProcess":
        with _real_stdio():
            self._proc.start()
        # Only the worker writes events. Without our copy of the pipe's write end, a worker that
        # dies mid-message gives the reader an end-of-file instead of an endless wait.
        self._events._writer.close()
        threading.Thread(target=self._read_events, daemon=True, name="dltui-lab-events").start()
        self.last_heard = time.monotonic()
        return self

    def _read_events(self) -> None:
        while True:
            try:
                event = self._events.get()
            except (EOFError, OSError, ValueError, TypeError):
                return  # the worker is gone, or we closed the queue
            except Exception:  # noqa: BLE001 - e.g. a message cut short by a kill: unpickling fails
                return
            # Noted here too, not only in poll(): an app that was busy or suspended must not
            # count its own delay as the worker's silence.
            self.last_heard = time.monotonic()
            self._inbox.append(event)

    @property
    def pid(self) -> int | None:
        return self._proc.pid

    @property
    def alive(self) -> bool:
        return self._proc.is_alive()

    @property
    def exitcode(self) -> int | None:
        return self._proc.exitcode

    def submit(self, job: Job | Probe) -> None:
        self._stop.value = 0
        self.last_heard = time.monotonic()  # silence is counted from here
        self._jobs.put(job)

    def request_stop(self) -> None:
        self._stop.value = 1

    def poll(self, limit: int = 1000) -> list[Event]:
        out = []
        for _ in range(limit):
            try:
                event = self._inbox.popleft()
            except IndexError:
                break
            self.last_heard = time.monotonic()
            if isinstance(event, Alive):
                continue
            if isinstance(event, Ready):
                self.ready = True
            out.append(event)
        return out

    def silent_for(self) -> float:
        """Seconds since the worker last sent anything (heartbeats included) or a job was submitted."""
        return time.monotonic() - self.last_heard

    def is_stopped(self) -> bool:
        """True if the OS has stopped the worker (SIGSTOP, Ctrl+Z); False if not or unknown."""
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as f:
                return f.read().rsplit(b")", 1)[1].split()[0] in (b"T", b"t")
        except (OSError, IndexError, TypeError):
            return False

    def log_tail(self, lines: int = 3) -> list[str]:
        """The last non-blank lines of the worker's log (where its stderr and tracebacks go)."""
        return log_tail(self.log_path, lines)

    def kill(self) -> None:
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(timeout=1)
            if self._proc.is_alive():  # a stopped process only sees SIGTERM once continued
                self._proc.kill()
                self._proc.join(timeout=1)
        for q in (self._jobs, self._events):
            q.cancel_join_thread()
            q.close()

    def shutdown(self) -> None:
        """Ask the worker to quit after its current job; kill it if it lingers."""
        if self._proc.is_alive():
            self._stop.value = 1
            try:
                self._jobs.put(None)
            except (ValueError, OSError):
                pass
            self._proc.join(timeout=0.5)
        self.kill()


def log_tail(path: str | os.PathLike | None, lines: int = 3) -> list[str]:
    if not path:
        return []
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 4096))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return []
    return [line.rstrip() for line in text.splitlines() if line.strip()][-lines:]


def describe_exit(exitcode: int | None) -> str:
    """How a worker ended, in words: "was killed by signal 9 (SIGKILL)", "exited with code 3"."""
    if exitcode is None:
        return "stopped answering"
    if exitcode >= 0:
        return f"exited with code {exitcode}"
    number = -exitcode
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = "unknown signal"
    why = {"SIGKILL": ": the system's out-of-memory killer does this when memory runs out, and so does "
                      "`kill -9`",
           "SIGSEGV": ": it crashed (segmentation fault)", "SIGABRT": ": it aborted",
           "SIGBUS": ": it crashed (bus error)", "SIGTERM": ": something asked it to end"}.get(name, "")
    return f"was killed by signal {number} ({name}){why}"


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
    from dltui.run_state import RunState  # it imports this module

    run = RunState()
    execute(Job(lab_id, dict(settings or {}), device, threads), run.apply, stop or (lambda: False))
    match run.result:
        case Done(status=status, metrics=metrics, seconds=seconds, steps=steps):
            pass
        case failed:
            failed = failed or Failed("crashed", "no result")
            return RunResult("error", {}, history=run.history, figures=run.figures, error_kind=failed.kind,
                             message=failed.message, updates=run.updates)
    return RunResult(status, metrics, seconds, steps, run.history, run.figures, updates=run.updates)
