"""The curriculum loader and validator: the shipped lessons, and one malformed lesson per rule.

Every problem must come out as ``file:line: message`` with the line where the mistake is.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dltui.curriculum import Prose, Question, load_curriculum, load_lesson
from dltui.paths import curriculum_dir

SYLLABUS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "syllabus.md"
SYLLABUS_ID = re.compile(r"^###\s+`(t[1-9]_[a-z0-9_]+)`", re.M)


# ---------------------------------------------------------------------------------------------
# The shipped curriculum


@pytest.fixture(scope="module")
def shipped():
    return load_curriculum(curriculum_dir())


def test_shipped_curriculum_has_no_problems(shipped):
    assert shipped.problems == [], "\n".join(map(str, shipped.problems))
    assert len(shipped.themes) == 9
    assert not any(le.broken for le in shipped.lessons())


def test_shipped_lesson_ids_are_unique_and_match_files(shipped):
    ids = [le.id for le in shipped.lessons()]
    assert len(ids) == len(set(ids))
    for le in shipped.lessons():
        assert le.path.stem == le.id
        assert le.id.startswith(le.theme_id + "_"), (le.id, le.theme_id)


def test_shipped_curriculum_covers_the_syllabus(shipped):
    if not SYLLABUS.is_file():
        pytest.skip(f"{SYLLABUS} is not here")
    syllabus_ids = SYLLABUS_ID.findall(SYLLABUS.read_text(encoding="utf-8"))
    assert len(syllabus_ids) == 38
    assert len(set(syllabus_ids)) == len(syllabus_ids)
    lesson_ids = [le.id for le in shipped.lessons()]
    for sid in syllabus_ids:
        assert lesson_ids.count(sid) == 1, f"syllabus id {sid} has {lesson_ids.count(sid)} lessons"
    assert len(lesson_ids) == len(syllabus_ids)


def test_shipped_lesson_count(shipped):
    assert len(shipped.lessons()) == 38


def _lesson_ids():
    return [le.id for le in load_curriculum(curriculum_dir()).lessons()]


@pytest.mark.parametrize("lesson_id", _lesson_ids())
def test_shipped_lesson_shape(shipped, lesson_id):
    le = shipped.lesson(lesson_id)
    qs = le.questions
    assert len(qs) >= 6, f"{lesson_id}: {len(qs)} questions"
    assert len({q.kind for q in qs}) >= 2, f"{lesson_id}: only {[q.kind for q in qs]}"
    for q in qs:
        assert q.prompt.strip(), f"{lesson_id}/{q.id}: no prompt"
        if q.kind == "numeric":
            assert q.explain.strip(), f"{lesson_id}/{q.id}: numeric answer not explained"
            assert q.tolerance and q.tolerance > 0
        else:
            assert len(q.options) >= 2
            for n, opt in enumerate(q.options, 1):
                assert opt.explain.strip(), f"{lesson_id}/{q.id}: option {n} not explained"
    assert 700 <= le.word_count <= 1400, f"{lesson_id}: {le.word_count} words"
    assert 3 <= len(le.objectives) <= 6, f"{lesson_id}: {len(le.objectives)} objectives"
    assert le.title and le.title != le.id
    assert le.minutes > 0


# ---------------------------------------------------------------------------------------------
# Building lesson files

FRONT = """\
id: {lid}
title: A test lesson
order: 1
minutes: 30
objectives:
  - Explain one thing.
sources:
  notes: []
  video: https://youtu.be/abc
"""

PROSE = "\n## Section\n\nSome prose that stays visible.\n\n"

SINGLE = """\
```quiz
id: q1
kind: single
prompt: Pick one.
options:
  - text: A
    correct: true
    explain: Because A.
  - text: B
    explain: Not B.
```
"""

NUMERIC = """\
```quiz
id: n1
kind: numeric
prompt: What is sigma of zero?
answer: 0.5
tolerance: 0.01
explain: One over two.
mistakes:
  - value: 1
    explain: That is e to the zero.
```
"""

PREDICT = """\
```quiz
id: p1
kind: predict
lab: spiral_classification
settings: {model: linear, steps: 50}
prompt: Which accuracy?
options:
  - text: Low
    when: acc_linear < 0.65
    explain: Straight cuts only.
  - text: High
    when: acc_linear >= 0.65
    explain: Not for a linear model.
```
"""

LAB = """\
```lab
lab: spiral_classification
title: Linear against hidden
settings: {model: both, lr: 0.02}
text: Watch the regions.
```
"""


def lesson(lid: str, *, front: str | None = None, body: str | None = None) -> str:
    front = FRONT.format(lid=lid) if front is None else front
    body = PROSE + SINGLE if body is None else body
    return f"---\n{front}---\n{body}"


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the nth line containing needle."""
    hits = [i for i, ln in enumerate(text.splitlines(), 1) if needle in ln]
    assert len(hits) >= nth, f"{needle!r} not in the test lesson"
    return hits[nth - 1]


def _cases() -> list[tuple[str, str, str, int, str]]:
    """(case, file stem, text, expected line, expected start of the message)."""
    out = []

    def add(case, text, line, message, stem=None):
        out.append((case, stem or f"t1_{case}", text, line, message))

    t = lesson("t1_fm_yaml", front=FRONT.format(lid="t1_fm_yaml").replace("title: A test lesson",
                                                                            "title: broken: here"))
    add("fm_yaml", t, line_of(t, "title: broken: here"),
        "front matter: YAML error: mapping values are not allowed")

    t = "# Just Markdown\n\nSome prose that stays visible.\n"
    add("no_fm", t, 1, "a lesson must start with YAML front matter between '---' lines")

    t = "---\n" + FRONT.format(lid="t1_open_fm") + PROSE
    add("open_fm", t, 1, "front matter is not closed by a '---' line")

    t = lesson("t1_no_title", front=FRONT.format(lid="t1_no_title").replace("title: A test lesson\n", ""))
    add("no_title", t, 2, "missing required key 'title'")

    t = lesson("t1_extra_key", front=FRONT.format(lid="t1_extra_key") + "author: Someone\n")
    add("extra_key", t, line_of(t, "author: Someone"),
        "unknown key 'author' (expected: id, minutes, objectives, order, sources, title)")

    t = lesson("t1_quiz_yaml", body=PROSE + SINGLE.replace("prompt: Pick one.", "prompt: Pick: one"))
    add("quiz_yaml", t, line_of(t, "prompt: Pick: one"), "quiz block: YAML error: mapping values are not allowed")

    t = lesson("t1_quiz_kind", body=PROSE + SINGLE.replace("kind: single", "kind: essay"))
    add("quiz_kind", t, line_of(t, "kind: essay"), "kind must be one of single, multiple, numeric, predict (got 'essay')")

    t = lesson("t1_two_correct", body=PROSE + SINGLE.replace("explain: Not B.", "correct: true\n    explain: Not B."))
    add("two_correct", t, line_of(t, "options:"),
        "quiz 'q1': a single-choice question needs exactly one correct option (found 2)")

    t = lesson("t1_no_explain", body=PROSE + SINGLE.replace("    explain: Not B.\n", ""))
    add("no_explain", t, line_of(t, "- text: B"), "quiz 'q1': option 2 has no explain")

    t = lesson("t1_multi_none", body=PROSE + SINGLE.replace("kind: single", "kind: multiple")
               .replace("    correct: true\n", ""))
    add("multi_none", t, line_of(t, "options:"),
        "quiz 'q1': a multiple-choice question needs at least one correct option")

    t = lesson("t1_no_tol", body=PROSE + NUMERIC.replace("tolerance: 0.01\n", ""))
    add("no_tol", t, line_of(t, "id: n1"), "quiz 'n1': missing required key 'tolerance'")

    t = lesson("t1_zero_tol", body=PROSE + NUMERIC.replace("tolerance: 0.01", "tolerance: 0"))
    add("zero_tol", t, line_of(t, "tolerance: 0"), "quiz 'n1': tolerance must be greater than 0")

    t = lesson("t1_neg_tol", body=PROSE + NUMERIC.replace("tolerance: 0.01", "tolerance: -0.5"))
    add("neg_tol", t, line_of(t, "tolerance: -0.5"), "quiz 'n1': tolerance must be greater than 0")

    t = lesson("t1_bad_lab", body=PROSE + PREDICT.replace("lab: spiral_classification", "lab: no_such_lab"))
    add("bad_lab", t, line_of(t, "lab: no_such_lab"), "quiz 'p1': unknown lab 'no_such_lab'; known labs: ")

    t = lesson("t1_bad_metric", body=PROSE + PREDICT.replace("when: acc_linear >= 0.65", "when: acc_bogus >= 0.65"))
    add("bad_metric", t, line_of(t, "acc_bogus"),
        "quiz 'p1': unknown metric(s) acc_bogus for lab 'spiral_classification'; known: ")

    when = "__import__('os') == 0"
    t = lesson("t1_bad_when", body=PROSE + PREDICT.replace("when: acc_linear >= 0.65", f'when: "{when}"'))
    add("bad_when", t, line_of(t, "__import__"),
        f"quiz 'p1': condition {when!r}: only metric names, numbers, comparisons")

    t = lesson("t1_lab_range", body=PROSE + LAB.replace("lr: 0.02", "lr: 1000"))
    add("lab_range", t, line_of(t, "lr: 1000"), "lr: 1000 is out of range; allowed: a number from 1e-05 to 100")

    t = lesson("t1_lab_unknown", body=PROSE + LAB.replace("lr: 0.02", "bogus: 1"))
    add("lab_unknown", t, line_of(t, "bogus: 1"), "unknown setting 'bogus' for lab 'spiral_classification'; known: ")

    t = lesson("t1_dup_q", body=PROSE + SINGLE + "\nMore prose.\n\n" + SINGLE)
    add("dup_q", t, line_of(t, "```quiz", nth=2),
        f"question id 'q1' is already used on line {line_of(t, '```quiz')}")

    t = lesson("t1_open_fence", body=PROSE + SINGLE + "\n```python\nprint('never closed')\n")
    add("open_fence", t, line_of(t, "```python"), "code block opened with ``` is never closed")

    t = lesson("t1_other_name")
    add("id_mismatch", t, line_of(t, "id: t1_other_name"),
        "id 't1_other_name' does not match the file name 't1_id_mismatch.md'")
    return out


CASES = _cases()
THEME_1 = "id: t1\ntitle: Test theme\norder: 1\noverview: A theme for tests.\n"
THEME_2 = "id: t2\ntitle: Second theme\norder: 2\noverview: Another theme.\n"
GOOD = lesson("t1_good", body=PROSE + SINGLE + "\nMore prose.\n\n" + NUMERIC + "\n" + PREDICT + "\n" + LAB)


def _write_good_tree(root: Path) -> Path:
    (root / "01-x").mkdir(parents=True)
    (root / "01-x" / "theme.yaml").write_text(THEME_1, encoding="utf-8")
    (root / "01-x" / "t1_good.md").write_text(GOOD, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def bad_tree(tmp_path_factory):
    """One curriculum holding every malformed lesson, a good one and a duplicated lesson id."""
    base = tmp_path_factory.mktemp("bad")
    root = _write_good_tree(base / "curriculum")
    for _case, stem, text, _line, _msg in CASES:
        (root / "01-x" / f"{stem}.md").write_text(text, encoding="utf-8")
    (root / "02-y").mkdir()
    (root / "02-y" / "theme.yaml").write_text(THEME_2, encoding="utf-8")
    (root / "02-y" / "t1_good.md").write_text(GOOD, encoding="utf-8")  # same id as 01-x/t1_good.md
    return base, root, load_curriculum(root)


def _problems_of(cur, path: Path) -> list[str]:
    return [str(p) for p in cur.problems if p.path == path]


@pytest.mark.parametrize("case,stem,text,line,message", CASES, ids=[c[0] for c in CASES])
def test_malformed_lesson_reports_file_line_message(bad_tree, case, stem, text, line, message):
    _base, root, cur = bad_tree
    path = root / "01-x" / f"{stem}.md"
    found = _problems_of(cur, path)
    expected = f"{path}:{line}: {message}"
    assert any(p.startswith(expected) for p in found), f"expected {expected!r}, got {found}"
    assert len(found) == 1, found


@pytest.mark.parametrize("case,stem,text,line,message", CASES, ids=[c[0] for c in CASES])
def test_malformed_lesson_alone(tmp_path, case, stem, text, line, message):
    """The same file on its own (load_lesson) gives the same problem and is marked broken."""
    path = tmp_path / f"{stem}.md"
    path.write_text(text, encoding="utf-8")
    le = load_lesson(path, "t1")
    assert le.broken
    assert [(p.line, p.message[:len(message)]) for p in le.problems] == [(line, message)]


def test_duplicate_lesson_id_across_files(bad_tree):
    _base, root, cur = bad_tree
    first, second = root / "01-x" / "t1_good.md", root / "02-y" / "t1_good.md"
    assert _problems_of(cur, first) == []
    assert _problems_of(cur, second) == [f"{second}:2: lesson id 't1_good' is also used by {first}"]


def test_unknown_setting_names_the_known_ones(bad_tree):
    _base, root, cur = bad_tree
    [msg] = _problems_of(cur, root / "01-x" / "t1_lab_unknown.md")
    for name in ("model", "lr", "steps", "points"):
        assert name in msg.split("known: ", 1)[1]


def test_unknown_lab_names_the_known_labs(bad_tree):
    _base, root, cur = bad_tree
    [msg] = _problems_of(cur, root / "01-x" / "t1_bad_lab.md")
    assert "spiral_classification" in msg.split("known labs: ", 1)[1]


def test_broken_lessons_still_load_with_their_prose(bad_tree):
    _base, _root, cur = bad_tree
    broken = [le for le in cur.lessons() if le.broken]
    assert len(broken) == len(CASES) + 1  # every case, plus the second t1_good
    for case in ("quiz_kind", "two_correct", "lab_range", "open_fence", "fm_yaml", "no_fm", "open_fm"):
        le = next(le for le in cur.lessons() if le.path.stem == f"t1_{case}")
        assert le.broken
        prose = "\n".join(b.text for b in le.blocks if isinstance(b, Prose))
        assert "Some prose that stays visible." in prose, case
    # a question that is wrong still shows; one that cannot be read is left out
    two = next(le for le in cur.lessons() if le.path.stem == "t1_two_correct")
    assert [q.id for q in two.questions] == ["q1"]
    kind = next(le for le in cur.lessons() if le.path.stem == "t1_quiz_kind")
    assert kind.questions == []


def test_good_lesson_has_every_block(tmp_path):
    root = _write_good_tree(tmp_path / "curriculum")
    cur = load_curriculum(root)
    assert cur.problems == []
    le = cur.lesson("t1_good")
    assert not le.broken
    assert le.title == "A test lesson" and le.minutes == 30 and le.objectives == ["Explain one thing."]
    assert [type(b).__name__ for b in le.blocks] == ["Prose", "Question", "Prose", "Question", "Question",
                                                    "LabBlock"]
    assert [q.kind for q in le.questions] == ["single", "numeric", "predict"]
    single, numeric, predict = le.questions
    assert single.correct_indices == {0}
    assert single.line == line_of(GOOD, "```quiz")
    assert (numeric.answer, numeric.tolerance) == (0.5, 0.01)
    assert numeric.mistakes[0].value == 1.0
    assert predict.lab == "spiral_classification"
    assert predict.settings == {"model": "linear", "steps": 50}
    assert [o.when for o in predict.options] == ["acc_linear < 0.65", "acc_linear >= 0.65"]
    [lab] = le.labs
    assert lab.settings == {"model": "both", "lr": 0.02}
    assert lab.line == line_of(GOOD, "```lab")
    assert cur.theme_of("t1_good").id == "t1"


def test_word_count_ignores_quiz_and_lab_blocks(tmp_path):
    path = tmp_path / "t1_words.md"
    path.write_text(lesson("t1_words", body="\nOne two three four five.\n\n" + SINGLE + "\n" + LAB
                           + "\nSix seven.\n"), encoding="utf-8")
    le = load_lesson(path, "t1")
    assert not le.broken, le.problems
    assert le.word_count == 7


def test_missing_folder_is_a_problem(tmp_path):
    cur = load_curriculum(tmp_path / "nowhere")
    assert [p.message for p in cur.problems] == ["curriculum folder not found"]


# ---------------------------------------------------------------------------------------------
# `dltui validate PATH`


def _validate(path: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, DLTUI_DATA_DIR=str(cwd / "data"))
    return subprocess.run([sys.executable, "-m", "dltui", "validate", path], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def test_validate_prints_every_problem_and_exits_1(bad_tree):
    base, _root, cur = bad_tree
    proc = _validate("curriculum", base)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    for _case, stem, _text, line, message in CASES:
        expected = f"curriculum/01-x/{stem}.md:{line}: {message}"
        assert any(ln.startswith(expected) for ln in lines), f"{expected!r} not printed"
    assert "curriculum/02-y/t1_good.md:2: lesson id 't1_good' is also used by curriculum/01-x/t1_good.md" in lines
    assert len(lines) == len(cur.problems)
    assert f"{len(cur.problems)} problem(s)" in proc.stderr


def test_validate_good_tree_exits_0(tmp_path):
    _write_good_tree(tmp_path / "curriculum")
    proc = _validate(str(tmp_path / "curriculum"), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "1 themes, 1 lessons, 3 questions, 1 lab blocks, 0 exercises: 0 problem(s)"


def test_validate_shipped_tree_exits_0(tmp_path):
    proc = _validate(str(curriculum_dir()), tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert "38 lessons" in proc.stdout and "0 problem(s)" in proc.stdout


def test_validate_missing_folder_exits_2(tmp_path):
    proc = _validate(str(tmp_path / "nope"), tmp_path)
    assert proc.returncode == 2
    assert "not a folder" in proc.stderr


def test_question_blocks_are_questions(shipped):
    """Sanity: the curriculum's blocks are of the four kinds only."""
    for le in shipped.lessons():
        assert all(isinstance(b, (Prose, Question)) or type(b).__name__ in ("LabBlock", "ExerciseBlock")
                   for b in le.blocks)
