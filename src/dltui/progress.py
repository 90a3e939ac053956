"""The progress store: one SQLite file per data folder. Pure: no textual, no torch.

Every write is its own committed transaction, so quitting at any moment loses nothing that was
already answered or finished. WAL mode and a busy timeout let two dltui processes share the file.
A file that is not a dltui store (corrupt, or some other program's) is moved aside to
``<name>.corrupt-<timestamp>`` and a fresh store is started; ``Store.notice`` says so.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

APP_MARKER = "dltui-progress"

# One entry per schema version; a store at version N gets MIGRATIONS[N:] applied in order.
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
]
SCHEMA_VERSION = len(MIGRATIONS)


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


class Store:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.notice: str | None = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        reason = self._unusable_reason()
        if reason:
            self._move_aside(reason)
        self._conn = self._connect()
        try:
            self._migrate()
        except BaseException:
            self._conn.close()
            raise

    # -- opening ---------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)  # autocommit; we BEGIN explicitly
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
        return conn

    def _unusable_reason(self) -> str | None:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return None
        if not _is_sqlite(self.path):
            return "it is not an SQLite database"
        try:
            with closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)) as conn:
                if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    return "the database is damaged"
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                if not tables:
                    return None
                if "dltui_meta" not in tables:
                    return "it belongs to another program (no dltui tables)"
                row = conn.execute("SELECT value FROM dltui_meta WHERE key='app'").fetchone()
                if not row or row[0] != APP_MARKER:
                    return "it belongs to another program"
        except sqlite3.OperationalError as exc:
            # Locked or busy is not damage: never move a healthy store aside for it.
            raise StoreError(f"{self.path} cannot be opened right now ({exc}); is another program "
                             "holding it? Try again, or use --data-dir elsewhere.") from None
        except sqlite3.DatabaseError as exc:
            return f"the database cannot be read ({exc})"
        return None

    def _move_aside(self, reason: str) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while target.exists():
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
            n += 1
        self.path.rename(target)
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                side.rename(target.with_name(target.name + suffix))
        self.notice = (f"The progress file {self.path} could not be used because {reason}. "
                       f"It was moved to {target.name} and a fresh progress file was started.")

    def _migrate(self) -> None:
        conn = self._conn
        try:  # the common case, an up-to-date store, needs no write lock
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            if row and row[0] == SCHEMA_VERSION:
                return
        except sqlite3.OperationalError:  # no such table: a new store
            pass
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path} was written by a newer dltui (schema {version}, this one "
                                 f"knows {SCHEMA_VERSION}); upgrade dltui or use --data-dir elsewhere.")
            for sql in MIGRATIONS[version:]:
                for statement in filter(str.strip, sql.split(";")):
                    conn.execute(statement)
            if version == 0:
                conn.execute("INSERT INTO dltui_meta VALUES ('app', ?)", (APP_MARKER,))
                conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            elif version < SCHEMA_VERSION:
                conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _write(self, sql: str, params: tuple = ()) -> int:
        """One statement, one committed transaction."""
        cur = self._conn.execute(sql, params)
        return cur.lastrowid or 0

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
        row = self._conn.execute("SELECT position FROM lesson_state WHERE lesson_id = ?", (lesson_id,)).fetchone()
        return float(row[0]) if row else 0.0

    def last_lesson(self) -> str | None:
        return self.state("last_lesson")

    # -- answers ---------------------------------------------------------------------------

    def record_answer(self, lesson_id: str, question_id: str, kind: str, answer: Any,
                      correct: bool | None, run_id: int | None = None) -> int:
        return self._write("INSERT INTO answers (lesson_id, question_id, kind, answer, correct, run_id, answered_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (lesson_id, question_id, kind, json.dumps(answer),
                            None if correct is None else int(correct), run_id, time.time()))

    def resolve_prediction(self, answer_id: int, correct: bool, run_id: int) -> None:
        self._write("UPDATE answers SET correct = ?, run_id = ? WHERE id = ?", (int(correct), run_id, answer_id))

    def latest_answers(self, lesson_id: str) -> dict[str, Answer]:
        rows = self._conn.execute(
            "SELECT * FROM answers WHERE id IN (SELECT MAX(id) FROM answers WHERE lesson_id = ? "
            "GROUP BY question_id)", (lesson_id,)).fetchall()
        return {r["question_id"]: _answer(r) for r in rows}

    def pending_predictions(self) -> list[Answer]:
        rows = self._conn.execute(
            "SELECT * FROM answers WHERE id IN (SELECT MAX(id) FROM answers WHERE kind = 'predict' "
            "GROUP BY lesson_id, question_id) AND correct IS NULL").fetchall()
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
            rows = self._conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        else:
            rows = self._conn.execute("SELECT * FROM runs WHERE lab_id = ? ORDER BY id DESC LIMIT ?",
                                      (lab_id, limit)).fetchall()
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
        """One grading of the learner's file (source: app, watch or cli)."""
        self.exercise_opened(exercise_id)
        return self._write("INSERT INTO exercise_attempts (exercise_id, passed, checks_passed, checks_total, "
                           "seconds, source, attempted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (exercise_id, int(passed), int(checks_passed), int(checks_total), float(seconds),
                            source, time.time()))

    def record_hint(self, exercise_id: str, hints_used: int) -> None:
        now = time.time()
        self._write("INSERT INTO exercise_state (exercise_id, first_opened, hints_used) VALUES (?, ?, ?) "
                    "ON CONFLICT(exercise_id) DO UPDATE SET hints_used = MAX(hints_used, excluded.hints_used)",
                    (exercise_id, now, int(hints_used)))

    def record_give_up(self, exercise_id: str) -> None:
        now = time.time()
        self._write("INSERT INTO exercise_state (exercise_id, first_opened, gave_up) VALUES (?, ?, ?) "
                    "ON CONFLICT(exercise_id) DO UPDATE SET gave_up = COALESCE(gave_up, excluded.gave_up)",
                    (exercise_id, now, now))

    def exercise_states(self) -> dict[str, ExerciseProgress]:
        out: dict[str, ExerciseProgress] = {}
        for r in self._conn.execute("SELECT exercise_id, first_opened, hints_used, gave_up FROM exercise_state"):
            out[r[0]] = ExerciseProgress(r[0], first_opened=r[1], hints_used=r[2], gave_up=r[3])
        rows = self._conn.execute(
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
        for r in self._conn.execute("SELECT lesson_id, position, completed FROM lesson_state"):
            out[r[0]] = LessonProgress(r[0], opened=True, completed=bool(r[2]), position=r[1])
        rows = self._conn.execute(
            "SELECT lesson_id, COUNT(*), SUM(correct = 1), SUM(correct IS NULL) FROM answers "
            "WHERE id IN (SELECT MAX(id) FROM answers GROUP BY lesson_id, question_id) GROUP BY lesson_id")
        for lesson_id, answered, correct, pending in rows:
            p = out.setdefault(lesson_id, LessonProgress(lesson_id))
            p.answered, p.correct, p.pending = answered, int(correct or 0), int(pending or 0)
        return out

    # -- small key/value state -------------------------------------------------------------

    def set_state(self, key: str, value: str) -> None:
        self._write("INSERT INTO app_state VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value))

    def state(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM app_state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None


def _answer(r: sqlite3.Row) -> Answer:
    return Answer(r["id"], r["lesson_id"], r["question_id"], r["kind"], json.loads(r["answer"]),
                  None if r["correct"] is None else bool(r["correct"]), r["run_id"], r["answered_at"])


def open_store(data_dir: str | os.PathLike | None = None) -> Store:
    from dltui.paths import progress_db

    return Store(progress_db(data_dir))
