"""Where things live. Nothing is created at import time."""

from __future__ import annotations

import os
from pathlib import Path

ENV_DATA_DIR = "DLTUI_DATA_DIR"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The progress folder: --data-dir, else $DLTUI_DATA_DIR, else the platform's user data dir."""
    if override:
        return Path(override).expanduser()
    if os.environ.get(ENV_DATA_DIR):
        return Path(os.environ[ENV_DATA_DIR]).expanduser()
    import platformdirs

    return platformdirs.user_data_path("dltui", appauthor=False)


def progress_db(override: str | os.PathLike | None = None) -> Path:
    return data_dir(override) / "progress.sqlite3"


def curriculum_dir() -> Path:
    """The shipped curriculum: inside the wheel, or the repository's top-level folder."""
    here = Path(__file__).resolve().parent
    packaged = here / "_curriculum"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "curriculum"


def assets_dir() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "_assets"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "assets"
