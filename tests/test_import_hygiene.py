"""Importing dltui stays light: torch is paid for only inside a lab's ``train`` (in the worker or
the headless CLI), and the pure core never pulls in textual.

Each check runs in a fresh interpreter, so what other tests imported does not leak in.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dltui import labregistry

LAB_MODULES = [f"dltui.labs.{lab_id}" for lab_id in labregistry.lab_ids()]

PURE_CORE = ["dltui.curriculum", "dltui.progress", "dltui.labspec", "dltui.engine", "dltui.quiz",
             "dltui.conditions", "dltui.figures", "dltui.labregistry", *LAB_MODULES,
             "dltui.exercisespec", "dltui.checking", "dltui.exercise_runner", "dltui.exercise_service",
             "dltui.exercise_cli"]
NO_TORCH = ["dltui.cli", "dltui.app", "dltui.plotting", "dltui.screens.exercise", *PURE_CORE]

PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps({"torch": "torch" in sys.modules, "textual": "textual" in sys.modules}))
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONSTARTUP", None)
    return env


def _imports_of(module: str) -> dict[str, bool]:
    proc = subprocess.run([sys.executable, "-c", PROBE, module], capture_output=True, text=True,
                          timeout=120, env=_env())
    assert proc.returncode == 0, f"importing {module} failed:\n{proc.stderr}"
    import json

    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_there_are_labs_to_check():
    assert "spiral_classification" in labregistry.lab_ids()
    assert all(not i.startswith("_") for i in labregistry.lab_ids())


@pytest.mark.parametrize("module", NO_TORCH)
def test_import_leaves_torch_out(module):
    loaded = _imports_of(module)
    assert loaded["torch"] is False, f"importing {module} imported torch"
    if module in PURE_CORE:
        assert loaded["textual"] is False, f"importing {module} (pure core) imported textual"


def test_the_probe_can_see_an_import():
    """The probe would notice: dltui.app does import textual."""
    assert _imports_of("dltui.app")["textual"] is True


def test_loading_every_lab_and_the_curriculum_leaves_torch_out():
    code = ("import sys\n"
            "from dltui import labregistry\n"
            "from dltui.curriculum import load_curriculum\n"
            "from dltui.paths import curriculum_dir\n"
            "mods = labregistry.all_labs()\n"
            "cur = load_curriculum(curriculum_dir())\n"
            "print(len(mods), len(cur.lessons()), 'torch' in sys.modules, 'textual' in sys.modules)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=_env())
    assert proc.returncode == 0, proc.stderr
    n_labs, n_lessons, torch_loaded, textual_loaded = proc.stdout.split()
    assert int(n_labs) == len(LAB_MODULES)
    assert int(n_lessons) > 0
    assert torch_loaded == "False"
    assert textual_loaded == "False"


def _imported_modules(importtime_stderr: str) -> set[str]:
    names = set()
    for line in importtime_stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def test_help_exits_0_without_torch_or_textual(tmp_path):
    env = _env()
    env["DLTUI_DATA_DIR"] = str(tmp_path / "data")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "dltui", "--help"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "usage: dltui" in proc.stdout
    for command in ("labs", "lab", "validate", "progress"):
        assert command in proc.stdout
    modules = _imported_modules(proc.stderr)
    assert "dltui.cli" in modules  # the import log is really there
    assert not {m for m in modules if m == "torch" or m.startswith("torch.")}
    assert not {m for m in modules if m == "textual" or m.startswith("textual.")}
    assert not (tmp_path / "data").exists()  # --help creates nothing


def test_help_via_main_leaves_torch_out():
    code = ("import sys\n"
            "from dltui.cli import main\n"
            "try:\n"
            "    main(['--help'])\n"
            "except SystemExit as exc:\n"
            "    code = exc.code\n"
            "else:\n"
            "    code = 'no exit'\n"
            "print('RESULT', code, 'torch' in sys.modules, 'textual' in sys.modules)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=_env())
    assert proc.returncode == 0, proc.stderr
    result = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")]
    assert result == ["RESULT 0 False False"]
