"""Fault injection for the curriculum loader (issue 10, items 14-17): files that are not files,
hostile YAML, oversized lessons. Each fault must end as a ``file:line: problem`` message, the
lesson must still be listed (marked broken), and neither `dltui validate` nor the app may crash."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dltui import conditions, yamlload
from dltui.cli import main
from dltui.curriculum import MAX_FILE_BYTES, load_curriculum, load_lesson

FIXTURE = Path(__file__).parent / "fixtures" / "curriculum"
HEAD = "---\nid: {id}\ntitle: {title}\norder: 5\nminutes: 3\nobjectives: [x]\nsources: {{notes: []}}\n{extra}---\n\nText.\n"


def lesson_text(lesson_id: str, body: str = "", extra: str = "", title: str | None = None) -> str:
    return HEAD.format(id=lesson_id, title=title or lesson_id, extra=extra) + body


def bomb(levels: int = 9) -> str:
    """The classic "billion laughs": 9 ** levels strings once expanded."""
    out = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, levels):
        out += f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n"
    return out


def deep_condition(depth: int = 50_000) -> str:
    return "(" * depth + "acc_linear > 0.5" + ")" * depth


PREDICT = ("```quiz\nid: p\nkind: predict\nlab: spiral_classification\nprompt: Which?\noptions:\n"
           "  - text: A\n    when: {when}\n    explain: a\n"
           "  - text: B\n    when: acc_linear >= 0.5\n    explain: b\n```\n")

# name -> (make(folder), file name, expected 1-based line, message fragment)
FAULTS = {
    "folder named like a lesson": (lambda d: (d / "t2_dir.md").mkdir(), "t2_dir.md", 1, "is a folder"),
    "dangling symlink": (lambda d: os.symlink(d / "nowhere.md", d / "t2_dangling.md"), "t2_dangling.md", 1,
                         "link to a missing file"),
    "symlink loop": (lambda d: os.symlink(d / "t2_loop.md", d / "t2_loop.md"), "t2_loop.md", 1, "loops back"),
    "unhashable key": (lambda d: (d / "t2_unhash.md").write_text(
        lesson_text("t2_unhash", "```quiz\nid: q\n? [a, b]: 1\n```\n")), "t2_unhash.md", 13,
        "key must be a plain name"),
    "deep condition": (lambda d: (d / "t2_deep.md").write_text(
        lesson_text("t2_deep", PREDICT.format(when=deep_condition()))), "t2_deep.md", 18, "too long"),
    "nested condition": (lambda d: (d / "t2_nest.md").write_text(
        lesson_text("t2_nest", PREDICT.format(when="not " * 60 + "acc_linear > 0.5"))), "t2_nest.md", 18,
        "nested too deeply"),
    "alias bomb in settings": (lambda d: (d / "t2_bomb.md").write_text(lesson_text(
        "t2_bomb", "```lab\nlab: spiral_classification\nsettings:\n" + "".join(
            "  " + ln + "\n" for ln in bomb().splitlines()) + "```\n")), "t2_bomb.md", 14, "aliases"),
    "alias in an option text": (lambda d: (d / "t2_alias.md").write_text(lesson_text(
        "t2_alias", "```quiz\nid: q\nkind: single\nprompt: &p Which?\noptions:\n"
                    "  - {text: *p, explain: a, correct: true}\n  - {text: B, explain: b}\n```\n")),
        "t2_alias.md", 14, "aliases"),
    "deep YAML nesting": (lambda d: (d / "t2_nested.md").write_text(lesson_text(
        "t2_nested", "```quiz\nid: q\nprompt: " + "[" * 500 + "]" * 500 + "\n```\n")), "t2_nested.md", 13,
        "nested more than"),
    "duplicate front matter key": (lambda d: (d / "t2_dup.md").write_text(
        lesson_text("t2_dup", extra="title: Again\n")), "t2_dup.md", 8, "duplicate key 'title'"),
    "duplicate quiz key": (lambda d: (d / "t2_dupq.md").write_text(lesson_text(
        "t2_dupq", "```quiz\nid: q\nkind: single\nid: r\n```\n")), "t2_dupq.md", 14, "duplicate key 'id'"),
    "lesson over 1 MB": (lambda d: (d / "t2_huge.md").write_text(
        lesson_text("t2_huge", "word " * 300_000)), "t2_huge.md", 1, "too large"),
    "not UTF-8": (lambda d: (d / "t2_latin.md").write_bytes(
        lesson_text("t2_latin").encode() + b"caf\xe9\n"), "t2_latin.md", 11, "not UTF-8"),
    "huge whole number setting": (lambda d: (d / "t2_bignum.md").write_text(lesson_text(
        "t2_bignum", "```lab\nlab: spiral_classification\nsettings: {steps: " + "9" * 400 + "}\n```\n")),
        "t2_bignum.md", 13, "out of range"),
    "infinite setting": (lambda d: (d / "t2_inf.md").write_text(lesson_text(
        "t2_inf", "```lab\nlab: spiral_classification\nsettings: {lr: .inf}\n```\n")), "t2_inf.md", 13,
        "out of range"),
    "infinite numeric answer": (lambda d: (d / "t2_infans.md").write_text(lesson_text(
        "t2_infans", "```quiz\nid: q\nkind: numeric\nprompt: How much?\nanswer: .nan\ntolerance: 1\n"
                     "explain: e\nmistakes:\n  - {value: " + "9" * 400 + ", explain: m}\n```\n")),
        "t2_infans.md", 15, "answer must be a finite number"),
    "bad date": (lambda d: (d / "t2_date.md").write_text(
        lesson_text("t2_date", extra="when: 2021-13-45\n")), "t2_date.md", 8, "month must be in 1..12"),
}
if not hasattr(os, "mkfifo"):  # pragma: no cover
    FAULTS.pop("fifo", None)
else:
    FAULTS["fifo (would block a reader)"] = (lambda d: os.mkfifo(d / "t2_fifo.md"), "t2_fifo.md", 1,
                                             "not a regular file")


def _tree(tmp_path: Path, *names: str) -> Path:
    root = tmp_path / "cur"
    shutil.copytree(FIXTURE, root)
    for name in names:
        FAULTS[name][0](root / "02-more")
    return root


def _problems_for(cur, file_name: str) -> list[str]:
    return [f"{p.path.name}:{p.line}: {p.message}" for p in cur.problems if p.path.name == file_name]


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_is_a_file_line_problem_and_the_lesson_stays_listed(tmp_path, name):
    _, file_name, line, fragment = FAULTS[name]
    cur = load_curriculum(_tree(tmp_path, name))
    found = _problems_for(cur, file_name)
    assert any(p.startswith(f"{file_name}:{line}: ") and fragment in p for p in found), found
    lesson = next(le for le in cur.lessons() if le.path.name == file_name)
    assert lesson.broken
    assert cur.lesson("t2_other") is not None and not cur.lesson("t2_other").broken  # the rest loads


def test_validate_reports_every_fault_without_a_traceback(tmp_path):
    """The real command in a fresh process, all faults at once."""
    root = _tree(tmp_path, *FAULTS)
    proc = subprocess.run([sys.executable, "-m", "dltui", "validate", str(root)], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    for _, file_name, line, fragment in FAULTS.values():
        assert any(ln.startswith(f"cur/02-more/{file_name}:{line}: ") and fragment in ln
                   for ln in proc.stdout.splitlines()), (file_name, proc.stdout)
    assert f"{len(proc.stdout.splitlines())} problem(s)" in proc.stderr


def test_validate_in_process_exits_1(tmp_path, capsys):
    root = _tree(tmp_path, "symlink loop", "folder named like a lesson")
    assert main(["validate", str(root)]) == 1
    out = capsys.readouterr().out
    assert "t2_loop.md:1: is a symbolic link that loops back on itself" in out
    assert "t2_dir.md:1: is a folder, not a file" in out


def test_bom_is_accepted(tmp_path):
    path = tmp_path / "t1_bom.md"
    path.write_text("\ufeff" + lesson_text("t1_bom", "More text.\n"), encoding="utf-8")
    lesson = load_lesson(path, "t1")
    assert lesson.problems == [] and lesson.title == "t1_bom"
    assert lesson.blocks[0].text.startswith("Text.")


def test_bom_in_theme_yaml_is_accepted(tmp_path):
    root = _tree(tmp_path)
    theme_file = root / "01-basics" / "theme.yaml"
    theme_file.write_text("\ufeff" + theme_file.read_text(encoding="utf-8"), encoding="utf-8")
    cur = load_curriculum(root)
    assert cur.problems == [] and cur.themes[0].title == "Basics"


def test_theme_yaml_that_is_a_folder(tmp_path):
    root = _tree(tmp_path)
    (root / "02-more" / "theme.yaml").unlink()
    (root / "02-more" / "theme.yaml").mkdir()
    cur = load_curriculum(root)
    assert [f"{p.path.name}:{p.line}" for p in cur.problems] == ["theme.yaml:1"]
    assert "is a folder" in cur.problems[0].message
    assert cur.lesson("t2_other") is not None  # its lessons still load


def test_oversized_lesson_is_never_read_whole(tmp_path, monkeypatch):
    """Even when the size on disk says small (it grew, or it is a special file), at most
    MAX_FILE_BYTES + 1 bytes are read."""
    path = tmp_path / "t1_grow.md"
    path.write_text(lesson_text("t1_grow", "x" * (3 * MAX_FILE_BYTES)))
    reads = []
    real_open = open

    class Spy:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def read(self, n=-1):
            reads.append(n)
            return self.f.read(n)

    def spy_open(p, mode="r", *a, **kw):
        f = real_open(p, mode, *a, **kw)
        return Spy(f) if str(p) == str(path) else f

    real_stat = os.stat

    def small_stat(p, *a, **kw):
        st = real_stat(p, *a, **kw)
        if str(p) == str(path):
            return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid,
                                   100, st.st_atime, st.st_mtime, st.st_ctime))
        return st

    monkeypatch.setattr("builtins.open", spy_open)
    monkeypatch.setattr(os, "stat", small_stat)
    lesson = load_lesson(path, "t1")
    assert reads == [MAX_FILE_BYTES + 1]
    assert [p.message for p in lesson.problems][0].startswith("is too large")


def test_unexpected_loader_bug_becomes_a_problem(tmp_path, monkeypatch):
    """A bug in the parser must not take the whole curriculum (or the app) down."""
    import dltui.curriculum as curriculum

    def broken(*a, **kw):
        raise ZeroDivisionError("injected")

    monkeypatch.setattr(curriculum, "_parse_body", broken)
    cur = load_curriculum(_tree(tmp_path))
    assert all(le.broken for le in cur.lessons())
    assert "ZeroDivisionError: injected" in cur.problems[0].message


# -- the pieces, directly ---------------------------------------------------------------------


@pytest.mark.parametrize("text, line, fragment", [
    ("a: 1\nb: 2\na: 3\n", 2, "duplicate key 'a' (already given 2 lines above)"),
    ("x:\n  k: 1\n  k: 2\n", 2, "duplicate key 'k'"),
    ("? [a, b]: 1\n", 0, "not a list"),
    ("? {a: 1}: 1\n", 0, "not a mapping"),
    ("x: &a 1\n", 0, "anchors and aliases"),
    (bomb(), 0, "anchors and aliases"),
    ("a:\n" + "".join("  " * i + "b:\n" for i in range(1, 40)), yamlload.MAX_DEPTH, "nested more than"),
    ("d: 2021-02-30\n", 0, "day is out of range"),
])
def test_yaml_refusals(text, line, fragment):
    with pytest.raises(yamlload.YamlError) as info:
        yamlload.load(text)
    assert info.value.line == line and fragment in info.value.message


def test_yaml_plain_documents_still_load():
    data = yamlload.load("a: [1, {b: c}]\nd: 'x: y'\ne: 3.5\n")
    assert data == {"a": [1, {"b": "c"}], "d": "x: y", "e": 3.5}
    assert data.line_of("e") == 2


@pytest.mark.parametrize("text, fragment", [
    (deep_condition(), "too long"),
    ("-" * 300 + "a", "nested too deeply"),
    ("not " * 40 + "a", "nested too deeply"),
])
def test_condition_refusals(text, fragment):
    with pytest.raises(conditions.ConditionError) as info:
        conditions.names(text)
    assert fragment in str(info.value)


def test_ordinary_conditions_still_work():
    assert conditions.evaluate("(a > 1 and not b < 0) or c == 2", {"a": 2, "b": 1, "c": 0})
