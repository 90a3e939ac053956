"""Grading quiz answers, reading typed numbers, and the safe conditions of predict questions."""

from __future__ import annotations

import pytest

from dltui import conditions
from dltui.curriculum import Mistake, Option, Question
from dltui.quiz import format_answer, grade, grade_prediction, parse_number, right_predictions


def choice(kind: str, correct: set[int], n: int = 4) -> Question:
    opts = [Option(text=f"option {i}", explain=f"why {i}", correct=i in correct) for i in range(n)]
    return Question(id="q", kind=kind, prompt="?", line=1, options=opts)


def numeric(answer: float, tolerance: float, mistakes=(), unit: str = "") -> Question:
    return Question(id="n", kind="numeric", prompt="?", line=1, answer=answer, tolerance=tolerance,
                    unit=unit, explain="worked", mistakes=[Mistake(v, e) for v, e in mistakes])


def predict(*whens: str) -> Question:
    opts = [Option(text=f"o{i}", explain="e", when=w) for i, w in enumerate(whens)]
    return Question(id="p", kind="predict", prompt="?", line=1, options=opts, lab="spiral_classification")


# ---------------------------------------------------------------------------------------------
# single / multiple


def test_single_right_and_wrong():
    q = choice("single", {2})
    right = grade(q, 2)
    assert right.correct is True and right.right == {2}
    wrong = grade(q, 0)
    assert wrong.correct is False and wrong.right == {2}
    assert grade(q, 7).correct is False


def test_multiple_needs_exactly_the_right_set():
    q = choice("multiple", {0, 3})
    assert grade(q, {0, 3}).correct is True
    assert grade(q, [3, 0]).correct is True
    assert grade(q, {0}).correct is False  # too few
    assert grade(q, {0, 1, 3}).correct is False  # too many
    assert grade(q, set()).correct is False
    assert grade(q, {1}).right == {0, 3}


# ---------------------------------------------------------------------------------------------
# numeric


def test_numeric_tolerance_edges_are_inclusive():
    q = numeric(2.0, 0.5)  # exactly representable, so the edges are exact
    assert grade(q, 2.0).correct is True
    assert grade(q, 2.5).correct is True
    assert grade(q, 1.5).correct is True
    assert grade(q, 2.5000001).correct is False
    assert grade(q, 1.4999999).correct is False
    assert grade(q, -2.0).correct is False


def test_numeric_grade_has_no_option_indices():
    g = grade(numeric(0.25, 0.01), 0.25)
    assert g.correct is True and g.right == set() and g.feedback == ""


def test_numeric_mistake_feedback():
    q = numeric(0.5, 0.01, mistakes=[(1.0, "That is e⁰ itself."), (0.0, "Zero is σ(−∞).")])
    assert grade(q, 1.0).feedback == "That is e⁰ itself."
    assert grade(q, 1.005).feedback == "That is e⁰ itself."  # within tolerance of the mistake
    assert grade(q, 0.003).feedback == "Zero is σ(−∞)."
    assert grade(q, 1.1).feedback == ""  # wrong, but no known mistake
    right = grade(q, 0.5)
    assert right.correct is True and right.feedback == ""  # a right answer gets no mistake text


def test_numeric_accepts_text_numbers_from_parse():
    assert grade(numeric(0.25, 0.001), parse_number("1/4")).correct is True
    assert grade(numeric(0.25, 0.001), parse_number("25%")).correct is True


# ---------------------------------------------------------------------------------------------
# parse_number


@pytest.mark.parametrize("text,value", [
    ("0.5", 0.5), (".5", 0.5), ("1/4", 0.25), ("25%", 0.25), ("1,000", 1000.0), (" 3 ", 3.0), ("-2", -2.0),
    ("1e-3", 0.001), ("−0.5", -0.5), ("12.5 %", 0.125), ("3/ 4", 0.75), ("7", 7.0),
])
def test_parse_number(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "   ", "abc", "1/x", "%", "0.5.5", "one half", "/2"])
def test_parse_number_rejects(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_parse_number_divide_by_zero_raises():
    with pytest.raises((ValueError, ZeroDivisionError)):
        parse_number("1/0")


# ---------------------------------------------------------------------------------------------
# predict


def test_predict_is_pending_until_the_run():
    q = predict("acc_linear < 0.65", "acc_linear >= 0.65")
    g = grade(q, 0)
    assert g.correct is None and g.right == set()


def test_right_predictions_from_metrics():
    q = predict("acc_linear < 0.65", "acc_linear >= 0.65 and acc_hidden >= 0.9", "acc_hidden < 0.9")
    assert right_predictions(q, {"acc_linear": 0.5, "acc_hidden": 0.95}) == {0}
    assert right_predictions(q, {"acc_linear": 0.7, "acc_hidden": 0.95}) == {1}
    assert right_predictions(q, {"acc_linear": 0.5, "acc_hidden": 0.5}) == {0, 2}
    assert right_predictions(q, {"acc_linear": 0.7, "acc_hidden": 0.5}) == {2}


def test_right_predictions_missing_metric_is_none():
    q = predict("acc_linear < 0.65", "acc_hidden >= 0.9")
    assert right_predictions(q, {"acc_linear": 0.5}) is None
    assert right_predictions(q, {}) is None
    assert grade_prediction(q, 0, {"acc_linear": 0.5}) is None


def test_grade_prediction():
    q = predict("acc_linear < 0.65", "acc_linear >= 0.65")
    g = grade_prediction(q, 0, {"acc_linear": 0.4})
    assert g.correct is True and g.right == {0}
    g = grade_prediction(q, 1, {"acc_linear": 0.4})
    assert g.correct is False and g.right == {0}
    assert grade_prediction(q, 1, {"acc_linear": 0.65}).correct is True  # boundary belongs to >=


def test_format_answer():
    q = choice("single", {1})
    assert format_answer(q, 1) == "option 1"
    assert format_answer(choice("multiple", {0}), {2, 0}) == "option 0; option 2"
    assert format_answer(numeric(0.5, 0.1, unit="s"), 0.5) == "0.5 s"
    assert format_answer(numeric(0.5, 0.1), 0.25) == "0.25"


def test_unknown_kind_raises():
    q = Question(id="x", kind="essay", prompt="?", line=1)
    with pytest.raises(ValueError):
        grade(q, "anything")


# ---------------------------------------------------------------------------------------------
# conditions


@pytest.mark.parametrize("text,metrics,expected", [
    ("a < 1", {"a": 0.5}, True),
    ("a < 1", {"a": 1}, False),
    ("a <= 1", {"a": 1}, True),
    ("a > 1", {"a": 1}, False),
    ("a >= 1", {"a": 1}, True),
    ("a == 2", {"a": 2.0}, True),
    ("a != 2", {"a": 2.0}, False),
    ("a > 0 and b > 0", {"a": 1, "b": 1}, True),
    ("a > 0 and b > 0", {"a": 1, "b": -1}, False),
    ("a > 0 or b > 0", {"a": -1, "b": 1}, True),
    ("a > 0 or b > 0", {"a": -1, "b": -1}, False),
    ("not a > 0", {"a": 1}, False),
    ("not (a > 0 and b > 0)", {"a": 1, "b": -1}, True),
    ("0.35 <= a < 0.65", {"a": 0.5}, True),
    ("0.35 <= a < 0.65", {"a": 0.65}, False),
    ("0.35 <= a < 0.65", {"a": 0.2}, False),
    ("a < b < c", {"a": 1, "b": 2, "c": 3}, True),
    ("a < b < c", {"a": 1, "b": 3, "c": 2}, False),
    ("a > -1", {"a": -0.5}, True),
    ("a < 0.35 or (a >= 0.65 and a < 0.9)", {"a": 0.7}, True),
    ("a < 0.35 or (a >= 0.65 and a < 0.9)", {"a": 0.5}, False),
    ("a > 1e-3", {"a": 0.01}, True),
])
def test_evaluate(text, metrics, expected):
    assert conditions.evaluate(text, metrics) is expected


def test_names():
    assert conditions.names("acc_lstm >= 0.9 and acc_rnn < 0.7") == {"acc_lstm", "acc_rnn"}
    assert conditions.names("0.1 < loss < 0.5 or not loss > 2") == {"loss"}
    assert conditions.names("1 < 2") == set()


def test_evaluate_missing_metric():
    with pytest.raises(conditions.MissingMetric):
        conditions.evaluate("a > 0 and b > 0", {"a": 1})


@pytest.mark.parametrize("text", [
    "__import__('os') == 0",
    "__import__('os').system('true')",
    "a.real > 0",
    "a.__class__ == 1",
    "f(a) > 1",
    "a == 'x'",
    "'abc'",
    "a > True",
    "a[0] > 1",
    "a + 1 > 2",
    "a * 2 > 1",
    "lambda: 1",
    "[a] == [1]",
    "a if b else c",
    "(a := 1) > 0",
    "a > 0 and",
    "",
    "a >",
])
def test_parse_rejects(text):
    with pytest.raises(conditions.ConditionError):
        conditions.parse(text)
    with pytest.raises(conditions.ConditionError):
        conditions.evaluate(text, {"a": 1, "b": 1, "c": 1, "f": 1})


def test_parse_accepts_the_documented_forms():
    tree = conditions.parse("acc_linear < 0.35 or (acc_linear >= 0.65 and acc_linear < 0.9)")
    assert tree is not None
    assert conditions.parse("not -a < 0")


def test_numeric_tolerance_edge_with_decimal_fractions():
    q = numeric(0.3, 0.1)
    assert grade(q, 0.2).correct is True
    assert grade(q, 0.4).correct is True
    assert grade(numeric(0.5, 0.01), 0.51).correct is True
