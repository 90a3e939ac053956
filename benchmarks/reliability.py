"""Reliability: how often dltui loses progress or crashes when things go wrong. Prints counts.

1. kill -9 of a process writing through the store API, at random moments (a third of the trials
   on a brand-new folder, so some kills land while the store is being created). Every record the
   writer reported as saved must be there afterwards, and the store must open without a notice.
2. kill -9 of the real app (in a pseudo-terminal, 80×24, a lesson opened and some keys pressed) at
   random moments; the store must then open cleanly, with no fewer lessons than before.
3. Two processes writing answers to one store at once: none may be lost.
4. Random keys to the real app at 80×24: it must never crash, and quit with status 0 at the end.

    .venv/bin/python benchmarks/reliability.py [--api-trials 150] [--app-trials 30]
        [--writer-answers 2000] [--key-sessions 3] [--keys 600] [--seed 1]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import random
import select
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import termios
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dltui.progress import Store, StoreError  # noqa: E402

PYTHON = sys.executable
DLTUI = [PYTHON, "-m", "dltui"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}

WRITER = textwrap.dedent("""
    import random, sys
    from dltui.progress import Store
    path, seed = sys.argv[1], int(sys.argv[2])
    store = Store(path)
    print("OPEN", store.notice is None and store.problem is None, flush=True)
    rng = random.Random(seed)
    i = 0
    while True:
        r = rng.random()
        if r < 0.7:
            print("A", store.record_answer("L", f"q{seed}-{i}", "single", i, True), flush=True)
        elif r < 0.85:
            run = store.record_run("lab", {"i": i}, {"acc": 0.5}, status="finished", seconds=0.1,
                                   steps=1, device="cpu")
            print("R", run, flush=True)
        else:
            store.save_position(f"lesson-{seed}", float(i))
            print("P", f"lesson-{seed}", i, flush=True)
        i += 1
        if len(sys.argv) > 3 and i >= int(sys.argv[3]):
            break
    store.close()
""")


def _store_is_clean(path: Path) -> tuple[bool, str]:
    try:
        with Store(path) as store:
            if store.notice or store.problem:
                return False, store.notice or store.problem
            ok = store._conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            return ok, "" if ok else "quick_check failed"
    except StoreError as exc:
        return False, str(exc)


# -- 1. kill -9 over the store API -----------------------------------------------------------------

def api_kill_loop(trials: int, rng: random.Random, work: Path) -> dict:
    shared = work / "api-shared" / "progress.sqlite3"
    failures, records, first_starts, notes = 0, 0, 0, []
    for trial in range(trials):
        fresh = trial % 3 == 0
        path = work / f"api-fresh-{trial}" / "progress.sqlite3" if fresh else shared
        first_starts += fresh
        proc = subprocess.Popen([PYTHON, "-c", WRITER, str(path), str(trial)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=ENV)
        time.sleep(rng.uniform(0.0, 0.6) if fresh else rng.uniform(0.3, 1.2))
        proc.kill()
        out, err = proc.communicate()
        lines = out.decode(errors="replace").splitlines()
        if out and not out.endswith(b"\n"):
            lines = lines[:-1]  # a line cut by the kill was never acknowledged
        if b"Traceback" in err:
            failures += 1
            notes.append(f"trial {trial}: writer failed: {err.decode(errors='replace').strip().splitlines()[-1]}")
            continue
        if lines and lines[0] == "OPEN False":
            failures += 1
            notes.append(f"trial {trial}: the store opened with a notice")
            continue
        acked = [ln.split() for ln in lines[1:]]
        if not path.exists():
            continue  # killed before the file existed: nothing was promised
        ok, why = _store_is_clean(path)
        if not ok:
            failures += 1
            notes.append(f"trial {trial}: {why}")
            continue
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            answers = {r[0] for r in conn.execute("SELECT id FROM answers")}
            runs = {r[0] for r in conn.execute("SELECT id FROM runs")}
            positions = dict(conn.execute("SELECT lesson_id, position FROM lesson_state").fetchall())
        conn.close()
        missing = []
        last_position: dict[str, float] = {}
        for rec in acked:
            if rec[0] == "A" and int(rec[1]) not in answers or rec[0] == "R" and int(rec[1]) not in runs:
                missing.append(" ".join(rec))
            elif rec[0] == "P":
                last_position[rec[1]] = float(rec[2])
        # a position written after the last acknowledged one may be there too (killed before it printed)
        missing += [f"position {k}={v} (found {positions.get(k)})" for k, v in last_position.items()
                    if positions.get(k, -1) < v]
        records += len(acked)
        if missing:
            failures += 1
            notes.append(f"trial {trial}: {len(missing)} acknowledged record(s) missing: {missing[:3]}")
    return {"trials": trials, "first-start trials": first_starts, "acknowledged records checked": records,
            "failures": failures, "notes": notes}


# -- a real app in a pseudo-terminal ---------------------------------------------------------------

class PtyApp:
    def __init__(self, data_dir: Path, cols: int = 80, rows: int = 24):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.proc = subprocess.Popen([*DLTUI, "--data-dir", str(data_dir)], stdin=slave, stdout=slave,
                                     stderr=slave, env=ENV, close_fds=True, start_new_session=True)
        os.close(slave)
        self.output = bytearray()

    def drain(self, seconds: float = 0.0) -> None:
        end = time.monotonic() + seconds
        while True:
            left = max(0.0, end - time.monotonic())
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                self.output += chunk
            elif left <= 0:
                return

    def wait_for(self, marker: bytes, timeout: float = 60.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.proc.poll() is None:
            self.drain(0.05)
            if marker in self.output:
                return True
        return marker in self.output

    def send(self, keys: bytes) -> None:
        try:
            os.write(self.master, keys)
        except OSError:
            pass

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        try:  # the lab worker, if one was started, is left like any orphan; clean it up here
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.close()

    def close(self) -> None:
        try:
            os.close(self.master)
        except OSError:
            pass


FIRST_FRAME = b"Continue"  # in the key bar of the home screen
LOADED = b"Introduction"  # the first theme: the lessons are in the outline
DOWN, UP, ENTER, ESC = b"\x1b[B", b"\x1b[A", b"\r", b"\x1b"


def _lessons_opened(path: Path) -> int:
    if not path.exists():
        return 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        try:
            n = conn.execute("SELECT COUNT(*) FROM lesson_state").fetchone()[0]
        except sqlite3.OperationalError:
            n = 0
    conn.close()
    return n


# -- 2. kill -9 of the real app --------------------------------------------------------------------

def app_kill_loop(trials: int, rng: random.Random, work: Path) -> dict:
    data = work / "app-kill"
    db = data / "progress.sqlite3"
    failures, notes, before, in_lesson = 0, [], 0, 0
    for trial in range(trials):
        app = PtyApp(data)
        deadline = time.monotonic() + rng.uniform(0.2, 8.0)
        if app.wait_for(LOADED, timeout=max(0.0, deadline - time.monotonic())):
            in_lesson += 1
            # open a lesson (the trial number picks which) and move around until the kill
            app.send(DOWN * (1 + trial % 5) + ENTER)
            while time.monotonic() < deadline:
                app.send(rng.choice([DOWN, DOWN, b"j", b"n", b"\x1b[6~", ESC, ENTER]))
                app.drain(0.1)
        else:
            app.drain(max(0.0, deadline - time.monotonic()))
        app.kill9()
        if not db.exists():
            continue
        ok, why = _store_is_clean(db)
        after = _lessons_opened(db)
        if not ok or after < before:
            failures += 1
            notes.append(f"trial {trial}: {why or f'lessons opened went from {before} to {after}'}")
        before = max(before, after)
    return {"trials": trials, "killed after the lessons loaded": in_lesson, "lessons opened at the end": before,
            "failures": failures, "notes": notes}


# -- 3. two writers at once ------------------------------------------------------------------------

def two_writers(answers: int, work: Path, rounds: int = 3) -> dict:
    failures, written, lost_total = 0, 0, 0
    for rnd in range(rounds):
        path = work / f"writers-{rnd}" / "progress.sqlite3"
        procs = [subprocess.Popen([PYTHON, "-c", WRITER, str(path), str(1000 * rnd + k), str(answers)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV) for k in (1, 2)]
        acked_answers = set()
        acked_runs = set()
        for proc in procs:
            out, err = proc.communicate()
            if proc.returncode != 0:
                failures += 1
            for line in out.decode().splitlines():
                parts = line.split()
                if parts[0] == "A":
                    acked_answers.add(int(parts[1]))
                elif parts[0] == "R":
                    acked_runs.add(int(parts[1]))
        with sqlite3.connect(path) as conn:
            answers_there = {r[0] for r in conn.execute("SELECT id FROM answers")}
            runs_there = {r[0] for r in conn.execute("SELECT id FROM runs")}
        conn.close()
        lost = len(acked_answers - answers_there) + len(acked_runs - runs_there)
        written += len(acked_answers) + len(acked_runs)
        lost_total += lost
        failures += bool(lost)
    return {"rounds": rounds, "records written": written, "records lost": lost_total, "failures": failures}


# -- 4. random keys --------------------------------------------------------------------------------

KEYS = [DOWN, UP, b"\x1b[C", b"\x1b[D", ENTER, ENTER, ESC, b"\t", b"\x1b[Z", b"\x1b[5~", b"\x1b[6~",
        b"\x1b[H", b"\x1b[F", b"\x1bOP", b"\x1bOQ", b"\x1b[15~", b"\x1b[17~", b"\x7f", b"\x10", b" ",
        *[bytes([c]) for c in b"abcdefghijklmnoprstuvwxyz0123456789.,-[]"]]  # no q: it quits


def random_keys(sessions: int, keys: int, rng: random.Random, work: Path) -> dict:
    crashes, sent, notes = 0, 0, []
    for session in range(sessions):
        app = PtyApp(work / f"keys-{session}")
        if not app.wait_for(FIRST_FRAME):
            crashes += 1
            notes.append(f"session {session}: no first frame")
            app.kill9()
            continue
        for _ in range(keys):
            app.send(rng.choice(KEYS))
            sent += 1
            app.drain(0.03)
            if app.proc.poll() is not None:
                break
        alive = app.proc.poll() is None
        if alive:
            app.send(b"\x03")  # Ctrl+C quits from any screen, even with a text field focused
            end = time.monotonic() + 30
            while app.proc.poll() is None and time.monotonic() < end:
                app.drain(0.1)
        code = app.proc.poll()
        if not alive or code != 0 or b"Traceback" in app.output:
            crashes += 1
            log = work / f"keys-{session}" / "dltui.log"
            tail = log.read_text(errors="replace")[-600:] if log.exists() else app.output[-300:].decode(errors="replace")
            notes.append(f"session {session}: {'died' if not alive else f'exit {code}'}: {tail!r}")
        if code is None:
            app.kill9()
        else:
            app.close()
    return {"sessions": sessions, "keys sent": sent, "crashes": crashes, "notes": notes}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--api-trials", type=int, default=150)
    ap.add_argument("--app-trials", type=int, default=30)
    ap.add_argument("--writer-answers", type=int, default=2000)
    ap.add_argument("--key-sessions", type=int, default=3)
    ap.add_argument("--keys", type=int, default=600)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", choices=["api", "app", "writers", "keys"], action="append",
                    help="run just these parts (repeatable); all four by default")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="dltui-reliability-"))
    total_failures = 0
    try:
        for part, name, run in [
            ("api", "kill -9 of a store-API writer", lambda: api_kill_loop(args.api_trials, rng, work)),
            ("app", "kill -9 of the app (pty 80×24)", lambda: app_kill_loop(args.app_trials, rng, work)),
            ("writers", "two writers at once", lambda: two_writers(args.writer_answers, work)),
            ("keys", "random keys to the app (pty 80×24)",
             lambda: random_keys(args.key_sessions, args.keys, rng, work)),
        ]:
            if args.only and part not in args.only:
                continue
            t0 = time.perf_counter()
            result = run()
            notes = result.pop("notes", [])
            figures = ", ".join(f"{k} {v:,}" for k, v in result.items())
            print(f"{name}: {figures}  ({time.perf_counter() - t0:.0f} s)", flush=True)
            for note in notes[:10]:
                print(f"    {note}")
            total_failures += result.get("failures", 0) + result.get("crashes", 0)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if total_failures else 0


if __name__ == "__main__":
    sys.exit(main())
