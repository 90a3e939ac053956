"""A live lab: settings with their ranges, Start/Stop/Clear, live figures, previous runs.

Training never runs here: the app's worker process does it (dltui.engine). This screen starts and
stops runs, polls the worker ten times a second (so it redraws at most ten times a second),
records what ends, and reacts to a worker that died or fell silent (``lab_watch``). Everything
below the header is ``LabPanel`` (settings, status, tabs, estimates); what a run looks like is
``LabView``; what the screen says is ``lab_text``; the last settings per lab, ``lab_memory``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, cast

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button

from dltui import lab_memory, lab_text, labregistry
from dltui.engine import ERROR_TITLES, Done, Estimate, Failed, Log, Update, describe_exit
from dltui.lab_watch import WorkerWatch, is_stopped
from dltui.labspec import SettingError, setting_specs
from dltui.run_state import RunState
from dltui.widgets.bars import KeyBar, LabHeader, key_name
from dltui.widgets.lab_panel import LabPanel
from dltui.widgets.settings_form import SettingsForm
from dltui.widgets.too_small import TooSmall

if TYPE_CHECKING:
    from dltui.app import DltuiApp

POLL_SECONDS = 0.1
MIN_SIZE = (80, 24)  # below this the plots would be a couple of rows: a notice says so instead
STOP_GRACE_SECONDS = 0.5
LONG_RUN_SECONDS = 15.0  # estimates above this are also spelled out in the message line
# A dead worker's run is kept as failed (the issue is the machine, not the settings); a run that
# diverged, crashed or ran out of memory inside the lab is not recorded.
FAILED_KINDS = ("died",)


class LabScreen(Screen):
    CSS_PATH = "lab.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f5,ctrl+g", "start", "Start"),
        Binding("f6,ctrl+o", "stop", "Stop"),
        Binding("f7,ctrl+l", "reset", "Clear run"),
        Binding("d", "defaults", "Default settings"),
        Binding("v", "next_view", "Next view"),
        Binding("a", "toggle_curves", "Curves"),
        Binding("f2", "toggle_settings", "Settings"),
        Binding("w", "export", "Write files"),
    ]
    running = reactive(False, init=False)  # its watcher keeps the buttons and the key bar in step

    def __init__(self, lab_id: str, preset: dict | None = None, lesson_id: str | None = None):
        super().__init__()
        self.lab_id, self.lesson_id = lab_id, lesson_id
        self.module = labregistry.load(lab_id)
        self.info = self.module.INFO
        self.specs = setting_specs(self.module.Settings)
        self.preset = dict(preset or {})
        self.run = RunState(device="not started")  # what the worker's events said so far
        self.run_settings: dict = {}
        self.run_device = "auto"
        self.started_at = 0.0
        self.stopping = False
        self.watch = WorkerWatch()  # is the run's worker alive and speaking?
        self._run_proc = None  # the worker the current run was submitted to

    @property
    def dltui(self) -> DltuiApp:
        """The app, typed: the one way this screen reaches its store and worker."""
        return cast("DltuiApp", self.app)

    def key(self, action: str) -> str:
        """The key to name in a message ("F5"; "Ctrl+G" in a browser)."""
        return key_name(self.app, self.BINDINGS, action)

    # -- layout and lifecycle --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # A lesson's preset wins; otherwise the learner's last settings for this lab.
        initial = self.preset or lab_memory.last_settings(self.dltui.store, self.lab_id, self.specs)
        self._restored = bool(initial) and not self.preset and initial != self._defaults()
        yield LabHeader(id="lab-header")
        yield TooSmall(MIN_SIZE, "a lab", id="too-small")
        yield LabPanel(self.module, self.specs, initial, self.key, id="lab")
        yield KeyBar()

    def on_mount(self) -> None:
        self.on_resize()
        self._fill_runs()
        self._draw()
        self.set_interval(POLL_SECONDS, self._poll)
        if self.dltui.prewarm_labs:
            self.dltui.lab_process()  # spawn the worker now so Start is instant
            self.panel.book.wanted = True  # and time these settings once it is ready
        self.query_one("#start", Button).focus()
        if self._restored:
            self._message(f"Your last settings for this lab; {self.key('defaults')}: back to the defaults.")

    def on_resize(self) -> None:
        small = self.query_one(TooSmall).check(*self.app.size)
        self.panel.display = not small
        self.panel.fit()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Start is greyed out while a run is on, Stop and Clear while none is (None: shown,
        disabled); w only where the lab writes files."""
        if action == "export":
            return hasattr(self.module, "export")
        if action in ("start", "reset"):
            return None if self.running else True
        if action == "stop":
            return True if self.running else None
        return True

    def watch_running(self) -> None:
        try:
            self.form.set_running(self.running)
            self._show_run()
        except NoMatches:
            return  # the screen is closing
        self.refresh_bindings()

    def _show_run(self) -> None:
        self.panel.show_run(self.run, self.running, self.started_at, self.run_settings, self.run_device)

    def on_unmount(self) -> None:
        if self.running:
            # Leaving mid-run (Esc, q, Ctrl+C, SIGTERM, SIGHUP): keep what was reached as a
            # stopped run, then free the worker.
            self.running = False
            self._record("stopped", self.run.last_scalars(), time.monotonic() - self.started_at, self.step)
            self._discard_worker()

    @property
    def panel(self) -> LabPanel:
        return self.query_one(LabPanel)

    @property
    def form(self) -> SettingsForm:
        return self.query_one(SettingsForm)

    def read_settings(self) -> dict:
        return self.form.read()

    def _defaults(self) -> dict:
        return {s.name: s.default for s in self.specs}

    # -- start, stop, clear ----------------------------------------------------------------

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        if self.running:
            return
        try:
            settings = self.read_settings()
        except SettingError as exc:
            self.panel.refuse(str(exc))
            return
        from dltui.engine import Job

        lab_memory.remember(self.dltui.store, self.lab_id, settings)
        self.form.show_error("")
        proc = self.dltui.lab_process()
        for _ in proc.poll():  # drop anything left over from an earlier run
            pass
        self.panel.view.view = 0
        self.run = RunState(device="starting…" if proc.ready else "starting (loading torch)…")
        self.run_settings, self.run_device = settings, self.form.device
        self.panel.book.wanted = False  # the run times these settings itself
        self.stopping = False
        self.watch.reset()
        self._run_proc, self.started_at = proc, time.monotonic()
        self.running = True
        self._message("")
        proc.submit(Job(self.lab_id, settings, self.run_device, live=True))
        if self.size.width < 120 and self.query_one("#lab-settings").display:
            # Small terminal: the plots get the settings' columns while the lab runs (F2 shows them).
            self.action_toggle_settings()
        self.panel.status()

    @on(Button.Pressed, "#stop")
    def action_stop(self) -> None:
        if not self.running or self.stopping:
            return
        self.stopping = True
        if self._run_proc is not None:
            self._run_proc.request_stop()
        self._message("Stopping…")
        self.set_timer(STOP_GRACE_SECONDS, self._force_stop)

    def _force_stop(self) -> None:
        """The lab did not stop in time (one long step, or a frozen worker): kill the worker and
        start a fresh one."""
        if not self.running:
            return
        self._discard_worker()
        self._finish("stopped", self.run.last_scalars(), time.monotonic() - self.started_at, self.step)
        if self.dltui.prewarm_labs:
            self.dltui.lab_process()

    def _discard_worker(self) -> None:
        """Kill the run's worker; the next Start (or the prewarm) spawns a fresh one."""
        proc, self._run_proc = self._run_proc, None
        if proc is None or self.dltui.lab_process(start=False) is proc:
            self.dltui.restart_lab_process()
        else:
            proc.kill()  # the app already let go of it (it had died)

    @on(Button.Pressed, "#reset")
    def action_reset(self) -> None:
        """Clear the run on show (figures, curves, step, rate, messages); the settings stay."""
        if self.running:
            self.notify(f"Stop the run first ({self.key('stop')}).", severity="warning")
            return
        self.panel.view.view = 0
        self.run = RunState(device="not started")
        self._show_run()
        self._message("Run cleared; the settings are as they were.")
        self._draw()

    def action_defaults(self) -> None:
        self.panel.defaults(self.preset)

    def action_next_view(self) -> None:
        if self.panel.view.next_view():
            self._draw()

    def action_toggle_curves(self) -> None:
        self.panel.view.next_curves()
        self._draw()

    def action_toggle_settings(self) -> None:
        self.panel.toggle_settings()

    def action_export(self) -> None:
        self.panel.export(self.dltui.store.path.parent / self.lab_id)

    def action_back(self) -> None:
        self.app.pop_screen()

    # -- the worker ------------------------------------------------------------------------

    def _poll(self) -> None:
        proc = self._run_proc if self.running else self.dltui.lab_process(start=False)
        if proc is not None:
            dead = not proc.alive  # looked at before draining, so no last event is missed
            events = proc.poll()
            if events:
                self.apply_events(events)
            if self.running and proc is self._run_proc:
                if dead:
                    self._worker_died(proc)
                else:
                    self._check_silence(proc)
            elif self.panel.book.wanted and proc.ready and not self.running:
                self.panel.probe(proc, self.lab_id)
        if self.panel.draw_due():
            self._header()

    def apply_events(self, events: list) -> None:
        """Fold worker events into the run, and react to them."""
        for event in events:
            match self.run.apply(event):
                case Update(scalars=scalars, figures=figures):
                    self.panel.curves_dirty |= bool(scalars)
                    self.panel.figure_dirty |= bool(figures)
                case Log(text=text):
                    self._message(escape(text))
                case Done(status=status, metrics=metrics, seconds=seconds, steps=steps):
                    self._finish(status, metrics, seconds, steps)
                    self.panel.curves_dirty = self.panel.figure_dirty = True
                case Failed(kind=kind, message=message):
                    self._fail(kind, message)
                    self.panel.curves_dirty = self.panel.figure_dirty = True
                case Estimate(token=token, seconds=seconds, steps_timed=timed, device=device):
                    self.panel.estimated(token, seconds, timed, device, LONG_RUN_SECONDS)

    def _finish(self, status: str, metrics: dict, seconds: float, steps: int) -> None:
        self.running = self.stopping = False
        met = self._record(status, metrics, seconds, steps)
        if steps and self.total and not self.unresponsive:  # the run itself timed these settings
            self.panel.book.learn(lab_text.settings_key(self.run_settings, self.run_device),
                                  seconds * self.total / steps if status == "stopped" else seconds, self.run.device)
        self.watch.reset()
        verdict = lab_text.verdict(met, self.run_settings, self._defaults(), self.preset if self.lesson_id else None)
        self._message(lab_text.finished(status, steps, self.info.steps_label, seconds, metrics, verdict))
        self._fill_runs()

    def _record(self, status: str, metrics: dict, seconds: float, steps: int) -> bool | None:
        met = bool(self.module.expectation_met(metrics)) if status == "finished" else None
        run_id = self.dltui.store.record_run(self.lab_id, self.run_settings, metrics, status=status,
                                             seconds=seconds, steps=steps, device=self.run.device,
                                             expectation_met=met, lesson_id=self.lesson_id)
        if status == "finished":
            for note in self.dltui.grade_predictions(self.lab_id, self.run_settings, metrics, run_id):
                self.notify(note, title="Prediction graded", timeout=8)
        return met

    def _fail(self, kind: str, message: str, details: list[str] | None = None) -> None:
        """End the run with an error; a run whose worker died is saved as failed."""
        was_running = self.running
        self.running = self.stopping = False
        self.watch.reset()
        if was_running and kind in FAILED_KINDS:
            self._record("failed", self.run.last_scalars(), time.monotonic() - self.started_at, self.step)
            self._fill_runs()
        title, text = lab_text.failure(kind, message, ERROR_TITLES)
        self._message(f"[b red]{title}:[/b red] {escape(text)}", details)
        self.notify(text, title=title, severity="error", timeout=10)
        self.panel.status()

    def _worker_died(self, proc) -> None:
        """The worker ended in the middle of a run: say how, save the run as failed, and make sure
        the next Start gets a fresh worker."""
        tail = proc.log_tail(3) if hasattr(proc, "log_tail") else []
        self._discard_worker()
        self._fail("died", lab_text.worker_died(describe_exit(proc.exitcode), self.info.steps_label, self.step,
                                                self.key), lab_text.log_details(tail))
        if self.dltui.prewarm_labs:
            self.dltui.lab_process()

    def _check_silence(self, proc) -> None:
        """Warn (once) when the busy worker falls silent; take the warning back if it speaks again."""
        match self.watch.check(proc):
            case ("silent", seconds):
                line, note = lab_text.not_responding(seconds, is_stopped(proc), self.key)
                self._message(line)
                self.notify(note, title="The lab worker is not responding", severity="warning", timeout=10)
            case ("back", _) if not self.stopping:
                self._message("The lab worker is responding again.")

    # -- what is on show -------------------------------------------------------------------

    def _draw(self) -> None:
        self.panel.draw()
        self._header()

    def _header(self) -> None:
        """The lab's title and the view on show, in the header that never scrolls away."""
        title, index, count = self.panel.view.view_title()
        which = f" ({index + 1}/{count})" if count > 1 else ""
        self.query_one(LabHeader).set_titles(
            self.info.title, title + which if title else f"no run yet: {self.key('start')} starts one")

    def _message(self, markup: str, details: list[str] | None = None) -> None:
        self.panel.say(markup, details)

    def _fill_runs(self) -> None:
        self.panel.fill_runs(self.dltui.store.runs(self.lab_id, limit=50))

    # The run as the tests and benchmarks read it.
    history = property(lambda self: self.run.history)
    figures = property(lambda self: self.run.figures)
    step = property(lambda self: self.run.step)
    total = property(lambda self: self.run.total)
    _rate = property(lambda self: self.run.rate)
    estimates = property(lambda self: self.panel.book.by_key)
    redraws = property(lambda self: self.panel.redraws)
    unresponsive = property(lambda self: self.watch.unresponsive)
