"""Start-up: time from launching `dltui` to its first painted frame, against a minimal Textual app.

Both programs run in a pseudo-terminal (80×24); the clock stops when the first frame's text
appears on the terminal. Prints the medians and the ratio (goal ≤ 1.3×).

    .venv/bin/python benchmarks/bench_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Static

class Minimal(App):
    def compose(self):
        yield Static("hello-minimal")

Minimal().run()
"""


FRAME = b"\x1b[1;1H"  # Textual starts every full frame by homing the cursor


def time_to_text(argv: list[str], marker: bytes, env: dict, timeout: float = 60.0) -> float:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    seen = b""
    try:
        while time.perf_counter() - t0 < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
                if marker in seen:
                    return time.perf_counter() - t0
        raise RuntimeError(f"{argv} never showed {marker!r}")
    finally:
        proc.kill()
        proc.wait()
        os.close(master)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="80", LINES="24")
    env["DLTUI_DATA_DIR"] = tempfile.mkdtemp(prefix="dltui-bench-")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(MINIMAL_APP)
    minimal = [sys.executable, fh.name]
    dltui = [sys.executable, "-m", "dltui"]
    # Warm the OS file cache once for both, then alternate runs so drift hits both equally.
    time_to_text(minimal, b"hello-minimal", env)
    time_to_text(dltui, b"Continue", env)
    base, ours = [], []
    for _ in range(args.runs):
        base.append(time_to_text(minimal, b"hello-minimal", env))
        ours.append(time_to_text(dltui, b"Continue", env))
    b, o = statistics.median(base), statistics.median(ours)
    print(f"minimal Textual app: median {b * 1000:.0f} ms to first frame ({args.runs} runs)")
    print(f"dltui home screen:   median {o * 1000:.0f} ms to first frame ({args.runs} runs)")
    print(f"ratio dltui / minimal: {o / b:.2f}x (goal ≤ 1.3x)")
    os.unlink(fh.name)


if __name__ == "__main__":
    main()
