"""The FSRS wrapper and mastery, driven by a fake clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dltui.review import (Reviewer, check_retention, describe_interval, first_rating_correct, is_due,
                          lesson_mastery)
from fake_clock import T0, FakeClock


def test_wrong_answer_comes_back_after_ten_minutes():
    clock = FakeClock()
    reviewer = Reviewer(clock=clock)
    out = reviewer.review(None, correct=False)
    assert out.rating == 1 and out.comes_back == "again in 10 min"
    clock.advance(minutes=9)
    assert not is_due(out.card, clock())
    clock.advance(minutes=2)
    assert is_due(out.card, clock())


def test_right_answer_is_not_due_the_next_day():
    clock = FakeClock()
    out = Reviewer(clock=clock).review(None, correct=True)
    assert out.rating == 3
    clock.advance(days=1)
    assert not is_due(out.card, clock())
    assert out.interval >= timedelta(days=2)


def test_intervals_grow_with_right_answers_and_a_lapse_resets_them():
    clock = FakeClock()
    reviewer = Reviewer(clock=clock)
    card, intervals = None, []
    for _ in range(4):
        out = reviewer.review(card, correct=True)
        card, intervals = out.card, intervals + [out.interval]
        clock.now = out.due
    assert intervals == sorted(intervals) and intervals[-1] > 4 * intervals[0]
    lapse = reviewer.review(card, correct=False)
    assert lapse.interval == timedelta(minutes=10)
    assert lapse.card["stability"] < card["stability"]


def test_retrievability_decays_and_lower_retention_means_longer_intervals():
    clock = FakeClock()
    strict, lax = Reviewer(0.95, clock=clock), Reviewer(0.8, clock=clock)
    card = strict.review(None, correct=True).card
    assert strict.retrievability(card, T0) == pytest.approx(1.0)
    assert strict.retrievability(card, T0 + timedelta(days=30)) < 0.8
    assert lax.review(None, True).interval > strict.review(None, True).interval


@pytest.mark.parametrize("value", [0.5, 0.995, 1.2])
def test_retention_out_of_range_is_refused_with_the_range(value):
    with pytest.raises(ValueError, match="from 0.7 to 0.99"):
        check_retention(value)


def test_a_right_answer_after_try_again_counts_as_wrong():
    assert first_rating_correct([False, True]) is False
    assert first_rating_correct([None, True]) is True
    assert first_rating_correct([]) is None


def test_mastery_needs_every_question_right_and_fresh():
    ids = ["a", "b"]
    assert lesson_mastery(ids, {"a": True, "b": True}, {"a": 0.95, "b": 0.99}).mastered
    assert not lesson_mastery(ids, {"a": True, "b": False}, {"a": 0.95, "b": 0.99}).mastered
    assert not lesson_mastery(ids, {"a": True}, {"a": 0.95}).mastered
    faded = lesson_mastery(ids, {"a": True, "b": True}, {"a": 0.95, "b": 0.89})
    assert not faded.mastered and faded.right == 2 and faded.answered == 2
    assert not lesson_mastery([], {}, {}).mastered


@pytest.mark.parametrize("interval, text", [
    (timedelta(minutes=10), "again in 10 min"),
    (timedelta(seconds=20), "again in 1 min"),
    (timedelta(hours=5), "in 5 hours"),
    (timedelta(days=1), "in 1 day"),
    (timedelta(days=4, hours=2), "in 4 days"),
    (timedelta(days=120), "in 4 months"),
])
def test_describe_interval(interval, text):
    assert describe_interval(interval) == text
