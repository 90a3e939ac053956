"""Run every lab headless with its default settings and print a Markdown table for README.

    .venv/bin/python benchmarks/lab_seconds.py [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from dltui import labregistry


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    print("| lab | lesson | what it shows | seconds | met |")
    print("|---|---|---|---|---|")
    for mod in labregistry.all_labs():
        proc = subprocess.run([sys.executable, "-m", "dltui", "lab", mod.INFO.id, "--device", args.device,
                               "--json", "--no-save"], capture_output=True, text=True)
        try:
            data = json.loads(proc.stdout.strip().splitlines()[-1])
            seconds, met = f"{data['seconds']:.2f}", "✓" if data["expectation"]["met"] else "✗"
        except (IndexError, KeyError, json.JSONDecodeError):
            seconds, met = "failed", proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "?"
        print(f"| `{mod.INFO.id}` | {', '.join(mod.INFO.lessons)} | {mod.INFO.summary} | {seconds} | {met} |",
              flush=True)


if __name__ == "__main__":
    main()
