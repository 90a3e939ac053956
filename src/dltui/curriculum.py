"""The curriculum: themes, lessons, quizzes and lab blocks, loaded and checked from plain files.

Pure: imports neither textual nor torch. The format is documented in docs/authoring.md.
Every problem found is a :class:`Problem` with the file and 1-based line; a lesson with problems
still loads as far as it can and is marked ``broken`` so the app can show the message.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

log = logging.getLogger(__name__)

class _LazyModule:
    """Import a module on first attribute access: the app paints its first frame before the
    curriculum (and PyYAML) is loaded."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        import importlib

        return getattr(importlib.import_module(self._name), attr)


yamlload = _LazyModule("dltui.yamlload")
conditions = _LazyModule("dltui.conditions")

QUIZ_KINDS = ("single", "multiple", "numeric", "predict")
LESSON_ID = re.compile(r"^t[1-9]_[a-z0-9_]+$")
QUESTION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
FENCE = re.compile(r"^(`{3,}|~{3,})\s*([\w-]*)\s*$")
WORD = re.compile(r"[A-Za-z0-9À-ÿ]+(?:['’][A-Za-z]+)?")

LESSON_KEYS = {"id", "title", "order", "minutes", "objectives", "sources"}
SOURCE_KEYS = {"notes", "video", "slides", "notebooks"}
THEME_KEYS = {"id", "title", "order", "overview"}
MAX_FILE_BYTES = 1_000_000  # a long lesson is ~30 kB; anything near this is a mistake


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int  # 1-based
    message: str

    def __str__(self) -> str:
        return f"{_display(self.path)}:{self.line}: {self.message}"


def _display(path: Path) -> str:
    # abspath, not resolve(): the path may be a dangling link or a link loop
    try:
        return str(Path(os.path.abspath(path)).relative_to(os.path.abspath(os.getcwd())))
    except (ValueError, OSError):
        return str(path)


@dataclass
class Option:
    text: str
    explain: str
    correct: bool = False
    when: str | None = None  # predict questions: condition on the lab's metrics


@dataclass
class Mistake:
    value: float
    explain: str


@dataclass
class Question:
    id: str
    kind: str
    prompt: str
    line: int
    options: list[Option] = field(default_factory=list)
    answer: float | None = None
    tolerance: float | None = None
    unit: str = ""
    explain: str = ""
    mistakes: list[Mistake] = field(default_factory=list)
    lab: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def correct_indices(self) -> set[int]:
        return {i for i, o in enumerate(self.options) if o.correct}


@dataclass
class LabBlock:
    lab: str
    line: int
    title: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    text: str = ""


@dataclass
class Prose:
    text: str
    line: int


@dataclass
class ExerciseBlock:
    """A coding exercise embedded in a lesson (the exercise itself lives in exercises/<id>/)."""

    exercise: str
    line: int
    title: str = ""
    text: str = ""


Block = Union[Prose, Question, LabBlock, ExerciseBlock]


@dataclass
class Lesson:
    id: str
    title: str
    path: Path
    theme_id: str = ""
    order: int = 0
    minutes: int = 0
    objectives: list[str] = field(default_factory=list)
    sources: dict[str, Any] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def broken(self) -> bool:
        return bool(self.problems)

    @property
    def questions(self) -> list[Question]:
        return [b for b in self.blocks if isinstance(b, Question)]

    @property
    def labs(self) -> list[LabBlock]:
        return [b for b in self.blocks if isinstance(b, LabBlock)]

    @property
    def exercises(self) -> list[ExerciseBlock]:
        return [b for b in self.blocks if isinstance(b, ExerciseBlock)]

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    @property
    def word_count(self) -> int:
        return sum(len(WORD.findall(b.text)) for b in self.blocks if isinstance(b, Prose))


@dataclass
class Theme:
    id: str
    title: str
    order: int
    overview: str
    path: Path
    lessons: list[Lesson] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Curriculum:
    root: Path
    themes: list[Theme]
    problems: list[Problem]  # all problems, themes and lessons included

    def lesson(self, lesson_id: str) -> Lesson | None:
        return self._index().get(lesson_id)

    def lessons(self) -> list[Lesson]:
        return [lesson for t in self.themes for lesson in t.lessons]

    def theme_of(self, lesson_id: str) -> Theme | None:
        return next((t for t in self.themes if any(le.id == lesson_id for le in t.lessons)), None)

    def _index(self) -> dict[str, Lesson]:
        return {le.id: le for le in self.lessons()}


# ---------------------------------------------------------------------------------------------
# Loading


def load_curriculum(root: str | Path) -> Curriculum:
    """Load every theme and lesson under ``root``. Never raises for anything in the files: each
    fault (unreadable, a folder or a dangling link named like a lesson, bad YAML, too large…) is
    a :class:`Problem`, and the lesson still appears, marked broken."""
    root = Path(root)
    problems: list[Problem] = []
    if not root.is_dir():
        p = Problem(root, 1, "curriculum folder not found")
        return Curriculum(root, [], [p])
    themes: list[Theme] = []
    try:
        theme_dirs = sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith((".", "_")))
    except OSError as exc:
        return Curriculum(root, [], [Problem(root, 1, f"cannot list the folder: {exc.strerror or exc}")])
    for theme_dir in theme_dirs:
        theme = _load_theme(theme_dir)
        try:
            files = sorted(theme_dir.glob("*.md"))
        except OSError as exc:
            theme.problems.append(Problem(theme_dir, 1, f"cannot list the folder: {exc.strerror or exc}"))
            files = []
        for md in files:
            theme.lessons.append(load_lesson(md, theme.id))
        theme.lessons.sort(key=lambda le: (le.order, le.id))
        themes.append(theme)
    themes.sort(key=lambda t: (t.order, t.id))
    _check_unique(themes)
    for t in themes:
        problems += t.problems
        for le in t.lessons:
            problems += le.problems
    return Curriculum(root, themes, problems)


def _check_unique(themes: list[Theme]) -> None:
    seen_theme: dict[str, Theme] = {}
    for t in themes:
        if t.id in seen_theme:
            t.problems.append(Problem(t.path, 1, f"theme id {t.id!r} is also used by {_display(seen_theme[t.id].path)}"))
        seen_theme[t.id] = t
    seen: dict[str, Lesson] = {}
    for t in themes:
        for le in t.lessons:
            if le.id in seen:
                le.problems.append(Problem(le.path, 2, f"lesson id {le.id!r} is also used by {_display(seen[le.id].path)}"))
            else:
                seen[le.id] = le


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """The text of a curriculum file, or a :class:`FileFault` saying in words why it cannot be
    read. Checks what the path is before opening it (a FIFO would block, a folder or a link loop
    would raise) and never reads more than ``limit`` + 1 bytes. A UTF-8 BOM is dropped."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if path.is_symlink():
            raise FileFault(1, f"is a link to a missing file ({os.readlink(path)})") from None
        raise FileFault(1, "disappeared while the curriculum was loading") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileFault(1, "is a symbolic link that loops back on itself") from None
        raise FileFault(1, f"cannot be read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise FileFault(1, "is a folder, not a file (only lesson files may end in .md)")
    if not stat.S_ISREG(info.st_mode):
        raise FileFault(1, "is not a regular file")
    too_big = FileFault(1, f"is too large ({_size(max(info.st_size, limit + 1))}); a file must be "
                           f"under {_size(limit)} (split a long lesson into several)")
    if info.st_size > limit:
        raise too_big
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise FileFault(1, f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:  # it grew since stat, or stat does not know its size
        raise too_big
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise FileFault(line, f"is not UTF-8 text (byte {exc.start + 1}: {data[exc.start]:#04x})") from None


class FileFault(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def _load_theme(theme_dir: Path) -> Theme:
    path = theme_dir / "theme.yaml"
    theme = Theme(id=theme_dir.name, title=theme_dir.name, order=99, overview="", path=path)
    if not os.path.lexists(path):
        theme.problems.append(Problem(path, 1, "missing theme.yaml (id, title, order, overview)"))
        return theme
    try:
        _fill_theme(theme, path)
    except Exception as exc:  # noqa: BLE001 - a bug must not hide the other themes; keep it in the log
        log.exception("loading %s", path)
        theme.problems.append(Problem(path, 1, f"could not be loaded ({type(exc).__name__}: {exc}); "
                                               "this is a bug in dltui, please report it"))
    return theme


def _fill_theme(theme: Theme, path: Path) -> None:
    try:
        data = yamlload.load(read_text(path))
    except FileFault as exc:
        theme.problems.append(Problem(path, exc.line, exc.message))
        return
    except yamlload.YamlError as exc:
        theme.problems.append(Problem(path, exc.line + 1, exc.message))
        return
    if not isinstance(data, dict):
        theme.problems.append(Problem(path, 1, "theme.yaml must be a mapping of id, title, order, overview"))
        return
    err = _Errors(path, 0, theme.problems)
    theme.id = err.string(data, "id", pattern=re.compile(r"^t[1-9]$"), what="a theme id like t1") or theme.id
    theme.title = err.string(data, "title") or theme.title
    theme.order = err.integer(data, "order", low=0) if "order" in data else err.missing(data, "order", 99)
    theme.overview = err.string(data, "overview") or ""
    err.unknown(data, THEME_KEYS)


def load_lesson(path: Path, theme_id: str = "") -> Lesson:
    lesson = Lesson(id=path.stem, title=path.stem, path=path, theme_id=theme_id)
    try:
        _fill_lesson(lesson, path)
    except Exception as exc:  # noqa: BLE001 - a bug must not take the app down; keep it in the log
        log.exception("loading %s", path)
        lesson.problems.append(Problem(path, 1, f"could not be loaded ({type(exc).__name__}: {exc}); "
                                                "this is a bug in dltui, please report it"))
    return lesson


def _fill_lesson(lesson: Lesson, path: Path) -> None:
    try:
        text = read_text(path)
    except FileFault as exc:
        lesson.problems.append(Problem(path, exc.line, exc.message))
        return
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        lesson.problems.append(Problem(path, 1, "a lesson must start with YAML front matter between '---' lines"))
        lesson.blocks = [Prose(text, 1)]
        return
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        lesson.problems.append(Problem(path, 1, "front matter is not closed by a '---' line"))
        lesson.blocks = [Prose(text, 1)]
        return
    _parse_front_matter(lesson, "\n".join(lines[1:end]), first_line=2)
    _parse_body(lesson, lines, start=end + 1)


def _parse_front_matter(lesson: Lesson, text: str, first_line: int) -> None:
    path = lesson.path
    try:
        data = yamlload.load(text)
    except yamlload.YamlError as exc:
        lesson.problems.append(Problem(path, first_line + exc.line, f"front matter: {exc.message}"))
        return
    if not isinstance(data, dict):
        lesson.problems.append(Problem(path, first_line, "front matter must be a YAML mapping"))
        return
    err = _Errors(path, first_line - 1, lesson.problems)
    lesson.id = err.string(data, "id", pattern=LESSON_ID, what="a syllabus id like t1_backprop") or lesson.id
    if lesson.id != path.stem and "id" in data:
        err.add(data.line_of("id"), f"id {lesson.id!r} does not match the file name {path.name!r}")
    lesson.title = err.string(data, "title") or lesson.title
    lesson.order = err.integer(data, "order", low=0) if "order" in data else err.missing(data, "order", 0)
    lesson.minutes = err.integer(data, "minutes", low=1) if "minutes" in data else err.missing(data, "minutes", 0)
    lesson.objectives = err.string_list(data, "objectives", min_len=1)
    sources = data.get("sources")
    if not isinstance(sources, dict):
        err.add(data.line_of("sources"), "sources must be a mapping with notes, video, slides, notebooks")
    else:
        lesson.sources = dict(sources)
        if "notes" in sources:
            err.string_list(sources, "notes", min_len=0)
        if "video" in sources:
            err.string(sources, "video", pattern=re.compile(r"^https?://\S+$"), what="a link")
        for key in ("slides", "notebooks"):
            if key in sources:
                err.string_list(sources, key, min_len=0)
        err.unknown(sources, SOURCE_KEYS)
    err.unknown(data, LESSON_KEYS)


def _parse_body(lesson: Lesson, lines: list[str], start: int) -> None:
    prose: list[str] = []
    prose_line = start + 1
    seen_ids: dict[str, int] = {}
    i = start
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            prose.append(lines[i])
            i += 1
            continue
        fence, info = m.group(1), m.group(2)
        close = next((j for j in range(i + 1, len(lines))
                      if lines[j].strip().startswith(fence[0] * len(fence))
                      and lines[j].strip().strip(fence[0]) == ""), None)
        if close is None:
            lesson.problems.append(Problem(lesson.path, i + 1, f"code block opened with {fence} is never closed"))
            close = len(lines)
        if info not in ("quiz", "lab", "exercise"):
            prose.extend(lines[i:close + 1])
            i = close + 1
            continue
        if "".join(prose).strip():
            lesson.blocks.append(Prose("\n".join(prose).strip("\n"), prose_line))
        body = "\n".join(lines[i + 1:close])
        block = _parse_block(lesson, info, body, i + 1)
        if isinstance(block, Question):
            if block.id in seen_ids:
                lesson.problems.append(Problem(lesson.path, block.line,
                                               f"question id {block.id!r} is already used on line {seen_ids[block.id]}"))
            seen_ids.setdefault(block.id, block.line)
        if block is not None:
            lesson.blocks.append(block)
        prose, prose_line = [], close + 2
        i = close + 1
    if "".join(prose).strip():
        lesson.blocks.append(Prose("\n".join(prose).strip("\n"), prose_line))


def _parse_block(lesson: Lesson, kind: str, body: str, fence_line: int) -> Block | None:
    """fence_line is the 1-based line of the opening fence; YAML line 0 is the next line."""
    path = lesson.path
    try:
        data = yamlload.load(body)
    except yamlload.YamlError as exc:
        lesson.problems.append(Problem(path, fence_line + 1 + exc.line, f"{kind} block: {exc.message}"))
        return None
    if not isinstance(data, dict):
        lesson.problems.append(Problem(path, fence_line, f"{kind} block must hold a YAML mapping"))
        return None
    err = _Errors(path, fence_line, lesson.problems)
    if kind == "exercise":
        return _parse_exercise_block(data, err, fence_line, path)
    if kind == "lab":
        return _parse_lab(data, err, fence_line)
    return _parse_question(data, err, fence_line)


def _parse_lab(data: dict, err: "_Errors", fence_line: int) -> LabBlock | None:
    lab_id = err.string(data, "lab")
    block = LabBlock(lab=lab_id or "", line=fence_line, title=err.string(data, "title", required=False) or "",
                     text=err.string(data, "text", required=False) or "")
    err.unknown(data, {"lab", "title", "settings", "text"})
    module = _lab_module(lab_id, data, err)
    block.settings = _check_settings(module, data, err)
    return block if lab_id else None


def _parse_exercise_block(data: dict, err: "_Errors", fence_line: int, path: Path) -> ExerciseBlock | None:
    exercise_id = err.string(data, "exercise")
    err.unknown(data, {"exercise", "title", "text"})
    block = ExerciseBlock(exercise=exercise_id or "", line=fence_line,
                          title=err.string(data, "title", required=False) or "",
                          text=err.string(data, "text", required=False) or "")
    if exercise_id and not any(path.parent.parent.glob(f"*/exercises/{exercise_id}/task.md")):
        err.add(data.line_of("exercise"), f"unknown exercise {exercise_id!r} (no exercises/{exercise_id}/task.md "
                                          "in any theme folder)")
    return block if exercise_id else None


def _parse_question(data: dict, err: "_Errors", fence_line: int) -> Question | None:
    qid = err.string(data, "id", pattern=QUESTION_ID, what="lowercase letters, digits, - and _") or ""
    kind = data.get("kind")
    if kind not in QUIZ_KINDS:
        err.add(data.line_of("kind"), f"kind must be one of {', '.join(QUIZ_KINDS)} (got {kind!r})")
        return None
    prefix = f"quiz {qid!r}: "
    err.prefix = prefix
    q = Question(id=qid or f"line-{fence_line}", kind=kind, prompt=err.string(data, "prompt") or "",
                 line=fence_line)
    allowed = {"id", "kind", "prompt"}
    if kind in ("single", "multiple", "predict"):
        allowed |= {"options"}
        q.options = _parse_options(data, err, kind)
        if kind == "single" and q.options and len(q.correct_indices) != 1:
            err.add(data.line_of("options"), f"a single-choice question needs exactly one correct option "
                                             f"(found {len(q.correct_indices)})")
        if kind == "multiple" and q.options and not q.correct_indices:
            err.add(data.line_of("options"), "a multiple-choice question needs at least one correct option")
    if kind == "numeric":
        allowed |= {"answer", "tolerance", "unit", "explain", "mistakes"}
        q.answer = err.number(data, "answer")
        q.tolerance = err.number(data, "tolerance", positive=True)
        q.unit = err.string(data, "unit", required=False) or ""
        q.explain = err.string(data, "explain") or ""
        mistakes = data.get("mistakes") or []
        if not isinstance(mistakes, list):
            err.add(data.line_of("mistakes"), "mistakes must be a list of `value` and `explain` pairs")
            mistakes = []
        for m in mistakes:
            value = _finite(m.get("value")) if isinstance(m, dict) else None
            if value is None or not isinstance(m.get("explain"), str) or not m.get("explain").strip():
                err.add(getattr(m, "line", data.line_of("mistakes")),
                        "each mistake needs a finite number `value` and an `explain`")
                continue
            if q.answer is not None and q.tolerance and abs(value - q.answer) <= q.tolerance:
                err.add(m.line, f"mistake value {m['value']} is within tolerance of the answer")
            q.mistakes.append(Mistake(value, m["explain"].strip()))
    if kind == "predict":
        allowed |= {"lab", "settings"}
        q.lab = err.string(data, "lab")
        module = _lab_module(q.lab, data, err)
        if "settings" not in data:
            # Only a run with exactly these settings (the lab's defaults for the rest) grades it.
            err.add(data.line_of("lab"), "a predict question must declare the settings its run uses "
                                         "(`settings: {}` for the lab's defaults)")
        q.settings = _check_settings(module, data, err)
        if module is not None:
            known = set(module.INFO.metrics)
            for opt, raw in zip(q.options, data.get("options") or []):
                if opt.when is None:
                    continue
                try:
                    unknown = conditions.names(opt.when) - known
                except conditions.ConditionError as exc:
                    err.add(raw.line_of("when"), str(exc))
                    continue
                if unknown:
                    err.add(raw.line_of("when"), f"unknown metric(s) {', '.join(sorted(unknown))} for lab "
                                                 f"{q.lab!r}; known: {', '.join(sorted(known))}")
    err.unknown(data, allowed)
    err.prefix = ""
    return q


def _parse_options(data: dict, err: "_Errors", kind: str) -> list[Option]:
    raw = data.get("options")
    if not isinstance(raw, list) or not (2 <= len(raw) <= 8):
        err.add(data.line_of("options"), "options must be a list of 2 to 8 options")
        return []
    out = []
    for n, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            err.add(data.line_of("options"), f"option {n} must be a mapping with text and explain")
            continue
        text = item.get("text")
        explain = item.get("explain")
        if not isinstance(text, (str, int, float)) or not str(text).strip():
            err.add(item.line, f"option {n} has no text")
        if not isinstance(explain, str) or not explain.strip():
            err.add(item.line, f"option {n} has no explain (every option must say why it is right or wrong)")
        opt = Option(text=str(text or "").strip(), explain=str(explain or "").strip())
        if kind == "predict":
            when = item.get("when")
            if not isinstance(when, str) or not when.strip():
                err.add(item.line, f"option {n} of a predict question needs a `when` condition on the lab's metrics")
            else:
                opt.when = when.strip()
            if "correct" in item:
                err.add(item.line_of("correct"), "predict options are graded by `when`, not `correct`")
            extra = set(item) - {"text", "explain", "when", "correct"}
        else:
            correct = item.get("correct", False)
            if not isinstance(correct, bool):
                err.add(item.line_of("correct"), f"option {n}: correct must be true or false")
            opt.correct = correct is True
            extra = set(item) - {"text", "explain", "correct"}
        if extra:
            err.add(item.line, f"option {n}: unknown key(s) {', '.join(sorted(map(str, extra)))}")
        out.append(opt)
    return out


def _lab_module(lab_id: str | None, data: dict, err: "_Errors"):
    if not lab_id:
        return None
    from dltui import labregistry

    try:
        return labregistry.load(lab_id)
    except labregistry.UnknownLab:
        err.add(data.line_of("lab"), f"unknown lab {lab_id!r}; known labs: {', '.join(labregistry.lab_ids())}")
        return None


def _check_settings(module, data: dict, err: "_Errors") -> dict[str, Any]:
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        err.add(data.line_of("settings"), "settings must be a mapping of setting names to values")
        return {}
    if module is None:
        return dict(settings)
    from dltui.labspec import SettingError, setting_specs

    specs = {s.name: s for s in setting_specs(module.Settings)}
    clean = {}
    for name, value in settings.items():
        line = settings.line_of(name) if isinstance(settings, yamlload.LineDict) else data.line_of("settings")
        if name not in specs:
            err.add(line, f"unknown setting {name!r} for lab {module.INFO.id!r}; known: {', '.join(specs)}")
            continue
        try:
            clean[name] = specs[name].check(value)
        except SettingError as exc:
            err.add(line, str(exc))
    return clean


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 24 else f"{text[:10]}…({len(text)} characters)"


def _finite(value) -> float | None:
    """A YAML number as a finite float, or None (booleans, texts, .inf, .nan, 400-digit ints)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        value = float(value)
    except OverflowError:
        return None
    return value if value - value == 0 else None


class _Errors:
    """Collects problems for one YAML document whose line 0 is file line ``offset + 1``."""

    def __init__(self, path: Path, offset: int, sink: list[Problem]):
        self.path, self.offset, self.sink, self.prefix = path, offset, sink, ""

    def add(self, line0: int, message: str) -> None:
        self.sink.append(Problem(self.path, self.offset + line0 + 1, self.prefix + message))

    def missing(self, data: dict, key: str, default):
        self.add(data.line, f"missing required key {key!r}")
        return default

    def unknown(self, data: dict, allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                self.add(data.line_of(key), f"unknown key {key!r} (expected: {', '.join(sorted(allowed))})")

    def string(self, data: dict, key: str, *, required: bool = True, pattern: re.Pattern | None = None,
               what: str = "") -> str | None:
        if key not in data:
            if required:
                self.missing(data, key, None)
            return None
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            self.add(data.line_of(key), f"{key} must be a non-empty text")
            return None
        if pattern is not None and not pattern.match(value.strip()):
            self.add(data.line_of(key), f"{key} {value!r} is not {what}")
            return None
        return value.strip()

    def integer(self, data: dict, key: str, low: int | None = None) -> int:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or (low is not None and value < low):
            self.add(data.line_of(key), f"{key} must be a whole number" + (f" ≥ {low}" if low is not None else ""))
            return 0
        return value

    def number(self, data: dict, key: str, positive: bool = False) -> float | None:
        if key not in data:
            return self.missing(data, key, None)
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(data.line_of(key), f"{key} must be a number (got {value!r})")
            return None
        if _finite(value) is None:  # .inf, .nan or a 400-digit whole number
            self.add(data.line_of(key), f"{key} must be a finite number (got {_short(value)})")
            return None
        value = float(value)
        if positive and value <= 0:
            self.add(data.line_of(key), f"{key} must be greater than 0")
            return None
        return value

    def string_list(self, data: dict, key: str, min_len: int = 1) -> list[str]:
        if key not in data:
            self.missing(data, key, None)
            return []
        value = data[key]
        if not isinstance(value, list) or len(value) < min_len or \
                not all(isinstance(v, str) and v.strip() for v in value):
            self.add(data.line_of(key), f"{key} must be a list of texts" + (f" (at least {min_len})" if min_len else ""))
            return [str(v) for v in value] if isinstance(value, list) else []
        return [v.strip() for v in value]
