"""The settings a learner last started each lab with, kept in the progress store, so a lab reopens
as they left it (values its specs no longer accept are dropped: a lab's ranges may change)."""

from __future__ import annotations

import json
from typing import Any

from dltui.labspec import still_valid

KEY = "lab-settings:"  # app_state key, plus the lab id


def last_settings(store: Any, lab_id: str, specs: list) -> dict:
    try:
        saved = json.loads(store.state(KEY + lab_id) or "{}")
    except ValueError:
        return {}
    return still_valid(specs, saved)


def remember(store: Any, lab_id: str, settings: dict) -> None:
    store.set_state(KEY + lab_id, json.dumps(settings, default=str))
