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


def _shipped(folder: str) -> Path:
    """A top-level folder of the repository, or its copy inside the wheel (``_<folder>``)."""
    here = Path(__file__).resolve().parent
    packaged = here / f"_{folder}"
    return packaged if packaged.is_dir() else here.parent.parent / folder


def curriculum_dir() -> Path:
    return _shipped("curriculum")


def assets_dir() -> Path:
    return _shipped("assets")
