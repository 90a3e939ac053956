"""Every number a lesson quotes from a lab run holds on real runs.

Each row of QUOTES names a lesson, the words of the lesson that carry the number, the lab and the
settings the lesson speaks of (its defaults unless a predict question or lab block sets others),
what to read from the run, and the range. A value is compared at the precision the lesson writes
it with (`digits`): "0.01–0.02" accepts 0.0201, which a reader takes for 0.02. `digits=None`
compares the raw value (for "within", "under", "or more").

The ranges were measured on seeds 0–4. To keep CI short, only the cheap labs (CHEAP) are checked on
all five seeds; the others run seed 0, and DLTUI_QUOTE_SEEDS=all checks every row on seeds 0–4
(several minutes on one CPU thread). Labs without a seed setting are deterministic and run once.

A second, fast test checks that each lesson still contains the quoted words, so a lesson and this
table cannot drift apart silently.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest

from dltui.curriculum import load_curriculum
from dltui.engine import run_inline
from dltui.paths import curriculum_dir

SEEDS = (0, 1, 2, 3, 4)
# Labs cheap enough (well under a second a run) to check on every seed in CI; the others run seed 0
# unless DLTUI_QUOTE_SEEDS=all.
CHEAP = {"ebm_ellipse_inference", "optimizers"}


def metric(name: str) -> Callable[[Any], float]:
    reader = lambda run: run.metrics[name]  # noqa: E731
    reader.__name__ = name
    return reader


def first_cost(run) -> float:
    return run.history["cost"][1][0]


def plan_end(axis: int) -> Callable[[Any], float]:
    def reader(run) -> float:
        plan = next(s for s in run.figures["plan"].series if s.label.startswith("plan"))
        return (plan.x, plan.y)[axis][-1]

    reader.__name__ = f"plan_end_{'xy'[axis]}"
    return reader


def cost_ratio(run) -> float:
    return run.metrics["cost"] / run.metrics["cost_zero"]


def _from_caption(run, pattern: str) -> float:
    for fig in run.figures.values():
        found = re.search(pattern, getattr(fig, "caption", "") or "")
        if found:
            return float(found.group(1))
    raise AssertionError(f"no figure caption matches {pattern!r}")


def ideal_off(run) -> float:
    return _from_caption(run, r"squared distance to the curve there: ([0-9.]+)")


def no_change(run) -> float:
    return _from_caption(run, r"no-change guess ([0-9.]+)")


@dataclass(frozen=True)
class Quote:
    lesson: str
    text: str  # the lesson's own words around the number (whitespace is folded when compared)
    lab: str
    read: Callable[[Any], float]
    low: float | None = None
    high: float | None = None
    digits: int | None = None
    settings: dict = field(default_factory=dict, hash=False)
    words: str = ""  # how the text writes the bound when it is not a numeral ("a tenth")

    @property
    def id(self) -> str:
        extra = ",".join(f"{k}={v}" for k, v in self.settings.items())
        return f"{self.lesson}:{self.lab}{'[' + extra + ']' if extra else ''}:{self.read.__name__}"


Q = Quote
FINAL_15 = {"horizon": 15, "iters": 50, "lr": 0.001, "cost": "final"}
ELLIPSE_POINT = {"y1": 0.3, "y2": 1.2, "inference": "gradient", "z_init": 4.7124}

QUOTES = [
    # theme 1
    Q("t1_nn_training", "the shorter lab run below gets 99 % or more", "spiral_classification",
      metric("acc_hidden"), low=0.99, digits=2, settings={"model": "both"}),
    Q("t1_nn_training", "the spread at 3 ≤ |x| ≤ 4 is 0.8–1.6", "regression", metric("spread_out"), 0.8, 1.6, 1),
    Q("t1_nn_training", "they agree to about 0.01–0.02", "regression", metric("spread_in"), 0.01, 0.02, 2),
    # theme 2
    Q("t2_natural_signals", "Default runs (seeds 0–4) end at 0.27–0.46", "convnet_digits",
      metric("acc_cnn_perm"), 0.27, 0.46, 2),
    Q("t2_natural_signals", "against 0.54–0.65 for the FC net", "convnet_digits", metric("acc_fc_perm"), 0.54, 0.65, 2),
    Q("t2_rnn_lstm", "runs with seeds 0–4 end at 0.79–0.87", "echo_rnn", metric("acc_delay"), 0.79, 0.87, 2,
      settings={"delay": 4}),
    Q("t2_rnn_lstm", "the short echoes reach ~1.0", "echo_rnn", metric("acc_delay"), 1.0, 1.0, 1),
    Q("t2_rnn_lstm", "from 5 on they sit at 0.5", "echo_rnn", metric("acc_beyond"), 0.5, 0.5, 1),
    Q("t2_rnn_lstm", "the LSTM ends at 0.77–1.00", "seq_classification", metric("acc_lstm"), 0.77, 1.0, 2),
    Q("t2_rnn_lstm", "the RNN at 0.24–0.56", "seq_classification", metric("acc_rnn"), 0.24, 0.56, 2),
    # theme 3
    Q("t3_lv_ebm_inference", "settles there with E ≈ 2.4 against F∞ ≈ 0.72", "ebm_ellipse_inference",
      metric("e_check"), 2.4, 2.4, 1, settings=ELLIPSE_POINT),
    Q("t3_lv_ebm_inference", "settles there with E ≈ 2.4 against F∞ ≈ 0.72", "ebm_ellipse_inference",
      metric("f_inf_point"), 0.72, 0.72, 2, settings=ELLIPSE_POINT),
    # theme 4
    Q("t4_ae_gan_pytorch", "the squared distance to the curve is about 0.9 on average", "autoencoder",
      ideal_off, 0.9, 0.9, 1, settings={"models": "over"}),
    Q("t4_target_prop_ae", "That is the β = 1 regime (about 2 nats)", "vae", metric("loss_kl"), 2, 2, 0),
    Q("t4_target_prop_ae", "22–33 nats over seeds 0–4", "vae", metric("loss_kl"), 22, 33, 0, settings={"beta": 0.0}),
    # theme 5
    Q("t5_attention_transformer", "guesses from a few strong words (about 0.69–0.74)", "transformer_sentiment",
      metric("acc_noattn"), 0.69, 0.74, 2),
    Q("t5_attention_transformer", "already summarises the review (about 0.83–0.86)", "transformer_sentiment",
      metric("acc_transformer"), 0.83, 0.86, 2),
    # theme 6
    Q("t6_gtn", "Before training the average gap between them is 5–12 nats", "lattice_alignment",
      metric("gap_start"), 5, 12, 0),
    Q("t6_gtn", "The default run ends around 0.3–0.8", "lattice_alignment", metric("gap"), 0.3, 0.8, 1),
    Q("t6_gtn", "the decoding accuracy reaches 0.94–1.0", "lattice_alignment", metric("acc_decode"), 0.94, 1.0, 2),
    Q("t6_gcn_ii", "the plain GCN does well (0.83–0.96 over seeds 0–4)", "gated_gcn", metric("acc_plain"),
      0.83, 0.96, 2),
    Q("t6_gcn_ii", "the gated GCN lands at 0.97–1.00 over seeds 0–4", "gated_gcn", metric("acc_gated"), 0.97, 1.0, 2),
    Q("t6_gcn_ii", "Accuracy drops to roughly 0.6–0.8 (both models", "gated_gcn", metric("acc_plain"), 0.6, 0.8, 1,
      settings={"layers": 0}),
    Q("t6_gcn_ii", "Accuracy drops to roughly 0.6–0.8 (both models", "gated_gcn", metric("acc_gated"), 0.6, 0.8, 1,
      settings={"layers": 0}),
    # theme 7
    Q("t7_planning_control", "The first cost is about 101", "optimal_control", first_cost, 101, 101, 0,
      settings=FINAL_15),
    Q("t7_planning_control", "ending near (5.6, 1.2)", "optimal_control", plan_end(0), 5.6, 5.6, 1, settings=FINAL_15),
    Q("t7_planning_control", "ending near (5.6, 1.2)", "optimal_control", plan_end(1), 1.2, 1.2, 1, settings=FINAL_15),
    Q("t7_planning_control", "about 0.65 away, at speed 0.06", "optimal_control", metric("dist"), 0.65, 0.65, 2,
      settings=FINAL_15),
    Q("t7_planning_control", "about 0.65 away, at speed 0.06", "optimal_control", metric("final_speed"), 0.06, 0.06,
      2, settings=FINAL_15),
    *[Q("t7_planning_control", "it ends within 0.04 of the target for every T from 5 to 14", "optimal_control",
        metric("dist"), high=0.04, settings={**FINAL_15, "horizon": t}) for t in range(5, 15)],
    Q("t7_planning_control", "the car ends about 0.03 from the target at speed 0.15", "optimal_control",
      metric("dist"), 0.03, 0.03, 2, settings={"cost": "final_speed"}),
    Q("t7_planning_control", "the car ends about 0.03 from the target at speed 0.15", "optimal_control",
      metric("final_speed"), 0.15, 0.15, 2, settings={"cost": "final_speed"}),
    Q("t7_planning_control", "against 0.02 away at speed 0.23 for final", "optimal_control", metric("dist"),
      0.02, 0.02, 2),
    Q("t7_planning_control", "against 0.02 away at speed 0.23 for final", "optimal_control",
      metric("final_speed"), 0.23, 0.23, 2),
    Q("t7_truck_backer_upper", "trains quickly on these easy starts: about 0.7–0.9 dock", "truck_backer_upper",
      metric("success"), 0.7, 0.9, 1),
    Q("t7_truck_backer_upper", "the mean final cost drops to under a tenth of the cost with the wheels kept straight",
      "truck_backer_upper", cost_ratio, high=0.1, words="under a tenth"),
    Q("t7_truck_backer_upper", "its test error ends near 0.002 in standardised units", "truck_backer_upper",
      metric("loss_emulator"), 0.002, 0.002, 3),
    Q("t7_truck_backer_upper", 'while guessing "no change" scores about 1', "truck_backer_upper", no_change, 1, 1, 0),
    # theme 8
    Q("t8_optim_ii", "0.9¹⁰ ≈ 0.35", "optimizers", metric("dist_sgd"), 0.35, 0.35, 2,
      settings={"surface": "quadratic", "optimizers": "sgd", "lr": 0.1, "steps": 10}),
    Q("t8_optim_ii", "The balanced step 1/3 gets to about 0.025", "optimizers", metric("dist_sgd"), 0.025, 0.025, 3,
      settings={"surface": "quadratic", "optimizers": "sgd", "lr": 0.3333, "steps": 10}),
]


def _fold(text: str) -> str:
    return " ".join(text.split())


@functools.lru_cache(maxsize=1)
def _lesson_texts() -> dict[str, str]:
    cur = load_curriculum(curriculum_dir())
    return {le.id: _fold(le.path.read_text(encoding="utf-8")) for le in cur.lessons()}


def _seeded(lab: str) -> bool:
    from dltui import labregistry

    return any(f.name == "seed" for f in dataclasses.fields(labregistry.load(lab).Settings))


def _seeds(lab: str) -> tuple[int | None, ...]:
    if not _seeded(lab):
        return (None,)
    if lab not in CHEAP and os.environ.get("DLTUI_QUOTE_SEEDS") != "all":
        return (0,)
    return SEEDS


@functools.lru_cache(maxsize=None)
def _run(lab: str, settings: tuple, seed: int | None):
    cfg = dict(settings)
    if seed is not None:
        cfg["seed"] = seed
    run = run_inline(lab, cfg, device="cpu", threads=1)
    assert run.status == "finished", f"{lab} {cfg}: {run.status} {run.message}"
    return run


def _within(q: Quote, value: float) -> bool:
    shown = round(value, q.digits) if q.digits is not None else value
    eps = 1e-9
    return (q.low is None or shown >= q.low - eps) and (q.high is None or shown <= q.high + eps)


@pytest.mark.parametrize("q", QUOTES, ids=[q.id for q in QUOTES])
def test_lesson_still_quotes_the_range(q: Quote):
    texts = _lesson_texts()
    assert q.lesson in texts, f"no lesson {q.lesson}"
    assert _fold(q.text) in texts[q.lesson], f"{q.lesson} no longer says {q.text!r}: update QUOTES"
    if q.words:
        assert q.words in q.text
        return
    for bound in (q.low, q.high):
        if bound is not None:
            forms = {f"{bound:g}", f"{bound * 100:g} %"}
            if q.digits is not None:
                forms.add(f"{bound:.{q.digits}f}")
            assert any(f in q.text for f in forms), f"none of {sorted(forms)} is in {q.text!r}"


@pytest.mark.slow
@pytest.mark.parametrize("q", QUOTES, ids=[q.id for q in QUOTES])
def test_quoted_range_holds_on_real_runs(q: Quote):
    settings = tuple(sorted(q.settings.items()))
    misses = []
    for seed in _seeds(q.lab):
        value = q.read(_run(q.lab, settings, seed))
        if not _within(q, value):
            misses.append(f"seed {seed}: {value:.4g}")
    assert not misses, f"{q.lesson} says {q.text!r}, but {q.lab} gives " + ", ".join(misses)
