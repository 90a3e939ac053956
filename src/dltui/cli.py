"""Command line: ``dltui`` (the app) and its sub-commands. Arguments are parsed before anything
heavy is imported, so ``dltui --help`` is instant and never imports torch or textual.

:func:`main` is the one guard around everything: whatever goes wrong, the learner sees one short
paragraph on stderr and a non-zero exit code, never a Python traceback; the traceback goes to a
log file (``--log-file``, default ``dltui.log`` in the data folder) for bug reports.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

EXIT_FAILED, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 1, 130, 141
ENV_CURRICULUM = "DLTUI_CURRICULUM"
LOG_NAME = "dltui.log"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="dltui",
        description="A terminal tutor for the NYU Deep Learning course (DS-GA 1008, Spring 2021). "
                    "Without a command, opens the app.")
    p.add_argument("--data-dir", metavar="PATH",
                   help="where progress is kept (default: $DLTUI_DATA_DIR, else the user data folder)")
    p.add_argument("--curriculum", metavar="PATH",
                   help=f"the lesson folder to use (default: ${ENV_CURRICULUM}, else the shipped course)")
    p.add_argument("--log-file", metavar="PATH",
                   help=f"where details of errors are written for bug reports (default: {LOG_NAME} in the "
                        "data folder)")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    labs = sub.add_parser("labs", help="list the labs, one line each")
    labs.add_argument("--metrics", action="store_true", help="also list each lab's settings and metrics")

    lab = sub.add_parser("lab", help="run a lab headless and print its results")
    lab.add_argument("lab_id", metavar="ID", help="a lab id from `dltui labs`")
    lab.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"),
                     help="where to train (auto: CUDA if available, else CPU)")
    lab.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                     help="change a setting (each at most once), e.g. --set lr=0.05")
    lab.add_argument("--json", action="store_true",
                     help="print only one JSON object on stdout at the end (progress goes to stderr)")
    lab.add_argument("--no-save", action="store_true", help="do not record the run in the progress store")
    lab.add_argument("--export", action="store_true",
                     help="also write the lab's files (e.g. WAV audio) into <data dir>/ID, for labs that have any")

    val = sub.add_parser("validate", help="check a curriculum folder (default: --curriculum, else the shipped one)")
    val.add_argument("path", nargs="?", help="curriculum folder")

    prog = sub.add_parser("progress", help="show progress per theme and lesson")
    prog.add_argument("--json", action="store_true", help="print JSON instead of a table")

    exs = sub.add_parser("exercises", help="list the coding exercises and your status")
    exs.add_argument("--json", action="store_true", help="print one JSON list on one line")
    ex = sub.add_parser("exercise", help="run an exercise's checks on your file (exit 0 all pass, 1 some fail)")
    ex.add_argument("exercise_id", metavar="ID", help="an exercise id from `dltui exercises`")
    ex.add_argument("--json", action="store_true", help="print one JSON line with the results last on stdout")
    ex.add_argument("--watch", action="store_true", help="re-run the checks every time the file is saved")
    ex.add_argument("--reset", action="store_true",
                    help="put the starter back (your file is kept as ID.py.bak-<timestamp>)")
    ex.add_argument("--solution", action="store_true", help="print the solution (once every check passes)")
    ex.add_argument("--give-up", action="store_true", help="print the solution now (recorded as giving up)")
    ex.add_argument("--workspace", metavar="PATH", help="folder of your exercise files (default: workspace/ "
                                                        "in the data folder)")
    rev = sub.add_parser("review", help="questions due for spaced review, per theme; the retention setting")
    rev.add_argument("--json", action="store_true",
                     help='print one JSON line last on stdout: {"due_now", "due_7d", "cards", "by_theme"}')
    rev.add_argument("--retention", type=float, metavar="R",
                     help="set the desired retention FSRS schedules for (0.7 to 0.99; 0.9 at first)")
    rev.add_argument("--export", metavar="PATH",
                     help="write the review log as CSV (question id, time, rating, scheduled interval)")
    srv = sub.add_parser("serve", help="serve the app to web browsers (one app per tab; localhost only "
                                       "unless --public)")
    srv.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    srv.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default 127.0.0.1; any other needs --public)")
    srv.add_argument("--public", action="store_true",
                     help="allow a non-loopback --host: there is NO authentication, anyone who can reach it "
                          "can use the app")
    srv.add_argument("--data-dir", metavar="PATH", default=argparse.SUPPRESS,
                     help="where progress is kept (as the global option)")
    return p


class LogFile(logging.Handler):
    """Appends records to the log file, opened only when something is logged (start-up stays
    quick and a healthy run leaves no file). If the file cannot be written (read-only data
    folder, full disk), the system's temporary folder is tried; failing that, the record is
    dropped silently: reporting a fault must never cause another."""

    def __init__(self, chosen: str | None, data_dir: str | None):
        super().__init__(logging.DEBUG)
        self.chosen, self.data_dir = chosen, data_dir
        self.written_to: str | None = None
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def candidates(self) -> list[str]:
        out = []
        if self.chosen:
            out.append(os.path.expanduser(self.chosen))
        else:
            try:
                from dltui.paths import data_dir

                out.append(str(data_dir(self.data_dir) / LOG_NAME))
            except Exception:  # noqa: BLE001 - e.g. no home folder; the temporary folder still works
                pass
        import tempfile

        out.append(os.path.join(tempfile.gettempdir(), f"dltui-{os.getuid() if hasattr(os, 'getuid') else 0}.log"))
        return out

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record) + "\n"
        except Exception:  # noqa: BLE001
            return
        for path in ([self.written_to] if self.written_to else []) + self.candidates():
            try:
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
                with open(path, "a", encoding="utf-8") as f:
                    f.write(text)
            except OSError:
                continue
            self.written_to = path
            return

    def handleError(self, record: logging.LogRecord) -> None:  # never print logging's own traceback
        pass


def _install_log(args: argparse.Namespace | None) -> LogFile:
    handler = LogFile(getattr(args, "log_file", None), getattr(args, "data_dir", None))
    logger = logging.getLogger("dltui")
    for old in [h for h in logger.handlers if isinstance(h, LogFile)]:
        logger.removeHandler(old)  # main() may be called more than once in one process (tests)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # nothing of ours reaches the terminal through logging's last resort
    return handler


def _say(text: str) -> None:
    import shutil
    import textwrap

    width = max(40, min(100, shutil.get_terminal_size((80, 24)).columns - 1))
    try:
        print(textwrap.fill(f"dltui: {text}", width, break_long_words=False, break_on_hyphens=False),
              file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass  # stderr itself is gone


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _crash(exc: BaseException, log: LogFile, argv: list[str] | None) -> int:
    import platform
    import traceback

    from dltui import __version__

    details = "".join(traceback.format_exception(exc))
    logging.getLogger("dltui").error("dltui %s, Python %s on %s, arguments %s\n%s", __version__,
                                     platform.python_version(), platform.platform(),
                                     sys.argv[1:] if argv is None else argv, details.rstrip())
    where = (f"The details were written to {log.written_to}; please attach that file to a bug report."
             if log.written_to else "The details could not be written to a log file (try --log-file PATH).")
    summary = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    if len(summary) > 200:
        summary = summary[:200] + "…"
    _say(f"stopped by an unexpected error ({summary}). This is a bug in dltui, not something you did; "
         f"what you had already answered is saved. {where}")
    return EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
    log = None
    try:
        args = build_parser().parse_args(argv)
        log = _install_log(args)
        code = _dispatch(args)
        sys.stdout.flush()  # a closed pipe shows up here, inside the guard, not at interpreter exit
        return code
    except KeyboardInterrupt:
        _say("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `dltui progress --json | head`: the reader is gone; nothing to say
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # noqa: BLE001 - the last guard: one paragraph, details in the log
        return _crash(exc, log or _install_log(None), argv)


def _dispatch(args: argparse.Namespace) -> int:
    if args.version:
        from dltui import __version__

        print(f"dltui {__version__}")
        return 0
    if args.command is None:
        from dltui.commands import run_app

        return run_app(args)
    if args.command == "serve":
        from dltui.serve import cmd_serve

        return cmd_serve(args)
    if args.command == "review":
        from dltui.review_commands import cmd_review

        return cmd_review(args)
    from dltui import commands

    return getattr(commands, f"cmd_{args.command}")(args)


if __name__ == "__main__":
    sys.exit(main())
