"""Save → verdict for every exercise (or one theme's), in the app, with the exercise worker warm.

For each exercise the app (headless, Pilot) opens the exercise screen, puts a file in the
editor and presses Ctrl+S; the time runs until the verdict is on screen (the results pane says
how many checks pass). Alternately the solution (all checks run to the end) and the starter
(checks stop at their first failing case) are saved, ``--repeats`` times each. Goal: median
≤ 1 s for every exercise.

    .venv/bin/python benchmarks/bench_exercise.py [--repeats 5] [--theme t1]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path


async def measure(repeats: int, theme: str | None = None) -> dict[str, list[float]]:
    from textual.widgets import Static, TextArea

    from dltui.app import DltuiApp
    from dltui.curriculum import load_curriculum
    from dltui.exercise_service import exercise_service
    from dltui.paths import curriculum_dir
    from dltui.progress import Store
    from dltui.screens.exercise import ExerciseScreen

    data = Path(tempfile.mkdtemp())
    app = DltuiApp(load_curriculum(curriculum_dir()), Store(data / "progress.sqlite3"), prewarm_labs=False)
    times: dict[str, list[float]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        service = exercise_service(app)
        exercises = [e for e in service.exercises.values() if theme in (None, e.theme_id)]

        async def settle() -> None:
            while service.busy:
                await pilot.pause(0.02)

        for exercise in exercises:
            app.push_screen(ExerciseScreen(exercise.id))
            await pilot.pause()
            await settle()  # worker start and warm-up are not the learner's wait
            screen = app.screen
            editor = screen.query_one("#ex-editor", TextArea)
            status = screen.query_one("#ex-status", Static)
            texts = [exercise.solution.read_text(), exercise.starter.read_text()]
            for n in range(2 * repeats):
                editor.load_text(texts[n % 2] + f"\n# edit {n}\n")
                status.update("")
                t0 = time.perf_counter()
                await pilot.press("ctrl+s")
                while "checks pass" not in str(status.render()):
                    await pilot.pause(0.005)
                times.setdefault(exercise.id, []).append(time.perf_counter() - t0)
                await settle()
            app.pop_screen()
            await pilot.pause()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--theme", help="only this theme's exercises (t1 … t9)")
    args = parser.parse_args()
    times = asyncio.run(measure(args.repeats, args.theme))
    print(f"{'exercise':<28} {'median s':>9} {'max s':>7}  (save → verdict, {2 * args.repeats} saves)")
    medians = []
    for exercise_id, values in times.items():
        medians.append(statistics.median(values))
        print(f"{exercise_id:<28} {statistics.median(values):9.3f} {max(values):7.3f}")
    print(f"worst median {max(medians):.3f} s (goal ≤ 1 s)")


if __name__ == "__main__":
    main()
