"""Everything the lab screen shows below its header: the settings form, the status and message
lines, and the tabs (the live view, previous runs, About). It also times the settings on show
(how long a run of them will take), since that follows the form. The screen drives the run.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Select, Static, Switch, TabbedContent, TabPane

from dltui import lab_text
from dltui.lab_estimates import Estimates
from dltui.run_state import RunState
from dltui.widgets.lab_lines import MessageLine, StatusLine
from dltui.widgets.lab_view import LabView
from dltui.widgets.runs_table import RunsTable
from dltui.widgets.settings_form import SettingsForm

PROBE_DELAY_SECONDS = 0.8  # settle time after the last edit before timing the new settings
FIGURE_SECONDS = 0.25  # the lab's own view is dearer to draw than the curves: ≤ 4 times a second
SETTINGS_WIDTH = 30  # columns of the settings' column (lab.tcss)


class LabPanel(Horizontal):
    def __init__(self, module: Any, specs: list, initial: dict, keys: Callable[[str], str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.module, self.info, self.specs = module, module.INFO, specs
        self.initial, self.keys = initial, keys
        self.book = Estimates()
        self._probe_timer = None
        # The run on show, as the screen last described it (for the status line's estimate).
        self.run, self.running, self.started_at = RunState(device="not started"), False, 0.0
        self.run_key = ""  # settings key of the run on show
        self.curves_dirty = self.figure_dirty = False
        self._figure_drawn_at = 0.0
        self.redraws = 0

    def compose(self) -> ComposeResult:
        yield SettingsForm(self.specs, self.initial, id="lab-settings")
        with Vertical(id="lab-main"):
            yield StatusLine(id="lab-status")
            yield MessageLine(id="lab-message")
            with TabbedContent(id="lab-tabs"):
                with TabPane("Live", id="tab-live"):
                    yield LabView(id="plots")
                with TabPane("Runs", id="tab-runs"):
                    yield RunsTable(id="runs")
                with TabPane("About", id="tab-about"):
                    yield Static(lab_text.about(self.info, getattr(self.module, "ABOUT", None), self.specs,
                                                self.keys), id="about")

    @property
    def form(self) -> SettingsForm:
        return self.query_one(SettingsForm)

    @property
    def view(self) -> LabView:
        return self.query_one(LabView)

    # -- what is on show -------------------------------------------------------------------

    def show_run(self, run: RunState, running: bool, started_at: float, settings: dict, device: str) -> None:
        self.run, self.running, self.started_at = run, running, started_at
        self.run_key = lab_text.settings_key(settings, device)

    def draw(self, curves: bool = True, figure: bool = True) -> None:
        self.redraws += 1
        self.curves_dirty = self.curves_dirty and not curves
        if figure:
            self.figure_dirty, self._figure_drawn_at = False, time.monotonic()
        self.view.draw(self.run, curves, figure)
        if figure:
            self.fit()
        self.status()

    def draw_due(self) -> bool:
        """Draw what new data made stale: the curves at every poll (≤ 10/s), the lab's own view
        at most every FIGURE_SECONDS while a run is on. True if the view was drawn."""
        figure = self.figure_dirty and (not self.running or time.monotonic() - self._figure_drawn_at >= FIGURE_SECONDS)
        if self.curves_dirty or figure:
            self.draw(curves=self.curves_dirty, figure=figure)
        return figure

    def status(self) -> None:
        parts = lab_text.status_parts(self.info.steps_label, self.run.step, self.run.total, self.run.rate,
                                      self.run.last_scalars(), self.estimate())
        self.query_one(StatusLine).show_parts(self.run.device, parts)

    def say(self, markup: str, details: list[str] | None = None) -> None:
        self.query_one(MessageLine).say(markup, details)

    def fit(self) -> None:
        """Curves and view side by side when there is room (the settings take 30 columns)."""
        settings_shown = self.query_one("#lab-settings").display
        self.view.fit(self.size.width - (SETTINGS_WIDTH if settings_shown else 0))

    def toggle_settings(self) -> None:
        panel = self.query_one("#lab-settings")
        panel.display = not panel.display
        self.fit()

    def refuse(self, problems: str) -> None:
        """Say why the settings on show cannot start: under the form, and in full in the message
        line above the plots (the form may be scrolled or hidden)."""
        from rich.markup import escape

        title = lab_text.refusal_title(problems)
        why = f"[b red]Not started ({title.lower()}):[/b red]"
        self.form.show_error(f"{why}\n{escape(problems)}")
        self.say(f"{why} {escape(' · '.join(problems.splitlines()))}")
        self.notify(problems, title=title, severity="error")

    def fill_runs(self, runs: list) -> None:
        self.query_one(RunsTable).fill(runs)

    @on(RunsTable.LoadRun)
    def _load_run(self, event: RunsTable.LoadRun) -> None:
        """Enter on a previous run copies its settings into the form."""
        if self.running:
            return
        self.form.load({k: v for k, v in event.settings.items() if k in {s.name for s in self.specs}},
                       defaults_for_missing=False)
        self.notify(f"Settings of run #{event.run_id} loaded; {self.keys('start')} runs them again.", timeout=4)

    def defaults(self, preset: dict) -> None:
        """The settings go back to the lab's defaults (the lesson's, when opened from one)."""
        self.form.load(preset)
        self.say("Settings back to the defaults" + (" of this lesson" if preset else "")
                 + f"; {self.keys('start')} runs them.")
        self.status()

    def export(self, folder) -> None:
        """The lab's optional ``export(settings, folder)`` hook writes files (e.g. WAV audio)."""
        from rich.markup import escape

        from dltui.labspec import SettingError

        try:
            paths = self.module.export(self.form.read(), folder)
        except (SettingError, OSError) as exc:
            self.notify(str(exc), title="Nothing written", severity="error")
            return
        self.say(f"Wrote {len(paths)} files to {escape(str(folder))}")
        self.notify(f"{len(paths)} files in {folder}", title="Files written", timeout=8)

    # -- how long a run will take ----------------------------------------------------------

    @on(Input.Changed, ".setting")
    @on(Select.Changed)
    @on(Switch.Changed)
    def _settings_changed(self) -> None:
        """Time the new settings once the learner pauses (a worker that is not ready yet is asked
        as soon as it is: the screen's poll sends what ``book.wanted`` asks for)."""
        if self._probe_timer is not None:
            self._probe_timer.stop()
        self._probe_timer = self.set_timer(PROBE_DELAY_SECONDS, lambda: setattr(self.book, "wanted", True))
        self.status()

    def settings_key(self) -> str | None:
        """The settings on show (and the device) as a key, or None while any of them is invalid."""
        values = self.form.peek()
        return None if values is None else lab_text.settings_key(values, self.form.device)

    def probe(self, proc, lab_id: str) -> None:
        """Ask the worker to time the first steps of the settings on show."""
        from dltui.engine import Job, Probe

        token = self.book.ask(self.settings_key())
        if token is None:
            self.status()
            return
        proc.submit(Probe(Job(lab_id, self.form.peek(), self.form.device, live=True), token=token))

    def estimated(self, token: int, seconds: float, steps_timed: int, device_label: str, long_run: float) -> None:
        key = self.book.answer(token, seconds, device_label)
        if key is None:
            return  # an answer about settings no longer on show
        self.status()
        if not self.running and seconds >= long_run and self.settings_key() == key:
            self.say(lab_text.long_run(seconds, device_label, steps_timed, self.info.steps_label, self.keys))

    def estimate(self) -> str:
        """"about 2 min on this CPU" before a run; "about 1 min left" during one; or ""."""
        if self.running:
            return lab_text.time_left(self.run.rate, self.run.step, self.run.total, time.monotonic() - self.started_at)
        key = self.settings_key()
        if self.run.history and key == self.run_key:
            return ""  # the last run of these settings is on show, with its own figures
        return self.book.before_run(key)
