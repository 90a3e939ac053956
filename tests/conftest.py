from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """Never touch the real user data folder."""
    monkeypatch.setenv("DLTUI_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def fixture_curriculum():
    from dltui.curriculum import load_curriculum

    cur = load_curriculum(FIXTURES / "curriculum")
    assert not cur.problems, cur.problems
    return cur


@pytest.fixture
def make_app(tmp_path):
    """Build an app on a given data dir (default: a fresh one) and curriculum (default: the fixture)."""
    from dltui.app import DltuiApp
    from dltui.curriculum import load_curriculum
    from dltui.progress import Store

    def factory(data_dir: Path | None = None, curriculum=None, **kw):
        store = Store((data_dir or tmp_path / "appdata") / "progress.sqlite3")
        cur = curriculum or load_curriculum(FIXTURES / "curriculum")
        kw.setdefault("prewarm_labs", False)
        return DltuiApp(cur, store, **kw)

    return factory
