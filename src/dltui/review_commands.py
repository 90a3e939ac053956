"""``dltui review``: cards due now and in the next 7 days per theme, the retention setting, and the
review log as CSV (for one's own analysis or the ``fsrs`` optimizer). Never imports torch or textual.

Exit codes: 0 done, 1 the store or the export file could not be used, 2 bad arguments (a retention
outside 0.7–0.99, a missing curriculum folder).
"""

from __future__ import annotations

import csv
import json
import sys
from argparse import Namespace
from datetime import datetime, timezone

from dltui import review

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXPORT_COLUMNS = ("question_id", "review_time", "rating", "scheduled_interval_seconds")


def _err(msg: str) -> None:
    print(f"dltui: {msg}", file=sys.stderr)


def review_rows(curriculum, store) -> dict:
    """The JSON object of ``dltui review --json``: totals and, per theme, due cards and mastery."""
    from dltui.exercisespec import load_exercises

    cards = {key: c.card for key, c in store.review_cards().items()}
    exercise_themes = {e.id: e.theme_id for e in load_exercises(curriculum.root)}
    themes = review.summarize(curriculum, store.latest_results(), cards, store.reviewer(),
                              exercise_themes=exercise_themes)
    by_theme = {t.theme_id: {"title": t.title, "due_now": t.total("due_now"), "due_7d": t.total("due_7d"),
                             "cards": t.total("cards"), "mastered": t.total("mastered"),
                             "lessons": len(t.lessons)} for t in themes}
    return {"due_now": sum(t["due_now"] for t in by_theme.values()),
            "due_7d": sum(t["due_7d"] for t in by_theme.values()),
            "cards": sum(t["cards"] for t in by_theme.values()),
            "retention": store.review_retention(), "by_theme": by_theme}


def export_log(store, path: str) -> int:
    """Write the review log as CSV; returns the number of reviews written."""
    entries = store.review_log()
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(EXPORT_COLUMNS)
        for e in entries:
            when = datetime.fromtimestamp(e.reviewed_at, timezone.utc).isoformat(timespec="seconds")
            out.writerow([e.key, when, e.rating, round(e.interval)])
    return len(entries)


def cmd_review(args: Namespace) -> int:
    from dltui.commands import _chosen_curriculum_or_exit, _open_store_or_exit

    if args.retention is not None:
        try:
            review.check_retention(args.retention)
        except ValueError as exc:
            _err(f"--retention: {exc}")
            return EXIT_USAGE
    root = _chosen_curriculum_or_exit(args)
    if root is None:
        return EXIT_USAGE
    store = _open_store_or_exit(args)
    if store is None:
        return EXIT_FAILED
    from dltui.curriculum import load_curriculum

    with store:
        if store.notice:
            _err(store.notice)
        if args.retention is not None:
            store.set_review_retention(args.retention)
            print(f"Desired retention set to {args.retention:g}.", file=sys.stderr if args.json else sys.stdout)
        if args.export:
            try:
                n = export_log(store, args.export)
            except OSError as exc:
                _err(f"cannot write {args.export} ({exc.strerror or exc}); pick another path.")
                return EXIT_FAILED
            print(f"Wrote {n} review(s) to {args.export}.", file=sys.stderr if args.json else sys.stdout)
        summary = review_rows(load_curriculum(root), store)
        if store.problem:
            _err(store.problem)
    if args.json:
        print(json.dumps(summary))
        return EXIT_OK
    print(f"Due now: {summary['due_now']} · in the next 7 days: {summary['due_7d']} · questions in review: "
          f"{summary['cards']} · desired retention {summary['retention']:g}")
    for theme in summary["by_theme"].values():
        if theme["cards"] or theme["mastered"]:
            print(f"  {theme['title']}: {theme['due_now']} due now, {theme['due_7d']} within 7 days, "
                  f"{theme['cards']} in review, {theme['mastered']}/{theme['lessons']} lessons mastered")
    if summary["due_now"]:
        print("Open dltui and press r to review them.")
    return EXIT_OK
