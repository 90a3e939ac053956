"""Start → first plotted point, from a cold app start (issue 12, item 10). Goal: ≤ 1 s.

Each run is a fresh process: the app starts headless (Pilot), the learner opens
`spiral_classification` after ``--think`` seconds (the time it takes to pick a lab; the app spawns
the lab worker as soon as home has painted), presses F5, and the clock stops when the curves
hold their first point. Prints the median of ``--repeats`` runs, and the whole cold path too.

    .venv/bin/python benchmarks/bench_first_point.py [--repeats 5] [--think 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile

ONE_RUN = r"""
import asyncio, json, sys, time
t0 = time.monotonic()
from pathlib import Path
from dltui.app import DltuiApp
from dltui.curriculum import load_curriculum
from dltui.paths import curriculum_dir
from dltui.progress import Store
from dltui.screens.lab import LabScreen

async def main(think):
    app = DltuiApp(load_curriculum(curriculum_dir()), Store(Path(sys.argv[1]) / "p.sqlite3"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(think)
        await app.push_screen(LabScreen("spiral_classification"))
        await pilot.pause()
        screen = app.screen
        start = time.monotonic()
        await pilot.press("f5")
        while not screen.step:
            await asyncio.sleep(0.01)
        done = time.monotonic()
        await pilot.press("f6")
        await pilot.pause(0.5)
    print(json.dumps({"start_to_first_point": done - start, "cold_to_first_point": done - t0}))

asyncio.run(main(float(sys.argv[2])))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--think", type=float, default=2.0)
    args = parser.parse_args()
    results = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as data:
            out = subprocess.run([sys.executable, "-c", ONE_RUN, data, str(args.think)], capture_output=True,
                                 text=True, timeout=300)
            if out.returncode:
                sys.exit(out.stderr[-2000:])
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    first = statistics.median(r["start_to_first_point"] for r in results)
    cold = statistics.median(r["cold_to_first_point"] for r in results)
    print(f"Start → first point: median {first:.2f} s of {args.repeats} (goal ≤ 1 s); "
          f"cold start → lab opened after {args.think:g} s → first point: median {cold:.2f} s")


if __name__ == "__main__":
    main()
