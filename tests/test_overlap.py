"""No prose copied from the course notes (CC BY-NC-SA): the shared overlap tool must find 0 runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT.parent / "shared" / "tools" / "overlap.py"


@pytest.mark.skipif(not TOOL.is_file(), reason="../shared/tools/overlap.py is not available here")
def test_curriculum_shares_no_prose_with_the_notes():
    proc = subprocess.run([sys.executable, str(TOOL), "curriculum"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert proc.stdout.strip().splitlines()[-1].startswith("0 shared run")
