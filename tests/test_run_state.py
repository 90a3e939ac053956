"""RunState folds worker events (the wire tuples or typed ones) the same way for every caller."""

from __future__ import annotations

import pickle

import pytest

from dltui.engine import Begin, Done, Estimate, Failed, Log, Ready, Started, Update, decode
from dltui.run_state import RunState


@pytest.mark.parametrize("wire, typed", [
    (("ready",), Ready()),
    (("started", "CPU"), Started("CPU")),
    (("begin", 5), Begin(5)),
    (("log", "hi"), Log("hi")),
    (("done", "finished", {"loss": 0.1}, 1.5, 5), Done("finished", {"loss": 0.1}, 1.5, 5)),
    (("error", "oom", "too big"), Failed("oom", "too big")),
    (("estimate", 3, 12.0, 4, 100, "CPU"), Estimate(3, 12.0, 4, 100, "CPU")),
])
def test_wire_tuples_decode_to_picklable_dataclasses(wire, typed):
    assert decode(wire) == typed
    assert pickle.loads(pickle.dumps(typed)) == typed


def test_unknown_kinds_decode_to_none():
    assert decode(("telemetry", 1)) is None


def test_a_run_is_folded_into_history_step_rate_and_result():
    run = RunState()
    run.apply(Started("CPU, 1 thread"))
    run.apply(("begin", 4))
    run.apply(Update([(1, {"loss": 1.0}), (2, {"loss": 0.5})], {"view": "fig"}), now=10.0)
    run.apply(("update", [(3, {"loss": 0.25}), (4, {"loss": 0.2, "acc": 0.9})], {}), now=11.0)
    assert run.history["loss"] == ([1, 2, 3, 4], [1.0, 0.5, 0.25, 0.2]) and run.history["acc"] == ([4], [0.9])
    assert (run.step, run.total, run.device, run.updates) == (4, 4, "CPU, 1 thread", 2)
    assert run.rate == pytest.approx(2.0)  # 2 steps in the second between the two updates
    assert run.figures == {"view": "fig"} and run.last_scalars() == {"loss": 0.2, "acc": 0.9}
    assert run.apply(("done", "finished", {"loss": 0.2}, 2.0, 4)) == run.result
    assert run.rate == 2.0


def test_a_failure_is_the_result_and_names_its_title():
    run = RunState()
    run.apply(("error", "diverged", "loss is nan"))
    assert isinstance(run.result, Failed) and run.result.title == "Training diverged"
