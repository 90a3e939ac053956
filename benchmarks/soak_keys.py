"""Soak test: random keys to the real app through Textual's Pilot. Prints figures; exits 1 on a crash.

Each (seed, size) pair builds the app on a fresh data folder with the shipped curriculum and presses
``--keys`` random keys from a fixed set (never ``q`` nor Ctrl+C, so quitting is never the cause of
an exit), with a short pause every few keys so timers, workers and refreshes get to run. After
every key the app must still be running. On a crash or an unexpected exit it prints the seed, the
size, the last 30 keys, the screen stack and the traceback.

    .venv/bin/python benchmarks/soak_keys.py --seeds 0-19 --keys 400 [--sizes 80x24,60x20,120x40]
        [--worker fake|real] [--pause-every 5] [--stop-on-crash]

``--worker fake`` (default) answers lab runs with canned events (no torch, no subprocess);
``--worker real`` uses the real lab worker process (torch), as `dltui` does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter, deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

KEYS = ([*"abcdefghijklmnoprstuvwxyz0123456789"]  # no q: quitting is not a crash
        + ["enter", "escape", "tab", "shift+tab", "up", "down", "left", "right", "pageup", "pagedown",
           "home", "end", "space", "f1", "f2", "f5", "f6", "f7", "ctrl+p", "ctrl+s", "question_mark",
           "backspace", "comma", "period", "left_square_bracket", "right_square_bracket"])
FREEZE_SECONDS = 30  # a key not handled by then: the app is frozen (the CPU may be shared, so generous)
# Navigation keys more often, so the walk reaches deep screens (lessons, labs, exercises, review).
WEIGHTS = {"enter": 6, "escape": 2, "tab": 3, "down": 5, "up": 3, "right": 2, "l": 3, "r": 2, "c": 2}


def parse_range(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            out.extend(range(int(lo), int(hi) + 1))
        elif part:
            out.append(int(part))
    return out


def fake_worker_factory():
    from fake_worker import ReplayWorker

    from dltui import labregistry
    from dltui.engine import Begin, Done, Started, Update

    def events(job):
        try:
            names = list(labregistry.load(job.lab_id).INFO.metrics)
        except Exception:  # noqa: BLE001 - an unknown job: plain numbers
            names = ["loss"]
        steps = 12
        rows = [(s, {n: 1.0 / s for n in names}) for s in range(1, steps + 1)]
        return [Started("CPU (fake)"), Begin(steps), Update(rows[:6], {}), Update(rows[6:], {}),
                Done("finished", dict(rows[-1][1]), 0.2, steps)]

    return lambda: ReplayWorker(events)


def stack_names(app) -> str:
    try:
        return " > ".join(type(s).__name__ for s in app.screen_stack)
    except Exception:  # noqa: BLE001
        return "?"


async def soak_one(seed: int, size: tuple[int, int], n_keys: int, worker: str, pause_every: int,
                   curriculum) -> dict:
    """Press the seed's keys. A deliberate quit (the palette's "Quit" command: Ctrl+P, then letters
    that match it, then Enter) is counted, not a crash: the keys go on in a fresh app on the same data."""
    rng = random.Random(seed * 1000 + size[0])
    keys = rng.choices(KEYS, weights=[WEIGHTS.get(k, 1) for k in KEYS], k=n_keys)
    data = Path(tempfile.mkdtemp(prefix=f"soak{seed}-"))
    os.environ["DLTUI_DATA_DIR"] = str(data)
    last: deque = deque(maxlen=30)
    result = {"seed": seed, "size": size, "pressed": 0, "crash": None, "screens": Counter(), "quits": []}
    try:
        while result["pressed"] < n_keys and result["crash"] is None:
            await _one_app(keys, rng, result, last, size, worker, pause_every, curriculum, data)
    finally:
        result["last"] = list(last)
        shutil.rmtree(data, ignore_errors=True)
    return result


async def _one_app(keys, rng, result, last, size, worker, pause_every, curriculum, data) -> None:
    from dltui.app import DltuiApp
    from dltui.progress import Store

    store = Store(data / "progress.sqlite3")
    factory = fake_worker_factory() if worker == "fake" else None
    app = DltuiApp(curriculum, store, lab_process_factory=factory, prewarm_labs=(worker == "real"))
    quit_from: list[str] = []
    before = [""]  # the screens when the current key was pressed
    action_quit = app.action_quit

    async def traced_quit() -> None:  # a deliberate quit: where it came from (the palette has closed by now)
        quit_from.append(before[0])
        await action_quit()

    app.action_quit = traced_quit
    screens = result["screens"]
    try:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            while result["pressed"] < len(keys):
                key = keys[result["pressed"]]
                last.append(key)
                before[0] = stack_names(app)
                try:
                    await asyncio.wait_for(pilot.press(key), FREEZE_SECONDS)
                except asyncio.TimeoutError:
                    result["crash"] = f"frozen: key {key!r} not handled within {FREEZE_SECONDS} s on {before[0]}"
                    break
                result["pressed"] += 1
                if pause_every and result["pressed"] % pause_every == 0:
                    await pilot.pause(rng.choice((0.0, 0.02, 0.05)))
                screens[type(app.screen).__name__] += 1
                if not app.is_running or app.return_code is not None:
                    break
            await pilot.pause(0.1)
            result["stack"] = stack_names(app)
            if app.is_running and result["pressed"] >= len(keys):
                # Still in charge of the keyboard? Esc, repeated, leads back home from any screen.
                for _ in range(12):
                    await pilot.press("escape")
                    await pilot.pause(0.05)
                if app.is_running and stack_names(app) != "HomeScreen":
                    result["crash"] = f"stuck: Esc ×12 from {result['stack']} left {stack_names(app)}"
    except Exception:  # noqa: BLE001 - what we are here to find
        result["crash"] = traceback.format_exc()
    exc = getattr(app, "_exception", None)
    if exc is not None and "Traceback" not in str(result["crash"]):
        result["crash"] = (str(result["crash"] or "") + "\n"
                           + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    stopped = app.return_code is not None or not app.is_running
    if result["crash"] is None and stopped and result["pressed"] < len(keys) or app.return_code not in (None, 0):
        if quit_from and app.return_code == 0 and quit_from[-1].endswith("CoursePalette"):
            result["quits"].append(f"key {result['pressed']}: palette Quit ({' '.join(list(last)[-6:])})")
        else:
            result["crash"] = (f"app stopped (return_code={app.return_code}, quit requested from "
                               f"{quit_from or 'nowhere'}) after key {result['pressed']}")
    if app._lab_process is not None:
        try:
            app._lab_process.shutdown()
        except Exception:  # noqa: BLE001
            pass


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="0-19")
    ap.add_argument("--keys", type=int, default=400)
    ap.add_argument("--sizes", default="80x24,60x20,120x40")
    ap.add_argument("--worker", choices=("fake", "real"), default="fake")
    ap.add_argument("--pause-every", type=int, default=5)
    ap.add_argument("--stop-on-crash", action="store_true")
    args = ap.parse_args()

    from dltui.curriculum import load_curriculum
    from dltui.paths import curriculum_dir

    curriculum = load_curriculum(curriculum_dir())
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    seeds = parse_range(args.seeds)
    crashes, runs, total_keys, quits = 0, 0, 0, 0
    all_screens: Counter = Counter()
    start = time.perf_counter()
    for seed in seeds:
        for size in sizes:
            r = asyncio.run(soak_one(seed, size, args.keys, args.worker, args.pause_every, curriculum))
            runs += 1
            total_keys += r["pressed"]
            all_screens.update(r["screens"])
            quits += len(r["quits"])
            for q in r["quits"]:
                print(f"  (seed={seed} size={size[0]}x{size[1]} {q}; a fresh app takes the rest)", flush=True)
            if r["crash"]:
                crashes += 1
                print(f"CRASH seed={seed} size={size[0]}x{size[1]} after {r['pressed']} keys", flush=True)
                print("  last keys:", " ".join(r["last"]))
                print("  stack:", r.get("stack", "?"))
                print(r["crash"], flush=True)
                if args.stop_on_crash:
                    break
            else:
                print(f"ok seed={seed} size={size[0]}x{size[1]} keys={r['pressed']} end={r.get('stack')}",
                      flush=True)
        if crashes and args.stop_on_crash:
            break
    took = time.perf_counter() - start
    print(f"\n{runs} runs ({len(seeds)} seeds × {len(sizes)} sizes), {total_keys} keys, worker={args.worker}: "
          f"{crashes} crash(es), {quits} deliberate quit(s) via the palette, in {took:.0f} s")
    print("keys pressed per screen:", dict(all_screens.most_common()))
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
