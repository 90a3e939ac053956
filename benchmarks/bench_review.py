"""A review round of 20 due questions in the app (headless, Pilot), timed per answer.

Twenty questions of the shipped course are answered wrong in their lessons, the clock moves 11
minutes (so all twenty are due), and the review screen answers each one (right) and moves on.
Printed: the time from the key press to the "comes back" line, and to the next question, per
card (median and worst), and whether torch was imported (it must not be).

    .venv/bin/python benchmarks/bench_review.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path


async def main() -> None:
    from textual.widgets import Input, OptionList

    from dltui.app import DltuiApp
    from dltui.curriculum import load_curriculum
    from dltui.paths import curriculum_dir
    from dltui.progress import Store
    from dltui.screens.review import ReviewQuiz, ReviewScreen

    course = load_curriculum(curriculum_dir())
    store = Store(Path(tempfile.mkdtemp()) / "progress.sqlite3")
    start = store.clock()
    store.clock = lambda: now[0]
    now = [start]
    questions = [(le, q) for le in course.lessons() for q in le.questions if q.kind in ("single", "numeric")][:20]
    for lesson, q in questions:
        store.record_answer(lesson.id, q.id, q.kind, 0 if q.kind == "single" else 1e9, False)
    now[0] = start + timedelta(minutes=11)
    app = DltuiApp(course, store, prewarm_labs=False)
    answer, advance = [], []
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ReviewScreen())
        await pilot.pause()
        for _ in questions:
            quiz = app.screen.query_one(ReviewQuiz)
            t = time.perf_counter()
            if quiz.question.kind == "numeric":
                quiz.query_one(Input).value = f"{quiz.question.answer}"
                await pilot.press("enter")
            else:
                quiz.query_one(OptionList).highlighted = next(
                    i for i, o in enumerate(quiz.question.options) if o.correct)
                await pilot.press("enter")
            await pilot.pause()
            answer.append(time.perf_counter() - t)
            t = time.perf_counter()
            await pilot.press("enter")
            await pilot.pause()
            advance.append(time.perf_counter() - t)
        done = "Nothing to review now" in str(app.screen.query_one("#review-summary").render())
    for name, xs in (("answer → comes back", answer), ("next question", advance)):
        print(f"{name:>20}: median {1000 * statistics.median(xs):.0f} ms, worst {1000 * max(xs):.0f} ms "
              f"({len(xs)} cards)")
    print(f"round ended with its summary: {done}; torch imported: {'torch' in sys.modules}")


if __name__ == "__main__":
    asyncio.run(main())
