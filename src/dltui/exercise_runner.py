"""Grades a learner's file: load it, scan it for forbidden names, run check.py's checks.

Runs where torch is already imported: the app's exercise worker (``dltui.engine``'s worker loop
hands it :class:`~dltui.exercisespec.ExerciseJob`s) or the headless CLI process. Pure at import
(torch is imported by :func:`grade`).

Safety nets, so a learner's mistake never hangs or kills the caller:

- a time limit for all checks together, enforced with ``SIGALRM`` in the main thread; the alarm
  repeats, so code that swallows the first one is interrupted again (the app also kills and
  respawns the worker if no verdict arrives in time: see ``dltui.exercise_service``);
- memory errors reported as such;
- every exception turned into a message with a traceback trimmed to the learner's own file;
- whatever the learner's code prints is captured and shown, not written to the terminal.
"""

from __future__ import annotations

import contextlib
import io
import signal
import sys
import threading
import time
import traceback
import types
from pathlib import Path
from typing import Any, Callable

from dltui.exercisespec import CheckOutcome, ExerciseJob, ExerciseResult, scan_forbidden

LOADS = "your file loads"
ALLOWED = "uses only allowed names"
MAX_OUTPUT = 2000


class TimeUp(BaseException):
    """Raised by the alarm: a BaseException, so ``except Exception`` in learner code lets it by."""


def run_job(job: ExerciseJob, emit: Callable[[Any], None]) -> None:
    """Worker entry point: grade and send a :class:`dltui.engine.Graded` event. Never raises."""
    from dltui.engine import Graded

    try:
        result = grade(job)
    except BaseException as exc:  # noqa: BLE001 - the worker must survive anything
        result = ExerciseResult(job.exercise_id, [CheckOutcome("the checker ran", False,
                                                               f"the checker failed: {type(exc).__name__}: {exc}")],
                                kind="crashed")
    emit(Graded(result.to_dict()))


def grade(job: ExerciseJob) -> ExerciseResult:
    import torch  # paid before the clock starts (the app's worker has it already)

    from dltui.engine import default_threads

    # Every caller (worker, CLI, tests) grades on the engine's thread count: checks use tiny
    # tensors, and torch's default threads make each op pay for a pool on a busy 2-core machine.
    torch.set_num_threads(default_threads())

    t0 = time.perf_counter()
    learner_path = Path(job.learner_file)
    checks_module, problem = _load_module(Path(job.exercise_dir) / "check.py", f"dltui_check_{job.exercise_id}")
    if problem is not None:
        return ExerciseResult(job.exercise_id, [CheckOutcome("the checker loads", False,
                                                             f"check.py is broken: {problem[0]}", problem[1])],
                              time.perf_counter() - t0, kind="crashed")
    from dltui.checking import checks_of

    specs = checks_of(checks_module)
    outcomes: list[CheckOutcome] = []
    output = io.StringIO()
    kind = "checked"
    try:
        source = learner_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        outcomes.append(CheckOutcome(LOADS, False, f"cannot read {learner_path}: {exc}"))
        return _finish(job, outcomes, specs, t0, output, "checked")
    try:
        code = compile(source, str(learner_path), "exec")
    except SyntaxError as exc:
        outcomes.append(CheckOutcome(LOADS, False, f"line {exc.lineno}: SyntaxError: {exc.msg}",
                                     _caret(exc)))
        return _finish(job, outcomes, specs, t0, output, "checked")
    with _time_limit(job.time_limit), contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            learner, problem = _exec_learner(code, learner_path, job.exercise_id)
            if problem is not None:
                outcomes.append(CheckOutcome(LOADS, False, problem[0], problem[1]))
            else:
                outcomes.append(CheckOutcome(LOADS, True))
                if job.forbidden:
                    outcomes.append(_scan(source, job))
                for spec, fn in specs:
                    outcomes.append(_run_check(spec, fn, learner, learner_path))
        except TimeUp as exc:
            _disarm()  # no second alarm while the message is written
            kind = "timeout"
            where = _learner_line(exc, learner_path)
            outcomes.append(CheckOutcome(_current_name(outcomes, specs, job), False,
                                         f"stopped after {job.time_limit:g} s: your code did not finish"
                                         f"{where} (an endless loop?)"))
        except (MemoryError, _OOM) as exc:
            _disarm()
            kind = "memory"
            outcomes.append(CheckOutcome(_current_name(outcomes, specs, job), False, _memory_message(exc, learner_path)))
    return _finish(job, outcomes, specs, t0, output, kind)


class _OOM(Exception):
    """A torch allocation failure, re-raised so it is reported as a memory error."""


def _finish(job: ExerciseJob, outcomes: list[CheckOutcome], specs, t0: float, output: io.StringIO,
            kind: str) -> ExerciseResult:
    done = {c.name for c in outcomes}
    reason = {"timeout": "not run: the time limit was reached", "memory": "not run: out of memory"}.get(
        kind, "not run: your file must load first")
    if job.forbidden and ALLOWED not in done and not any(c.name == LOADS and c.passed for c in outcomes):
        outcomes.append(CheckOutcome(ALLOWED, False, reason))
    for spec, _fn in specs:
        if spec.name not in done:
            outcomes.append(CheckOutcome(spec.name, False, reason))
    text = output.getvalue()
    if len(text) > MAX_OUTPUT:
        text = text[:MAX_OUTPUT] + f"\n… ({len(text) - MAX_OUTPUT} more characters)"
    return ExerciseResult(job.exercise_id, outcomes, time.perf_counter() - t0, kind, text)


def _current_name(outcomes, specs, job) -> str:
    index = len(outcomes) - 1 - bool(job.forbidden)
    if outcomes and outcomes[0].passed and 0 <= index < len(specs):
        return specs[index][0].name
    return LOADS


def _scan(source: str, job: ExerciseJob) -> CheckOutcome:
    uses = scan_forbidden(source, job.forbidden, job.allowed)
    if not uses:
        return CheckOutcome(ALLOWED, True)
    first = uses[0]
    detail = "\n".join(u.message() for u in uses[:8])
    return CheckOutcome(ALLOWED, False, first.message(), detail if len(uses) > 1 else "")


def _run_check(spec, fn, learner, learner_path: Path) -> CheckOutcome:
    import torch

    from dltui.checking import Case, CheckFailed

    note = ""
    for index in range(spec.cases):
        case = Case(index)
        torch.manual_seed(case.seed)  # the learner's own randomness is reproducible too
        try:
            returned = fn(learner, case)
        except CheckFailed as exc:
            where = "" if spec.exhaustive and spec.cases == 1 else f" [{case.describe()}]"
            return CheckOutcome(spec.name, False, f"{exc}{where}", getattr(exc, "detail", "") or note)
        except (TimeUp, MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - the learner's bug, reported with its line
            if _is_oom(exc):
                raise _OOM(str(exc)) from exc
            message, detail = _describe_exception(exc, learner_path)
            where = "" if spec.exhaustive and spec.cases == 1 else f" [{case.describe()}]"
            return CheckOutcome(spec.name, False, message + where, detail)
        if isinstance(returned, str):
            note = returned
    return CheckOutcome(spec.name, True, "", note)


def _is_oom(exc: BaseException) -> bool:
    text = str(exc).lower()
    return type(exc).__name__ == "OutOfMemoryError" or "can't allocate memory" in text or "out of memory" in text


def _memory_message(exc: BaseException, learner_path: Path) -> str:
    where = _learner_line(exc.__cause__ or exc, learner_path)
    return (f"ran out of memory{where}: a tensor far bigger than the task needs? "
            f"({str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__})")


def _exec_learner(code, path: Path, exercise_id: str) -> tuple[Any, tuple[str, str] | None]:
    name = f"dltui_learner_{exercise_id}"
    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module  # dataclasses and pickling look the module up
    try:
        exec(code, module.__dict__)  # noqa: S102 - the learner's own file, in the worker
    except (TimeUp, MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001
        if _is_oom(exc):
            raise _OOM(str(exc)) from exc
        message, detail = _describe_exception(exc, path)
        return None, (f"while loading: {message}", detail)
    except SystemExit:
        return None, ("your file called exit() while loading", "")
    finally:
        sys.modules.pop(name, None)
    return module, None


def _load_module(path: Path, name: str) -> tuple[Any, tuple[str, str] | None]:
    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module
    try:
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)  # noqa: S102
    except Exception as exc:  # noqa: BLE001
        return None, (f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=4))
    finally:
        sys.modules.pop(name, None)
    return module, None


def _frames_in(exc: BaseException, path: Path) -> list[traceback.FrameSummary]:
    target = str(path)
    return [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == target]


def _learner_line(exc: BaseException, path: Path) -> str:
    frames = _frames_in(exc, path)
    return f" at line {frames[-1].lineno}" if frames else ""


def _describe_exception(exc: BaseException, path: Path) -> tuple[str, str]:
    """A one-line message and a traceback trimmed to the learner's file."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text[:300]
    frames = _frames_in(exc, path)
    if not frames:
        return (f"{type(exc).__name__}: {text} (raised while checking what your code returned)", "")
    last = frames[-1]
    lines = [f"{path.name}, line {f.lineno}, in {f.name}\n    {f.line}" for f in frames]
    lines.append(f"{type(exc).__name__}: {text}")
    return f"{type(exc).__name__} at line {last.lineno}: {text}", "\n".join(lines)


def _caret(exc: SyntaxError) -> str:
    if not exc.text:
        return ""
    line = exc.text.rstrip("\n")
    col = max((exc.offset or 1) - 1, 0)
    return f"{line}\n{' ' * col}^"


def _disarm() -> None:
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, 0)


@contextlib.contextmanager
def _time_limit(seconds: float):
    """SIGALRM after ``seconds``, then every 0.25 s until the block ends (main thread only)."""
    usable = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if not usable:
        yield
        return

    def alarm(_signum, _frame):
        raise TimeUp()

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.01), 0.25)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
