"""The command line, run as the user runs it: ``python -m dltui ...`` in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dltui.progress import Store

TINY = ["--set", "steps=50", "--set", "points=60"]


def dltui(*args: str, data_dir: Path, env_extra: dict | None = None, unset_env: bool = False,
          timeout: int = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["DLTUI_DATA_DIR"] = str(data_dir)
    env["OMP_NUM_THREADS"] = "1"
    env.update(env_extra or {})
    if unset_env:
        env.pop("DLTUI_DATA_DIR")
    return subprocess.run([sys.executable, "-m", "dltui", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


@pytest.fixture
def data(tmp_path) -> Path:
    return tmp_path / "data"


def _progress(data: Path, *extra: str) -> dict:
    proc = dltui(*extra, "progress", "--json", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_labs_lists_spiral(data):
    proc = dltui("labs", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    spiral = [ln for ln in lines if ln.split()[0] == "spiral_classification"]
    assert len(spiral) == 1
    assert "spiral" in spiral[0].split(None, 1)[1].lower()
    from dltui import labregistry

    assert [ln.split()[0] for ln in lines] == labregistry.lab_ids()


def test_labs_metrics_lists_settings_and_metrics(data):
    proc = dltui("labs", "--metrics", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    assert "setting lr = 0.01  (a number from 1e-05 to 100)" in proc.stdout
    assert "metric  acc_linear:" in proc.stdout


@pytest.mark.slow
def test_lab_json_run(data):
    proc = dltui("lab", "spiral_classification", "--device", "cpu", "--json", "--no-save", *TINY, data_dir=data)
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stdout
    out = json.loads(lines[0])
    assert set(out) == {"lab", "device", "settings", "steps", "seconds", "metrics", "expectation"}
    assert out["lab"] == "spiral_classification"
    assert out["device"].startswith("CPU")
    assert out["settings"]["steps"] == 50 and out["settings"]["points"] == 60
    assert out["settings"]["lr"] == 0.01  # the defaults are filled in
    assert out["steps"] == 50
    assert out["seconds"] > 0
    assert set(out["metrics"]) == {"acc_linear", "acc_hidden", "loss_linear", "loss_hidden"}
    assert set(out["expectation"]) == {"description", "met"}
    assert isinstance(out["expectation"]["met"], bool)
    assert out["expectation"]["description"]
    assert not (data / "progress.sqlite3").exists()  # --no-save


def test_out_of_range_setting_exits_2(data):
    proc = dltui("lab", "spiral_classification", "--device", "cpu", "--set", "lr=1e9", data_dir=data)
    assert proc.returncode == 2
    assert "lr" in proc.stderr and "from 1e-05 to 100" in proc.stderr
    assert proc.stdout == ""


def test_malformed_set_exits_2(data):
    proc = dltui("lab", "spiral_classification", "--device", "cpu", "--set", "nonsense", data_dir=data)
    assert proc.returncode == 2
    assert "KEY=VALUE" in proc.stderr


def test_unknown_setting_exits_2(data):
    proc = dltui("lab", "spiral_classification", "--device", "cpu", "--set", "nonsense=1", data_dir=data)
    assert proc.returncode == 2
    assert "nonsense" in proc.stderr


def test_non_number_setting_exits_2(data):
    proc = dltui("lab", "spiral_classification", "--device", "cpu", "--set", "steps=many", data_dir=data)
    assert proc.returncode == 2
    assert "steps" in proc.stderr and "not a number" in proc.stderr


def test_unknown_lab_exits_2(data):
    proc = dltui("lab", "no_such_lab", "--device", "cpu", data_dir=data)
    assert proc.returncode == 2
    assert "no_such_lab" in proc.stderr


@pytest.mark.slow
def test_diverging_run_exits_1(data):
    proc = dltui("lab", "spiral_classification", "--device", "cpu", "--set", "optimizer=sgd", "--set", "lr=100",
                 data_dir=data)
    assert proc.returncode == 1, proc.stderr
    assert "diverged" in proc.stderr


@pytest.mark.slow
def test_saved_run_shows_in_progress(data):
    assert _progress(data)["runs"] == 0
    proc = dltui("lab", "spiral_classification", "--device", "cpu", "--set", "steps=10", "--set", "points=50",
                 "--set", "model=linear", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    assert "spiral_classification finished" in proc.stdout
    assert "expectation:" in proc.stdout
    assert _progress(data)["runs"] == 1
    with Store(data / "progress.sqlite3") as store:
        [run] = store.runs()
    assert run.lab_id == "spiral_classification"
    assert run.status == "finished" and run.steps == 10
    assert run.settings["model"] == "linear"
    assert set(run.metrics) == {"acc_linear", "loss_linear"}


def test_progress_json_lists_themes(data):
    out = _progress(data)
    assert len(out["themes"]) == 9
    assert [t["id"] for t in out["themes"]] == [f"t{i}" for i in range(1, 10)]
    assert sum(len(t["lessons"]) for t in out["themes"]) == 38
    assert out["runs"] == 0
    assert out["data_file"] == str(data / "progress.sqlite3")
    lesson = out["themes"][0]["lessons"][0]
    assert set(lesson) >= {"id", "title", "read", "opened", "questions", "answered", "correct",
                           "pending_predictions"}


def test_progress_counts_answers(data):
    with Store(data / "progress.sqlite3") as s:
        s.lesson_opened("t1_backprop")
        s.mark_completed("t1_backprop")
        s.record_answer("t1_backprop", "q-a", "single", 0, True)
        s.record_answer("t1_backprop", "q-b", "single", 1, False)
    out = _progress(data)
    lesson = next(le for t in out["themes"] for le in t["lessons"] if le["id"] == "t1_backprop")
    assert (lesson["read"], lesson["opened"], lesson["answered"], lesson["correct"]) == (True, True, 2, 1)
    assert out["themes"][0]["read"] == 1 and out["themes"][0]["correct"] == 1


def test_progress_table(data):
    proc = dltui("progress", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    assert "0 lab run(s) recorded" in proc.stdout


def _store_with_runs(folder: Path, n: int) -> None:
    with Store(folder / "progress.sqlite3") as s:
        for _ in range(n):
            s.record_run("spiral_classification", {}, {}, status="finished", seconds=1, steps=1, device="cpu")


def test_data_dir_option_and_env(tmp_path):
    from_env, from_option = tmp_path / "env", tmp_path / "option"
    _store_with_runs(from_env, 2)
    _store_with_runs(from_option, 3)

    out = _progress(from_env)  # the env var alone
    assert out["runs"] == 2
    assert out["data_file"] == str(from_env / "progress.sqlite3")

    out = _progress(from_env, "--data-dir", str(from_option))  # the option wins over the env var
    assert out["runs"] == 3
    assert out["data_file"] == str(from_option / "progress.sqlite3")

    proc = dltui("--data-dir", str(from_option), "progress", "--json", data_dir=from_env, unset_env=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["runs"] == 3


def test_corrupt_store_is_reported(data):
    data.mkdir(parents=True)
    (data / "progress.sqlite3").write_bytes(b"not a database at all" * 100)
    proc = dltui("progress", "--json", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    assert "moved to progress.sqlite3.corrupt-" in proc.stderr
    assert json.loads(proc.stdout)["runs"] == 0


def test_newer_store_exits_1(data):
    import sqlite3

    Store(data / "progress.sqlite3").close()
    with sqlite3.connect(data / "progress.sqlite3") as conn:
        conn.execute("UPDATE schema_version SET version = 999")
    conn.close()
    proc = dltui("progress", "--json", data_dir=data)
    assert proc.returncode == 1
    assert "newer dltui" in proc.stderr


def test_version(data):
    from dltui import __version__

    proc = dltui("--version", data_dir=data)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"dltui {__version__}"


def test_main_module_does_nothing_when_imported_by_a_spawned_worker():
    # multiprocessing's spawn re-imports the parent's main module as __mp_main__: with
    # `python -m dltui` that must not start a second CLI inside the lab worker.
    code = "import runpy; runpy.run_module('dltui.__main__', run_name='__mp_main__'); print('quiet')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "quiet", proc.stderr


@pytest.mark.slow
def test_a_run_with_other_settings_is_not_judged_against_the_default_expectation(data):
    # The expectation describes the default settings; a short run that misses it is not "not met".
    proc = dltui("lab", "spiral_classification", "--device", "cpu", "--set", "steps=10", "--set", "points=50",
                 "--no-save", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    assert "not met" not in proc.stdout and "other settings than the expectation's" in proc.stdout
