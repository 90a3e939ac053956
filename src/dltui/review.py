"""Spaced review of answered questions with FSRS, and lesson mastery. Pure: no textual, no torch.

Every question a learner answers becomes a card. Quiz answers are graded by dltui, not by the
learner, so the ratings follow the FSRS maintainers' advice for auto-graded items: right → Good,
wrong → Again. The card's scheduling state is kept as FSRS's own dict (``Card.to_dict``) so the
store can hold it as JSON and rebuild the object; ``fsrs`` is imported only when a card is
reviewed or measured, never on the way to the first frame.

Time comes from one injectable clock (a callable returning an aware UTC datetime), so tests move
time instead of waiting for it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable

Clock = Callable[[], datetime]

DEFAULT_RETENTION = 0.9
RETENTION_RANGE = (0.7, 0.99)
MASTERY_RETRIEVABILITY = 0.9
# One short step: a wrong answer comes back after ten minutes; a right one graduates at once to
# an interval of days (FSRS's default two learning steps would re-ask a right answer within minutes).
LEARNING_STEPS = (timedelta(minutes=10),)
RELEARNING_STEPS = (timedelta(minutes=10),)
REVIEWABLE_KINDS = ("single", "multiple", "numeric")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


ENV_NOW = "DLTUI_NOW"
_SHIFT = re.compile(r"([+-])(\d+(?:\.\d+)?)([mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def env_clock() -> Clock:
    """The clock of the app and the CLI: real time, unless ``DLTUI_NOW`` is set, which is for tests
    and hand checks only: an ISO time ("2026-03-01T09:00") fixes the clock there, a shift ("+11m",
    "+3d", "-2h") moves real time by that much. Anything else is ignored."""
    text = os.environ.get(ENV_NOW, "").strip()
    shift = _SHIFT.fullmatch(text)
    if shift:
        sign, amount, unit = shift.groups()
        delta = timedelta(**{_UNITS[unit]: float(amount)}) * (1 if sign == "+" else -1)
        return lambda: utc_now() + delta
    if text:
        try:
            fixed = parse_time(text)
        except ValueError:
            return utc_now
        return lambda: fixed
    return utc_now


def card_key(lesson_id: str, question_id: str) -> str:
    return f"{lesson_id}/{question_id}"


# Exercises join review only once given up, as "re-run your solution" cards; the next check run
# after the card is due grades it (every check passes → Good, else Again).
EXERCISE_CARDS = "exercise"


def exercise_key(exercise_id: str) -> str:
    return card_key(EXERCISE_CARDS, exercise_id)


def split_key(key: str) -> tuple[str, str]:
    lesson_id, _, question_id = key.partition("/")
    return lesson_id, question_id


def check_retention(value: float) -> float:
    low, high = RETENTION_RANGE
    if not low <= value <= high:
        raise ValueError(f"retention {value:g} is out of range; allowed: a number from {low:g} to {high:g}")
    return value


@dataclass(frozen=True)
class Outcome:
    """One review: the card's new state, its next due time and what the learner is told."""

    card: dict[str, Any]
    due: datetime
    rating: int  # fsrs.Rating value: 1 Again, 3 Good
    reviewed_at: datetime
    interval: timedelta

    @property
    def comes_back(self) -> str:
        return describe_interval(self.interval)


class Reviewer:
    """FSRS with dltui's steps and retention, driven by an injectable clock."""

    def __init__(self, retention: float = DEFAULT_RETENTION, clock: Clock = utc_now) -> None:
        self.retention = check_retention(retention)
        self.clock = clock
        self._scheduler = None

    @property
    def scheduler(self):
        if self._scheduler is None:
            from fsrs import Scheduler

            # No fuzz: the learner (and the tests) see the interval FSRS computed, not a jittered one.
            self._scheduler = Scheduler(desired_retention=self.retention, learning_steps=LEARNING_STEPS,
                                        relearning_steps=RELEARNING_STEPS, enable_fuzzing=False)
        return self._scheduler

    def review(self, card: dict[str, Any] | None, correct: bool, when: datetime | None = None) -> Outcome:
        """Rate a card (a new one when ``card`` is None) as Good if right, Again if wrong."""
        from fsrs import Card, Rating

        when = when or self.clock()
        fcard = Card.from_dict(card) if card else Card(due=when)
        rating = Rating.Good if correct else Rating.Again
        new, _log = self.scheduler.review_card(fcard, rating, review_datetime=when)
        return Outcome(new.to_dict(), new.due, int(rating), when, new.due - when)

    def retrievability(self, card: dict[str, Any], when: datetime | None = None) -> float:
        from fsrs import Card

        return float(self.scheduler.get_card_retrievability(Card.from_dict(card), when or self.clock()))


def parse_time(text: str) -> datetime:
    t = datetime.fromisoformat(text)
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def is_due(card: dict[str, Any], now: datetime) -> bool:
    return parse_time(card["due"]) <= now


def describe_interval(interval: timedelta) -> str:
    """'again in 10 min', 'in 4 days': what the review screen says when a card comes back."""
    seconds = max(0, round(interval.total_seconds()))
    if seconds < 3600:
        minutes = max(1, round(seconds / 60))
        return f"again in {minutes} min"
    if seconds < 86400:
        hours = round(seconds / 3600)
        return f"in {hours} hour{'s' if hours != 1 else ''}"
    days = round(seconds / 86400)
    if days < 60:
        return f"in {days} day{'s' if days != 1 else ''}"
    months = round(days / 30)
    return f"in {months} months" if days < 730 else f"in {round(days / 365)} years"


def first_rating_correct(attempts: Iterable[bool | None]) -> bool | None:
    """A lesson question's first review: right only if the learner's first graded try was right
    (a right answer that needed "Try again" counts as Again). None: no graded attempt yet."""
    for ok in attempts:
        if ok is not None:
            return bool(ok)
    return None


@dataclass(frozen=True)
class Mastery:
    questions: int
    answered: int
    right: int
    mastered: bool


def lesson_mastery(question_ids: Iterable[str], latest_correct: dict[str, bool | None],
                   retrievability: dict[str, float]) -> Mastery:
    """A lesson is mastered when every question's latest answer is right and every one of its
    cards is still likely to be recalled (retrievability ≥ 0.9). Questions without a card
    (predictions) count through their answer alone."""
    ids = list(question_ids)
    answered = [q for q in ids if latest_correct.get(q) is not None]
    right = [q for q in ids if latest_correct.get(q) is True]
    fresh = all(retrievability.get(q, 1.0) >= MASTERY_RETRIEVABILITY for q in ids)
    return Mastery(len(ids), len(answered), len(right), bool(ids) and len(right) == len(ids) and fresh)


# -- what home, `dltui progress` and `dltui review` show --------------------------------------

WEEK = timedelta(days=7)


def end_of_day(now: datetime) -> datetime:
    """Midnight after ``now`` in the learner's own time zone: "to review today" counts up to it."""
    local = now.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


@dataclass
class LessonReview:
    lesson_id: str
    questions: int
    answered: int
    right: int
    mastered: bool
    cards: int
    due_now: int
    due_today: int
    due_7d: int


@dataclass
class ThemeReview:
    theme_id: str
    title: str
    lessons: list[LessonReview]
    exercises: dict[str, int] | None = None  # the theme's exercise cards: cards, due_now, due_today, due_7d

    def total(self, field: str) -> int:
        return sum(int(getattr(le, field)) for le in self.lessons) + (self.exercises or {}).get(field, 0)


def summarize(curriculum, latest: dict[str, dict[str, bool | None]], cards: dict[str, dict[str, Any]],
              reviewer: Reviewer, now: datetime | None = None,
              exercise_themes: dict[str, str] | None = None) -> list[ThemeReview]:
    """Mastery and due counts of every lesson, by theme, from the latest answers
    (lesson → question → right?) and the cards (card key → FSRS card dict); exercise cards count
    in their theme (``exercise_themes``: exercise id → theme id). Cards of questions no longer
    in the course are not counted."""
    now = now or reviewer.clock()
    today, week = end_of_day(now), now + WEEK
    exercise_counts: dict[str, dict[str, int]] = {}
    for key, card in cards.items():
        group, exercise_id = split_key(key)
        theme_id = (exercise_themes or {}).get(exercise_id) if group == EXERCISE_CARDS else None
        if theme_id is not None:
            due = parse_time(card["due"])
            counts = exercise_counts.setdefault(theme_id, {})
            for field, hit in (("cards", True), ("due_now", due <= now), ("due_today", due < today),
                               ("due_7d", due <= week)):
                counts[field] = counts.get(field, 0) + int(hit)
    themes = []
    for theme in curriculum.themes:
        rows = []
        for lesson in theme.lessons:
            answers = latest.get(lesson.id, {})
            ids = [q.id for q in lesson.questions]
            own = {q.id: cards[card_key(lesson.id, q.id)] for q in lesson.questions
                   if q.kind in REVIEWABLE_KINDS and card_key(lesson.id, q.id) in cards}
            all_right = bool(ids) and all(answers.get(q) is True for q in ids)
            # Retrievability only matters (and is only computed) once every answer is right.
            fresh = {q: reviewer.retrievability(c, now) for q, c in own.items()} if all_right else {}
            m = lesson_mastery(ids, answers, fresh)
            dues = [parse_time(c["due"]) for c in own.values()]
            rows.append(LessonReview(lesson.id, m.questions, m.answered, m.right, m.mastered, len(own),
                                     sum(d <= now for d in dues), sum(d < today for d in dues),
                                     sum(d <= week for d in dues)))
        themes.append(ThemeReview(theme.id, theme.title, rows, exercise_counts.get(theme.id)))
    return themes
