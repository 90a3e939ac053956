"""`dltui review`: due counts per theme, --json, --retention (checked), --export (CSV), and the
mastery and due counts of `dltui progress`. In-process through cli.main, with DLTUI_NOW moving time."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from dltui.cli import main
from dltui.progress import Store

FIXTURES = Path(__file__).parent / "fixtures" / "curriculum"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def data(tmp_path, monkeypatch):
    """Two fixture answers at T0: relu-kink wrong (back in 10 min), sigmoid-zero right (days)."""
    monkeypatch.setenv("DLTUI_NOW", T0.isoformat())
    folder = tmp_path / "data"
    with Store(folder / "progress.sqlite3") as s:
        s.record_answer("t1_demo", "relu-kink", "single", 1, False)
        s.record_answer("t1_demo", "sigmoid-zero", "numeric", 0.5, True)
    return folder


def run(capsys, data, *args) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), "--curriculum", str(FIXTURES), *args])
    out, err = capsys.readouterr()
    return code, out, err


def _json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def test_review_json_counts_due_now_and_within_a_week(capsys, data, monkeypatch):
    code, out, _ = run(capsys, data, "review", "--json")
    assert code == 0
    summary = _json(out)
    assert set(summary) >= {"due_now", "due_7d", "cards", "by_theme"}
    assert (summary["due_now"], summary["due_7d"], summary["cards"]) == (0, 2, 2)
    assert summary["by_theme"]["t1"]["cards"] == 2 and summary["by_theme"]["t2"]["cards"] == 0
    monkeypatch.setenv("DLTUI_NOW", (T0 + timedelta(minutes=11)).isoformat())
    code, out, _ = run(capsys, data, "review", "--json")
    assert _json(out)["due_now"] == 1 and _json(out)["by_theme"]["t1"]["due_now"] == 1
    monkeypatch.setenv("DLTUI_NOW", (T0 + timedelta(days=60)).isoformat())
    code, out, _ = run(capsys, data, "review")
    assert code == 0 and "Due now: 2" in out and "press r" in out


def test_retention_is_set_and_out_of_range_is_refused_with_the_range(capsys, data):
    code, out, err = run(capsys, data, "review", "--retention", "0.5")
    assert code == 2 and "from 0.7 to 0.99" in err and out == ""
    code, out, err = run(capsys, data, "review", "--retention", "0.85", "--json")
    assert code == 0 and _json(out)["retention"] == 0.85 and "0.85" in err
    with Store(data / "progress.sqlite3") as s:
        assert s.review_retention() == 0.85


def test_export_writes_the_review_log_as_csv(capsys, data, tmp_path):
    path = tmp_path / "log.csv"
    code, out, _ = run(capsys, data, "review", "--export", str(path))
    assert code == 0 and "Wrote 2 review(s)" in out
    rows = list(csv.DictReader(path.open()))
    assert [r["question_id"] for r in rows] == ["t1_demo/relu-kink", "t1_demo/sigmoid-zero"]
    assert rows[0]["rating"] == "1" and rows[0]["scheduled_interval_seconds"] == "600"
    assert rows[1]["rating"] == "3" and int(rows[1]["scheduled_interval_seconds"]) >= 2 * 86400
    assert datetime.fromisoformat(rows[0]["review_time"]) == T0


def test_export_to_an_unwritable_path_fails_clearly(capsys, data, tmp_path):
    code, _, err = run(capsys, data, "review", "--export", str(tmp_path / "no" / "such" / "dir" / "log.csv"))
    assert code == 1 and "cannot write" in err and "Traceback" not in err


def test_progress_shows_mastery_and_due_counts(capsys, data, monkeypatch):
    with Store(data / "progress.sqlite3") as s:
        s.record_answer("t2_other", "second", "single", 0, True)
    code, out, _ = run(capsys, data, "progress", "--json")
    assert code == 0
    summary = _json(out)
    other = next(le for t in summary["themes"] for le in t["lessons"] if le["id"] == "t2_other")
    assert other["mastered"] and other["review_cards"] == 1
    demo = next(le for t in summary["themes"] for le in t["lessons"] if le["id"] == "t1_demo")
    assert not demo["mastered"] and demo["due_7d"] == 2
    assert summary["review"] == {"due_now": 0, "due_7d": 3, "mastered": 1}
    monkeypatch.setenv("DLTUI_NOW", (T0 + timedelta(minutes=11)).isoformat())
    code, out, _ = run(capsys, data, "progress")
    assert code == 0 and "1 question(s) due for review now" in out


def test_review_command_never_imports_torch_or_textual(data):
    code = ("import sys; from dltui.cli import main; "
            f"rc = main(['--data-dir', {str(data)!r}, '--curriculum', {str(FIXTURES)!r}, 'review', '--json']); "
            "assert rc == 0; print('torch' in sys.modules, 'textual' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "False False"


def test_a_given_up_exercise_counts_in_its_theme(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DLTUI_NOW", T0.isoformat())
    folder = tmp_path / "ex"
    with Store(folder / "progress.sqlite3") as s:
        s.record_give_up("autograd_basics")
    monkeypatch.setenv("DLTUI_NOW", (T0 + timedelta(minutes=11)).isoformat())
    assert main(["--data-dir", str(folder), "review", "--json"]) == 0  # the shipped course
    summary = _json(capsys.readouterr()[0])
    assert summary["due_now"] == 1 and summary["by_theme"]["t1"]["due_now"] == 1
