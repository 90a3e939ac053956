"""The worker's typed events, and RunState folding them the same way for every caller."""

from __future__ import annotations

import pickle

import pytest

from dltui.engine import Alive, Begin, Done, Estimate, Failed, Graded, Log, Ready, Started, Update, decode
from dltui.run_state import RunState


@pytest.mark.parametrize("event", [
    Ready(), Alive(), Started("CPU"), Begin(5), Log("hi"), Update([(1, {"loss": 0.5})], {"view": [1, 2]}),
    Done("finished", {"loss": 0.1}, 1.5, 5), Failed("oom", "too big"), Estimate(3, 12.0, 4, 100, "CPU"),
    Graded({"exercise": "x", "checks": []}),
])
def test_events_cross_the_queue_as_themselves(event):
    assert pickle.loads(pickle.dumps(event)) == event
    assert decode(event) is event


@pytest.mark.parametrize("stranger", [("begin", 5), ("telemetry", 1), None, "done"])
def test_objects_that_are_no_event_are_ignored(stranger):
    """The old wire tuples are not decoded any more: a RunState leaves them out."""
    assert decode(stranger) is None
    run = RunState()
    assert run.apply(stranger) is None
    assert (run.total, run.result, run.updates) == (0, None, 0)


def test_a_run_is_folded_into_history_step_rate_and_result():
    run = RunState()
    run.apply(Started("CPU, 1 thread"))
    run.apply(Begin(4))
    run.apply(Update([(1, {"loss": 1.0}), (2, {"loss": 0.5})], {"view": "fig"}), now=10.0)
    run.apply(Update([(3, {"loss": 0.25}), (4, {"loss": 0.2, "acc": 0.9})], {}), now=11.0)
    assert run.history["loss"] == ([1, 2, 3, 4], [1.0, 0.5, 0.25, 0.2]) and run.history["acc"] == ([4], [0.9])
    assert (run.step, run.total, run.device, run.updates) == (4, 4, "CPU, 1 thread", 2)
    assert run.rate == pytest.approx(2.0)  # 2 steps in the second between the two updates
    assert run.figures == {"view": "fig"} and run.last_scalars() == {"loss": 0.2, "acc": 0.9}
    assert run.apply(Done("finished", {"loss": 0.2}, 2.0, 4)) == run.result
    assert run.rate == 2.0


def test_a_failure_is_the_result_and_names_its_title():
    run = RunState()
    run.apply(Failed("diverged", "loss is nan"))
    assert isinstance(run.result, Failed) and run.result.title == "Training diverged"
