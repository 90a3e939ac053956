"""The exercise screen, driven with Pilot against the real exercise worker (a spawned process).

These flows start a worker that imports torch, so they take a few seconds each (marked slow).
"""

from __future__ import annotations

import re
import time

import pytest
from textual.widgets import Button, Static, TextArea

from dltui.curriculum import load_curriculum
from dltui.paths import curriculum_dir
from fake_worker import SilentWorker

pytestmark = pytest.mark.slow

EXERCISES = curriculum_dir() / "01-introduction" / "exercises"


async def wait_for(pilot, condition, timeout: float = 90.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out waiting for the app"
        await pilot.pause(0.05)


def status(screen) -> str:
    return str(screen.query_one("#ex-status", Static).render())


def checks(screen) -> str:
    return screen.results_text()


@pytest.fixture
def course_app(make_app, tmp_path):
    def build():
        return make_app(data_dir=tmp_path / "appdata", curriculum=load_curriculum(curriculum_dir()))

    return build


async def test_from_the_lesson_to_a_passing_solution(course_app, tmp_path):
    from dltui.screens.exercise import ExerciseScreen
    from dltui.screens.lesson import LessonScreen
    from dltui.widgets.exerciseblock import ExerciseBlockWidget

    app = course_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(LessonScreen(app.curriculum.lesson("t1_modules")))
        await pilot.pause()
        block = next(w for w in app.screen.query(ExerciseBlockWidget) if w.block.exercise == "linear_forward_backward")
        block.query_one(Button).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExerciseScreen))
        screen = app.screen
        editor = screen.query_one("#ex-editor", TextArea)
        assert editor.has_focus
        # a wrong forward pass: the bias is missing
        wrong = (EXERCISES / "linear_forward_backward" / "solution.py").read_text().replace(
            "return x @ W.T + b", "return x @ W.T")
        editor.load_text(wrong)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "checks pass" in status(screen))
        assert "5/6 checks pass" in status(screen)
        assert "✗ forward: y = x Wᵀ + b" in checks(screen)
        assert "y is off: max |got − expected|" in checks(screen) and "seed" in checks(screen)
        workspace = tmp_path / "appdata" / "workspace" / "linear_forward_backward.py"
        assert workspace.read_text() == wrong  # Ctrl+S saved the learner's file

        # the solution stays locked: s asks to give up, and "no" keeps it hidden
        await pilot.press("escape")
        assert not editor.has_focus
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert screen.query_one("#ex-solution", TextArea).has_class("hidden")

        # hints, one by one, recorded
        await pilot.press("h")
        await pilot.pause()
        assert "Hint 1" in str(screen.query_one("#ex-hints", Static).render())
        assert "Hint 2" not in str(screen.query_one("#ex-hints", Static).render())
        await pilot.press("h")
        await pilot.pause()
        assert "Hint 2" in str(screen.query_one("#ex-hints", Static).render())
        assert app.store.exercise_states()["linear_forward_backward"].hints_used == 2

        # fix it by typing in the editor
        row = next(i for i, line in enumerate(wrong.splitlines()) if line.strip() == "return x @ W.T")
        editor.focus()
        editor.move_cursor((row, len(wrong.splitlines()[row])))
        await pilot.press("space", "plus", "space", "b")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "All 6 checks pass" in status(screen))
        assert "✗" not in checks(screen)
        await pilot.press("escape", "s")
        await pilot.pause()
        solution = screen.query_one("#ex-solution", TextArea)
        assert not solution.has_class("hidden") and "def linear_backward" in solution.text
        state = app.store.exercise_states()["linear_forward_backward"]
        assert state.passed and state.attempts >= 2 and not state.gave_up

        # back in the lesson, the block says so
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        assert "passed ✓" in str(block.query_one(".exerciseblock-title", Static).render())


async def test_endless_loop_external_edit_and_reset(course_app, tmp_path):
    from dltui.screens.confirm import ConfirmScreen
    from dltui.screens.exercise import ExerciseScreen

    app = course_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ExerciseScreen("tensor_basics"))
        await pilot.pause()
        screen = app.screen
        editor = screen.query_one("#ex-editor", TextArea)
        loop = (EXERCISES / "tensor_basics" / "solution.py").read_text().replace(
            "    return A @ v", "    n = 0\n    while n >= 0:\n        n += 1\n    return A @ v")
        editor.load_text(loop)
        await pilot.press("ctrl+s", "escape")
        # the app stays responsive while the checks spin: t shows the task page at 80 columns
        assert screen.has_class("narrow")
        await pilot.press("t")
        await pilot.pause()
        assert screen.has_class("show-task") and "checks pass" not in status(screen)
        await pilot.press("t")
        await wait_for(pilot, lambda: "checks pass" in status(screen))
        assert "stopped after 5 s" in checks(screen) and "endless loop" in checks(screen)

        # another editor saves the file: the checks run again and the editor follows
        workspace = tmp_path / "appdata" / "workspace" / "tensor_basics.py"
        solved = (EXERCISES / "tensor_basics" / "solution.py").read_text()
        workspace.write_text(solved)
        await wait_for(pilot, lambda: "All" in status(screen))
        assert editor.text == solved

        # reset asks first, then keeps the previous file as a .bak
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen)
        backups = list(workspace.parent.glob("tensor_basics.py.bak-*"))
        assert len(backups) == 1 and backups[0].read_text() == solved
        assert editor.text == (EXERCISES / "tensor_basics" / "starter.py").read_text()


def key_bar(screen) -> str:
    from dltui.widgets.bars import KeyBar

    return str(screen.query_one(KeyBar).render())


@pytest.mark.parametrize("web", [False, True])
async def test_in_a_browser_e_explains_instead_of_opening_an_editor(course_app, monkeypatch, web):
    from dltui.app import DltuiApp
    from dltui.screens.exercise import ExerciseScreen

    monkeypatch.setattr(DltuiApp, "is_web", property(lambda self: web))
    app = course_app()
    app.exercise_process_factory = SilentWorker
    opened = []
    monkeypatch.setattr("dltui.screens.exercise.subprocess.call", lambda argv: opened.append(argv))
    monkeypatch.setenv("EDITOR", "true")
    async with app.run_test(size=(120, 30)) as pilot:
        app.push_screen(ExerciseScreen("tensor_basics"))
        await pilot.pause()
        screen = app.screen
        assert ("s, e, r" in status(screen)) is not web
        await pilot.press("escape")  # out of the editor: the screen's keys show
        await pilot.pause()
        assert "Hint" in key_bar(screen) and ("$EDITOR" in key_bar(screen)) is not web
        await pilot.press("e")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        if web:
            assert not opened
            assert any("works only when dltui runs in a terminal" in m and "tensor_basics.py" in m
                       and "Ctrl+S" in m for m in said), said
            # nothing on show names a key the browser keeps for itself (F5, Ctrl+W…)
            from dltui.widgets.bars import BROWSER_KEYS

            shown = " ".join([status(screen), key_bar(screen), *said]).lower().replace("^", "ctrl+")
            assert not [k for k in BROWSER_KEYS if re.search(rf"(?<![\w+]){re.escape(k)}\b", shown)], shown
        else:
            # the terminal editor is tried (a headless test app cannot suspend, and says so)
            assert opened or any("Could not open 'true'" in m for m in said), said
            assert not any("only when dltui runs in a terminal" in m for m in said)


async def test_a_verdict_says_how_long_the_checks_took_in_words(course_app):
    from dltui.exercisespec import CheckOutcome, ExerciseResult
    from dltui.screens.exercise import ExerciseScreen

    app = course_app()
    app.exercise_process_factory = SilentWorker
    async with app.run_test(size=(120, 30)) as pilot:
        app.push_screen(ExerciseScreen("tensor_basics"))
        await pilot.pause()
        screen = app.screen
        screen.show_result(ExerciseResult("tensor_basics", [CheckOutcome("a", True), CheckOutcome("b", False, "off")],
                                          0.0123))
        await pilot.pause()
        assert "1/2 checks pass  (12 ms)" in status(screen)
        # a verdict the app made itself (worker stopped or dead) has no measured time: none is shown
        screen.show_result(ExerciseResult("tensor_basics", [CheckOutcome("the checks finish", False, "stopped")],
                                          kind="timeout"))
        await pilot.pause()
        assert status(screen).endswith("0/1 checks pass") and " s)" not in status(screen)
