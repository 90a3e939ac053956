"""The progress store: one SQLite file per data folder. Pure: no textual, no torch.

Every write is its own committed transaction, so quitting at any moment loses nothing that was
already answered or finished. WAL mode and a busy timeout let two dltui processes share the file.

Faults (the repairs live in :mod:`dltui.progress_repair`; ``Store.notice`` tells the learner):
- a file that is not a dltui store (another program's, or unreadable) is moved aside to
  ``<name>.corrupt-<timestamp>`` and a fresh store is started; a damaged dltui store first has
  every readable row salvaged into the fresh one;
- a hot rollback journal (a ``kill -9`` mid-transaction) is rolled back, as SQLite does read-write;
- a ``-wal`` written by another copy of the store is moved aside before SQLite could apply it;
- a read-only folder is a :class:`StoreError` (nothing can be saved there);
- any error while the app runs (disk full, read-only file, damaged store) switches the store to an
  in-memory copy of everything readable, so the session keeps all it shows; ``Store.problem`` says
  why and ``Store.on_problem`` is called once.
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from dltui import progress_repair as repair
from dltui import review

APP_MARKER = "dltui-progress"

# One entry per schema version; a store at version N gets MIGRATIONS[N:] applied in order.
# Append new versions; never edit or renumber a released one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE dltui_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE lesson_state (
        lesson_id TEXT PRIMARY KEY,
        first_opened REAL NOT NULL,
        last_opened REAL NOT NULL,
        position REAL NOT NULL DEFAULT 0,
        completed INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        lesson_id TEXT NOT NULL,
        question_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        answer TEXT NOT NULL,
        correct INTEGER,
        run_id INTEGER,
        answered_at REAL NOT NULL
    );
    CREATE INDEX answers_by_question ON answers (lesson_id, question_id, id);
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        lab_id TEXT NOT NULL,
        lesson_id TEXT,
        settings TEXT NOT NULL,
        metrics TEXT NOT NULL,
        status TEXT NOT NULL,
        seconds REAL NOT NULL,
        steps INTEGER NOT NULL,
        device TEXT NOT NULL,
        expectation_met INTEGER,
        finished_at REAL NOT NULL
    );
    CREATE INDEX runs_by_lab ON runs (lab_id, id);
    CREATE TABLE app_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: exercises (the first-pass time is the earliest passing attempt)
    """
    CREATE TABLE exercise_attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        exercise_id TEXT NOT NULL,
        passed INTEGER NOT NULL,
        checks_passed INTEGER NOT NULL,
        checks_total INTEGER NOT NULL,
        seconds REAL NOT NULL,
        source TEXT NOT NULL,
        attempted_at REAL NOT NULL
    );
    CREATE INDEX exercise_attempts_by_exercise ON exercise_attempts (exercise_id, id);
    CREATE TABLE exercise_state (
        exercise_id TEXT PRIMARY KEY,
        first_opened REAL NOT NULL,
        hints_used INTEGER NOT NULL DEFAULT 0,
        gave_up REAL
    );
    """,
    # 3: spaced review (card key "lesson_id/question_id"; card: FSRS's Card.to_dict as JSON; times
    # in epoch seconds like the other tables). Existing answers seed the cards (see _seed_review_cards).
    """
    CREATE TABLE review_cards (
        card_key TEXT PRIMARY KEY,
        card TEXT NOT NULL,
        due REAL NOT NULL,
        state INTEGER NOT NULL,
        last_review REAL
    );
    CREATE INDEX review_cards_by_due ON review_cards (due);
    CREATE TABLE review_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        card_key TEXT NOT NULL,
        reviewed_at REAL NOT NULL,
        rating INTEGER NOT NULL,
        interval REAL NOT NULL
    );
    CREATE INDEX review_log_by_card ON review_log (card_key, id);
    """,
]
REVIEW_SCHEMA = 3  # the first schema with review tables
SCHEMA_VERSION = len(MIGRATIONS)
# Tables that hold the learner's data, as opposed to bookkeeping (dltui_meta, schema_version).
BOOKKEEPING = {"dltui_meta", "schema_version", "sqlite_sequence"}
TABLE_LABELS = {"answers": ("answer", "answers"), "runs": ("lab run", "lab runs"),
                "lesson_state": ("lesson's reading position", "lessons' reading positions"),
                "app_state": ("setting", "settings"), "exercise_attempts": ("exercise attempt", "exercise attempts"),
                "exercise_state": ("exercise's hint record", "exercises' hint records"),
                "review_cards": ("review card", "review cards"), "review_log": ("review", "reviews")}
RETENTION_KEY = "review_retention"
REVIEW_TABLES = {"review_cards", "review_log"}


def tables_of(version: int) -> list[str]:
    """The tables a store at schema ``version`` has, in creation order."""
    sql = "".join(MIGRATIONS[:version])
    return re.findall(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)", sql)


class StoreError(RuntimeError):
    """The store cannot be used (e.g. made by a newer dltui); the message says what to do."""


@dataclass
class Answer:
    id: int
    lesson_id: str
    question_id: str
    kind: str
    answer: Any
    correct: bool | None  # None: a prediction waiting for its run
    run_id: int | None
    answered_at: float


@dataclass
class Run:
    id: int
    lab_id: str
    lesson_id: str | None
    settings: dict
    metrics: dict
    status: str
    seconds: float
    steps: int
    device: str
    expectation_met: bool | None
    finished_at: float


@dataclass
class ReviewCard:
    key: str  # lesson_id/question_id
    card: dict  # FSRS's Card.to_dict()
    due: float
    state: int
    last_review: float | None

    @property
    def lesson_id(self) -> str:
        return review.split_key(self.key)[0]

    @property
    def question_id(self) -> str:
        return review.split_key(self.key)[1]


@dataclass
class ReviewLogEntry:
    key: str
    reviewed_at: float
    rating: int  # 1 Again, 3 Good
    interval: float  # seconds until the card was due again


@dataclass
class LessonProgress:
    lesson_id: str
    opened: bool = False
    completed: bool = False
    position: float = 0.0
    answered: int = 0
    correct: int = 0
    pending: int = 0


@dataclass
class ExerciseProgress:
    exercise_id: str
    attempts: int = 0
    passed: bool = False  # some attempt passed every check
    last_passed: bool | None = None  # the latest attempt (None: never checked)
    hints_used: int = 0
    first_opened: float | None = None
    first_passed: float | None = None
    gave_up: float | None = None

    @property
    def status(self) -> str:
        if self.passed:
            return "passed"
        if self.gave_up:
            return "gave up"
        return "failing" if self.attempts else ("opened" if self.first_opened else "new")

    @property
    def seconds_to_pass(self) -> float | None:
        if self.first_passed is None or self.first_opened is None:
            return None
        return max(0.0, self.first_passed - self.first_opened)


def _is_sqlite(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"


ADVICE = {
    "full": "free some disk space, then restart dltui to save again.",
    "read-only": "make it writable or pick another folder with --data-dir PATH, then restart dltui.",
    "damaged": "restart dltui: it recovers what it can read into a fresh progress file.",
    "locked": "close the other program, then restart dltui.",
}


class Store:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.notice: str | None = None  # what was repaired on opening; said once at start
        self.problem: str | None = None  # set when progress stops being saved; said once
        self.problem_reason: str | None = None  # the "because …" part of ``problem``
        self.on_problem: Callable[[str], None] | None = None
        self.unsaved_changes = 0  # writes kept only in memory since ``problem`` was set
        self.clock: review.Clock = review.env_clock()  # review scheduling's time; tests move it
        self._conn: sqlite3.Connection | None = None
        self._in_memory = False
        self._store_id = 0
        self._check_folder()
        notices = [n for n in (self._set_aside_foreign_wal(),) if n]
        self._recover_hot_journal()
        reason, damaged = self._unusable_reason()
        aside = self._move_aside(reason) if reason else None
        if aside is not None:
            notices.append(f"The progress file {self.path} could not be used because {reason}. "
                           f"It was moved to {aside.name} and a fresh progress file was started.")
        try:
            self._conn = self._connect()
            self._migrate()
        except StoreError:
            self.close()
            raise
        except sqlite3.Error as exc:
            self._open_failed(exc)
        if aside is not None and damaged:
            notices.append(self._salvage_from(aside))
        if not self._in_memory and self.path.exists() and not os.access(self.path, os.W_OK):
            # Tell at once, not at the first answer: SQLite opened the file read-only.
            self._fail(sqlite3.OperationalError("attempt to write a readonly database"))
        self.notice = " ".join(notices) or None

    # -- opening ---------------------------------------------------------------------------

    def _check_folder(self) -> None:
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            parent = next((p for p in folder.parents if p.exists()), None)
            if parent is not None and not repair.folder_is_writable(parent):
                raise StoreError(repair.read_only_folder_message(parent)) from None
            raise StoreError(f"The folder {folder} cannot be created ({exc.strerror or exc}). Pick another "
                             "with --data-dir PATH or the DLTUI_DATA_DIR environment variable.") from None
        if not repair.folder_is_writable(folder):
            raise StoreError(repair.read_only_folder_message(folder))

    def _busy(self, exc: BaseException) -> StoreError:
        return StoreError(f"{self.path} cannot be opened right now ({exc}); is another program "
                          "holding it? Try again, or use --data-dir elsewhere.")

    def _set_aside_foreign_wal(self) -> str | None:
        reason = repair.foreign_wal(self.path)
        if reason is None or repair.wal_in_use(self.path):
            return None
        stamp = time.strftime("%Y%m%d-%H%M%S")
        moved = None
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                target = _free_name(side.with_name(f"{side.name}.foreign-{stamp}"))
                side.rename(target)
                moved = moved or target
        return (f"A leftover change log next to your progress file was not applied because {reason}; "
                f"it was moved to {moved.name} and your own progress was kept.")

    def _recover_hot_journal(self) -> None:
        try:
            repair.recover_hot_journal(self.path)
        except sqlite3.Error as exc:
            kind, _ = repair.describe_error(exc, self.path)
            if kind == "locked":
                raise self._busy(exc) from None
            # anything else is for the checks that follow to judge

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)  # autocommit; we BEGIN explicitly
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 10000")
            # Switching a brand-new file to WAL ignores the busy timeout when another process is
            # creating the same store at that moment: retry briefly instead of failing.
            for attempt in range(50):
                try:
                    conn.execute("PRAGMA journal_mode = WAL")
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or attempt == 49:
                        raise
                    time.sleep(0.05)
            conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            conn.close()
            raise
        return conn

    def _unusable_reason(self) -> tuple[str | None, bool]:
        """(why the file cannot be used, whether it is a damaged dltui store worth salvaging)."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return None, False
        if not _is_sqlite(self.path):
            return "it is not an SQLite database", False
        try:
            with closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)) as conn:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                if not tables:
                    return None, False
                if "dltui_meta" not in tables:
                    return "it belongs to another program (no dltui tables)", False
                row = conn.execute("SELECT value FROM dltui_meta WHERE key='app'").fetchone()
                if not row or row[0] != APP_MARKER:
                    return "it belongs to another program", False
                if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    return "the database is damaged", True
                version = conn.execute("SELECT version FROM schema_version").fetchone() \
                    if "schema_version" in tables else None
                missing = [t for t in tables_of(min(version[0], SCHEMA_VERSION) if version else 0)
                           if t not in tables]
                if version is None or missing:
                    what = ", ".join(missing or ["schema_version"])
                    return f"the database is damaged (table {what} is missing)", True
        except sqlite3.OperationalError as exc:
            kind, _ = repair.describe_error(exc, self.path)
            if kind == "damaged":
                return f"the database cannot be read ({exc})", True
            if kind == "read-only" and not repair.folder_is_writable(self.path.parent):
                raise StoreError(repair.read_only_folder_message(self.path.parent)) from None
            # Locked or busy is not damage: never move a healthy store aside for it.
            raise self._busy(exc) from None
        except sqlite3.DatabaseError as exc:
            return f"the database cannot be read ({exc})", True
        return None, False

    def _move_aside(self, reason: str) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = _free_name(self.path.with_name(f"{self.path.name}.corrupt-{stamp}"))
        self.path.rename(target)
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                side.rename(target.with_name(target.name + suffix))
        return target

    def _salvage_from(self, aside: Path) -> str:
        """Copy every readable row of the moved-aside store into this one; a sentence saying how much."""
        try:
            with closing(repair.open_for_salvage(aside)) as src:
                report = self._transaction(lambda conn: repair.salvage(src, conn, data_tables()))
        except sqlite3.Error:
            return "Nothing could be read back from it."
        parts = []
        for table in data_tables():
            n, lost = report.copied.get(table, 0), report.lost(table) or 0
            if table in REVIEW_TABLES and not lost:
                continue  # cards follow answers: named only when some could not be read back
            one, many = TABLE_LABELS.get(table, (table.replace("_", " "),) * 2)
            label = one if n + lost == 1 else many
            if n or lost:
                parts.append(f"{n:,} of {n + lost:,} {label}" if lost else f"{n:,} {label}")
        if not parts:
            return "Nothing could be read back from it."
        sentence = f"Recovered from it: {_join(parts)}."
        if report.skipped_ranges:
            sentence += " Rows on its damaged pages could not be read."
        return sentence

    def _migrate(self) -> None:
        conn = self._conn
        try:  # the common case, an up-to-date store with its id, needs no write lock
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            self._store_id = conn.execute("PRAGMA user_version").fetchone()[0]
            if row and row[0] == SCHEMA_VERSION and self._store_id:
                return
        except sqlite3.OperationalError as exc:  # no such table: a new store
            if "no such table" not in str(exc):
                raise
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path} was written by a newer dltui (schema {version}, this one "
                                 f"knows {SCHEMA_VERSION}); upgrade dltui or use --data-dir elsewhere.")
            _apply_migrations(conn, version)
            if 0 < version < REVIEW_SCHEMA:
                _seed_review_cards(conn, review.Reviewer())
            self._store_id = conn.execute("PRAGMA user_version").fetchone()[0] or _new_store_id()
            conn.execute(f"PRAGMA user_version = {self._store_id}")
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing, and carrying on in memory when the disk refuses --------------------------

    def _transaction(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run ``work`` in one committed transaction. Every commit also rewrites the store id in page 1,
        so a WAL always shows which store wrote it (see progress_repair.foreign_wal). When the disk
        refuses (full, read-only, damaged, locked) the store carries on in memory and ``work`` runs there."""
        conn = self._conn
        if self._in_memory:
            self.unsaved_changes += 1
            return work(conn)
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(conn)
                conn.execute(f"PRAGMA user_version = {self._store_id}")
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
            return result
        except sqlite3.Error as exc:
            if not repair.is_storage_fault(exc):
                raise  # a bug in the statement, not a fault of the disk: never hide it
            self._fail(exc)
            return self._transaction(work)

    def _write(self, sql: str, params: tuple = ()) -> int:
        """One statement, one committed transaction."""
        return self._transaction(lambda conn: conn.execute(sql, params).lastrowid or 0)

    def _rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            if self._in_memory or not repair.is_storage_fault(exc):
                raise
            self._fail(exc)
            return self._conn.execute(sql, params).fetchall()

    def _open_failed(self, exc: sqlite3.Error) -> None:
        kind, _ = repair.describe_error(exc, self.path)
        if kind == "locked":
            self.close()
            raise self._busy(exc) from None
        if kind == "read-only" and not repair.folder_is_writable(self.path.parent):
            self.close()
            raise StoreError(repair.read_only_folder_message(self.path.parent)) from None
        self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        """Carry on in memory: copy every readable row there, say why once, and keep later writes."""
        if self._in_memory:
            return
        kind, why = repair.describe_error(exc, self.path)
        self.problem_reason = why
        self.problem = (f"Your progress cannot be saved because {why}. This session's answers, reading "
                        "positions and lab runs are kept in memory until you quit, so nothing on screen "
                        f"is lost; {ADVICE.get(kind, ADVICE['damaged'])}")
        memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        memory.row_factory = sqlite3.Row
        _apply_migrations(memory, 0)
        old, self._conn = self._conn, None
        src = old
        try:
            if old is not None:
                _rollback(old)
            else:
                src = repair.open_for_salvage(self.path)
            memory.execute("BEGIN")
            repair.salvage(src, memory, data_tables())
            memory.execute("COMMIT")
        except sqlite3.Error:
            _rollback(memory)  # nothing readable: start empty
        finally:
            try:
                if src is not None:
                    src.close()
            except sqlite3.Error:
                pass
        self._conn, self._in_memory = memory, True
        if self.on_problem is not None:
            self.on_problem(self.problem)

    # -- lessons ---------------------------------------------------------------------------

    def lesson_opened(self, lesson_id: str) -> None:
        now = time.time()
        self._write("INSERT INTO lesson_state (lesson_id, first_opened, last_opened) VALUES (?, ?, ?) "
                    "ON CONFLICT(lesson_id) DO UPDATE SET last_opened = excluded.last_opened",
                    (lesson_id, now, now))
        self.set_state("last_lesson", lesson_id)

    def save_position(self, lesson_id: str, position: float) -> None:
        now = time.time()
        self._write("INSERT INTO lesson_state (lesson_id, first_opened, last_opened, position) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(lesson_id) DO UPDATE SET position = excluded.position, "
                    "last_opened = excluded.last_opened", (lesson_id, now, now, float(position)))

    def mark_completed(self, lesson_id: str, completed: bool = True) -> None:
        now = time.time()
        self._write("INSERT INTO lesson_state (lesson_id, first_opened, last_opened, completed) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(lesson_id) DO UPDATE SET completed = excluded.completed",
                    (lesson_id, now, now, int(completed)))

    def position(self, lesson_id: str) -> float:
        rows = self._rows("SELECT position FROM lesson_state WHERE lesson_id = ?", (lesson_id,))
        return float(rows[0][0]) if rows else 0.0

    def last_lesson(self) -> str | None:
        return self.state("last_lesson")

    # -- answers ---------------------------------------------------------------------------

    def record_answer(self, lesson_id: str, question_id: str, kind: str, answer: Any,
                      correct: bool | None, run_id: int | None = None) -> int:
        """Store an answer; a graded question's first answer also makes its review card (in the
        same transaction), rated by that answer (see dltui.review)."""
        key = review.card_key(lesson_id, question_id)
        first = None
        if kind in review.REVIEWABLE_KINDS and correct is not None and self.review_card(key) is None:
            first = self.reviewer().review(None, bool(correct))
        # The review clock, which is real time unless a test moves it: answers and reviews stay in order.
        params = (lesson_id, question_id, kind, json.dumps(answer), None if correct is None else int(correct),
                  run_id, self.clock().timestamp())

        def work(conn: sqlite3.Connection) -> int:
            rowid = conn.execute("INSERT INTO answers (lesson_id, question_id, kind, answer, correct, run_id, "
                                 "answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)", params).lastrowid
            if first is not None and not conn.execute("SELECT 1 FROM review_cards WHERE card_key = ?",
                                                      (key,)).fetchone():
                _save_review(conn, key, first)
            return rowid

        return self._transaction(work)

    def resolve_prediction(self, answer_id: int, correct: bool, run_id: int) -> None:
        self._write("UPDATE answers SET correct = ?, run_id = ? WHERE id = ?", (int(correct), run_id, answer_id))

    def latest_answers(self, lesson_id: str) -> dict[str, Answer]:
        rows = self._rows(
            "SELECT * FROM answers WHERE id IN (SELECT MAX(id) FROM answers WHERE lesson_id = ? "
            "GROUP BY question_id)", (lesson_id,))
        return {r["question_id"]: _answer(r) for r in rows}

    def pending_predictions(self) -> list[Answer]:
        rows = self._rows(
            "SELECT * FROM answers WHERE id IN (SELECT MAX(id) FROM answers WHERE kind = 'predict' "
            "GROUP BY lesson_id, question_id) AND correct IS NULL")
        return [_answer(r) for r in rows]

    # -- runs ------------------------------------------------------------------------------

    def record_run(self, lab_id: str, settings: dict, metrics: dict, *, status: str, seconds: float,
                   steps: int, device: str, expectation_met: bool | None = None,
                   lesson_id: str | None = None) -> int:
        return self._write(
            "INSERT INTO runs (lab_id, lesson_id, settings, metrics, status, seconds, steps, device, "
            "expectation_met, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (lab_id, lesson_id, json.dumps(settings), json.dumps(metrics), status, float(seconds), int(steps),
             device, None if expectation_met is None else int(expectation_met), time.time()))

    def runs(self, lab_id: str | None = None, limit: int = 50) -> list[Run]:
        if lab_id is None:
            rows = self._rows("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = self._rows("SELECT * FROM runs WHERE lab_id = ? ORDER BY id DESC LIMIT ?", (lab_id, limit))
        return [Run(r["id"], r["lab_id"], r["lesson_id"], json.loads(r["settings"]), json.loads(r["metrics"]),
                    r["status"], r["seconds"], r["steps"], r["device"],
                    None if r["expectation_met"] is None else bool(r["expectation_met"]), r["finished_at"])
                for r in rows]

    # -- exercises -------------------------------------------------------------------------

    def exercise_opened(self, exercise_id: str) -> None:
        self._write("INSERT INTO exercise_state (exercise_id, first_opened) VALUES (?, ?) "
                    "ON CONFLICT(exercise_id) DO NOTHING", (exercise_id, time.time()))

    def record_exercise_attempt(self, exercise_id: str, passed: bool, checks_passed: int, checks_total: int,
                                seconds: float, source: str = "app") -> int:
        """One grading of the learner's file (source: app, watch or cli). If the exercise's review
        card is due, this run reviews it (in the same transaction): every check passes → Good."""
        self.exercise_opened(exercise_id)
        key = review.exercise_key(exercise_id)
        card = self.review_card(key)
        outcome = None
        if card is not None and card.due <= self.clock().timestamp():
            outcome = self.reviewer().review(card.card, bool(passed))
        params = (exercise_id, int(passed), int(checks_passed), int(checks_total), float(seconds), source,
                  time.time())

        def work(conn: sqlite3.Connection) -> int:
            rowid = conn.execute("INSERT INTO exercise_attempts (exercise_id, passed, checks_passed, checks_total, "
                                 "seconds, source, attempted_at) VALUES (?, ?, ?, ?, ?, ?, ?)", params).lastrowid
            if outcome is not None:
                _save_review(conn, key, outcome)
            return rowid

        return self._transaction(work)

    def record_hint(self, exercise_id: str, hints_used: int) -> None:
        now = time.time()
        self._write("INSERT INTO exercise_state (exercise_id, first_opened, hints_used) VALUES (?, ?, ?) "
                    "ON CONFLICT(exercise_id) DO UPDATE SET hints_used = MAX(hints_used, excluded.hints_used)",
                    (exercise_id, now, int(hints_used)))

    def record_give_up(self, exercise_id: str) -> None:
        """Also puts the exercise into review (rated Again) as a "re-run your solution" card."""
        now = time.time()
        key = review.exercise_key(exercise_id)
        first = self.reviewer().review(None, False) if self.review_card(key) is None else None

        def work(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO exercise_state (exercise_id, first_opened, gave_up) VALUES (?, ?, ?) "
                         "ON CONFLICT(exercise_id) DO UPDATE SET gave_up = COALESCE(gave_up, excluded.gave_up)",
                         (exercise_id, now, now))
            if first is not None and not conn.execute("SELECT 1 FROM review_cards WHERE card_key = ?",
                                                      (key,)).fetchone():
                _save_review(conn, key, first)

        self._transaction(work)

    def exercise_states(self) -> dict[str, ExerciseProgress]:
        out: dict[str, ExerciseProgress] = {}
        for r in self._rows("SELECT exercise_id, first_opened, hints_used, gave_up FROM exercise_state"):
            out[r[0]] = ExerciseProgress(r[0], first_opened=r[1], hints_used=r[2], gave_up=r[3])
        rows = self._rows(
            "SELECT exercise_id, COUNT(*), MIN(CASE WHEN passed THEN attempted_at END), "
            "(SELECT passed FROM exercise_attempts b WHERE b.exercise_id = a.exercise_id ORDER BY id DESC LIMIT 1) "
            "FROM exercise_attempts a GROUP BY exercise_id")
        for exercise_id, attempts, first_passed, last in rows:
            p = out.setdefault(exercise_id, ExerciseProgress(exercise_id))
            p.attempts, p.first_passed = attempts, first_passed
            p.passed, p.last_passed = first_passed is not None, bool(last)
        return out

    # -- summaries -------------------------------------------------------------------------

    def lesson_progress(self) -> dict[str, LessonProgress]:
        out: dict[str, LessonProgress] = {}
        for r in self._rows("SELECT lesson_id, position, completed FROM lesson_state"):
            out[r[0]] = LessonProgress(r[0], opened=True, completed=bool(r[2]), position=r[1])
        rows = self._rows(
            "SELECT lesson_id, COUNT(*), SUM(correct = 1), SUM(correct IS NULL) FROM answers "
            "WHERE id IN (SELECT MAX(id) FROM answers GROUP BY lesson_id, question_id) GROUP BY lesson_id")
        for lesson_id, answered, correct, pending in rows:
            p = out.setdefault(lesson_id, LessonProgress(lesson_id))
            p.answered, p.correct, p.pending = answered, int(correct or 0), int(pending or 0)
        return out

    # -- spaced review --------------------------------------------------------------------

    def review_retention(self) -> float:
        """The desired retention (0.9 unless the learner changed it)."""
        try:
            return review.check_retention(float(self.state(RETENTION_KEY) or review.DEFAULT_RETENTION))
        except ValueError:
            return review.DEFAULT_RETENTION

    def set_review_retention(self, value: float) -> None:
        """Raises ValueError (saying the allowed range) outside 0.7–0.99."""
        self.set_state(RETENTION_KEY, repr(review.check_retention(float(value))))

    def reviewer(self) -> review.Reviewer:
        retention = self.review_retention()
        cached = getattr(self, "_reviewer", None)
        if cached is None or cached.retention != retention or cached.clock is not self.clock:
            cached = self._reviewer = review.Reviewer(retention, clock=self.clock)
        return cached

    def save_review(self, key: str, outcome: review.Outcome) -> None:
        """The card's new state and its log entry, in one committed transaction."""
        self._transaction(lambda conn: _save_review(conn, key, outcome))

    def review_card(self, key: str) -> ReviewCard | None:
        rows = self._rows("SELECT * FROM review_cards WHERE card_key = ?", (key,))
        return _review_card(rows[0]) if rows else None

    def review_cards(self) -> dict[str, ReviewCard]:
        return {r["card_key"]: _review_card(r) for r in self._rows("SELECT * FROM review_cards")}

    def due_cards(self, at: datetime | None = None) -> list[ReviewCard]:
        """Cards due at ``at`` (default: now by the store's clock), the longest overdue first."""
        at = at or self.clock()
        rows = self._rows("SELECT * FROM review_cards WHERE due <= ? ORDER BY due, card_key", (at.timestamp(),))
        return [_review_card(r) for r in rows]

    def next_due(self) -> datetime | None:
        rows = self._rows("SELECT MIN(due) FROM review_cards")
        return datetime.fromtimestamp(rows[0][0], timezone.utc) if rows and rows[0][0] is not None else None

    def due_counts(self, at: datetime | None = None) -> dict[str, tuple[int, int]]:
        """Lesson id → (cards due at ``at``, cards due within the 7 days after it)."""
        at = at or self.clock()
        week = at + review.WEEK
        out: dict[str, tuple[int, int]] = {}
        for r in self._rows("SELECT card_key, due FROM review_cards WHERE due <= ?", (week.timestamp(),)):
            lesson_id = review.split_key(r[0])[0]
            now, soon = out.get(lesson_id, (0, 0))
            out[lesson_id] = (now + (r[1] <= at.timestamp()), soon + 1)
        return out

    def review_log(self) -> list[ReviewLogEntry]:
        rows = self._rows("SELECT card_key, reviewed_at, rating, interval FROM review_log ORDER BY id")
        return [ReviewLogEntry(r[0], r[1], r[2], r[3]) for r in rows]

    def latest_results(self) -> dict[str, dict[str, bool | None]]:
        """Lesson id → question id → whether the latest answer is right (None: a waiting prediction).
        A review on the review screen after the lesson's latest answer counts as the latest answer."""
        out: dict[str, dict[str, bool | None]] = {}
        when: dict[str, float] = {}
        for r in self._rows("SELECT lesson_id, question_id, correct, answered_at FROM answers WHERE id IN "
                            "(SELECT MAX(id) FROM answers GROUP BY lesson_id, question_id)"):
            out.setdefault(r[0], {})[r[1]] = None if r[2] is None else bool(r[2])
            when[review.card_key(r[0], r[1])] = r[3]
        # A card's first log entry is the lesson answer that made it; later ones are reviews.
        for key, reviewed_at, rating in self._rows(
                "SELECT card_key, reviewed_at, rating FROM review_log WHERE id IN (SELECT MAX(id) FROM review_log "
                "GROUP BY card_key HAVING COUNT(*) > 1)"):
            if reviewed_at >= when.get(key, 0.0):
                lesson_id, question_id = review.split_key(key)
                out.setdefault(lesson_id, {})[question_id] = rating != 1
        return out

    # -- small key/value state -------------------------------------------------------------

    def set_state(self, key: str, value: str) -> None:
        self._write("INSERT INTO app_state VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value))

    def state(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM app_state WHERE key = ?", (key,))
        return rows[0][0] if rows else None


def _answer(r: sqlite3.Row) -> Answer:
    return Answer(r["id"], r["lesson_id"], r["question_id"], r["kind"], json.loads(r["answer"]),
                  None if r["correct"] is None else bool(r["correct"]), r["run_id"], r["answered_at"])


def _review_card(r: sqlite3.Row) -> ReviewCard:
    return ReviewCard(r["card_key"], json.loads(r["card"]), r["due"], r["state"], r["last_review"])


def _save_review(conn: sqlite3.Connection, key: str, outcome: review.Outcome) -> None:
    card = outcome.card
    last = card.get("last_review")
    conn.execute("INSERT INTO review_cards (card_key, card, due, state, last_review) VALUES (?, ?, ?, ?, ?) "
                 "ON CONFLICT(card_key) DO UPDATE SET card = excluded.card, due = excluded.due, "
                 "state = excluded.state, last_review = excluded.last_review",
                 (key, json.dumps(card), outcome.due.timestamp(), int(card.get("state") or 0),
                  review.parse_time(last).timestamp() if last else None))
    conn.execute("INSERT INTO review_log (card_key, reviewed_at, rating, interval) VALUES (?, ?, ?, ?)",
                 (key, outcome.reviewed_at.timestamp(), outcome.rating, outcome.interval.total_seconds()))


def _seed_review_cards(conn: sqlite3.Connection, reviewer: review.Reviewer) -> None:
    """A store from before review: every graded question gets its card, rated by its first graded
    attempt at that attempt's time (inside the migration's transaction)."""
    kinds = ",".join("?" * len(review.REVIEWABLE_KINDS))
    rows = conn.execute(
        f"SELECT lesson_id, question_id, correct, answered_at FROM answers WHERE id IN "
        f"(SELECT MIN(id) FROM answers WHERE correct IS NOT NULL AND kind IN ({kinds}) "
        f"GROUP BY lesson_id, question_id)", review.REVIEWABLE_KINDS).fetchall()
    for lesson_id, question_id, correct, answered_at in rows:
        key = review.card_key(lesson_id, question_id)
        if conn.execute("SELECT 1 FROM review_cards WHERE card_key = ?", (key,)).fetchone():
            continue
        when = datetime.fromtimestamp(answered_at, timezone.utc)
        _save_review(conn, key, reviewer.review(None, bool(correct), when))
    for exercise_id, gave_up in conn.execute("SELECT exercise_id, gave_up FROM exercise_state "
                                             "WHERE gave_up IS NOT NULL").fetchall():
        key = review.exercise_key(exercise_id)
        if not conn.execute("SELECT 1 FROM review_cards WHERE card_key = ?", (key,)).fetchone():
            _save_review(conn, key, reviewer.review(None, False, datetime.fromtimestamp(gave_up, timezone.utc)))


def data_tables() -> list[str]:
    return [t for t in tables_of(SCHEMA_VERSION) if t not in BOOKKEEPING]


def _apply_migrations(conn: sqlite3.Connection, version: int) -> None:
    """Bring a store at schema ``version`` up to date (inside the caller's transaction)."""
    for sql in MIGRATIONS[version:]:
        for statement in filter(str.strip, sql.split(";")):
            conn.execute(statement)
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    if version == 0:
        conn.execute("INSERT INTO dltui_meta VALUES ('app', ?)", (APP_MARKER,))
        conn.execute("DELETE FROM schema_version")
        conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
    elif version < SCHEMA_VERSION:
        conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))


def _new_store_id() -> int:
    return random.SystemRandom().randrange(1, 1 << 31)  # user_version is a signed 32-bit field


def _rollback(conn: sqlite3.Connection) -> None:
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def _free_name(target: Path) -> Path:
    n, base = 1, target
    while target.exists():
        target = base.with_name(f"{base.name}-{n}")
        n += 1
    return target


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def open_store(data_dir: str | os.PathLike | None = None) -> Store:
    from dltui.paths import progress_db

    return Store(progress_db(data_dir))
