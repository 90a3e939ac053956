"""Review cards and their log in the progress store: created by answers, moved by a fake clock,
seeded from a store made before review existed."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest

from dltui import progress
from dltui.progress import Store
from dltui.review import Reviewer, summarize
from fake_clock import T0, FakeClock


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def store(tmp_path, clock):
    s = Store(tmp_path / "progress.sqlite3")
    s.clock = clock
    yield s
    s.close()


def test_first_answer_makes_a_card_and_later_answers_do_not_move_it(store, clock):
    store.record_answer("t1_demo", "relu-kink", "single", 1, False)
    card = store.review_card("t1_demo/relu-kink")
    assert card is not None and card.lesson_id == "t1_demo" and card.question_id == "relu-kink"
    clock.advance(minutes=1)
    store.record_answer("t1_demo", "relu-kink", "single", 0, True)  # right after "Try again": still Again
    assert store.review_card("t1_demo/relu-kink").card == card.card
    assert [(e.key, e.rating, e.interval) for e in store.review_log()] == [("t1_demo/relu-kink", 1, 600.0)]


def test_predictions_and_ungraded_answers_make_no_card(store):
    store.record_answer("t1_demo", "predict-linear", "predict", 0, None)
    store.resolve_prediction(1, True, 1)
    assert store.review_cards() == {}


def test_wrong_is_due_after_eleven_minutes_right_is_not_due_a_day_later(store, clock):
    store.record_answer("L", "wrong", "numeric", 1.0, False)
    store.record_answer("L", "right", "single", 0, True)
    assert store.due_cards() == []
    clock.advance(minutes=11)
    assert [c.key for c in store.due_cards()] == ["L/wrong"]
    assert store.due_counts() == {"L": (1, 2)}  # one due now, both within a week
    outcome = store.reviewer().review(store.review_card("L/wrong").card, True)
    store.save_review("L/wrong", outcome)
    assert outcome.comes_back == "in 1 day"
    clock.advance(hours=23)
    assert store.due_cards() == []
    assert len(store.review_log()) == 3


def test_a_lapse_brings_a_learnt_card_back_in_ten_minutes(store, clock):
    store.record_answer("L", "q", "single", 0, True)
    for _ in range(3):
        clock.now = datetime.fromtimestamp(store.review_card("L/q").due, timezone.utc)
        store.save_review("L/q", store.reviewer().review(store.review_card("L/q").card, True))
    long_interval = store.review_log()[-1].interval
    assert long_interval > 7 * 86400
    clock.now = datetime.fromtimestamp(store.review_card("L/q").due, timezone.utc)
    store.save_review("L/q", store.reviewer().review(store.review_card("L/q").card, False))
    assert store.review_log()[-1].rating == 1 and store.review_log()[-1].interval == 600
    clock.advance(minutes=10)
    assert [c.key for c in store.due_cards()] == ["L/q"]


def test_retention_is_kept_and_checked(store):
    assert store.review_retention() == 0.9
    store.set_review_retention(0.85)
    assert store.review_retention() == 0.85 and store.reviewer().retention == 0.85
    with pytest.raises(ValueError, match="from 0.7 to 0.99"):
        store.set_review_retention(0.5)
    assert store.review_retention() == 0.85
    store.set_state(progress.RETENTION_KEY, "nonsense")
    assert store.review_retention() == 0.9


def test_mastery_needs_every_answer_right_and_fresh(store, clock, fixture_curriculum):
    for qid, kind, answer in [("sigmoid-zero", "numeric", 0.5), ("relu-kink", "single", 0),
                              ("linear-maps", "multiple", [0, 2])]:
        store.record_answer("t1_demo", qid, kind, answer, True)

    def demo():
        themes = summarize(fixture_curriculum, store.latest_results(), {k: c.card for k, c in
                                                                        store.review_cards().items()},
                           store.reviewer(), clock())
        return next(le for t in themes for le in t.lessons if le.lesson_id == "t1_demo")

    assert not demo().mastered and demo().answered == 3  # the prediction is not answered yet
    store.record_answer("t1_demo", "predict-linear", "predict", 0, None)
    store.resolve_prediction(4, True, 1)
    assert demo().mastered and demo().cards == 3 and demo().due_now == 0
    clock.advance(days=30)  # retrievability falls under 0.9 long before a month
    faded = demo()
    assert not faded.mastered and faded.due_now == 3 and faded.right == 4


def _old_store(path, version: int) -> None:
    """A store exactly as an earlier release left it: its schema's SQL and some answers."""
    with sqlite3.connect(path) as conn:
        for sql in progress.MIGRATIONS[:version]:
            conn.executescript(sql)
        conn.execute("INSERT INTO dltui_meta VALUES ('app', ?)", (progress.APP_MARKER,))
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (?)", (version,))
        t = T0.timestamp()
        rows = [("t1_demo", "relu-kink", "single", "1", 0, t), ("t1_demo", "relu-kink", "single", "0", 1, t + 60),
                ("t1_demo", "sigmoid-zero", "numeric", "0.5", 1, t + 120),
                ("t1_demo", "predict-linear", "predict", "0", None, t + 180),
                ("t2_other", "second", "single", "0", 1, t + 240)]
        conn.executemany("INSERT INTO answers (lesson_id, question_id, kind, answer, correct, answered_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)", rows)
        conn.execute("INSERT INTO lesson_state VALUES ('t1_demo', ?, ?, 0.5, 1)", (t, t))
        conn.execute("INSERT INTO runs (lab_id, settings, metrics, status, seconds, steps, device, "
                     "finished_at) VALUES ('x', '{}', '{}', 'finished', 1, 1, 'cpu', ?)", (t,))
        conn.execute("INSERT INTO app_state VALUES ('last_lesson', 't1_demo')")
        if version >= 2:
            conn.execute("INSERT INTO exercise_state VALUES ('ex1', ?, 2, ?)", (t, t + 300))
    conn.close()


@pytest.mark.parametrize("version", [1, 2])
def test_store_of_an_earlier_release_keeps_everything_and_seeds_cards(tmp_path, version):
    path = tmp_path / "progress.sqlite3"
    _old_store(path, version)
    with Store(path) as s:
        assert s.notice is None and s.problem is None
        assert set(s.latest_answers("t1_demo")) == {"relu-kink", "sigmoid-zero", "predict-linear"}
        assert s.position("t1_demo") == 0.5 and s.last_lesson() == "t1_demo" and len(s.runs()) == 1
        cards = s.review_cards()
        given_up = {"exercise/ex1"} if version >= 2 else set()
        assert set(cards) == {"t1_demo/relu-kink", "t1_demo/sigmoid-zero", "t2_other/second"} | given_up
        log = {e.key: e for e in s.review_log()}
        assert log["t1_demo/relu-kink"].rating == 1  # its first graded try was wrong
        assert log["t1_demo/relu-kink"].reviewed_at == T0.timestamp()
        assert log["t1_demo/sigmoid-zero"].rating == 3 and log["t2_other/second"].rating == 3
        assert cards["t1_demo/relu-kink"].due == T0.timestamp() + 600
    with Store(path) as s:  # opening again seeds nothing twice
        assert len(s.review_log()) == 3 + len(given_up)
        assert s.exercise_states().get("ex1") is None or s.exercise_states()["ex1"].hints_used == 2
        assert s._rows("SELECT version FROM schema_version")[0][0] == progress.SCHEMA_VERSION


def test_a_disk_fault_while_reviewing_keeps_the_review_in_memory(store, clock, monkeypatch):
    store.record_answer("L", "q", "single", 0, False)
    clock.advance(minutes=11)
    outcome = store.reviewer().review(store.review_card("L/q").card, True)
    real = store._conn

    class Full:
        def __getattr__(self, name):
            return getattr(real, name)

        def execute(self, sql, *a):
            if sql.startswith("INSERT"):
                raise sqlite3.OperationalError("database or disk is full")
            return real.execute(sql, *a)

    store._conn = Full()
    store.save_review("L/q", outcome)
    assert store.problem and "disk" in store.problem
    assert store.due_cards() == [] and len(store.review_log()) == 2  # the review was kept


def test_reviewer_uses_the_store_clock(store, clock):
    assert isinstance(store.reviewer(), Reviewer) and store.reviewer().clock is clock


def test_a_given_up_exercise_becomes_a_card_that_its_next_due_check_run_reviews(store, clock):
    store.record_exercise_attempt("ex1", False, 1, 3, 0.5)
    assert store.review_cards() == {}  # failing attempts alone do not make a card
    store.record_give_up("ex1")
    store.record_give_up("ex1")  # once only
    assert [(e.key, e.rating, e.interval) for e in store.review_log()] == [("exercise/ex1", 1, 600.0)]
    store.record_exercise_attempt("ex1", True, 3, 3, 0.5)  # not due yet: no review
    assert len(store.review_log()) == 1
    clock.advance(minutes=11)
    assert [c.key for c in store.due_cards()] == ["exercise/ex1"]
    store.record_exercise_attempt("ex1", True, 3, 3, 0.5)
    assert store.review_log()[-1].rating == 3 and store.due_cards() == []
    assert store.exercise_states()["ex1"].attempts == 3
