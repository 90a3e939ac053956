"""Faults of the progress store (issue 10, items 5–9), each injected and each answered with a clear
message and no lost answers.

Injections are honest stand-ins for the real faults, since the tests run as root (where chmod does
not stop writes): a full disk is SQLite's own SQLITE_FULL from ``PRAGMA max_page_count``; a
read-only file is a connection opened with ``mode=ro``, or a real non-root process (setpriv) on a
chmod 444 file; a read-only folder is a real non-root process on a chmod 555 folder, or
``os.access`` answering "not writable" as it does on a read-only mount.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from dltui import progress_repair
from dltui.progress import Store, StoreError

SIZE = (80, 24)


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "data" / "progress.sqlite3"


def _fill(store: Store, answers: int, prefix: str = "q") -> None:
    for i in range(answers):
        store.record_answer("L", f"{prefix}{i}", "single", i, True)


def _raw_count(path: Path, table: str = "answers") -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 - test names


def _fill_disk(store: Store) -> None:
    """SQLite answers SQLITE_FULL ("database or disk is full") once the file may not grow."""
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")


def _run_in_child(code: str, *, user: str | None = None) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-c", textwrap.dedent(code)]
    if user == "nobody":
        argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *argv]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env)


def _can_run_as_nobody() -> bool:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return False
    return _run_in_child("import dltui.progress", user="nobody").returncode == 0


needs_nobody = pytest.mark.skipif(not _can_run_as_nobody(), reason="needs root and setpriv to run as nobody")


@pytest.fixture
def shared_tmp():
    """A folder a non-root child can enter (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="dltui-faults-"))
    path.chmod(0o777)
    yield path
    for p in [path, *path.rglob("*")]:
        p.chmod(0o777 if p.is_dir() else 0o666)
    shutil.rmtree(path)


# ---------------------------------------------------------------------------------------------
# 5. errors while the app runs: carry on in memory, say so once


def test_full_disk_keeps_the_session_in_memory_and_says_why_once(db):
    messages: list[str] = []
    store = Store(db)
    store.on_problem = messages.append
    _fill(store, 3, "before")
    store.save_position("L", 0.25)
    run_before = store.record_run("lab", {}, {"acc": 0.5}, status="finished", seconds=1, steps=1, device="cpu")
    _fill_disk(store)
    for i in range(60):  # far more than the file may hold now
        store.record_answer("L", f"after{i}", "single", "x" * 500, True)
    run_after = store.record_run("lab", {}, {"acc": 0.9}, status="finished", seconds=1, steps=1, device="cpu")
    store.save_position("L", 0.75)

    assert len(messages) == 1 and messages[0] == store.problem
    assert "disk" in store.problem and "full" in store.problem and "--data-dir" not in store.problem
    assert store.problem_reason.startswith("the disk")
    # everything on screen is still there: old rows, new rows, new ids after the old ones
    answers = store.latest_answers("L")
    assert len(answers) == 63
    assert [r.id for r in store.runs()] == [run_after, run_before] and run_after > run_before
    assert store.position("L") == 0.75
    assert store.lesson_progress()["L"].answered == 63
    store.close()
    # what was committed before the disk filled is on disk; every later change is counted as unsaved
    on_disk = _raw_count(db)
    assert 3 <= on_disk < 63
    assert store.unsaved_changes == (63 - on_disk) + 2  # the answers, the run and the position


def test_read_only_file_keeps_the_session_in_memory(db, monkeypatch):
    with Store(db) as s:
        _fill(s, 2)
    messages: list[str] = []
    store = _read_only_store(db, monkeypatch)
    store.on_problem = messages.append
    store.record_answer("L", "new", "single", 1, False)
    assert len(messages) == 1
    assert "progress.sqlite3 is read-only" in store.problem
    assert set(store.latest_answers("L")) == {"q0", "q1", "new"}
    store.close()
    assert _raw_count(db) == 2


@needs_nobody
def test_read_only_file_for_a_real_learner(shared_tmp):
    """A non-root process on a chmod 444 file: told at once, answers kept, nothing written."""
    data = shared_tmp / "data"
    with Store(data / "progress.sqlite3") as s:
        _fill(s, 4)
    data.chmod(0o777)
    (data / "progress.sqlite3").chmod(0o444)
    proc = _run_in_child(f"""
        from dltui.progress import Store
        s = Store({str(data / 'progress.sqlite3')!r})
        print("PROBLEM", s.problem)
        s.record_answer("L", "new", "single", 1, True)
        print("ANSWERS", len(s.latest_answers("L")))
    """, user="nobody")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "PROBLEM Your progress cannot be saved because the file progress.sqlite3 is read-only" in proc.stdout
    assert "ANSWERS 5" in proc.stdout
    assert _raw_count(data / "progress.sqlite3") == 4


def test_table_dropped_while_running(db):
    store = Store(db)
    messages: list[str] = []
    store.on_problem = messages.append
    _fill(store, 2)
    with sqlite3.connect(db) as other:
        other.execute("DROP TABLE runs")
    other.close()
    assert store.runs() == []  # no crash: the store carries on in memory
    assert len(messages) == 1 and "damaged" in messages[0] and "runs" in messages[0]
    run_id = store.record_run("lab", {}, {}, status="finished", seconds=1, steps=1, device="cpu")
    assert [r.id for r in store.runs("lab")] == [run_id]
    assert set(store.latest_answers("L")) == {"q0", "q1"}
    store.close()


def test_store_missing_a_table_is_repaired_on_opening(db):
    with Store(db) as s:
        _fill(s, 7)
        s.save_position("L", 0.5)
    with sqlite3.connect(db) as other:
        other.execute("DROP TABLE runs")
    other.close()
    with Store(db) as s:
        assert s.problem is None
        assert "table runs is missing" in s.notice
        assert "Recovered from it: 1 lesson's reading position and 7 answers." in s.notice
        assert len(s.latest_answers("L")) == 7 and s.position("L") == 0.5
        s.record_run("lab", {}, {}, status="finished", seconds=1, steps=1, device="cpu")
        assert len(s.runs()) == 1


def _read_only_store(db: Path, monkeypatch) -> Store:
    """The store as a learner without write permission gets it: SQLite opens the file read-only."""
    real_connect = sqlite3.connect

    def read_only_connect(target, *args, **kwargs):
        if str(target) == str(db):
            return real_connect(f"file:{db}?mode=ro", *args, uri=True, **kwargs)
        return real_connect(target, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", read_only_connect)
    try:
        return Store(db)
    finally:
        monkeypatch.setattr(sqlite3, "connect", real_connect)


def _problem_toasts(app) -> list:
    return [n for n in app._notifications if n.title == "Progress is not being saved"]


async def _until(pilot, predicate) -> None:
    for _ in range(100):
        if predicate():
            return
        await pilot.pause(0.1)
    raise AssertionError("condition never became true")


async def test_app_with_a_read_only_store_keeps_running_and_says_so_once(db, monkeypatch, fixture_curriculum):
    from dltui.app import DltuiApp
    from dltui.screens.home import HomeScreen
    from dltui.screens.lesson import LessonScreen
    from dltui.widgets.bars import TitleBar

    Store(db).close()
    app = DltuiApp(fixture_curriculum, _read_only_store(db, monkeypatch), prewarm_labs=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")  # opening a lesson writes: refused
        await _until(pilot, lambda: isinstance(app.screen, LessonScreen))
        await pilot.press("escape")
        await _until(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("enter")  # and again: the learner is told only once
        await _until(pilot, lambda: isinstance(app.screen, LessonScreen))
        toasts = _problem_toasts(app)
        assert len(toasts) == 1 and "read-only" in toasts[0].message
        assert "progress not saved" in str(app.screen.query_one(TitleBar).render())
        assert app.store.last_lesson() == "t1_demo"  # kept in memory
        assert app.is_running
        await pilot.press("q")
    assert app.return_code == 1  # dltui exits non-zero: this session's changes were lost


async def test_app_survives_a_table_dropped_while_it_runs(make_app, tmp_path):
    from dltui.screens.lablist import LabListScreen

    app = make_app(tmp_path / "learner")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        with sqlite3.connect(app.store.path) as other:
            other.execute("DROP TABLE runs")
        other.close()
        await pilot.press("l")  # the lab list reads every lab's runs
        await _until(pilot, lambda: isinstance(app.screen, LabListScreen))
        await pilot.pause()
        toasts = _problem_toasts(app)
        assert len(toasts) == 1 and "damaged" in toasts[0].message
        assert app.is_running


# ---------------------------------------------------------------------------------------------
# 6. a hot rollback journal left by a kill -9 during the very first start


def test_hot_journal_from_a_killed_first_start_is_rolled_back(db):
    db.parent.mkdir(parents=True)
    proc = _run_in_child(f"""
        import os, signal, sqlite3
        conn = sqlite3.connect({str(db)!r}, isolation_level=None)
        conn.execute("PRAGMA journal_mode = DELETE")  # before the switch to WAL, as on a first start
        conn.execute("PRAGMA cache_size = 1")  # spill pages into the file mid-transaction
        conn.execute("CREATE TABLE early (x)")
        conn.execute("BEGIN")
        for _ in range(500):
            conn.execute("INSERT INTO early VALUES (?)", ("x" * 400,))
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    assert proc.returncode == -signal.SIGKILL
    journal = db.with_name(db.name + "-journal")
    assert journal.stat().st_size > 0  # hot: the fault is really there
    with pytest.raises(sqlite3.OperationalError):  # what used to say "Try again" forever
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as ro:
            ro.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    with Store(db) as s:
        assert s.problem is None
        s.record_answer("L", "q", "single", 1, True)
    assert not journal.exists() or journal.stat().st_size == 0
    assert _raw_count(db) == 1


# ---------------------------------------------------------------------------------------------
# 7. a -wal/-shm pair from another copy of the store


def _leave_wal(path: Path, answers: int, prefix: str) -> None:
    """A store whose last answers are still only in its WAL (as after a crash)."""
    proc = _run_in_child(f"""
        import os, signal
        from dltui.progress import Store
        s = Store({str(path)!r})
        for i in range({answers}):
            s.record_answer("L", "{prefix}%d" % i, "single", i, True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert path.with_name(path.name + "-wal").stat().st_size > 0


def test_wal_from_another_store_is_set_aside(tmp_path):
    mine = tmp_path / "mine" / "progress.sqlite3"
    other = tmp_path / "other" / "progress.sqlite3"
    with Store(mine) as s:
        _fill(s, 5, "mine")
    _leave_wal(other, 50, "theirs")
    for suffix in ("-wal", "-shm"):
        shutil.copy(other.with_name(other.name + suffix), mine.with_name(mine.name + suffix))

    with Store(mine) as s:
        assert set(s.latest_answers("L")) == {f"mine{i}" for i in range(5)}
        assert "another copy of the progress file" in s.notice and "your own progress was kept" in s.notice
    aside = sorted(p.name for p in mine.parent.iterdir() if ".foreign-" in p.name)
    assert [n.split(".foreign-")[0] for n in aside] == ["progress.sqlite3-shm", "progress.sqlite3-wal"]
    assert aside[1] in s.notice
    with Store(mine) as s:  # and it stays fixed
        assert s.notice is None and len(s.latest_answers("L")) == 5


def test_own_wal_after_a_crash_is_applied(db):
    with Store(db) as s:
        _fill(s, 3, "first")
    _leave_wal(db, 20, "crashed")
    with Store(db) as s:
        assert s.notice is None
        assert len(s.latest_answers("L")) == 23


def test_wal_of_a_store_open_elsewhere_is_left_alone(db):
    first = Store(db)
    try:
        _fill(first, 4)
        with Store(db) as second:  # the WAL is live and ours: no notice, all rows seen
            assert second.notice is None and len(second.latest_answers("L")) == 4
        first.record_answer("L", "later", "single", 0, True)
        assert len(first.latest_answers("L")) == 5
    finally:
        first.close()


def test_wal_reader_follows_sqlite_rules(db):
    with Store(db) as s:
        _fill(s, 2)
    _leave_wal(db, 3, "w")
    wal = db.with_name(db.name + "-wal").read_bytes()
    own = progress_repair.read_store_id(db)
    ids = progress_repair.wal_page1_ids(wal)
    assert own and ids and set(ids) == {own}  # every commit carries page 1 with the store id
    assert progress_repair.wal_page1_ids(wal[:32] + b"\0" * 100) is None  # no committed frame
    broken = bytearray(wal)
    broken[40] ^= 0xFF  # a flipped byte breaks the checksum chain of the first frame
    assert progress_repair.wal_page1_ids(bytes(broken)) is None


# ---------------------------------------------------------------------------------------------
# 8. a read-only data folder


@pytest.mark.parametrize("existing", [False, True])
def test_read_only_folder_says_so(db, monkeypatch, existing):
    if existing:
        with Store(db) as s:
            _fill(s, 1)
    else:
        db.parent.mkdir(parents=True)
    folder = db.parent
    real_access = os.access

    def access(path, mode, *a, **kw):  # what os.access answers on a read-only mount, even for root
        if Path(path) == folder and mode & os.W_OK:
            return False
        return real_access(path, mode, *a, **kw)

    monkeypatch.setattr(progress_repair.os, "access", access)
    with pytest.raises(StoreError) as err:
        Store(db)
    message = str(err.value)
    assert f"The folder {folder} is read-only" in message
    assert "--data-dir" in message and "DLTUI_DATA_DIR" in message and "Try again" not in message


@needs_nobody
@pytest.mark.parametrize("existing", [False, True])
def test_read_only_folder_for_a_real_learner(shared_tmp, existing):
    data = shared_tmp / "data"
    if existing:
        with Store(data / "progress.sqlite3") as s:
            _fill(s, 1)
        (data / "progress.sqlite3").chmod(0o666)
    else:
        data.mkdir()
    data.chmod(0o555)
    proc = _run_in_child(f"""
        import sys
        from dltui.cli import main
        sys.exit(main(["--data-dir", {str(data)!r}, "progress"]))
    """, user="nobody")
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert f"The folder {data} is read-only" in proc.stderr and "--data-dir" in proc.stderr


# ---------------------------------------------------------------------------------------------
# 9. a partly damaged store: salvage every readable row before moving it aside


def _zero_page_holding(path: Path, marker: bytes) -> None:
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    at = data.index(marker)
    start = at - at % page_size
    assert start > 0  # never page 1: that is the whole file's header
    data[start:start + page_size] = bytes(page_size)
    path.write_bytes(bytes(data))


def test_damaged_store_is_salvaged_before_moving_aside(db):
    with Store(db) as s:
        for i in range(2000):
            s.record_answer("L", f"q{i}", "single", f"answer-{i:05d}-" + "x" * 40, True)
        for i in range(30):
            s.record_run("lab", {"i": i}, {"acc": 0.5}, status="finished", seconds=1, steps=1, device="cpu")
        s.save_position("L", 0.4)
        s.set_state("last_lesson", "L")
    _zero_page_holding(db, b"answer-01000-")
    damaged = db.read_bytes()

    with Store(db) as s:
        answers = s.latest_answers("L")
        assert 1500 < len(answers) < 2000  # one page of ~70 rows is gone, the rest came back
        assert "q1000" not in answers and "q0" in answers and "q1999" in answers
        assert len(s.runs(limit=100)) == 30 and s.position("L") == 0.4 and s.last_lesson() == "L"
        assert f"Recovered from it: 1 lesson's reading position, {len(answers):,} of 2,000 answers, " \
               "30 lab runs and 1 setting." in s.notice
        assert "damaged pages could not be read" in s.notice
        aside = [p for p in db.parent.iterdir() if ".corrupt-" in p.name and not p.name.endswith(("-wal", "-shm"))]
        assert len(aside) == 1 and aside[0].name in s.notice
        assert aside[0].read_bytes() == damaged  # the damaged file itself is kept as it was
        new_id = s.record_answer("L", "new", "single", 0, True)
        assert new_id > 2000  # ids go on after the lost ones: old runs' links stay right


def test_unreadable_store_still_starts_fresh(db):
    with Store(db) as s:
        _fill(s, 10)
    data = bytearray(db.read_bytes())
    data[100:] = bytes(len(data) - 100)  # header kept, every page (the schema too) zeroed
    db.write_bytes(bytes(data))
    with Store(db) as s:
        assert "Nothing could be read back from it." in s.notice
        assert s.latest_answers("L") == {}
        s.record_answer("L", "q", "single", 0, True)


def test_salvage_skips_over_several_bad_pages():
    src = sqlite3.connect(":memory:")
    src.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    src.executemany("INSERT INTO t VALUES (?, ?)", [(i, "v" * 200) for i in range(1, 3001)])
    data = bytearray(src.serialize())
    page = int.from_bytes(data[16:18], "big")
    pages = len(data) // page
    for n in (pages // 4, pages // 2, 3 * pages // 4):  # three leaf pages, well inside the table
        data[n * page:(n + 1) * page] = bytes(page)
    damaged = sqlite3.connect(":memory:")
    damaged.deserialize(bytes(data))
    dst = sqlite3.connect(":memory:")
    dst.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    report = progress_repair.salvage(damaged, dst, ["t"])
    ids = [r[0] for r in dst.execute("SELECT id FROM t ORDER BY id")]
    assert report.skipped_ranges == 3
    assert 2500 < len(ids) < 3000 and ids[0] == 1 and ids[-1] == 3000


# ---------------------------------------------------------------------------------------------
# error wording


@pytest.mark.parametrize("error, kind", [
    (sqlite3.OperationalError("database or disk is full"), "full"),
    (sqlite3.OperationalError("attempt to write a readonly database"), "read-only"),
    (sqlite3.DatabaseError("database disk image is malformed"), "damaged"),
    (sqlite3.OperationalError("no such table: runs"), "damaged"),
    (sqlite3.OperationalError("database is locked"), "locked"),
])
def test_errors_are_described(tmp_path, error, kind):
    assert progress_repair.describe_error(error, tmp_path / "progress.sqlite3")[0] == kind


def test_a_bug_in_a_statement_is_not_taken_for_a_disk_fault(db):
    with Store(db) as s:
        with pytest.raises(sqlite3.ProgrammingError):
            s._write("INSERT INTO app_state VALUES (?, ?)", ("only one value",))
        assert s.problem is None and not s._in_memory
        s.set_state("k", "v")
    with Store(db) as s:
        assert s.state("k") == "v"


def test_headless_lab_run_says_it_was_not_saved(db, monkeypatch, capsys):
    from dltui import cli, progress

    Store(db).close()
    read_only = _read_only_store(db, monkeypatch)
    monkeypatch.setattr(progress, "open_store", lambda data_dir=None: read_only)
    code = cli.main(["--data-dir", str(db.parent), "lab", "ebm_ellipse_inference", "--device", "cpu"])
    assert code == 0  # the run itself finished
    err = capsys.readouterr().err
    assert "the run was not saved to the progress store because the file progress.sqlite3 is read-only" in err
    assert _raw_count(db, "runs") == 0
