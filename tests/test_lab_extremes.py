"""Every numeric setting of every lab, at its minimum and at its maximum, one at a time.

Each run keeps the other settings at their defaults, except the settings that only make a run
longer (``steps``, ``epochs``…), which go to their minimum so the whole module stays short (a
few cheap labs keep their default length); a stop flag that trips after a fixed number of
checks caps every run, tighter above a setting's ``cpu_max``. A run must end in one of three
honest ways: it finishes or stops with finite metrics that the lab declares, or it fails with a
classified message (diverged or out of memory, never a crash), and a divergence names the
setting that caused it (the learning rate, for an lr setting). An expectation is never met
without the metrics it is about.
"""

from __future__ import annotations

import math

import pytest

from dltui import labregistry
from dltui.engine import run_inline
from dltui.labspec import setting_specs

# Settings that set how long a run lasts; the test runs them at their minimum.
BUDGET = ("steps", "epochs", "iters", "batches", "emu_steps")
STOP_AFTER = 20  # should_stop() calls before a run is told to stop
STOP_AFTER_GPU = 4  # the same above a setting's cpu_max: a few steps show it runs at all
# Labs cheap enough to keep their default length (capped at this many calls), so that a
# divergence that needs tens of steps to build up (momentum, long horizons) shows here.
FULL_LENGTH = {"optimal_control": 200, "optimizers": 2000, "ebm_ellipse_inference": 10_000,
               "ebm_ellipse_training": 400}


def _cases():
    for lab_id in labregistry.lab_ids():
        module = labregistry.load(lab_id)
        specs = setting_specs(module.Settings)
        budget = {s.name: s.kind(s.low) for s in specs if s.name in BUDGET and s.low is not None}
        if lab_id in FULL_LENGTH:
            budget = {}
        for spec in specs:
            if spec.kind not in (int, float) or spec.choices or spec.low is None or spec.high is None:
                continue
            for end, value in (("min", spec.low), ("max", spec.high)):
                if value == spec.default and spec.name not in BUDGET:
                    continue  # the default is what every other case runs
                gpu = spec.cpu_max is not None and value > spec.cpu_max
                calls = STOP_AFTER_GPU if gpu else FULL_LENGTH.get(lab_id, STOP_AFTER)
                settings = {**budget, spec.name: spec.kind(value)}
                yield pytest.param(lab_id, spec.name, settings, calls, id=f"{lab_id}-{spec.name}-{end}")


def _capped_stop(calls_allowed: int):
    calls = [0]

    def stop() -> bool:
        calls[0] += 1
        return calls[0] > calls_allowed

    return stop


@pytest.mark.slow
@pytest.mark.parametrize("lab_id, name, settings, calls_allowed", list(_cases()))
def test_extreme_setting_ends_honestly(lab_id, name, settings, calls_allowed):
    module = labregistry.load(lab_id)
    res = run_inline(lab_id, settings, device="cpu", threads=1, stop=_capped_stop(calls_allowed))
    if res.status == "error":
        assert res.error_kind in ("diverged", "oom"), f"{res.error_kind}: {res.message}"
        assert "Traceback" not in res.message
        if res.error_kind == "diverged":
            # the message says why: it names the setting, or the learning rate for an lr setting
            text = res.message.lower()
            assert name in text or (name.startswith("lr") and "learning rate" in text), res.message
        return
    assert res.status in ("finished", "stopped")
    assert set(res.metrics) <= set(module.INFO.metrics), "metrics the lab does not declare"
    assert all(math.isfinite(v) for v in res.metrics.values())
    if res.status == "finished":
        assert res.metrics, "a finished run reports its metrics"
        assert isinstance(module.expectation_met(res.metrics), bool)


@pytest.mark.parametrize("lab_id", labregistry.lab_ids())
def test_expectation_is_not_met_without_evidence(lab_id):
    """A claim that cannot be evaluated (no metrics, or NaN ones) is never reported met."""
    module = labregistry.load(lab_id)
    assert module.expectation_met({}) is False
    assert module.expectation_met({k: math.nan for k in module.INFO.metrics}) is False


def test_gpu_sized_ranges_are_declared_and_shown(capsys):
    """A setting with a cpu_max says so in its help (the About tab) and in `dltui labs --metrics`."""
    from argparse import Namespace

    from dltui.commands import cmd_labs
    from dltui.labs import seq_classification

    batches = {s.name: s for s in setting_specs(seq_classification.Settings)}["batches"]
    assert batches.cpu_max is not None and batches.low <= batches.cpu_max < batches.high
    assert batches.help.endswith(f"(up to {batches.cpu_max} on a CPU; larger values are for GPUs)")
    assert cmd_labs(Namespace(metrics=True)) == 0
    out = capsys.readouterr().out
    assert f"for GPUs: batches above {batches.cpu_max}" in out
    assert f"(up to {batches.cpu_max} on a CPU; larger values are for GPUs)" in out


def test_every_cpu_max_lies_inside_its_range():
    for lab_id in labregistry.lab_ids():
        for spec in setting_specs(labregistry.load(lab_id).Settings):
            if spec.cpu_max is not None:
                assert spec.default <= spec.cpu_max < spec.high, (lab_id, spec.name)
