"""Fault injection for the command line and the app's outer shell (issue 10, items 10, 13, 16, 18
and "nothing prints a traceback"): every fatal path ends with one paragraph on stderr and a
non-zero exit code; the details go to the log file."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from dltui import commands, labregistry
from dltui.cli import main
from dltui.labspec import SettingError, setting_specs

FIXTURE = Path(__file__).parent / "fixtures" / "curriculum"
BAD_NUMBERS = ["inf", "-inf", "+inf", "Infinity", "1e309", "-1e309", "9" * 400, "9" * 5000, "nan", "NaN"]
SIZE = (80, 24)


def _env(data: Path, **extra: str) -> dict:
    env = dict(os.environ, DLTUI_DATA_DIR=str(data), OMP_NUM_THREADS="1")
    env.pop("DLTUI_CURRICULUM", None)
    env.update(extra)
    return env


def dltui(*args: str, data: Path, timeout: int = 120, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dltui", *args], capture_output=True, text=True,
                          env=_env(data, **extra), timeout=timeout)


def _one_paragraph(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert stderr.strip() and "\n\n" not in stderr.strip()


# -- item 10: numbers that overflow ------------------------------------------------------------


def _numeric_specs():
    for lab_id in labregistry.lab_ids():
        for spec in setting_specs(labregistry.load(lab_id).Settings):
            if spec.kind in (int, float) and not spec.choices:
                yield lab_id, spec


@pytest.mark.parametrize("text", BAD_NUMBERS)
def test_every_numeric_setting_of_every_lab_refuses_overflowing_text(text):
    seen = 0
    for lab_id, spec in _numeric_specs():
        with pytest.raises(SettingError) as info:
            spec.parse(text)
        message = str(info.value)
        assert message.startswith(f"{spec.name}: ") and "allowed:" in message, (lab_id, message)
        if text.lower() == "nan":
            assert "is not a number" in message
        else:
            assert "out of range" in message, (lab_id, message)
        seen += 1
    assert seen > 20


def test_whole_number_settings_say_not_a_whole_number():
    spec = next(s for _, s in _numeric_specs() if s.kind is int)
    with pytest.raises(SettingError, match="is not a whole number"):
        spec.parse("12.5")
    assert spec.parse(str(int(spec.default))) == spec.default


@pytest.mark.parametrize("value", ["inf", "1e309", "9" * 400, "nan"])
def test_cli_set_overflow_exits_2(data_dir, capsys, value):
    assert main(["lab", "spiral_classification", "--set", f"steps={value}"]) == 2
    err = capsys.readouterr().err
    assert "steps:" in err and ("out of range" in err or "not a number" in err)
    assert "Traceback" not in err


def test_cli_set_inf_in_a_fresh_process(tmp_path):
    proc = dltui("lab", "spiral_classification", "--set", "steps=inf", data=tmp_path / "d")
    assert proc.returncode == 2
    _one_paragraph(proc.stderr)
    assert "steps: 'inf' is out of range; allowed: a whole number from" in proc.stderr


def test_cli_set_nan_learning_rate_exits_2(data_dir, capsys):
    assert main(["lab", "spiral_classification", "--set", "lr=nan"]) == 2
    assert "lr: 'nan' is not a number" in capsys.readouterr().err


async def test_lab_screen_refuses_overflowing_numbers_and_keeps_working(make_app, tmp_path):
    from textual.widgets import Input

    from dltui.screens.lab import LabScreen

    app = make_app(tmp_path / "ui")
    async with app.run_test(size=(100, 30)) as pilot:
        await app.push_screen(LabScreen("spiral_classification", {}))
        await pilot.pause()
        screen = app.screen
        field = screen.query_one("#set-steps", Input)
        for text in ("inf", "-inf", "1e309", "9" * 400):
            field.value = text
            await pilot.press("f5")
            await pilot.pause()
            assert not screen.running
            error = str(screen.query_one("#settings-error").render())
            assert "steps" in error and "out of range" in error, error
        assert app.return_code is None  # still running
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen


# -- item 13: a repeated --set -----------------------------------------------------------------


def test_repeated_set_exits_2_naming_the_key(data_dir, capsys):
    code = main(["lab", "spiral_classification", "--set", "steps=20", "--set", "lr=0.1", "--set", "steps=30"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--set steps is given twice (steps=20 and steps=30)" in err


# -- item 18: --curriculum and DLTUI_CURRICULUM -------------------------------------------------


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("DLTUI_DATA_DIR", str(data))
    monkeypatch.delenv("DLTUI_CURRICULUM", raising=False)
    return data


@pytest.fixture
def own_curriculum(tmp_path) -> Path:
    root = tmp_path / "mine"
    shutil.copytree(FIXTURE, root)
    return root


def test_validate_defaults_to_the_chosen_curriculum(data_dir, own_curriculum, monkeypatch, capsys):
    assert main(["--curriculum", str(own_curriculum), "validate"]) == 0
    assert capsys.readouterr().out.startswith("2 themes, 2 lessons")
    monkeypatch.setenv("DLTUI_CURRICULUM", str(own_curriculum))
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.startswith("2 themes, 2 lessons")
    (own_curriculum / "02-more" / "t2_other.md").write_text("no front matter")
    assert main(["validate"]) == 1
    assert "t2_other.md:1: a lesson must start with YAML front matter" in capsys.readouterr().out


def test_progress_uses_the_chosen_curriculum(tmp_path, own_curriculum):
    proc = dltui("--curriculum", str(own_curriculum), "progress", "--json", data=tmp_path / "d")
    assert proc.returncode == 0, proc.stderr
    assert [t["id"] for t in json.loads(proc.stdout)["themes"]] == ["t1", "t2"]
    proc = dltui("progress", "--json", data=tmp_path / "d", DLTUI_CURRICULUM=str(own_curriculum))
    assert [t["id"] for t in json.loads(proc.stdout)["themes"]] == ["t1", "t2"]
    shipped = json.loads(dltui("progress", "--json", data=tmp_path / "d").stdout)
    assert len(shipped["themes"]) > 2


@pytest.mark.parametrize("command", [[], ["progress"]])
def test_missing_curriculum_folder_exits_2(data_dir, tmp_path, capsys, command):
    assert main(["--curriculum", str(tmp_path / "nowhere"), *command]) == 2
    err = capsys.readouterr().err
    assert "nowhere: no such curriculum folder" in err


def test_app_loads_the_chosen_curriculum(data_dir, own_curriculum, monkeypatch):
    """run_app hands the app a loader for the chosen folder (the app itself is not started)."""
    seen = {}

    def fake_run(app):
        seen["cur"] = app._curriculum_loader()
        app.store.close()
        return 0

    monkeypatch.setattr(commands, "_run_quietly", fake_run)
    assert main(["--curriculum", str(own_curriculum)]) == 0
    assert seen["cur"].root == own_curriculum and [t.id for t in seen["cur"].themes] == ["t1", "t2"]


# -- item 16: the curriculum loads in a thread; the app stays responsive -------------------------


async def test_home_says_loading_and_stays_responsive_while_the_curriculum_loads(make_app, tmp_path,
                                                                                 fixture_curriculum):
    from textual.widgets import Tree

    from dltui.screens.help import HelpScreen
    from dltui.screens.home import HomeScreen

    release, started = threading.Event(), threading.Event()

    def slow_loader():
        started.set()
        release.wait(30)  # a huge lesson on a slow disk
        return fixture_curriculum

    app = make_app(tmp_path / "slow", curriculum=slow_loader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert started.wait(10)
        home = app.screen
        assert "Loading" in str(home.query_one("#detail-title").render())
        await pilot.press("f1")  # keys still work while the loader is busy
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and app.curriculum is None
        release.set()
        for _ in range(100):
            if app.curriculum is not None:
                break
            await pilot.pause(0.05)
        await pilot.pause()
        assert len(home.query_one("#outline", Tree).root.children) == 2


async def test_app_starts_with_broken_lessons_marked(make_app, tmp_path):
    """Faults from issue 10 in the app: it starts, lists them with ⚠, and the rest still works."""
    from textual.widgets import Tree

    from dltui.curriculum import load_curriculum
    from dltui.screens.lesson import LessonScreen

    root = tmp_path / "cur"
    shutil.copytree(FIXTURE, root)
    more = root / "02-more"
    (more / "t2_dir.md").mkdir()
    os.symlink(more / "t2_loop.md", more / "t2_loop.md")
    (more / "t2_dup.md").write_text("---\nid: t2_dup\ntitle: Dup\ntitle: Dup again\n---\n")
    app = make_app(tmp_path / "b", curriculum=lambda: load_curriculum(root))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            if app.curriculum is not None:
                break
            await pilot.pause(0.05)
        await pilot.pause()
        tree = app.screen.query_one("#outline", Tree)
        labels = {str(n.label) for n in tree.root.children[1].children}
        assert {"⚠ t2_dir", "⚠ t2_loop", "⚠ t2_dup"} <= labels, labels
        app.screen.open_lesson(app.curriculum.lesson("t2_loop"))
        await pilot.pause()
        banner = str(app.screen.query_one(".broken").render())
        assert "t2_loop.md:1: is a symbolic link that loops back on itself" in banner
        await pilot.press("escape")
        await pilot.pause()
        app.screen.open_lesson(app.curriculum.lesson("t2_other"))
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen) and not app.screen.query(".broken")


# -- no traceback, ever ----------------------------------------------------------------------


def test_unexpected_error_is_one_paragraph_and_the_details_go_to_the_log(data_dir, tmp_path, monkeypatch,
                                                                           capsys):
    def broken(args):
        raise ZeroDivisionError("injected")

    monkeypatch.setattr(commands, "cmd_labs", broken)
    log = tmp_path / "logs" / "bug.log"
    assert main(["--log-file", str(log), "labs"]) == 1
    err = capsys.readouterr().err
    _one_paragraph(err)
    assert "ZeroDivisionError: injected" in err and str(log) in " ".join(err.split())
    details = log.read_text()
    assert "Traceback (most recent call last)" in details and "raise ZeroDivisionError" in details


def test_default_log_is_in_the_data_folder(data_dir, monkeypatch, capsys):
    monkeypatch.setattr(commands, "cmd_labs", lambda args: {}["missing"])
    assert main(["labs"]) == 1
    assert "KeyError" in (data_dir / "dltui.log").read_text()
    assert str(data_dir / "dltui.log") in " ".join(capsys.readouterr().err.split())


def test_unwritable_log_falls_back_to_the_temporary_folder(data_dir, tmp_path, monkeypatch, capsys):
    import tempfile

    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setattr(commands, "cmd_labs", lambda args: 1 / 0)
    assert main(["--log-file", str(blocker / "x.log"), "labs"]) == 1  # a file is in the way
    err = " ".join(capsys.readouterr().err.split())
    written = list((tmp_path / "tmp").glob("dltui-*.log"))
    assert len(written) == 1 and str(written[0]) in err


def test_ctrl_c_is_a_short_message_and_exit_130(data_dir, monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "cmd_validate", interrupted)
    assert main(["validate"]) == 130
    assert capsys.readouterr().err.strip() == "dltui: interrupted"


@pytest.mark.slow
def test_ctrl_c_during_a_headless_lab_run(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "dltui", "lab", "spiral_classification", "--device", "cpu",
                             "--no-save", "--set", "steps=10000", "--set", "points=2000"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=_env(tmp_path / "d"))
    line = proc.stderr.readline()  # "spiral_classification on CPU…": training has started
    assert "spiral_classification" in line
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(60) == 130
    assert "interrupted" in rest and "Traceback" not in rest


@pytest.mark.parametrize("args", [["progress", "--json"], ["labs", "--metrics"], ["progress"]])
def test_closed_stdout_pipe_exits_quietly(tmp_path, args):
    """`dltui progress --json | head`: the reader went away before dltui wrote."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    proc = subprocess.run([sys.executable, "-m", "dltui", *args], stdout=write_end, stderr=subprocess.PIPE,
                          text=True, env=_env(tmp_path / "d"), timeout=120)
    os.close(write_end)
    assert proc.stderr == ""
    # 141 (128 + SIGPIPE) from cli.main; rich's console ends its own broken pipe with exit 1
    assert proc.returncode in (141, 1)


def test_textual_crash_is_not_printed(capsys):
    """Textual prints a rich traceback itself when a handler raises; _run_quietly keeps it off the
    terminal and hands the exception to cli.main's guard."""
    from textual.app import App

    class Broken(App):
        def on_mount(self) -> None:
            raise ZeroDivisionError("in a handler")

    app = Broken()
    real_run = app.run
    app.run = lambda: real_run(headless=True, size=SIZE)
    with pytest.raises(ZeroDivisionError, match="in a handler"):
        commands._run_quietly(app)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out and "ZeroDivisionError" not in captured.err


def test_deliberate_exit_message_is_passed_through(capsys):
    from textual.app import App

    class Quits(App):
        def on_mount(self) -> None:
            self.exit(return_code=3, message="cannot go on: the disk is full")

    app = Quits()
    real_run = app.run
    app.run = lambda: real_run(headless=True, size=SIZE)
    assert commands._run_quietly(app) == 3
    assert "cannot go on: the disk is full" in capsys.readouterr().err


CRASHING_APP = textwrap.dedent("""
    import os, sys
    import dltui.app
    from dltui import cli

    class Crashing(dltui.app.DltuiApp):
        CSS_PATH = os.path.join(os.path.dirname(dltui.app.__file__), "app.tcss")

        def on_mount(self):
            super().on_mount()
            self.set_timer(0.3, self.explode)

        def explode(self):
            raise ZeroDivisionError("injected into the running app")

    dltui.app.DltuiApp = Crashing
    sys.exit(cli.main(sys.argv[1:]))
""")


def _run_in_terminal(argv: list[str], env: dict, timeout: float = 60) -> tuple[int, str]:
    """Run a command in a pseudo-terminal of 80x24, as a learner would, and return everything it
    showed (stdout and stderr together)."""
    import fcntl
    import pty
    import select
    import struct
    import termios
    import time

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=dict(env, TERM="xterm-256color"),
                            start_new_session=True)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the terminal's last user has gone
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(master)
    if proc.poll() is None:
        proc.kill()
    return proc.wait(10), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.slow
def test_crash_inside_the_running_app_is_one_paragraph_in_the_terminal(tmp_path):
    script = tmp_path / "crashing_app.py"
    script.write_text(CRASHING_APP)
    log = tmp_path / "crash.log"
    code, shown = _run_in_terminal([sys.executable, str(script), "--log-file", str(log)], _env(tmp_path / "d"))
    assert code == 1
    assert "Traceback" not in shown and "❱" not in shown  # neither Python's nor rich's
    flat = " ".join(shown.split())
    assert "stopped by an unexpected error (ZeroDivisionError: injected into the running app)" in flat
    assert str(log) in flat
    details = log.read_text()
    assert "Traceback (most recent call last)" in details
    assert "raise ZeroDivisionError" in details
