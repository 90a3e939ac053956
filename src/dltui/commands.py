"""The sub-commands behind :mod:`dltui.cli`. Heavy imports stay inside each function."""

from __future__ import annotations

import json
import sys
from argparse import Namespace

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _err(msg: str) -> None:
    print(f"dltui: {msg}", file=sys.stderr)


def lesson_titles() -> dict[str, str]:
    """Lesson id -> title from the shipped course ({} if it cannot be read: ids are shown instead)."""
    try:
        from dltui.curriculum import load_curriculum
        from dltui.paths import curriculum_dir

        return {le.id: le.title for le in load_curriculum(curriculum_dir()).lessons()}
    except Exception:  # noqa: BLE001 - titles are a nicety; the list works without them
        return {}


def cmd_labs(args: Namespace) -> int:
    import shutil
    import textwrap

    from dltui import labregistry
    from dltui.labspec import setting_specs

    # In a terminal the summaries wrap under themselves; piped, each lab stays on one line.
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 0
    titles = lesson_titles() if args.metrics else {}
    for mod in labregistry.all_labs():
        info = mod.INFO
        first = f"{info.id:<24} {info.summary}"
        if width > 40:
            first = textwrap.fill(first, width=width - 1, subsequent_indent=" " * 25, break_on_hyphens=False)
        print(first)
        if args.metrics:
            print(f"    lessons: {'; '.join(titles.get(le, le) + f' ({le})' for le in info.lessons)}")
            print(f"    expectation: {info.expectation}")
            specs = setting_specs(mod.Settings)
            for s in specs:
                print(f"    setting {s.name} = {s.default!r}  ({s.allowed()}) {s.help}")
            gpu = [f"{s.name} above {s.cpu_max:g}" for s in specs if s.cpu_max is not None]
            if gpu:
                print(f"    for GPUs: {', '.join(gpu)} (even one alone makes a run of a minute or "
                      "more on a CPU)")
            for name, meaning in info.metrics.items():
                print(f"    metric  {name}: {meaning}")
    return EXIT_OK


def _parse_sets(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--set expects KEY=VALUE, got {pair!r}")
        key = key.strip()
        if key in out:  # last-wins would silently run other settings than the learner meant
            raise ValueError(f"--set {key} is given twice ({key}={out[key]} and {key}={value.strip()}); "
                             "give each setting once")
        out[key] = value.strip()
    return out


def curriculum_root(args: Namespace):
    """The lesson folder: --curriculum, else $DLTUI_CURRICULUM, else the shipped course."""
    import os
    from pathlib import Path

    from dltui.cli import ENV_CURRICULUM
    from dltui.paths import curriculum_dir

    chosen = getattr(args, "curriculum", None) or os.environ.get(ENV_CURRICULUM)
    return Path(chosen).expanduser() if chosen else curriculum_dir()


def _chosen_curriculum_or_exit(args: Namespace):
    root = curriculum_root(args)
    if not root.is_dir():
        _err(f"{root}: no such curriculum folder (from --curriculum or $DLTUI_CURRICULUM)")
        return None
    return root


def cmd_lab(args: Namespace) -> int:
    from dltui import labregistry
    from dltui.labspec import SettingError, make_settings, settings_dict

    try:
        module = labregistry.load(args.lab_id)
        cfg = make_settings(module.Settings, _parse_sets(args.sets), from_text=True)
    except (labregistry.UnknownLab, SettingError, ValueError) as exc:
        _err(str(exc))
        return EXIT_USAGE
    if getattr(args, "export", False) and not hasattr(module, "export"):
        _err(f"lab {args.lab_id} has no files to export (--export)")
        return EXIT_USAGE

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from dltui.engine import Begin, Event, Failed, Job, Log, Started, Update, execute
    from dltui.run_state import RunState

    err = Console(stderr=True)
    out = Console()
    job = Job(args.lab_id, settings_dict(cfg), args.device)
    run = RunState(device=args.device)
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[scalars]}"), TimeElapsedColumn(), console=err,
                        transient=args.json)
    task = progress.add_task(args.lab_id, total=None, scalars="")

    def emit(event: Event) -> None:
        match run.apply(event):
            case Started(device=device):
                err.print(f"[dim]{args.lab_id} on {device}[/dim]")
            case Begin(total=total):
                progress.update(task, total=total)
            case Update(scalars=batch) if batch:
                step, scalars = batch[-1]
                text = "  ".join(f"{k} {v:.4g}" for k, v in list(scalars.items())[:4])
                progress.update(task, completed=step, scalars=text)
            case Log(text=text):
                err.print(text)

    with progress:
        try:
            execute(job, emit, lambda: False)  # Ctrl+C interrupts a headless run
        except KeyboardInterrupt:
            _err("interrupted")
            return 130
    result = run.result or Failed("crashed", "the lab ended without a result")
    if isinstance(result, Failed):
        kind, message = result.kind, result.message
        if args.json:
            print(json.dumps({"lab": args.lab_id, "device": run.device, "settings": settings_dict(cfg),
                              "error": {"kind": kind, "message": message}}))
        _err(f"the lab crashed: {message}" if kind == "crashed" else message)
        return EXIT_USAGE if kind in ("settings", "device") else EXIT_FAILED
    status, metrics, seconds, steps = result.status, result.metrics, result.seconds, result.steps
    met = bool(module.expectation_met(metrics))
    payload = {
        "lab": args.lab_id, "device": run.device, "settings": settings_dict(cfg), "steps": steps,
        "seconds": round(seconds, 3), "metrics": metrics,
        "expectation": {"description": module.INFO.expectation, "met": met},
    }
    if not args.no_save:
        _save_run(args, payload, status)
    if getattr(args, "export", False) and not _export_files(args, module, settings_dict(cfg)):
        return EXIT_FAILED
    if args.json:
        print(json.dumps(payload))
        return EXIT_OK
    _print_plots(out, run)
    out.print(f"[bold]{args.lab_id}[/bold] {status} in {seconds:.2f} s on {run.device}, {steps} steps")
    for name, value in metrics.items():
        out.print(f"  {name:<20} {value:.4g}")
    # The expectation is about the default settings: say what the app's lab screen says.
    from dltui.quiz import expectation_note

    note, style = expectation_note(met, settings_dict(cfg), settings_dict(make_settings(module.Settings, {})))
    out.print(f"expectation: {module.INFO.expectation}  " + (f"[{style}]{note}[/{style}]" if style else note))
    return EXIT_OK


def _export_files(args: Namespace, module, settings: dict) -> bool:
    """--export: the lab's ``export(settings, folder)`` hook writes into <data dir>/<lab id>."""
    from dltui.paths import data_dir

    folder = data_dir(args.data_dir) / args.lab_id
    try:
        paths = module.export(settings, folder)
    except OSError as exc:
        _err(f"could not write the lab's files into {folder}: {exc}")
        return False
    print(f"wrote {len(paths)} files to {folder}", file=sys.stderr)  # stdout keeps one JSON line
    return True


def use_color(out) -> bool:
    """Colour only on a terminal, and never with NO_COLOR set (https://no-color.org)."""
    from dltui.plotting import color_enabled

    return bool(out.is_terminal) and color_enabled() and not out.no_color


def _on_terminal_background(plotext) -> None:
    # plotext paints its own white/black canvas by default; keep the terminal's background.
    plotext.canvas_color("default")
    plotext.axes_color("default")
    plotext.ticks_color("default")


def _print_canvas(plotext, color: bool) -> None:
    if color:
        _on_terminal_background(plotext)
        print(plotext.build())
    else:  # plotext writes reset codes even with its "clear" theme
        print(plotext.uncolorize(plotext.build()))


def _print_plots(out, state) -> None:
    import plotext

    from dltui.plotting import draw_curves, draw_figure, figure_note_rich

    width = min(100, out.width)
    color = use_color(out)
    if state.history:
        draw_curves(plotext, state.history, width, 16, title="metrics", color=color)
        _print_canvas(plotext, color)
    for name, fig in state.figures.items():
        if draw_figure(plotext, fig, width, 22, color=color):
            _print_canvas(plotext, color)
            out.print(figure_note_rich(fig, color))
        else:
            _print_canvas(plotext, color)


def _save_run(args: Namespace, payload: dict, status: str) -> None:
    try:
        from dltui.progress import open_store

        with open_store(args.data_dir) as store:
            store.record_run(payload["lab"], payload["settings"], payload["metrics"], status=status,
                             seconds=payload["seconds"], steps=payload["steps"], device=payload["device"],
                             expectation_met=payload["expectation"]["met"])
            if store.problem_reason:  # the store carried on in memory: nothing reached the disk
                _err(f"the run was not saved to the progress store because {store.problem_reason}")
    except Exception as exc:  # noqa: BLE001 - saving is a bonus for headless runs; say why it failed
        _err(f"the run was not saved to the progress store: {exc}")


def cmd_validate(args: Namespace) -> int:
    from pathlib import Path

    from dltui.curriculum import load_curriculum

    root = Path(args.path).expanduser() if args.path else curriculum_root(args)
    if not root.is_dir():
        _err(f"{root}: not a folder")
        return EXIT_USAGE
    cur = load_curriculum(root)
    from dltui.exercisespec import load_exercises

    exercises = load_exercises(root, {le.id for le in cur.lessons()})
    problems = [*cur.problems, *(p for e in exercises for p in e.problems)]
    for problem in problems:
        print(problem)
    lessons = cur.lessons()
    questions = sum(len(le.questions) for le in lessons)
    labs = sum(len(le.labs) for le in lessons)
    summary = (f"{len(cur.themes)} themes, {len(lessons)} lessons, {questions} questions, {labs} lab blocks, "
               f"{len(exercises)} exercises: {len(problems)} problem(s)")
    print(summary, file=sys.stderr if problems else sys.stdout)
    return EXIT_FAILED if problems else EXIT_OK


def _open_store_or_exit(args: Namespace):
    import sqlite3

    from dltui.progress import StoreError, open_store

    try:
        return open_store(args.data_dir)
    except StoreError as exc:
        _err(str(exc))
        return None
    except (OSError, sqlite3.Error) as exc:
        _err(f"cannot open the progress store: {exc}. Pick another folder with --data-dir PATH or "
             "DLTUI_DATA_DIR.")
        return None


def run_app(args: Namespace) -> int:
    root = _chosen_curriculum_or_exit(args)
    if root is None:
        return EXIT_USAGE

    def load_chosen_curriculum():
        # Called by the app in a thread after its first frame: PyYAML and the lesson files stay
        # off start-up.
        from dltui.curriculum import load_curriculum

        return load_curriculum(root)

    store = _open_store_or_exit(args)
    if store is None:
        return EXIT_FAILED
    from dltui.app import DltuiApp

    app = DltuiApp(load_chosen_curriculum, store)
    return _run_quietly(app)


def _run_quietly(app) -> int:
    """Run the Textual app without letting it print a traceback. Textual catches an unhandled
    exception, exits with return code 1 and prints a rich traceback to its ``error_console``; we
    give it a console that writes to memory and re-raise the exception for cli.main's guard (one
    paragraph on the terminal, the traceback in the log). A deliberate exit message
    (``app.exit(message=…)``) is passed through to stderr."""
    import io

    from rich.console import Console

    captured = io.StringIO()
    app.error_console = Console(file=captured, markup=False, highlight=False, color_system=None, width=100)
    app.run()
    crash = getattr(app, "_exception", None)
    if crash is not None:
        raise crash
    if captured.getvalue():
        sys.stderr.write(captured.getvalue())
    return app.return_code or EXIT_OK


def progress_rows(curriculum, store) -> list[dict]:
    from dltui.exercisespec import load_exercises
    from dltui.review import summarize

    progress = store.lesson_progress()
    cards = {key: c.card for key, c in store.review_cards().items()}
    exercise_themes = {e.id: e.theme_id for e in load_exercises(curriculum.root)}
    summary = {t.theme_id: t for t in summarize(curriculum, store.latest_results(), cards, store.reviewer(),
                                                exercise_themes=exercise_themes)}
    reviews = {le.lesson_id: le for t in summary.values() for le in t.lessons}
    themes = []
    for theme in curriculum.themes:
        lessons = []
        for le in theme.lessons:
            p = progress.get(le.id)
            r = reviews[le.id]
            lessons.append({"id": le.id, "title": le.title, "read": bool(p and p.completed),
                            "opened": bool(p), "questions": len(le.questions),
                            "answered": p.answered if p else 0, "correct": p.correct if p else 0,
                            "pending_predictions": p.pending if p else 0, "mastered": r.mastered,
                            "review_cards": r.cards, "due_now": r.due_now, "due_7d": r.due_7d})
        themes.append({"id": theme.id, "title": theme.title, "lessons": lessons,
                       "read": sum(x["read"] for x in lessons), "questions": sum(x["questions"] for x in lessons),
                       "correct": sum(x["correct"] for x in lessons),
                       "answered": sum(x["answered"] for x in lessons), "mastered": sum(x["mastered"] for x in lessons),
                       # exercise cards (given up: "re-run your solution") count in their theme's due
                       "due_now": summary[theme.id].total("due_now"), "due_7d": summary[theme.id].total("due_7d")})
    from dltui.exercise_cli import exercise_rows

    exercises = exercise_rows(curriculum.root, store)
    for t in themes:
        t["exercises"] = exercises.get(t["id"], [])
    return themes


def cmd_progress(args: Namespace) -> int:
    from dltui.curriculum import load_curriculum

    root = _chosen_curriculum_or_exit(args)
    if root is None:
        return EXIT_USAGE
    store = _open_store_or_exit(args)
    if store is None:
        return EXIT_FAILED
    with store:
        if store.notice:
            _err(store.notice)
        themes = progress_rows(load_curriculum(root), store)
        runs = store.runs(limit=100000)
    if args.json:
        review = {k: sum(t[k] for t in themes) for k in ("due_now", "due_7d", "mastered")}
        print(json.dumps({"data_file": str(store.path), "themes": themes, "runs": len(runs), "review": review}))
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"dltui progress ({store.path})", title_justify="left")
    for col in ("lesson", "read", "answered", "right", "mastered", "due"):
        table.add_column(col, justify="left" if col == "lesson" else "right")
    for t in themes:
        table.add_row(f"[b]{t['title']}[/b]", f"{t['read']}/{len(t['lessons'])}",
                      f"{t['answered']}/{t['questions']}", f"{t['correct']}/{t['questions']}",
                      f"{t['mastered']}/{len(t['lessons'])}", str(t["due_now"] or ""))
        for le in t["lessons"]:
            table.add_row(f"  {le['title']}", "✓" if le["read"] else ("…" if le["opened"] else ""),
                          f"{le['answered']}/{le['questions']}", str(le["correct"]), "★" if le["mastered"] else "",
                          str(le["due_now"] or ""))
        for ex in t.get("exercises", []):
            mark = {"passed": "✓", "failing": "✗", "gave up": "gave up"}.get(ex["status"], "")
            table.add_row(f"  ✎ {ex['title']}", mark, f"{ex['attempts']} tries" if ex["attempts"] else "", "")
    Console().print(table)
    print(f"{len(runs)} lab run(s) recorded")
    due, week = sum(t["due_now"] for t in themes), sum(t["due_7d"] for t in themes)
    print(f"{due} question(s) due for review now, {week} within 7 days (dltui review; r in the app)")
    return EXIT_OK


def cmd_exercises(args: Namespace) -> int:
    from dltui.exercise_cli import cmd_exercises as run

    return run(args)


def cmd_exercise(args: Namespace) -> int:
    from dltui.exercise_cli import cmd_exercise as run

    return run(args)
