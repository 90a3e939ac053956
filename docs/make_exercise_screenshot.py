"""Regenerate README's exercise screenshot: linear_forward_backward with a shape bug in the
backward pass, after Ctrl+S and the first hint, saved as SVG.

    .venv/bin/python docs/make_exercise_screenshot.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from textual.widgets import TextArea

from dltui.app import DltuiApp
from dltui.curriculum import load_curriculum
from dltui.paths import curriculum_dir
from dltui.progress import Store
from dltui.screens.exercise import ExerciseScreen

OUT = Path(__file__).resolve().parents[1] / "assets" / "screenshot-exercise.svg"
EXERCISE = "linear_forward_backward"


async def main() -> None:
    store = Store(Path(tempfile.mkdtemp(prefix="dltui-")) / "progress.sqlite3")
    app = DltuiApp(load_curriculum(curriculum_dir()), store, prewarm_labs=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await app.push_screen(ExerciseScreen(EXERCISE))
        await pilot.pause()
        screen = app.screen
        solution = next(curriculum_dir().glob(f"*/exercises/{EXERCISE}/solution.py")).read_text()
        buggy = solution.replace("g @ W", "g @ W.T", 1)
        assert buggy != solution, "the solution changed: pick another bug"
        screen.query_one("#ex-editor", TextArea).load_text(buggy)
        await pilot.press("ctrl+s")
        for _ in range(600):
            await pilot.pause(0.1)
            if "checks pass" in str(screen.query_one("#ex-status").render()):
                break
        await pilot.press("escape", "h")
        await pilot.pause(0.5)
        app.save_screenshot(str(OUT))
    print(f"saved {OUT}")


if __name__ == "__main__":
    asyncio.run(main())
