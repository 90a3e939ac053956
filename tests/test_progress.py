"""The SQLite progress store: durability, sharing, recovery from foreign or damaged files."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dltui.progress import SCHEMA_VERSION, Store, StoreError, open_store


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "data" / "progress.sqlite3"


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 - test-only names


def _moved_aside(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if p.name.startswith(path.name + ".corrupt-")
                  and not p.name.endswith(("-wal", "-shm")))


# ---------------------------------------------------------------------------------------------
# persistence


def test_answers_and_positions_persist_across_reopen(db):
    with Store(db) as s:
        assert s.notice is None
        s.lesson_opened("t1_backprop")
        s.save_position("t1_backprop", 0.42)
        s.record_answer("t1_backprop", "q1", "single", 2, True)
        s.record_answer("t1_backprop", "q2", "multiple", [0, 3], False)
        s.record_answer("t1_backprop", "q3", "numeric", 0.25, True)
        s.mark_completed("t1_backprop")
    with Store(db) as s:
        assert s.notice is None
        assert s.position("t1_backprop") == pytest.approx(0.42)
        assert s.position("t1_unknown") == 0.0
        answers = s.latest_answers("t1_backprop")
        assert {k: (a.answer, a.correct, a.kind) for k, a in answers.items()} == {
            "q1": (2, True, "single"), "q2": ([0, 3], False, "multiple"), "q3": (0.25, True, "numeric")}
        p = s.lesson_progress()["t1_backprop"]
        assert p.opened and p.completed and p.position == pytest.approx(0.42)
        assert s.last_lesson() == "t1_backprop"


def test_latest_answer_wins(db):
    with Store(db) as s:
        s.record_answer("L", "q1", "single", 0, False)
        s.record_answer("L", "q1", "single", 1, True)
        latest = s.latest_answers("L")
        assert list(latest) == ["q1"]
        assert latest["q1"].answer == 1 and latest["q1"].correct is True
        assert s.latest_answers("other") == {}


def test_every_write_is_committed_at_once(db):
    first = Store(db)
    second = Store(db)
    try:
        aid = first.record_answer("L", "q1", "single", 1, True)
        first.save_position("L", 0.5)
        first.set_state("theme", "dark")
        run_id = first.record_run("spiral_classification", {"lr": 0.01}, {"acc": 0.9}, status="finished",
                                  seconds=1.0, steps=10, device="cpu")
        # another Store and a raw connection see everything while `first` is still open
        assert second.latest_answers("L")["q1"].id == aid
        assert second.position("L") == 0.5
        assert second.state("theme") == "dark"
        assert [r.id for r in second.runs()] == [run_id]
        with sqlite3.connect(db) as raw:
            assert raw.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 1
            assert raw.execute("SELECT position FROM lesson_state").fetchone()[0] == 0.5
        assert not first._conn.in_transaction
    finally:
        first.close()
        second.close()


def test_empty_file_is_fine(db):
    db.parent.mkdir(parents=True)
    db.write_bytes(b"")
    with Store(db) as s:
        assert s.notice is None
        s.record_answer("L", "q", "single", 0, True)
    assert _moved_aside(db) == []
    assert _count(db, "answers") == 1


def test_open_store_uses_progress_file_in_data_dir(tmp_path):
    with open_store(tmp_path / "somewhere") as s:
        assert s.path == tmp_path / "somewhere" / "progress.sqlite3"
    assert (tmp_path / "somewhere" / "progress.sqlite3").is_file()


def test_open_store_honours_env(tmp_path, monkeypatch):
    monkeypatch.setenv("DLTUI_DATA_DIR", str(tmp_path / "from-env"))
    with open_store() as s:
        assert s.path == tmp_path / "from-env" / "progress.sqlite3"


# ---------------------------------------------------------------------------------------------
# damaged and foreign files


def _check_moved(db: Path, store: Store, original: bytes) -> None:
    assert store.notice is not None
    moved = _moved_aside(db)
    assert len(moved) == 1, moved
    assert moved[0].name in store.notice
    assert moved[0].read_bytes() == original
    # and a fresh, working store took its place
    store.record_answer("L", "q", "single", 0, True)
    assert store.latest_answers("L")["q"].correct is True


def test_random_bytes_are_moved_aside(db):
    db.parent.mkdir(parents=True)
    original = random.Random(1).randbytes(8192)
    db.write_bytes(original)
    with Store(db) as s:
        _check_moved(db, s, original)
        assert "not an SQLite database" in s.notice
    with Store(db) as s:  # the fresh store is now a good one
        assert s.notice is None
        assert s.latest_answers("L")["q"].answer == 0


def test_foreign_sqlite_file_is_moved_aside(db):
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as other:
        other.execute("CREATE TABLE recipes (name TEXT, minutes INTEGER)")
        other.execute("INSERT INTO recipes VALUES ('soup', 30)")
    other.close()
    original = db.read_bytes()
    with Store(db) as s:
        _check_moved(db, s, original)
        assert "another program" in s.notice
    with sqlite3.connect(_moved_aside(db)[0]) as conn:
        assert conn.execute("SELECT name FROM recipes").fetchall() == [("soup",)]


def test_damaged_dltui_file_is_moved_aside(db):
    with Store(db) as s:
        for i in range(50):
            s.record_answer("L", f"q{i}", "single", i, True)
    data = bytearray(db.read_bytes())
    assert data[:16] == b"SQLite format 3\x00"
    data[100:len(data)] = random.Random(2).randbytes(len(data) - 100)  # keep the header, wreck the rest
    db.write_bytes(bytes(data))
    with Store(db) as s:
        _check_moved(db, s, bytes(data))
        assert s.latest_answers("L").keys() == {"q"}


def test_two_moves_in_the_same_second_do_not_collide(db):
    db.parent.mkdir(parents=True)
    for seed in (3, 4):
        db.write_bytes(random.Random(seed).randbytes(512))
        Store(db).close()
    assert len(_moved_aside(db)) == 2


def test_newer_schema_raises(db):
    Store(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 5,))
    conn.close()
    with pytest.raises(StoreError, match="newer dltui"):
        Store(db)
    assert _moved_aside(db) == []  # a newer store is not thrown away


# ---------------------------------------------------------------------------------------------
# sharing


def test_two_stores_writing_alternately(db):
    a, b = Store(db), Store(db)
    try:
        for i in range(20):
            a.record_answer("L", f"a{i}", "single", i, True)
            b.record_answer("L", f"b{i}", "single", i, False)
            a.save_position("L", i)
            b.record_run("lab", {}, {}, status="finished", seconds=0.1, steps=1, device="cpu")
        assert len(a.latest_answers("L")) == 40
        assert len(b.runs(limit=1000)) == 20
        assert b.position("L") == 19
    finally:
        a.close()
        b.close()
    assert _count(db, "answers") == 40


WRITER = textwrap.dedent("""
    import sys
    from dltui.progress import Store
    path, tag = sys.argv[1], sys.argv[2]
    with Store(path) as s:
        for i in range(50):
            s.record_answer("L", f"{tag}-{i}", "single", i, i % 2 == 0)
    print("ok")
""")


@pytest.mark.slow
def test_two_processes_writing_at_once(db):
    Store(db).close()  # create it first, so neither process races to build the schema
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), tag], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for tag in ("one", "two")]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.strip() == "ok"
    assert _count(db, "answers") == 100
    with Store(db) as s:
        latest = s.latest_answers("L")
        assert len(latest) == 100
        assert {k.split("-")[0] for k in latest} == {"one", "two"}


@pytest.mark.slow
def test_two_processes_creating_the_store_at_once(tmp_path):
    db = tmp_path / "fresh" / "progress.sqlite3"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), tag], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for tag in ("one", "two")]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert _count(db, "answers") == 100
    assert _count(db, "schema_version") == 1
    assert _moved_aside(db) == []


# ---------------------------------------------------------------------------------------------
# summaries


def test_lesson_progress_counts(db):
    with Store(db) as s:
        s.record_answer("A", "q1", "single", 0, False)
        s.record_answer("A", "q1", "single", 1, True)  # latest is right
        s.record_answer("A", "q2", "numeric", 3.0, False)
        s.record_answer("A", "q3", "predict", 1, None)  # waiting for its run
        s.record_answer("A", "q4", "multiple", [1], True)
        s.record_answer("B", "q1", "single", 1, True)
        s.record_answer("B", "q1", "single", 0, False)  # latest is wrong
        s.lesson_opened("C")
        prog = s.lesson_progress()
        a, b, c = prog["A"], prog["B"], prog["C"]
        assert (a.answered, a.correct, a.pending) == (4, 2, 1)
        assert (b.answered, b.correct, b.pending) == (1, 0, 0)
        assert (c.answered, c.correct, c.pending) == (0, 0, 0)
        assert c.opened and not a.opened  # A was answered but never opened
        assert not c.completed
        s.mark_completed("C")
        assert s.lesson_progress()["C"].completed
        s.mark_completed("C", False)
        assert not s.lesson_progress()["C"].completed
        assert "D" not in s.lesson_progress()


def test_pending_predictions_and_resolve(db):
    with Store(db) as s:
        p1 = s.record_answer("A", "p1", "predict", 0, None)
        p2 = s.record_answer("A", "p2", "predict", 2, None)
        s.record_answer("A", "q1", "single", 0, False)  # not a prediction
        old = s.record_answer("B", "p1", "predict", 1, None)
        new = s.record_answer("B", "p1", "predict", 0, None)  # only the latest counts
        assert {a.id for a in s.pending_predictions()} == {p1, p2, new}
        assert old not in {a.id for a in s.pending_predictions()}
        run = s.record_run("spiral_classification", {}, {"acc_linear": 0.5}, status="finished", seconds=1,
                           steps=5, device="cpu")
        s.resolve_prediction(p1, True, run)
        s.resolve_prediction(new, False, run)
        assert [a.id for a in s.pending_predictions()] == [p2]
        a = s.latest_answers("A")["p1"]
        assert a.correct is True and a.run_id == run
        assert s.latest_answers("B")["p1"].correct is False
        assert s.lesson_progress()["A"].pending == 1  # p2
    with Store(db) as s:
        assert [a.id for a in s.pending_predictions()] == [p2]


def test_runs_newest_first(db):
    with Store(db) as s:
        ids = [s.record_run(lab, {"n": i}, {"m": float(i)}, status="finished", seconds=i, steps=i,
                            device="cpu", expectation_met=i % 2 == 0, lesson_id="t1_x" if i == 0 else None)
               for i, lab in enumerate(["a", "b", "a", "c", "a"])]
        runs = s.runs()
        assert [r.id for r in runs] == ids[::-1]
        assert [r.id for r in s.runs("a")] == [ids[4], ids[2], ids[0]]
        assert [r.id for r in s.runs(limit=2)] == [ids[4], ids[3]]
        assert s.runs("nope") == []
        last = runs[-1]
        assert (last.lab_id, last.settings, last.metrics, last.status, last.steps, last.device) == (
            "a", {"n": 0}, {"m": 0.0}, "finished", 0, "cpu")
        assert last.expectation_met is True and last.lesson_id == "t1_x"
        assert runs[0].expectation_met is True and runs[1].expectation_met is False
        s.record_run("d", {}, {}, status="stopped", seconds=0, steps=0, device="cpu")
        assert s.runs()[0].expectation_met is None and s.runs()[0].status == "stopped"


def test_last_lesson(db):
    with Store(db) as s:
        assert s.last_lesson() is None
        s.lesson_opened("t1_a")
        s.lesson_opened("t2_b")
        assert s.last_lesson() == "t2_b"
        s.lesson_opened("t1_a")
        assert s.last_lesson() == "t1_a"
    with Store(db) as s:
        assert s.last_lesson() == "t1_a"


def test_reopening_a_lesson_keeps_first_opened_and_position(db):
    with Store(db) as s:
        s.lesson_opened("L")
        s.save_position("L", 0.7)
        s.lesson_opened("L")
        assert s.position("L") == 0.7
        with sqlite3.connect(db) as raw:
            first, last = raw.execute("SELECT first_opened, last_opened FROM lesson_state").fetchone()
        assert first <= last
