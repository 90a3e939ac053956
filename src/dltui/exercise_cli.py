"""``dltui exercises`` and ``dltui exercise ID``: list and grade exercises headless.

Grading runs in this process (torch is imported only when the checks start). Exit codes for
``dltui exercise``: 0 every check passes (or a reset/solution request was served), 1 some check
fails, 2 bad arguments (unknown exercise, solution asked for before passing without --give-up).
"""

from __future__ import annotations

import json
import sys
from argparse import Namespace
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _err(msg: str) -> None:
    print(f"dltui: {msg}", file=sys.stderr)


def _load(args: Namespace):
    import os

    from dltui.exercisespec import load_exercises
    from dltui.paths import curriculum_dir

    root = getattr(args, "curriculum", None) or os.environ.get("DLTUI_CURRICULUM") or curriculum_dir()
    return load_exercises(Path(root))


def _states(args: Namespace) -> tuple[dict, object | None]:
    """Exercise progress from the store (empty, with a warning, if the store cannot be opened)."""
    from dltui.progress import StoreError, open_store

    try:
        store = open_store(args.data_dir)
    except (StoreError, OSError) as exc:
        _err(f"progress is not available ({exc}); attempts will not be recorded")
        return {}, None
    return store.exercise_states(), store


def cmd_exercises(args: Namespace) -> int:
    exercises = _load(args)
    states, store = _states(args)
    if store is not None:
        store.close()
    rows = [{"id": e.id, "title": e.title, "theme": e.theme_id, "lessons": e.lessons,
             "status": states[e.id].status if e.id in states else "new"} for e in exercises]
    if args.json:
        print(json.dumps(rows))
        return EXIT_OK
    id_width = max((len(r["id"]) for r in rows), default=0)
    for r in rows:
        print(f"{r['id']:<{id_width}} {r['status']:<8} {r['theme']}  {r['title']}")
    return EXIT_OK


def cmd_exercise(args: Namespace) -> int:
    from dltui.exercisespec import ensure_learner_file, reset_learner_file, workspace_dir

    exercises = {e.id: e for e in _load(args)}
    exercise = exercises.get(args.exercise_id)
    if exercise is None:
        _err(f"unknown exercise {args.exercise_id!r}; known: {', '.join(exercises)}")
        return EXIT_USAGE
    if exercise.broken:
        _err(f"exercise {exercise.id!r} has problems (run `dltui validate`): {exercise.problems[0]}")
        return EXIT_USAGE
    folder = workspace_dir(args.data_dir, args.workspace)
    try:
        if args.reset:
            backup = reset_learner_file(exercise, folder)
            kept = f"; your previous file is kept as {backup}" if backup else ""
            print(f"{exercise.id}: the starter is back in {ensure_learner_file(exercise, folder)}{kept}")
            return EXIT_OK
        path = ensure_learner_file(exercise, folder)
    except OSError as exc:
        _err(f"cannot use the workspace {folder}: {exc}")
        return EXIT_USAGE
    if args.solution or args.give_up:
        return _solution(args, exercise)
    if args.watch:
        return _watch(args, exercise, path)
    return _grade_and_print(args, exercise, path)


def _solution(args: Namespace, exercise) -> int:
    states, store = _states(args)
    state = states.get(exercise.id)
    unlocked = bool(state and (state.passed or state.gave_up))
    if not unlocked and not args.give_up:
        if store is not None:
            store.close()
        _err(f"the solution of {exercise.id} opens once every check passes; to see it now, "
             f"add --give-up (it is recorded)")
        return EXIT_USAGE
    if args.give_up and store is not None and not (state and state.passed):
        store.record_give_up(exercise.id)
    if store is not None:
        store.close()
    print(exercise.solution.read_text(encoding="utf-8"), end="")
    return EXIT_OK


def _grade_and_print(args: Namespace, exercise, path: Path) -> int:
    from dltui.exercise_runner import grade

    result = grade(exercise.job(path))
    _record(args, exercise.id, result)
    if args.json:
        print(json.dumps(result.to_json()), flush=True)
    else:
        print(_report(exercise, path, result), flush=True)
    return EXIT_OK if result.passed else EXIT_FAILED


def _record(args: Namespace, exercise_id: str, result) -> None:
    _states_unused, store = _states(args)
    if store is None:
        return
    try:
        store.record_exercise_attempt(exercise_id, result.passed, result.passed_count, len(result.checks),
                                      result.seconds, "cli")
    except Exception as exc:  # noqa: BLE001 - the verdict matters more than its record
        _err(f"the attempt was not recorded: {exc}")
    finally:
        store.close()


def _report(exercise, path: Path, result) -> str:
    from dltui.exercise_service import format_duration

    lines = [f"{exercise.id}: {exercise.title}", f"file: {path}"]
    for c in result.checks:
        lines.append(f"  {'✓' if c.passed else '✗'} {c.name}")
        if not c.passed and c.message:
            lines += [f"      {line}" for line in c.message.splitlines()]
        if c.detail:
            lines += [f"      {line}" for line in c.detail.splitlines()]
    if result.output.strip():
        lines.append("  your code printed:")
        lines += [f"      {line}" for line in result.output.rstrip().splitlines()[:20]]
    verdict = "all checks pass ✓" if result.passed else f"{result.passed_count}/{len(result.checks)} checks pass"
    took = f" ({format_duration(result.seconds)})" if result.seconds > 0 else ""  # 0: not measured
    lines.append(f"{verdict}{took}")
    return "\n".join(lines)


def _watch(args: Namespace, exercise, path: Path) -> int:
    import watchfiles

    code = _grade_and_print(args, exercise, path)
    print(f"watching {path}; save it to re-run the checks, Ctrl+C to stop", file=sys.stderr, flush=True)
    try:
        for changes in watchfiles.watch(path.parent, debounce=80, step=30, recursive=False,
                                        raise_interrupt=False):
            if any(Path(p).name == path.name for _change, p in changes) and path.exists():
                code = _grade_and_print(args, exercise, path)
    except KeyboardInterrupt:
        pass
    return code


def exercise_rows(curriculum_root: Path, store) -> dict[str, list[dict]]:
    """Exercises with the learner's status, by theme id (for `dltui progress` and home)."""
    from dltui.exercisespec import load_exercises

    states = store.exercise_states()
    out: dict[str, list[dict]] = {}
    for e in load_exercises(curriculum_root):
        s = states.get(e.id)
        out.setdefault(e.theme_id, []).append({
            "id": e.id, "title": e.title, "status": s.status if s else "new",
            "attempts": s.attempts if s else 0, "hints_used": s.hints_used if s else 0,
            "seconds_to_pass": round(s.seconds_to_pass, 1) if s and s.seconds_to_pass is not None else None,
            "gave_up": bool(s and s.gave_up)})
    return out
