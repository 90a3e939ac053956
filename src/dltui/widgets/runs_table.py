"""A lab's previous runs; Enter on one posts :class:`RunsTable.LoadRun` with its settings."""

from __future__ import annotations

import math
from datetime import datetime

from textual.message import Message
from textual.widgets import DataTable


class RunsTable(DataTable):
    class LoadRun(Message):
        """The learner picked a previous run: its id and settings."""

        def __init__(self, run_id: int, settings: dict) -> None:
            super().__init__()
            self.run_id, self.settings = run_id, settings

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._settings: dict[str, dict] = {}

    def fill(self, runs) -> None:
        self.clear(columns=True)
        self.add_columns("#", "when", "status", "device", "s", "metrics", "met")
        self._settings = {}
        for run in runs:
            when = datetime.fromtimestamp(run.finished_at).strftime("%m-%d %H:%M")
            metrics = " ".join(f"{k}={v:.3g}" for k, v in list(run.metrics.items())[:6]
                               if isinstance(v, (int, float)) and math.isfinite(v))
            met = {True: "✓", False: "✗", None: "–"}[run.expectation_met]
            self.add_row(str(run.id), when, run.status, run.device[:14], f"{run.seconds:.1f}", metrics, met,
                         key=str(run.id))
            self._settings[str(run.id)] = dict(run.settings)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        if key in self._settings:
            self.post_message(self.LoadRun(int(key), self._settings[key]))
