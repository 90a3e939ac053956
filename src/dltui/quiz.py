"""Grading quiz answers. Pure: no textual, no torch."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterable

from dltui import conditions
from dltui.curriculum import Question


@dataclass
class Grade:
    correct: bool | None  # None: a prediction that waits for its lab run
    right: set[int]  # indices of the right options (empty for numeric, or before a predict run)
    feedback: str  # extra text for numeric answers (matched mistake, the worked answer)


class NumberError(ValueError):
    """Typed text that is not (unambiguously) a number; the message is meant for the learner."""


# "1,000" and "12,345.5": a comma followed by exactly three digits groups thousands.
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")


def _near(value: float, target: float, tolerance: float) -> bool:
    # Deciding which reading the learner meant, not grading: same ballpark as the answer.
    return abs(value - target) <= max(tolerance, 0.25 * abs(target))


def _plain(token: str, answer: float | None, tolerance: float | None) -> float:
    if "," not in token:
        return float(token)
    if _THOUSANDS.fullmatch(token):
        return float(token.replace(",", ""))
    if not _DECIMAL_COMMA.fullmatch(token):
        raise ValueError(token)
    decimal = float(token.replace(",", "."))
    head, _, tail = token.partition(",")
    if len(tail) > 3:  # "0,2500" cannot be a thousands group
        return decimal
    grouped = float((head if head.strip("+-") else head + "0") + tail.ljust(3, "0"))
    tol = tolerance or 0.0
    if answer is not None and _near(decimal, answer, tol) and not _near(grouped, answer, tol):
        return decimal
    raise NumberError(f"“{token}” is ambiguous: write {decimal:g} (a decimal point) or "
                      f"{grouped:,.0f} (thousands).")


def parse_number(text: str, answer: float | None = None, tolerance: float | None = None) -> float:
    """Accepts 0.5, .5, 1e-3, 50%, 1/3, 1,000 (thousands) and a decimal comma where it is unambiguous.

    "2,5" reads as 2.5 only when the expected ``answer`` is near 2.5 and not near 2500; otherwise it
    is refused, so a learner is never graded on a reading they did not mean.
    """
    t = text.strip().replace("−", "-").replace(" ", "").replace("\u202f", "").replace("_", "")
    if not t:
        raise NumberError("Type an answer first.")
    try:
        scale = 1.0
        if t.endswith("%"):
            t, scale = t[:-1], 0.01
        if "/" in t:
            num, _, den = t.partition("/")
            value = _plain(num, None, None) / _plain(den, None, None)
        else:
            value = _plain(t, answer / scale if answer is not None else None,
                           tolerance / scale if tolerance is not None else None)
    except NumberError:
        raise
    except ZeroDivisionError:
        raise NumberError(f"“{text.strip()}” divides by zero.") from None
    except ValueError:
        raise NumberError(f"“{text.strip()}” is not a number. Type something like 0.25, 1/4, 25% or 1,000.") \
            from None
    if not math.isfinite(value * scale):
        raise NumberError(f"“{text.strip()}” is not a finite number.")
    return value * scale


def format_number(value: float) -> str:
    """A parsed answer as the learner should recognise it: 1000, not 1e+03."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


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
    return f"{format_number(answer)}{(' ' + q.unit) if q.unit else ''}"


# -- which run grades a prediction -------------------------------------------------------------

# Settings that only pace the live display; a run's outcome does not depend on them.
PACING_SETTINGS = frozenset({"animate", "pause"})


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def lab_defaults(lab_id: str) -> dict[str, Any]:
    """The default settings of a lab ({} for an unknown lab)."""
    from dltui import labregistry
    from dltui.labspec import setting_specs

    try:
        module = labregistry.load(lab_id)
    except labregistry.UnknownLab:
        return {}
    return {s.name: s.default for s in setting_specs(module.Settings)}


def settings_match(run: dict[str, Any], wanted: dict[str, Any], defaults: dict[str, Any]) -> bool:
    """True if ``run`` used exactly ``wanted`` (every setting it does not name at its default).

    Pacing settings are ignored: they change how fast a run is drawn, not what it computes.
    """
    want = {**defaults, **wanted}
    return all(_same(run.get(k, defaults.get(k)), v) for k, v in want.items() if k not in PACING_SETTINGS)


def graded_by(q: Question, run_settings: dict[str, Any], metrics: dict[str, float]) -> str:
    """'graded by your run of LAB with a=b, seed 0 — metric = value': which run decided the grade."""
    declared = [f"{k}={v}" for k, v in q.settings.items() if k != "seed"]
    what = ", ".join(declared) if declared else "the default settings"
    if "seed" in run_settings:
        what += f", seed {run_settings['seed']}"
    used = set().union(*(conditions.names(o.when) for o in q.options if o.when))
    shown = ", ".join(f"{k} = {v:.3g}" for k, v in metrics.items() if k in used)
    return f"graded by your run of {q.lab} with {what}" + (f" — {shown}" if shown else "")


@dataclass
class PredictionResult:
    answer_id: int
    lesson_title: str
    correct: bool

    @property
    def note(self) -> str:
        verdict = "right ✓" if self.correct else "not right ✗"
        return f"Your prediction in “{self.lesson_title}” was {verdict}"


def grade_predictions(pending: Iterable, curriculum, lab_id: str, settings: dict[str, Any],
                      metrics: dict[str, float]) -> list[PredictionResult]:
    """The pending predictions (progress ``Answer`` rows) that a finished run of ``lab_id`` answers.

    A run grades a prediction only if it used the settings the question declares (the lab's
    defaults for everything the question does not name); pure: the caller stores the results.
    """
    defaults = lab_defaults(lab_id)
    results = []
    for ans in pending:
        lesson = curriculum.lesson(ans.lesson_id)
        q = lesson.question(ans.question_id) if lesson else None
        if q is None or q.lab != lab_id or not settings_match(settings, q.settings, defaults):
            continue
        result = grade_prediction(q, ans.answer, metrics)
        if result is not None:
            results.append(PredictionResult(ans.id, lesson.title, bool(result.correct)))
    return results


def expectation_note(met: bool | None, run_settings: dict[str, Any], defaults: dict[str, Any],
                     preset: dict[str, Any] | None = None) -> tuple[str, str]:
    """What a finished run's status line says about the lab's expectation, and its style.

    The expectation describes the default settings, so only a run with them is judged met or not
    met; a run with exactly a lesson's preset did what the lesson asked ("as the lesson describes").
    """
    if met is None:
        return "", ""
    if settings_match(run_settings, {}, defaults):
        return ("expectation met ✓", "green") if met else ("expectation not met ✗", "red")
    if preset and settings_match(run_settings, preset, defaults):
        return "as the lesson describes", ""
    if met:
        return "expectation met ✓", "green"
    return "other settings than the expectation's", "dim"
