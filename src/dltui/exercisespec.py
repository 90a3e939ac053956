"""The exercise contract. Pure: imports neither torch nor textual.

An exercise is one folder ``curriculum/<theme>/exercises/<id>/`` holding four files:

- ``task.md``: YAML front matter between ``---`` lines, then the task in Markdown (the shapes,
  the math, what to write). Front matter keys:

  ``id`` (the folder name), ``title``, ``order`` (position in the theme), ``lessons`` (lesson ids
  whose exercise blocks open it), ``hints`` (2–3 texts, revealed one at a time), optional
  ``forbidden`` (a mapping *name → why*: names the learner's file may not use, see below),
  optional ``allowed`` (names that stay usable although a forbidden entry covers them) and
  optional ``time_limit`` (seconds for all checks together, default 5).
- ``starter.py``: what the learner starts from, with ``TODO``s. As shipped it must fail at least
  one check (``tests/test_exercises.py`` proves it for every exercise).
- ``check.py``: the checks, written with :mod:`dltui.checking` (``@check`` functions, run on
  ≥ 20 seeded random cases each, compared with PyTorch references).
- ``solution.py``: a reference answer that passes every check.

A forbidden name is a dotted name as the learner's file spells it after import aliases are
resolved (``F.softmax`` after ``import torch.nn.functional as F`` is
``torch.nn.functional.softmax``); it also covers everything under it. A name that starts with a
dot (``.backward``) is forbidden as an attribute or method of anything; ``for`` and ``while``
forbid loops (``for`` includes comprehensions).

Checks run in the exercise worker (:mod:`dltui.exercise_runner`), never in the UI process. The
learner's copy lives in a workspace folder: ``<data dir>/workspace/<id>.py``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXERCISE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
TASK_KEYS = {"id", "title", "order", "lessons", "hints", "forbidden", "allowed", "time_limit"}
FILES = ("task.md", "starter.py", "check.py", "solution.py")
DEFAULT_TIME_LIMIT = 5.0
MAX_TIME_LIMIT = 60.0


@dataclass(frozen=True)
class ExerciseProblem:
    path: Path
    line: int  # 1-based
    message: str

    def __str__(self) -> str:
        from dltui.curriculum import _display

        return f"{_display(self.path)}:{self.line}: {self.message}"


@dataclass
class Exercise:
    id: str
    title: str
    folder: Path
    theme_id: str = ""
    order: int = 0
    lessons: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    forbidden: dict[str, str] = field(default_factory=dict)
    allowed: list[str] = field(default_factory=list)
    time_limit: float = DEFAULT_TIME_LIMIT
    task: str = ""  # the Markdown body
    problems: list[ExerciseProblem] = field(default_factory=list)

    @property
    def starter(self) -> Path:
        return self.folder / "starter.py"

    @property
    def check_file(self) -> Path:
        return self.folder / "check.py"

    @property
    def solution(self) -> Path:
        return self.folder / "solution.py"

    @property
    def broken(self) -> bool:
        return bool(self.problems)

    def job(self, learner_file: Path | str) -> "ExerciseJob":
        return ExerciseJob(self.id, str(self.folder), str(learner_file), self.time_limit,
                           dict(self.forbidden), tuple(self.allowed))


@dataclass
class ExerciseJob:
    """What the worker needs to grade one file; plain data so it crosses process boundaries."""

    exercise_id: str
    exercise_dir: str
    learner_file: str
    time_limit: float = DEFAULT_TIME_LIMIT
    forbidden: dict[str, str] = field(default_factory=dict)
    allowed: tuple[str, ...] = ()
    kind: str = "exercise"  # the worker loop dispatches on this


@dataclass
class CheckOutcome:
    name: str
    passed: bool
    message: str = ""  # why it failed (or "" when it passed)
    detail: str = ""  # a longer explanation: a trimmed traceback, a truth table, printed output


@dataclass
class ExerciseResult:
    exercise: str
    checks: list[CheckOutcome]
    seconds: float = 0.0
    kind: str = "checked"  # checked | timeout | memory | crashed
    output: str = ""  # what the learner's code printed (trimmed)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def passed_count(self) -> int:
        return sum(c.passed for c in self.checks)

    def first_failure(self) -> CheckOutcome | None:
        return next((c for c in self.checks if not c.passed), None)

    def to_json(self) -> dict[str, Any]:
        return {"exercise": self.exercise, "passed": self.passed,
                "checks": [{"name": c.name, "passed": c.passed, "message": c.message} for c in self.checks],
                "seconds": round(self.seconds, 3)}

    def to_dict(self) -> dict[str, Any]:
        """Everything, for the worker → app queue."""
        return {"exercise": self.exercise, "seconds": self.seconds, "kind": self.kind,
                "checks": [vars(c) for c in self.checks], "output": self.output}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ExerciseResult":
        return cls(data["exercise"], [CheckOutcome(**c) for c in data["checks"]], data.get("seconds", 0.0),
                   data.get("kind", "checked"), data.get("output", ""))


# ---------------------------------------------------------------------------------------------
# Workspace


def workspace_dir(data_dir: Path | str | None = None, override: Path | str | None = None) -> Path:
    """The learner's folder: ``--workspace PATH`` if given, else ``<data dir>/workspace``."""
    if override:
        return Path(override).expanduser()
    from dltui.paths import data_dir as default_data_dir

    return default_data_dir(data_dir) / "workspace"


def learner_file(exercise: Exercise, folder: Path) -> Path:
    return Path(folder) / f"{exercise.id}.py"


def ensure_learner_file(exercise: Exercise, folder: Path) -> Path:
    """The learner's file, created from the starter if it does not exist yet (never overwritten)."""
    path = learner_file(exercise, folder)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(exercise.starter.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def reset_learner_file(exercise: Exercise, folder: Path) -> Path | None:
    """Put the starter back; the previous file is kept as ``<id>.py.bak-<timestamp>``.

    Returns the backup's path (None if there was no file to keep)."""
    import time

    path = learner_file(exercise, folder)
    backup = None
    if path.exists():
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = path.with_name(f"{path.name}.bak-{stamp}")
        n = 1
        while backup.exists():
            backup = path.with_name(f"{path.name}.bak-{stamp}-{n}")
            n += 1
        path.rename(backup)
    ensure_learner_file(exercise, folder)
    return backup


# ---------------------------------------------------------------------------------------------
# Loading and checking the folders


def exercise_folders(curriculum_root: Path) -> list[tuple[str, Path]]:
    """(theme folder name, exercise folder) for every exercise under a curriculum root."""
    out = []
    for theme_dir in sorted(p for p in Path(curriculum_root).iterdir() if p.is_dir()):
        ex_root = theme_dir / "exercises"
        if ex_root.is_dir():
            out += [(theme_dir.name, d) for d in sorted(ex_root.iterdir())
                    if d.is_dir() and not d.name.startswith((".", "_"))]
    return out


def load_exercises(curriculum_root: Path | str, lesson_ids: set[str] | None = None) -> list[Exercise]:
    """Every exercise, sorted by theme then order. ``lesson_ids`` (if given) checks ``lessons``."""
    root = Path(curriculum_root)
    if not root.is_dir():
        return []
    exercises = []
    for theme_folder, folder in exercise_folders(root):
        ex = load_exercise(folder, _theme_id(root / theme_folder))
        if lesson_ids is not None:
            for lesson in ex.lessons:
                if lesson not in lesson_ids:
                    ex.problems.append(ExerciseProblem(folder / "task.md", _key_line(folder, "lessons"),
                                                       f"unknown lesson {lesson!r}"))
        exercises.append(ex)
    seen: dict[str, Exercise] = {}
    for ex in exercises:
        if ex.id in seen:
            ex.problems.append(ExerciseProblem(ex.folder / "task.md", 2,
                                               f"exercise id {ex.id!r} is also used by {seen[ex.id].folder}"))
        seen.setdefault(ex.id, ex)
    exercises.sort(key=lambda e: (e.theme_id, e.order, e.id))
    return exercises


def _theme_id(theme_dir: Path) -> str:
    """The theme id from theme.yaml's ``id:`` line (read cheaply; the curriculum checks the rest)."""
    try:
        for line in (theme_dir / "theme.yaml").read_text(encoding="utf-8").splitlines():
            if line.startswith("id:"):
                return line.split(":", 1)[1].strip().strip("'\"")
    except OSError:
        pass
    return theme_dir.name


def _key_line(folder: Path, key: str) -> int:
    try:
        for n, line in enumerate((folder / "task.md").read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith(f"{key}:"):
                return n
    except OSError:
        pass
    return 1


def load_exercise(folder: Path, theme_id: str = "") -> Exercise:
    from dltui import yamlload

    folder = Path(folder)
    ex = Exercise(id=folder.name, title=folder.name, folder=folder, theme_id=theme_id)
    task = folder / "task.md"

    def problem(path: Path, line: int, message: str) -> None:
        ex.problems.append(ExerciseProblem(path, line, message))

    for name in FILES:
        if not (folder / name).is_file():
            problem(folder / name, 1, f"missing {name} (an exercise needs {', '.join(FILES)})")
    if not task.is_file():
        return ex
    try:
        lines = task.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        problem(task, 1, "not UTF-8 text")
        return ex
    if not lines or lines[0].strip() != "---":
        problem(task, 1, "task.md must start with YAML front matter between '---' lines")
        return ex
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        problem(task, 1, "front matter is not closed by a '---' line")
        return ex
    ex.task = "\n".join(lines[end + 1:]).strip()
    if not ex.task:
        problem(task, end + 1, "the task text after the front matter is empty")
    try:
        data = yamlload.load("\n".join(lines[1:end]))
    except yamlload.YamlError as exc:
        problem(task, 2 + exc.line, f"front matter: {exc.message}")
        return ex
    if not isinstance(data, dict):
        problem(task, 2, "front matter must be a YAML mapping")
        return ex
    _read_front_matter(ex, data, task)
    _check_python(ex)
    return ex


def _read_front_matter(ex: Exercise, data: dict, task: Path) -> None:
    def line(key: str) -> int:
        return 2 + data.line_of(key)

    def problem(key: str, message: str) -> None:
        ex.problems.append(ExerciseProblem(task, line(key), message))

    for key in ("id", "title", "order", "lessons", "hints"):
        if key not in data:
            ex.problems.append(ExerciseProblem(task, 2 + data.line, f"missing required key {key!r}"))
    for key in data:
        if key not in TASK_KEYS:
            problem(key, f"unknown key {key!r} (expected: {', '.join(sorted(TASK_KEYS))})")
    ident = data.get("id")
    if "id" in data:
        if not isinstance(ident, str) or not EXERCISE_ID.match(ident):
            problem("id", f"id {ident!r} must be lowercase letters, digits and _ (starting with a letter)")
        elif ident != ex.folder.name:
            problem("id", f"id {ident!r} does not match the folder name {ex.folder.name!r}")
        else:
            ex.id = ident
    title = data.get("title")
    if "title" in data:
        if isinstance(title, str) and title.strip():
            ex.title = title.strip()
        else:
            problem("title", "title must be a non-empty text")
    order = data.get("order")
    if "order" in data:
        if isinstance(order, bool) or not isinstance(order, int) or order < 0:
            problem("order", "order must be a whole number ≥ 0")
        else:
            ex.order = order
    lessons = data.get("lessons")
    if "lessons" in data:
        if not isinstance(lessons, list) or not lessons or not all(isinstance(x, str) and x for x in lessons):
            problem("lessons", "lessons must be a list of lesson ids (at least one)")
        else:
            ex.lessons = [x.strip() for x in lessons]
    hints = data.get("hints")
    if "hints" in data:
        if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
            problem("hints", "hints must be a list of texts")
        elif not 2 <= len(hints) <= 3:
            problem("hints", f"an exercise needs 2 or 3 hints (found {len(hints)})")
        else:
            ex.hints = [h.strip() for h in hints]
    forbidden = data.get("forbidden", {})
    if not isinstance(forbidden, dict) or not all(
            isinstance(k, str) and k and isinstance(v, str) and v.strip() for k, v in forbidden.items()):
        problem("forbidden", "forbidden must map each name to why it is not allowed (a text)")
    else:
        ex.forbidden = {k.strip(): v.strip() for k, v in forbidden.items()}
    allowed = data.get("allowed", [])
    if not isinstance(allowed, list) or not all(isinstance(a, str) and a for a in allowed):
        problem("allowed", "allowed must be a list of names")
    else:
        ex.allowed = list(allowed)
    limit = data.get("time_limit", DEFAULT_TIME_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not 0.5 <= limit <= MAX_TIME_LIMIT:
        problem("time_limit", f"time_limit must be a number of seconds from 0.5 to {MAX_TIME_LIMIT:g}")
    else:
        ex.time_limit = float(limit)


def _check_python(ex: Exercise) -> None:
    """starter/check/solution must at least parse; check.py must define a ``@check``."""
    for name in ("starter.py", "check.py", "solution.py"):
        path = ex.folder / name
        if not path.is_file():
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as exc:
            ex.problems.append(ExerciseProblem(path, exc.lineno or 1, f"syntax error: {exc.msg}"))
            continue
        except UnicodeDecodeError:
            ex.problems.append(ExerciseProblem(path, 1, "not UTF-8 text"))
            continue
        if name == "check.py" and not any(_is_check_decorated(node) for node in ast.walk(tree)):
            ex.problems.append(ExerciseProblem(path, 1, "check.py defines no @check function"))
        if name == "starter.py" and "TODO" not in path.read_text(encoding="utf-8"):
            ex.problems.append(ExerciseProblem(path, 1, "the starter should mark what to write with TODO"))


def _is_check_decorated(node: ast.AST) -> bool:
    if not isinstance(node, ast.FunctionDef):
        return False
    for dec in node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if (isinstance(target, ast.Name) and target.id == "check") or \
                (isinstance(target, ast.Attribute) and target.attr == "check"):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Forbidden names: an AST scan of the learner's file


@dataclass(frozen=True)
class ForbiddenUse:
    name: str  # the forbidden entry that matched
    used: str  # what the file wrote (resolved)
    line: int
    why: str

    def message(self) -> str:
        return f"line {self.line}: `{self.used}` is not allowed here: {self.why}"


def scan_forbidden(source: str, forbidden: dict[str, str], allowed: tuple[str, ...] | list[str] = ()
                   ) -> list[ForbiddenUse]:
    """Uses of forbidden names in ``source`` (which must parse), in file order."""
    if not forbidden:
        return []
    tree = ast.parse(source)
    aliases = _import_aliases(tree)
    found: list[ForbiddenUse] = []
    seen: set[tuple[str, int]] = set()

    def hit(entry: str, used: str, line: int) -> None:
        if any(used == a or used.startswith(a + ".") for a in allowed):
            return
        if (entry, line) not in seen:
            seen.add((entry, line))
            found.append(ForbiddenUse(entry, used, line, forbidden[entry]))

    # Only whole chains count: in `torch.autograd.Function` the inner `torch.autograd` is not a use.
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)) and "for" in forbidden:
            hit("for", "for loop", getattr(node, "lineno", getattr(node.target, "lineno", 0)))
        if isinstance(node, ast.While) and "while" in forbidden:
            hit("while", "while loop", node.lineno)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                full = alias.name if isinstance(node, ast.Import) else f"{node.module}.{alias.name}"
                for entry in forbidden:
                    if not entry.startswith(".") and entry not in ("for", "while") and _covers(entry, full):
                        hit(entry, full, node.lineno)
        if isinstance(node, ast.Attribute):
            for entry in forbidden:
                if entry.startswith(".") and node.attr == entry[1:]:
                    hit(entry, entry, node.lineno)
        if isinstance(node, (ast.Attribute, ast.Name)) and id(node) not in inner \
                and isinstance(getattr(node, "ctx", None), ast.Load):
            dotted = _dotted(node, aliases)
            if dotted:
                for entry in forbidden:
                    if not entry.startswith(".") and entry not in ("for", "while") and _covers(entry, dotted):
                        hit(entry, dotted, node.lineno)
    found.sort(key=lambda f: f.line)
    return found


def _covers(entry: str, name: str) -> bool:
    return name == entry or name.startswith(entry + ".")


def _import_aliases(tree: ast.AST) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    aliases[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in aliases:
        return None
    parts.append(aliases[node.id])
    return ".".join(reversed(parts))
