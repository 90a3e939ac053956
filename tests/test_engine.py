"""The lab engine: in-process runs (``run_inline``/``execute``) and the spawned ``LabProcess``."""

from __future__ import annotations

import os

import sys
import time
import types
from dataclasses import dataclass

import pytest

from dltui import engine, labregistry
from dltui.engine import Begin, Done, Event, Failed, Job, LabProcess, Log, Ready, Started, Update, execute, run_inline
from dltui.labspec import LabInfo, setting

TINY = {"steps": 20, "points": 50, "hidden": 8}


# ---------------------------------------------------------------------------------------------
# in-process runs


@pytest.mark.slow
def test_run_inline_tiny_spiral_finishes():
    r = run_inline("spiral_classification", TINY, threads=1)
    assert r.status == "finished", r.message
    assert r.error_kind == ""
    assert set(r.metrics) == {"acc_linear", "acc_hidden", "loss_linear", "loss_hidden"}
    assert all(0.0 <= r.metrics[k] <= 1.0 for k in ("acc_linear", "acc_hidden"))
    assert r.steps == 20
    assert r.seconds > 0
    assert r.updates >= 1
    # throttling batches reports but loses none of them
    xs, ys = r.history["loss_linear"]
    assert xs == list(range(1, 21))
    assert ys[-1] == pytest.approx(r.metrics["loss_linear"])
    assert {"regions: linear", "regions: one hidden layer"} <= set(r.figures)


@pytest.mark.slow
def test_run_inline_single_model():
    r = run_inline("spiral_classification", {**TINY, "model": "linear", "steps": 10}, threads=1)
    assert r.status == "finished"
    assert set(r.metrics) == {"acc_linear", "loss_linear"}


@pytest.mark.slow
def test_huge_lr_with_sgd_diverges():
    r = run_inline("spiral_classification", {"optimizer": "sgd", "lr": 100.0, "steps": 200}, threads=1)
    assert r.status == "error"
    assert r.error_kind == "diverged"
    assert "diverged" in r.message
    assert r.metrics == {}


@pytest.mark.slow
def test_stop_callback_stops_early():
    calls = {"n": 0}

    def stop() -> bool:
        calls["n"] += 1
        return calls["n"] > 5

    r = run_inline("spiral_classification", {**TINY, "steps": 500}, threads=1, stop=stop)
    assert r.status == "stopped"
    assert 1 <= r.steps < 500
    assert r.steps == len(r.history["loss_linear"][0])
    assert set(r.metrics) == {"acc_linear", "acc_hidden", "loss_linear", "loss_hidden"}


@pytest.mark.slow
def test_updates_are_throttled():
    r = run_inline("spiral_classification", {**TINY, "steps": 300}, threads=1)
    assert r.status == "finished"
    assert 1 <= r.updates <= 10 * r.seconds + 2, (r.updates, r.seconds)
    assert r.history["acc_hidden"][0] == list(range(1, 301))


def test_unknown_setting_is_a_settings_error():
    r = run_inline("spiral_classification", {"nonsense": 1})
    assert (r.status, r.error_kind) == ("error", "settings")
    assert "nonsense" in r.message


def test_out_of_range_setting_is_a_settings_error():
    r = run_inline("spiral_classification", {"lr": 1e9})
    assert (r.status, r.error_kind) == ("error", "settings")
    assert "from 1e-05 to 100" in r.message


def test_unknown_lab_is_a_settings_error():
    r = run_inline("no_such_lab", {})
    assert (r.status, r.error_kind) == ("error", "settings")
    assert "no_such_lab" in r.message


def test_cuda_without_cuda_is_a_device_error():
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    r = run_inline("spiral_classification", TINY, device="cuda")
    assert (r.status, r.error_kind) == ("error", "device")
    assert "CUDA" in r.message


def test_unknown_device_is_a_device_error():
    r = run_inline("spiral_classification", TINY, device="tpu")
    assert (r.status, r.error_kind) == ("error", "device")
    assert "tpu" in r.message


# ---------------------------------------------------------------------------------------------
# a fake lab, to make the engine's error paths happen on demand


@dataclass
class FakeSettings:
    mode: str = setting("ok", choices=("ok", "raise", "oom", "memory", "nan", "nan_metric", "slow"))
    steps: int = setting(5, 1, 100000)


def _fake_train(cfg: FakeSettings, ctx) -> dict[str, float]:
    ctx.begin(cfg.steps)
    ctx.log("hello from the fake lab")
    for step in range(1, cfg.steps + 1):
        if cfg.mode == "raise" and step == 3:
            raise ValueError("the fake lab broke on purpose")
        if cfg.mode == "oom" and step == 2:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        if cfg.mode == "memory":
            raise MemoryError()
        ctx.report(step, loss=float("nan") if (cfg.mode == "nan" and step == 4) else 1.0 / step)
        if ctx.should_stop():
            break
    if cfg.mode == "nan_metric":
        return {"loss": float("inf")}
    return {"loss": 1.0 / step}


@pytest.fixture
def fake_lab(monkeypatch):
    mod = types.ModuleType("dltui.labs._fake")
    mod.INFO = LabInfo(id="_fake", title="Fake", summary="a fake lab", lessons=(), expectation="nothing",
                       metrics={"loss": "the loss"})
    mod.Settings = FakeSettings
    mod.train = _fake_train
    mod.expectation_met = lambda m: True
    monkeypatch.setitem(sys.modules, "dltui.labs._fake", mod)
    real_load = labregistry.load

    def load(lab_id: str):
        return mod if lab_id == "_fake" else real_load(lab_id)

    monkeypatch.setattr(labregistry, "load", load)
    return mod


def _events(settings: dict, stop=lambda: False) -> list[Event]:
    out: list[Event] = []
    execute(Job("_fake", settings, "cpu", threads=1), out.append, stop)
    return out


def test_fake_lab_event_sequence(fake_lab):
    events = _events({"steps": 5})
    kinds = [type(e) for e in events]
    assert isinstance(events[0], Started)
    assert events[1] == Begin(5)
    assert Log("hello from the fake lab") in events
    assert isinstance(events[-1], Done)
    assert Update in kinds
    assert (events[-1].status, events[-1].steps) == ("finished", 5)
    assert events[-1].metrics == {"loss": pytest.approx(0.2)}
    steps_reported = [s for e in events if isinstance(e, Update) for s, _ in e.scalars]
    assert steps_reported == [1, 2, 3, 4, 5]


def test_lab_exception_is_crashed_with_its_text(fake_lab):
    r = run_inline("_fake", {"mode": "raise"})
    assert (r.status, r.error_kind) == ("error", "crashed")
    assert "ValueError" in r.message
    assert "the fake lab broke on purpose" in r.message


def test_cuda_out_of_memory_is_oom(fake_lab):
    r = run_inline("_fake", {"mode": "oom"})
    assert (r.status, r.error_kind) == ("error", "oom")
    assert "memory" in r.message


def test_memory_error_is_oom(fake_lab):
    r = run_inline("_fake", {"mode": "memory"})
    assert (r.status, r.error_kind) == ("error", "oom")


def test_nan_loss_is_diverged(fake_lab):
    r = run_inline("_fake", {"mode": "nan"})
    assert (r.status, r.error_kind) == ("error", "diverged")
    assert "step 4" in r.message and "diverged" in r.message
    assert r.history["loss"][0] == [1, 2, 3]  # flushed before the error


def test_non_finite_final_metric_is_diverged(fake_lab):
    r = run_inline("_fake", {"mode": "nan_metric"})
    assert (r.status, r.error_kind) == ("error", "diverged")
    assert "loss" in r.message


def test_fake_lab_stop(fake_lab):
    calls = {"n": 0}

    def stop():
        calls["n"] += 1
        return calls["n"] >= 3

    r = run_inline("_fake", {"steps": 1000}, stop=stop)
    assert r.status == "stopped"
    assert r.steps == 3


def test_fake_lab_settings_are_checked(fake_lab):
    r = run_inline("_fake", {"steps": 0})
    assert (r.status, r.error_kind) == ("error", "settings")
    assert "steps" in r.message


def test_many_reports_give_few_updates(fake_lab):
    r = run_inline("_fake", {"steps": 20000})
    assert r.status == "finished"
    assert r.updates <= 10 * r.seconds + 2, (r.updates, r.seconds)
    assert len(r.history["loss"][0]) == 20000


def test_context_throttle_with_a_fake_clock(monkeypatch):
    clock = {"t": 1000.0}
    monkeypatch.setattr(engine.time, "monotonic", lambda: clock["t"])
    sent: list[Event] = []
    ctx = engine._Context("cpu", sent.append, lambda: False)
    for step in range(1, 101):  # 100 reports, 0.01 s apart: one second in all
        ctx.report(step, loss=1.0)
        clock["t"] += 0.01
    ctx.flush()
    updates = [e for e in sent if isinstance(e, Update)]
    assert 10 <= len(updates) <= 12 and len(updates) == len(sent)
    assert [s for e in updates for s, _ in e.scalars] == list(range(1, 101))


def test_default_threads(monkeypatch):
    monkeypatch.delenv("DLTUI_TORCH_THREADS", raising=False)
    assert engine.default_threads() == 1  # tiny models: one thread, the other core left to the UI
    monkeypatch.setenv("DLTUI_TORCH_THREADS", "2")
    assert engine.default_threads() == min(2, os.cpu_count() or 1)
    monkeypatch.setenv("DLTUI_TORCH_THREADS", "999")
    assert 1 <= engine.default_threads() <= (os.cpu_count() or 1)
    monkeypatch.setenv("DLTUI_TORCH_THREADS", "lots")
    assert engine.default_threads() == 1


# ---------------------------------------------------------------------------------------------
# the spawned worker


def _poll_until(proc: LabProcess, want, limit_s: float) -> list[Event]:
    """Collect events until want(events) is true; the limit only guards against a hang."""
    events: list[Event] = []
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        events += proc.poll()
        if want(events):
            return events
        if not proc.alive:
            events += proc.poll()
            break
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting; events so far: {[type(e).__name__ for e in events]}, "
                         f"alive={proc.alive}")


def _has(kind: type):
    return lambda events: any(isinstance(e, (kind, Failed)) for e in events)


@pytest.fixture
def worker(tmp_path):
    proc = LabProcess(log_path=str(tmp_path / "worker.log")).start()
    yield proc
    proc.shutdown()


@pytest.mark.slow
def test_lab_process_runs_a_job(worker):
    worker.submit(Job("spiral_classification", dict(TINY), "cpu"))
    events = _poll_until(worker, _has(Done), 120)
    kinds = [type(e) for e in events]
    assert Failed not in kinds, events
    assert worker.ready
    assert kinds[:3] == [Ready, Started, Begin]  # typed as they left the worker; no heartbeats
    assert kinds[-1] is Done
    assert set(kinds[3:-1]) == {Update}
    assert events[2] == Begin(20)
    done = events[-1]
    assert done.status == "finished" and done.steps == 20
    assert set(done.metrics) == {"acc_linear", "acc_hidden", "loss_linear", "loss_hidden"}
    assert [s for e in events if isinstance(e, Update) for s, _ in e.scalars] == list(range(1, 21))
    # a job with a bad setting is refused, and the worker stays up for the next one
    worker.submit(Job("spiral_classification", {"lr": 1e9}, "cpu"))
    events = _poll_until(worker, _has(Failed), 60)
    err = [e for e in events if isinstance(e, Failed)][0]
    assert err.kind == "settings" and "lr" in err.message
    assert worker.alive


@pytest.mark.slow
def test_lab_process_stop_mid_run(worker):
    worker.submit(Job("spiral_classification", {**TINY, "steps": 10000}, "cpu"))
    events = _poll_until(worker, _has(Update), 120)
    assert not any(isinstance(e, Failed) for e in events), events
    worker.request_stop()
    events += _poll_until(worker, _has(Done), 60)
    done = [e for e in events if isinstance(e, Done)]
    assert len(done) == 1, events
    assert done[0].status == "stopped"
    assert 1 <= done[0].steps < 10000
    # the worker is still warm and takes the next job
    worker.submit(Job("spiral_classification", {**TINY, "steps": 10}, "cpu"))
    more = _poll_until(worker, _has(Done), 60)
    assert [e for e in more if isinstance(e, Done)][0].status == "finished"


@pytest.mark.slow
def test_lab_process_kill(tmp_path):
    proc = LabProcess(log_path=str(tmp_path / "worker.log")).start()
    try:
        proc.submit(Job("spiral_classification", {**TINY, "steps": 10000}, "cpu"))
        _poll_until(proc, _has(Update), 120)
        assert proc.alive
        proc.kill()
        assert not proc.alive
        assert proc.exitcode is not None
    finally:
        proc.kill()
