"""``dltui exercises`` and ``dltui exercise ID``, run as the learner runs them, and the store's
exercise records (including a store written before exercises existed)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from dltui.paths import curriculum_dir
from dltui.progress import Store

SOLUTIONS = curriculum_dir() / "01-introduction" / "exercises"


def dltui(*args: str, data_dir: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, DLTUI_DATA_DIR=str(data_dir), OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "dltui", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


@pytest.fixture
def data(tmp_path) -> Path:
    return tmp_path / "data"


def test_exercises_json_lists_every_exercise(data):
    proc = dltui("exercises", "--json", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout.strip().splitlines()[-1])
    ids = {r["id"] for r in rows}
    assert {"linear_forward_backward", "mlp_by_hand", "custom_grads"} <= ids
    row = next(r for r in rows if r["id"] == "mlp_by_hand")
    assert set(row) == {"id", "title", "theme", "lessons", "status"}
    assert row["theme"] == "t1" and row["status"] == "new" and "t1_hw1_backprop" in row["lessons"]


def test_the_starter_fails_with_exit_1_and_json_last(data):
    proc = dltui("exercise", "tensor_basics", "--json", data_dir=data)
    assert proc.returncode == 1, proc.stderr
    payload = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(payload) == {"exercise", "passed", "checks", "seconds"}
    assert payload["exercise"] == "tensor_basics" and payload["passed"] is False
    assert all(set(c) == {"name", "passed", "message"} for c in payload["checks"])
    assert any(not c["passed"] and c["message"] for c in payload["checks"])
    # the starter was copied into the workspace, where the learner edits it
    assert (data / "workspace" / "tensor_basics.py").read_text() == \
        (SOLUTIONS / "tensor_basics" / "starter.py").read_text()
    with Store(data / "progress.sqlite3") as store:
        state = store.exercise_states()["tensor_basics"]
    assert state.attempts == 1 and state.status == "failing"


def test_a_solved_file_exits_0_and_unlocks_the_solution(data):
    (data / "workspace").mkdir(parents=True)
    (data / "workspace" / "tensor_basics.py").write_text((SOLUTIONS / "tensor_basics" / "solution.py").read_text())
    refused = dltui("exercise", "tensor_basics", "--solution", data_dir=data)
    assert refused.returncode == 2 and "--give-up" in refused.stderr
    proc = dltui("exercise", "tensor_basics", data_dir=data)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all checks pass ✓" in proc.stdout
    assert re.search(r"all checks pass ✓ \((< 1 ms|\d+ ms|\d+\.\d s|\d+ s)\)$", proc.stdout.strip()), proc.stdout
    shown = dltui("exercise", "tensor_basics", "--solution", data_dir=data)
    assert shown.returncode == 0 and "def outer" in shown.stdout


def test_give_up_prints_the_solution_and_is_recorded(data):
    proc = dltui("exercise", "custom_grads", "--give-up", data_dir=data)
    assert proc.returncode == 0 and "class Clamp01" in proc.stdout
    with Store(data / "progress.sqlite3") as store:
        assert store.exercise_states()["custom_grads"].status == "gave up"


def test_unknown_exercise_exits_2(data):
    proc = dltui("exercise", "no_such_exercise", data_dir=data)
    assert proc.returncode == 2 and "unknown exercise" in proc.stderr and "Traceback" not in proc.stderr


def test_reset_keeps_the_previous_file_and_workspace_option(tmp_path, data):
    work = tmp_path / "mywork"
    work.mkdir()
    (work / "logic_neurons.py").write_text("# my attempt\n")
    proc = dltui("exercise", "logic_neurons", "--reset", "--workspace", str(work), data_dir=data)
    assert proc.returncode == 0, proc.stderr
    backups = list(work.glob("logic_neurons.py.bak-*"))
    assert len(backups) == 1 and backups[0].read_text() == "# my attempt\n"
    assert (work / "logic_neurons.py").read_text() == (SOLUTIONS / "logic_neurons" / "starter.py").read_text()


def test_progress_shows_exercises_per_theme(data):
    with Store(data / "progress.sqlite3") as store:
        store.record_exercise_attempt("mlp_by_hand", True, 6, 6, 0.2, "cli")
    proc = dltui("progress", "--json", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    theme1 = json.loads(proc.stdout)["themes"][0]
    row = next(e for e in theme1["exercises"] if e["id"] == "mlp_by_hand")
    assert row["status"] == "passed" and row["attempts"] == 1


# -- the store --------------------------------------------------------------------------------------

def test_a_schema_1_store_migrates_and_keeps_everything(tmp_path):
    from dltui.progress import MIGRATIONS

    path = tmp_path / "progress.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    conn.execute("INSERT INTO schema_version VALUES (1)")
    conn.execute("INSERT INTO dltui_meta VALUES ('app', 'dltui-progress')")
    conn.execute("INSERT INTO answers (lesson_id, question_id, kind, answer, correct, answered_at) "
                 "VALUES ('t1_backprop', 'q1', 'single', '0', 1, 1.0)")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert store.latest_answers("t1_backprop")["q1"].correct is True
        store.record_hint("autograd_basics", 1)
        store.record_hint("autograd_basics", 2)
        store.record_hint("autograd_basics", 1)  # never goes down
        store.record_exercise_attempt("autograd_basics", False, 2, 6, 0.1)
        store.record_exercise_attempt("autograd_basics", True, 6, 6, 0.1)
        state = store.exercise_states()["autograd_basics"]
    assert state.hints_used == 2 and state.attempts == 2 and state.passed and state.last_passed
    assert state.seconds_to_pass is not None and state.seconds_to_pass >= 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == len(MIGRATIONS)


def test_watch_reruns_the_checks_when_the_file_is_saved(data):
    import signal

    env = dict(os.environ, DLTUI_DATA_DIR=str(data), OMP_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, "-m", "dltui", "exercise", "tensor_basics", "--watch", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = json.loads(proc.stdout.readline())
        assert first["passed"] is False
        while "watching" not in proc.stderr.readline():  # the watcher is set up once it says so
            assert proc.poll() is None
        import select

        solved = (SOLUTIONS / "tensor_basics" / "solution.py").read_text()
        for attempt in range(20):  # save again (new content) until the watcher has seen a save
            (data / "workspace" / "tensor_basics.py").write_text(solved + f"# save {attempt}\n")
            if select.select([proc.stdout], [], [], 3.0)[0]:
                break
        second = json.loads(proc.stdout.readline())
        assert second["passed"] is True and second["exercise"] == "tensor_basics"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert proc.returncode == 0  # the last run passed


def test_the_report_gives_the_time_in_words_and_none_when_unmeasured(tmp_path):
    from dltui.exercise_cli import _report
    from dltui.exercisespec import CheckOutcome, ExerciseResult, load_exercises

    exercise = next(e for e in load_exercises(curriculum_dir()) if e.id == "tensor_basics")
    fast = ExerciseResult("tensor_basics", [CheckOutcome("a", True)], 0.0042)
    assert _report(exercise, tmp_path / "t.py", fast).splitlines()[-1] == "all checks pass ✓ (4 ms)"
    stopped = ExerciseResult("tensor_basics", [CheckOutcome("the checks finish", False, "stopped")], kind="timeout")
    assert _report(exercise, tmp_path / "t.py", stopped).splitlines()[-1] == "0/1 checks pass"
