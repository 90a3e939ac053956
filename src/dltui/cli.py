"""Command line: ``dltui`` (the app) and its sub-commands. Arguments are parsed before anything
heavy is imported, so ``dltui --help`` is instant and never imports torch or textual."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="dltui",
        description="A terminal tutor for the NYU Deep Learning course (DS-GA 1008, Spring 2021). "
                    "Without a command, opens the app.")
    p.add_argument("--data-dir", metavar="PATH",
                   help="where progress is kept (default: $DLTUI_DATA_DIR, else the user data folder)")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    labs = sub.add_parser("labs", help="list the labs, one line each")
    labs.add_argument("--metrics", action="store_true", help="also list each lab's settings and metrics")

    lab = sub.add_parser("lab", help="run a lab headless and print its results")
    lab.add_argument("lab_id", metavar="ID", help="a lab id from `dltui labs`")
    lab.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"),
                     help="where to train (auto: CUDA if available, else CPU)")
    lab.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                     help="change a setting (repeatable), e.g. --set lr=0.05")
    lab.add_argument("--json", action="store_true",
                     help="print only one JSON object on stdout at the end (progress goes to stderr)")
    lab.add_argument("--no-save", action="store_true", help="do not record the run in the progress store")

    val = sub.add_parser("validate", help="check a curriculum folder (default: the shipped one)")
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
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from dltui import __version__

        print(f"dltui {__version__}")
        return 0
    if args.command is None:
        from dltui.commands import run_app

        return run_app(args)
    from dltui import commands

    return getattr(commands, f"cmd_{args.command}")(args)


if __name__ == "__main__":
    sys.exit(main())
