"""Faults of the lab worker, injected into the real worker process (issue 10, items 1-4 and 12).

A worker killed from outside or crashing, a stopped worker, memory running out, and the app
ending on SIGTERM/SIGHUP in the middle of a run; plus the run-time estimate shown before Start.
Each test waits for what it expects up to a generous limit; none asserts how long anything took.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

from dltui import engine, labregistry
from dltui.engine import (Alive, Begin, Done, Estimate, Event, Failed, Job, LabProcess, Probe, Started, Update,
                          classify_failure, describe_exit, execute, run_inline)
from dltui.labspec import LabInfo, setting
from dltui.screens.lab import LabScreen

SIZE = (100, 30)
LONG = {"steps": 10000, "points": 200}  # runs for many seconds: long enough to be interrupted
CPU_OOM = ("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: you "
           "tried to allocate 80000000000 bytes. Error code 12 (Cannot allocate memory)")


async def _wait(pilot, predicate, limit_s: float = 120.0) -> None:
    """Let the app run until ``predicate()`` holds; the limit only guards against a hang."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if predicate():
            return
        await pilot.pause(0.1)
    raise AssertionError("condition never became true")


def _gone(pid: int, limit_s: float = 10.0) -> bool:
    """True once process ``pid`` no longer exists (a zombie counts as gone)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except (FileNotFoundError, ProcessLookupError):
            return True
        time.sleep(0.05)
    return False


def _message(screen: LabScreen) -> str:
    return str(screen.query_one("#lab-message").render())


async def _start_long_run(app, pilot, **settings) -> LabScreen:
    await app.push_screen(LabScreen("spiral_classification", {**LONG, **settings}))
    await pilot.pause()
    screen = app.screen
    await pilot.press("f5")
    await _wait(pilot, lambda: screen.step > 5)
    return screen


# ---------------------------------------------------------------------------------------------
# 1. a worker killed from outside (kill -9, the OOM killer) or crashing (segfault)


@pytest.mark.slow
@pytest.mark.parametrize("sig, words", [(signal.SIGKILL, ["signal 9", "SIGKILL", "out-of-memory killer"]),
                                        (signal.SIGSEGV, ["signal 11", "SIGSEGV", "segmentation fault"])])
async def test_dead_worker_is_reported_saved_as_failed_and_replaced(make_app, tmp_path, sig, words):
    app = make_app(tmp_path / "killed")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _start_long_run(app, pilot)
        first = screen._run_proc.pid
        reached = screen.step
        os.kill(first, sig)
        await _wait(pilot, lambda: not screen.running, limit_s=30)
        message = _message(screen)
        assert "The lab worker died" in message
        for word in words:
            assert word in message, message
        # the last lines of lab-worker.log come with it
        log = (tmp_path / "killed" / "lab-worker.log").read_text()
        assert "last lines of lab-worker.log" in message
        assert log.strip().splitlines()[-1].strip() in message
        if sig == signal.SIGSEGV:  # faulthandler leaves the crash's stack in the log
            assert "Segmentation fault" in log
        runs = app.store.runs("spiral_classification")
        assert len(runs) == 1 and runs[0].status == "failed"
        assert reached <= runs[0].steps < 10000
        assert _gone(first)
        # the next Start gets a fresh worker, which trains
        await pilot.press("f5")
        await _wait(pilot, lambda: screen.step > 5)
        assert screen._run_proc.pid != first and screen._run_proc.alive
        await pilot.press("f6")
        await _wait(pilot, lambda: not screen.running, limit_s=30)
        assert [r.status for r in app.store.runs("spiral_classification")] == ["stopped", "failed"]


class _ExitingProcess:
    """Stands in for a worker that ends by itself with exit code 3 once the job is submitted."""

    ready = True

    def __init__(self, log: Path):
        self.log_path, self.alive, self.exitcode, self.pid = str(log), True, None, 4242
        self.sent: list = []

    def submit(self, job):
        self.sent.append(job)
        self.alive, self.exitcode = False, 3

    def poll(self):
        return []

    def log_tail(self, lines=3):
        return engine.log_tail(self.log_path, lines)

    def silent_for(self):
        return 0.0

    def request_stop(self):
        pass

    def kill(self):
        pass


async def test_worker_exiting_on_its_own_is_reported(make_app, tmp_path):
    log = tmp_path / "lab-worker.log"
    log.write_text("a line\nlast words of the worker\n")
    made: list[_ExitingProcess] = []

    def factory():
        made.append(_ExitingProcess(log))
        return made[-1]

    app = make_app(tmp_path / "exits", lab_process_factory=factory)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LabScreen("spiral_classification", LONG))
        await pilot.pause()
        screen = app.screen
        await pilot.press("f5")
        await _wait(pilot, lambda: not screen.running, limit_s=10)
        message = _message(screen)
        assert "The lab worker died" in message and "exited with code 3" in message
        assert "last words of the worker" in message
        assert app.store.runs("spiral_classification")[0].status == "failed"
        await pilot.press("f5")  # a fresh one is made for the next run
        await _wait(pilot, lambda: len(made) == 2, limit_s=10)


def test_describe_exit():
    assert describe_exit(3) == "exited with code 3"
    assert "signal 9 (SIGKILL)" in describe_exit(-9) and "kill -9" in describe_exit(-9)
    assert "segmentation fault" in describe_exit(-11)
    assert "signal 99" in describe_exit(-99)


# ---------------------------------------------------------------------------------------------
# 2. a stopped (SIGSTOP) worker; a busy one keeps saying it is alive


@pytest.mark.slow
async def test_stopped_worker_is_noticed_and_f6_recovers(make_app, tmp_path):
    app = make_app(tmp_path / "sigstop")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _start_long_run(app, pilot)
        pid = screen._run_proc.pid
        os.kill(pid, signal.SIGSTOP)
        try:
            await _wait(pilot, lambda: screen.unresponsive, limit_s=60)
            message = _message(screen)
            assert "not responding" in message and "stopped (SIGSTOP" in message and "F6" in message
            assert screen.running  # not given up on: a SIGCONT would resume it
            await pilot.press("f6")
            await _wait(pilot, lambda: not screen.running, limit_s=30)
        finally:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        assert _gone(pid)
        assert app.store.runs("spiral_classification")[0].status == "stopped"
        await pilot.press("f5")
        await _wait(pilot, lambda: screen.step > 5)
        assert screen._run_proc.pid != pid and not screen.unresponsive
        await pilot.press("f6")
        await _wait(pilot, lambda: not screen.running, limit_s=30)


@pytest.mark.slow
async def test_continued_worker_takes_the_warning_back(make_app, tmp_path):
    app = make_app(tmp_path / "sigcont")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _start_long_run(app, pilot)
        pid = screen._run_proc.pid
        os.kill(pid, signal.SIGSTOP)
        try:
            await _wait(pilot, lambda: screen.unresponsive, limit_s=60)
        finally:
            os.kill(pid, signal.SIGCONT)
        await _wait(pilot, lambda: not screen.unresponsive, limit_s=30)
        assert "responding again" in _message(screen)
        step = screen.step
        await _wait(pilot, lambda: screen.step > step)  # the same worker trains on
        assert screen._run_proc.pid == pid
        await pilot.press("f6")
        await _wait(pilot, lambda: not screen.running, limit_s=30)


def test_heartbeat_goes_on_while_the_lab_hogs_the_interpreter():
    """A slow step is not silence: the heartbeat thread speaks while the lab's own thread
    computes without a pause (here pure Python, holding the GIL as much as it can)."""
    beats: list[Event] = []
    sink = types.SimpleNamespace(put=beats.append)
    busy, done = threading.Event(), threading.Event()
    busy.set()
    watcher = threading.Thread(target=engine._watch, args=(sink, busy, os.getppid(), done), daemon=True)
    watcher.start()
    try:
        total, deadline = 0, time.monotonic() + 30
        while len(beats) < 3 and time.monotonic() < deadline:
            for i in range(200_000):  # a long step
                total += i * i
        assert len(beats) >= 3 and set(beats) == {Alive()}
        busy.clear()  # idle: no heartbeats
        time.sleep(2 * engine.HEARTBEAT_SECONDS)
        count = len(beats)
        time.sleep(3 * engine.HEARTBEAT_SECONDS)
        assert len(beats) == count
    finally:
        done.set()


# ---------------------------------------------------------------------------------------------
# 3. out of memory on the CPU


@dataclass
class FakeSettings:
    mode: str = setting("cpu_oom", choices=("cpu_oom", "raise", "slow"))
    points: int = setting(100, 1, 10**9)
    steps: int = setting(400, 1, 100000)
    seed: int = setting(0, 0, 10)


def _fake_train(cfg: FakeSettings, ctx) -> dict[str, float]:
    ctx.begin(cfg.steps)
    for step in range(1, cfg.steps + 1):
        if cfg.mode == "cpu_oom" and step == 3:
            raise RuntimeError(CPU_OOM)
        if cfg.mode == "raise" and step == 3:
            raise ValueError("the fake lab broke on purpose")
        if cfg.mode == "slow":
            time.sleep(0.01)
        ctx.report(step, loss=1.0 / step)
        if ctx.should_stop():
            break
    return {"loss": 1.0 / step}


@pytest.fixture
def fake_lab(monkeypatch):
    mod = types.ModuleType("dltui.labs._fault")
    mod.INFO = LabInfo(id="_fault", title="Fault", summary="a lab that fails on demand", lessons=(),
                       expectation="nothing", metrics={"loss": "the loss"})
    mod.Settings = FakeSettings
    mod.train = _fake_train
    mod.expectation_met = lambda m: True
    monkeypatch.setitem(sys.modules, "dltui.labs._fault", mod)
    real_load = labregistry.load
    monkeypatch.setattr(labregistry, "load", lambda lab_id: mod if lab_id == "_fault" else real_load(lab_id))
    return mod


def test_cpu_out_of_memory_is_oom_with_advice(fake_lab):
    r = run_inline("_fault", {"mode": "cpu_oom"})
    assert (r.status, r.error_kind) == ("error", "oom")
    assert "74.5 GiB" in r.message  # 80,000,000,000 bytes
    assert "points or steps" in r.message  # the lab's own size settings, not its seed
    assert "crashed" not in r.message.lower() and "Traceback" not in r.message
    assert r.history["loss"][0] == [1, 2]  # what was reached is still drawn


def test_classify_failure():
    assert classify_failure(MemoryError())[0] == "oom"
    kind, message = classify_failure(RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB"), "cuda")
    assert kind == "oom" and "GPU" in message and "device: cpu" in message
    kind, message = classify_failure(ValueError("bad\nsecond line"))
    assert (kind, message) == ("crashed", "ValueError: bad")


def test_crash_message_has_no_title_and_no_traceback(fake_lab):
    r = run_inline("_fault", {"mode": "raise"})
    assert r.error_kind == "crashed"
    assert r.message == "ValueError: the fake lab broke on purpose"
    assert "Traceback" not in r.message


def test_cli_says_out_of_memory_once_without_a_traceback(fake_lab, capsys, tmp_path):
    from dltui.cli import main

    code = main(["--data-dir", str(tmp_path), "lab", "_fault", "--no-save"])
    err = capsys.readouterr().err
    assert code == 1
    assert "more memory than the computer can give it" in err and "Traceback" not in err
    code = main(["--data-dir", str(tmp_path), "lab", "_fault", "--set", "mode=raise", "--no-save"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("crashed:") == 1 and "the lab crashed: ValueError" in err and "Traceback" not in err


@pytest.mark.parametrize("kind, message, title", [
    ("oom", "This run needs more memory than the computer can give it. Try smaller values of points.",
     "Out of memory"),
    ("crashed", "ValueError: the fake lab broke on purpose", "The lab crashed"),
])
async def test_lab_screen_shows_each_error_title_once(make_app, tmp_path, kind, message, title):
    app = make_app(tmp_path / kind)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LabScreen("spiral_classification", LONG))
        await pilot.pause()
        screen = app.screen
        screen.running, screen.run_settings = True, dict(LONG)
        screen.apply_events([Started("CPU, 1 thread"), Begin(10000),
                             Update([(1, {"loss_hidden": 1.0}), (2, {"loss_hidden": 0.9})], {}),
                             Failed(kind, message)])
        await pilot.pause()
        shown = _message(screen)
        assert shown.count(f"{title}:") == 1 and shown.count("crashed") <= 1, shown
        assert not screen.running and not screen.query_one("#start").disabled
        assert app.store.runs("spiral_classification") == []  # a lab's own failure is not a run


@pytest.mark.slow
def test_real_worker_running_out_of_memory_reports_oom(tmp_path):
    """Limit the real worker's address space (after torch is loaded) so that a big spiral cannot
    get its memory: torch's DefaultCPUAllocator fails, and the worker reports it and lives on."""
    resource = pytest.importorskip("resource")
    proc = LabProcess(str(tmp_path / "lab-worker.log")).start()
    try:
        deadline = time.monotonic() + 120
        while not proc.ready and time.monotonic() < deadline:
            proc.poll()
            time.sleep(0.1)
        assert proc.ready
        with open(f"/proc/{proc.pid}/status") as f:
            size = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize"))
        resource.prlimit(proc.pid, resource.RLIMIT_AS, (size + 100 * 2**20, resource.RLIM_INFINITY))
        proc.submit(Job("spiral_classification", {"steps": 50, "points": 2000, "hidden": 1000, "classes": 6}, "cpu"))
        events: list[Event] = []
        while time.monotonic() < deadline and not any(isinstance(e, (Done, Failed)) for e in events):
            events += proc.poll()
            time.sleep(0.05)
        errors = [e for e in events if isinstance(e, Failed)]
        assert errors and errors[0].kind == "oom", events
        assert "more memory than the computer can give it" in errors[0].message
        assert "DefaultCPUAllocator" in (tmp_path / "lab-worker.log").read_text()  # the details
        assert proc.alive
    finally:
        proc.shutdown()


# ---------------------------------------------------------------------------------------------
# 4. SIGTERM / SIGHUP in the middle of a run


@pytest.mark.slow
async def test_sigterm_mid_run_keeps_a_stopped_run_and_ends_the_worker(make_app, tmp_path):
    data = tmp_path / "sigterm"
    before = signal.getsignal(signal.SIGTERM)
    app = make_app(data)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _start_long_run(app, pilot)
        pid = screen._run_proc.pid
        os.kill(os.getpid(), signal.SIGTERM)  # the app's handler turns it into a quit
        await _wait(pilot, lambda: app.return_code is not None, limit_s=30)
    assert app.return_code == 128 + signal.SIGTERM
    assert _gone(pid)
    from dltui.progress import Store

    with Store(data / "progress.sqlite3") as store:
        runs = store.runs("spiral_classification")
    assert len(runs) == 1 and runs[0].status == "stopped" and 5 < runs[0].steps < 10000
    assert signal.getsignal(signal.SIGTERM) == before  # the handler from before the app is back


def _pty_run_until_signal(data: Path, how: str) -> tuple[int, list[int], list]:
    """Run the real ``dltui`` in a pseudo-terminal (80×24), start spiral_classification with
    steps=10000 through the keyboard, then end it with ``how``: "close" closes the terminal
    (the kernel sends SIGHUP), else the named signal is sent. Returns (exit status, the pids of
    its children while it ran, the runs recorded)."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    ids = labregistry.lab_ids()
    pid, fd = pty.fork()
    if pid == 0:  # the child: become dltui
        os.environ["TERM"] = "xterm-256color"
        os.execv(sys.executable, [sys.executable, "-m", "dltui", "--data-dir", str(data)])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = bytearray()
    log = data / "lab-worker.log"

    def pump(seconds: float, until=lambda: False) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if until():
                return True
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    seen.extend(os.read(fd, 65536))
                except OSError:
                    return until()
        return until()

    def keys(*sequence: bytes, pause: float = 0.3) -> int:
        """Type the keys; returns where the output stood before them."""
        mark = len(seen)
        for key in sequence:
            os.write(fd, key)
            pump(pause)
        return mark

    def shown(text: bytes, since: int):
        return lambda: text in seen[since:]

    try:
        assert pump(60, lambda: b"Deep Learning" in seen), "the app did not start"
        mark = keys(b"l")
        assert pump(30, shown(ids[0].encode(), mark)), "no lab list"
        mark = keys(*[b"\x1b[B"] * ids.index("spiral_classification"), b"\r")
        assert pump(30, shown(b"Spiral classification", mark)), "the lab did not open"
        pump(3.0)
        # Shift+Tab ×3 from Start to steps, type, F5; unhurried, as a busy machine needs
        mark = keys(b"\x1b[Z", b"\x1b[Z", b"\x1b[Z", b"10000", b"\x1b[15~", pause=1.0)
        started = lambda: log.exists() and "'steps': 10000" in log.read_text()  # noqa: E731
        assert pump(90, started), f"the run did not start: {log.read_text() if log.exists() else 'no log'}"
        assert pump(60, shown(b"/10000", mark)), "no step reached"
        pump(1.0)
        children = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        if how == "close":
            os.close(fd)
            fd = -1
        else:
            os.kill(pid, getattr(signal, how))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if fd >= 0:
                pump(0.1)  # keep reading: a full terminal would block the app's last writes
            else:
                time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError(f"dltui did not exit after {how}")
    finally:
        if fd >= 0:
            os.close(fd)
    from dltui.progress import Store

    with Store(data / "progress.sqlite3") as store:
        runs = store.runs("spiral_classification")
    return os.waitstatus_to_exitcode(status), children, runs


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminal and /proc")
@pytest.mark.parametrize("how, code", [("close", 129), ("SIGTERM", 143)])
def test_real_dltui_ended_mid_run_saves_a_stopped_run(tmp_path, how, code):
    exit_code, children, runs = _pty_run_until_signal(tmp_path / how, how)
    assert exit_code == code
    assert len(runs) == 1, runs
    assert runs[0].status == "stopped" and runs[0].settings["steps"] == 10000 and runs[0].steps < 10000
    assert children, "the worker was not running"
    for child in children:  # the worker (and multiprocessing's helper) are gone
        assert _gone(child, limit_s=20), f"process {child} was left behind"


# ---------------------------------------------------------------------------------------------
# 12. how long a run will take, said before Start


def test_probe_estimates_a_whole_run_from_its_first_steps(fake_lab):
    events: list[Event] = []
    engine.time_first_steps(Probe(Job("_fault", {"mode": "slow", "steps": 3000}, "cpu"), token=7),
                            events.append, give_way=lambda: False)
    assert len(events) == 1, events  # nothing but the estimate: no figures, no "done"
    estimate = events[0]
    assert isinstance(estimate, Estimate) and (estimate.token, estimate.total) == (7, 3000)
    assert estimate.device.startswith("CPU")
    assert 2 <= estimate.steps_timed < 3000
    assert estimate.seconds >= 0.8 * 3000 * 0.01  # each step sleeps 10 ms: never less than that


def test_probe_gives_way_and_a_failed_probe_says_nothing(fake_lab):
    events: list[Event] = []
    engine.time_first_steps(Probe(Job("_fault", {"mode": "slow", "steps": 3000}, "cpu")), events.append,
                            give_way=lambda: True)
    engine.time_first_steps(Probe(Job("_fault", {"mode": "cpu_oom"}, "cpu")), events.append,
                            give_way=lambda: False)
    assert events == []


@pytest.mark.slow
async def test_lab_screen_shows_an_estimate_before_start_and_time_left_during_the_run(make_app, tmp_path):
    app = make_app(tmp_path / "estimate", prewarm_labs=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LabScreen("spiral_classification", {"steps": 10000, "points": 2000, "hidden": 1000}))
        await pilot.pause()
        screen = app.screen
        await _wait(pilot, lambda: screen.estimates, limit_s=120)
        (seconds, device), = screen.estimates.values()
        assert seconds > 0 and device.startswith("CPU")
        status = str(screen.query_one("#lab-status").render())
        assert "on this CPU" in status and "about" in status
        if seconds >= 15:  # spelled out when it is long
            assert "This run will take about" in _message(screen)
        # another setting, another estimate
        screen.query_one("#set-steps").value = "5000"
        await _wait(pilot, lambda: len(screen.estimates) == 2, limit_s=60)
        await pilot.press("f5")
        await _wait(pilot, lambda: "left" in str(screen.query_one("#lab-status").render()), limit_s=60)
        await pilot.press("f6")
        await _wait(pilot, lambda: not screen.running, limit_s=30)
        assert app.store.runs("spiral_classification")[0].settings["steps"] == 5000
