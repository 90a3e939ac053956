"""Lab overhead and UI responsiveness while a lab trains.

1. Steps/s of `spiral_classification` run from the app (UI process + worker process, live
   reporting, the lab screen redrawing its plots) against the same training loop in a bare
   Python process with reporting switched off. Goal: ratio ≥ 0.9.
2. While the app trains, a 50 ms interval timer in the UI records how late each tick fires.
   Goal: p95 ≤ 20 ms, max ≤ 100 ms.

    .venv/bin/python benchmarks/bench_lab.py [--steps 3000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = r"""
import json, sys, time
from dltui import labregistry
from dltui.labspec import make_settings

class Quiet:  # the same training loop with reporting switched off
    device = "cpu"
    live = False
    def begin(self, total): pass
    def report(self, step, **scalars): pass
    def figure(self, name, fig): pass
    def should_stop(self): return False
    def log(self, text): pass

lab = labregistry.load("spiral_classification")
cfg = make_settings(lab.Settings, json.loads(sys.argv[1]))
import torch
if sys.argv[2] != "default":
    torch.set_num_threads(int(sys.argv[2]))
t0 = time.perf_counter()
lab.train(cfg, Quiet())
seconds = time.perf_counter() - t0
print(json.dumps({"steps_per_s": cfg.steps / seconds, "threads": torch.get_num_threads()}))
"""


def bare_rate(settings: dict, threads: str) -> tuple[float, int]:
    out = subprocess.run([sys.executable, "-c", BARE, json.dumps(settings), threads], capture_output=True,
                         text=True, check=True).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return data["steps_per_s"], data["threads"]


async def app_rate(settings: dict, repeats: int) -> tuple[list[float], list[float]]:
    from dltui.app import DltuiApp
    from dltui.curriculum import load_curriculum
    from dltui.paths import curriculum_dir
    from dltui.progress import Store
    from dltui.screens.lab import LabScreen

    store = Store(Path(tempfile.mkdtemp(prefix="dltui-bench-")) / "progress.sqlite3")
    app = DltuiApp(load_curriculum(curriculum_dir()), store)
    rates: list[float] = []
    lateness: list[float] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await app.push_screen(LabScreen("spiral_classification", settings))
        proc = app.lab_process()
        while not proc.ready:  # the worker imports torch once, before the first Start
            await pilot.pause(0.1)
            app.screen._poll()
        state = {"last": None, "on": False}

        def tick() -> None:
            now = time.perf_counter()
            if state["on"] and state["last"] is not None:
                lateness.append(max(0.0, now - state["last"] - 0.05))
            state["last"] = now

        app.set_interval(0.05, tick)
        screen = app.screen
        for _ in range(repeats):
            await pilot.press("f5")
            state["on"], state["last"] = True, None
            while screen.running:
                await pilot.pause(0.05)
            state["on"] = False
            run = store.runs("spiral_classification", limit=1)[0]
            assert run.status == "finished", run
            rates.append(run.steps / run.seconds)
        redraws = screen.redraws
    return rates, lateness, redraws


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    settings = {"steps": args.steps, "seed": 0}
    from dltui.engine import default_threads

    same = str(default_threads())
    bare = [bare_rate(settings, same) for _ in range(args.repeats)]
    bare_default = [bare_rate(settings, "default") for _ in range(args.repeats)]
    rates, lateness, redraws = asyncio.run(app_rate(settings, args.repeats))
    b = statistics.median(r for r, _ in bare)
    bd = statistics.median(r for r, _ in bare_default)
    a = statistics.median(rates)
    lateness_ms = sorted(x * 1000 for x in lateness)
    p95 = lateness_ms[int(0.95 * (len(lateness_ms) - 1))] if lateness_ms else float("nan")
    print(f"bare Python process: {b:,.0f} steps/s (median of {args.repeats}, torch threads {bare[0][1]}, "
          "as in the app's worker)")
    print(f"bare, torch default: {bd:,.0f} steps/s (torch threads {bare_default[0][1]})")
    print(f"inside dltui:        {a:,.0f} steps/s (median of {args.repeats}, worker process)")
    print(f"ratio app / bare:    {a / b:.2f}x same threads, {a / bd:.2f}x vs torch default (goal ≥ 0.9x)")
    print(f"UI timer lateness while training ({len(lateness_ms)} ticks of 50 ms): "
          f"p95 {p95:.1f} ms, max {max(lateness_ms):.1f} ms (goal p95 ≤ 20 ms, max ≤ 100 ms)")
    print(f"lab screen redraws: {redraws}")


if __name__ == "__main__":
    main()
