"""Regenerate README's screenshot: the spiral lab after a real run, saved as SVG.

    .venv/bin/python docs/make_screenshot.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from dltui.app import DltuiApp
from dltui.curriculum import load_curriculum
from dltui.paths import curriculum_dir
from dltui.progress import Store
from dltui.screens.lab import LabScreen
from dltui.widgets.plot import plots_settled

OUT = Path(__file__).resolve().parents[1] / "assets" / "screenshot-lab.svg"


async def main() -> None:
    store = Store(Path(tempfile.mkdtemp()) / "progress.sqlite3")
    app = DltuiApp(load_curriculum(curriculum_dir()), store)
    async with app.run_test(size=(110, 34)) as pilot:
        await app.push_screen(LabScreen("spiral_classification", {"model": "both"}, "t1_nn_training"))
        await pilot.press("f5")
        while app.screen.running:
            await pilot.pause(0.1)
        await pilot.press("v")  # the one-hidden-layer model's regions
        await pilot.pause(0.3)
        while not plots_settled(app.screen):  # plots paint in a thread of their own
            await pilot.pause(0.05)
        app.save_screenshot(str(OUT))
    print(f"saved {OUT}")


if __name__ == "__main__":
    asyncio.run(main())
