"""Grading quiz answers. Pure: no textual, no torch."""

from __future__ import annotations

import math
from dataclasses import dataclass

from dltui import conditions
from dltui.curriculum import Question


@dataclass
class Grade:
    correct: bool | None  # None: a prediction that waits for its lab run
    right: set[int]  # indices of the right options (empty for numeric, or before a predict run)
    feedback: str  # extra text for numeric answers (matched mistake, the worked answer)


def parse_number(text: str) -> float:
    """Accepts 0.5, .5, 1e-3, 50%, 1/3 and a comma as decimal separator."""
    t = text.strip().replace(",", ".").replace("−", "-").replace(" ", "")
    if not t:
        raise ValueError("type a number")
    if t.endswith("%"):
        return float(t[:-1]) / 100
    if "/" in t:
        num, _, den = t.partition("/")
        return float(num) / float(den)
    return float(t)


def within(value: float, target: float, tolerance: float) -> bool:
    """|value − target| ≤ tolerance, forgiving binary rounding (0.4 is within 0.1 of 0.3)."""
    gap = abs(value - target)
    return gap <= tolerance or math.isclose(gap, tolerance, rel_tol=1e-9, abs_tol=1e-12)


def grade(q: Question, answer) -> Grade:
    if q.kind == "single":
        return Grade(answer in q.correct_indices, q.correct_indices, "")
    if q.kind == "multiple":
        return Grade(set(answer) == q.correct_indices, q.correct_indices, "")
    if q.kind == "numeric":
        value = float(answer)
        ok = q.answer is not None and q.tolerance is not None and within(value, q.answer, q.tolerance)
        feedback = ""
        if not ok:
            hit = next((m for m in q.mistakes if within(value, m.value, q.tolerance or 0)), None)
            if hit:
                feedback = hit.explain
        return Grade(ok, set(), feedback)
    if q.kind == "predict":
        return Grade(None, set(), "")
    raise ValueError(f"unknown question kind {q.kind!r}")


def right_predictions(q: Question, metrics: dict[str, float]) -> set[int] | None:
    """Options whose condition holds for a run's metrics; None if the run lacks a metric."""
    right = set()
    try:
        for i, opt in enumerate(q.options):
            if opt.when and conditions.evaluate(opt.when, metrics):
                right.add(i)
    except conditions.MissingMetric:
        return None
    return right


def grade_prediction(q: Question, chosen: int, metrics: dict[str, float]) -> Grade | None:
    right = right_predictions(q, metrics)
    if right is None:
        return None
    return Grade(chosen in right, right, "")


def format_answer(q: Question, answer) -> str:
    if q.kind in ("single", "predict"):
        return q.options[answer].text if isinstance(answer, int) and 0 <= answer < len(q.options) else str(answer)
    if q.kind == "multiple":
        return "; ".join(q.options[i].text for i in sorted(answer) if 0 <= i < len(q.options))
    return f"{answer:g}{(' ' + q.unit) if q.unit else ''}"
