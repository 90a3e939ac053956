"""A live lab: settings with their ranges, Start/Stop/Reset, live figures, previous runs.

Training never runs here: the app's worker process does it (dltui.engine). This screen polls
that process ten times a second, so it redraws at most ten times a second. The same poll notices
a worker that died (killed, crashed) or fell silent (stopped, frozen), and asks the worker to time
the first steps of the settings on show, to say beforehand how long a run will take.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, cast

from rich.markup import escape
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Input, Select, Static, Switch, TabbedContent, TabPane

from dltui import labregistry
from dltui.engine import ERROR_TITLES, Done, Estimate, Failed, Log, Update, describe_exit
from dltui.labspec import SettingError, SettingSpec, setting_specs
from dltui.plotting import (color_enabled, curves_legend, draw_curves, draw_figure, figure_note_rich, heatmap_text,
                            is_image)
from dltui.run_state import RunState
from dltui.widgets.bars import KeyBar, LabHeader
from dltui.widgets.plot import FigurePlot
from dltui.widgets.runs_table import RunsTable
from dltui.widgets.settings_form import SettingsForm

if TYPE_CHECKING:
    from dltui.app import DltuiApp

POLL_SECONDS = 0.1
MIN_SIZE = (80, 24)  # below this the plots would be a couple of rows: a notice says so instead
FIGURE_SECONDS = 0.25
STOP_GRACE_SECONDS = 0.5
# A busy worker sends a heartbeat twice a second from its own thread, even while one long step
# computes; this much silence means it is stopped or frozen, not slow. Starting (spawning, then
# importing torch on a busy machine) gets more slack.
SILENT_SECONDS = 5.0
SILENT_SECONDS_STARTING = 30.0
PROBE_DELAY_SECONDS = 0.8  # settle time after the last edit before timing the new settings
LONG_RUN_SECONDS = 15.0  # estimates above this are also spelled out in the message line
# A dead worker's run is kept as failed (the issue is the machine, not the settings); a run that
# diverged, crashed or ran out of memory inside the lab is not recorded, as before.
FAILED_KINDS = ("died",)


def _duration(seconds: float) -> str:
    """Rounded the way one would say it: "8 s", "40 s", "2 min", "1 h 10 min"."""
    if seconds < 10:
        return f"{max(1, round(seconds))} s"
    if seconds < 60:
        return f"{round(seconds / 5) * 5} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min" if minutes % 60 else f"{minutes // 60} h"


def _plural(word: str) -> str:
    if word.endswith("epoch"):
        return word + "s"
    return word + ("es" if word.endswith(("s", "sh", "ch", "x")) else "s")


def _key_of(settings: dict, device: str) -> str:
    speed = {k: v for k, v in settings.items() if "seed" not in k}  # a seed does not change speed
    return json.dumps([speed, device], sort_keys=True, default=str)


_SETTINGS_KEY = "lab-settings:"  # app_state key (plus the lab id) of the learner's last settings


def _refusal_title(problems: str) -> str:
    """"Not a number" when every refused setting is not a number; else what the first one is."""
    lines = problems.splitlines()
    if lines and all("is not a number" in line for line in lines):
        return "Not a number"
    if any("out of range" in line for line in lines):
        return "Setting out of range"
    return "Setting not allowed"


def _where(device_label: str) -> str:
    return "on this GPU" if device_label.startswith("CUDA") else "on this CPU"


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

    @property
    def dltui(self) -> DltuiApp:
        """The app, typed: the one way this screen reaches its store and worker."""
        return cast("DltuiApp", self.app)

    # Whether a run is in flight: its watcher keeps the buttons and the key bar in step.
    running = reactive(False, init=False)

    def __init__(self, lab_id: str, preset: dict | None = None, lesson_id: str | None = None):
        super().__init__()
        self.lab_id = lab_id
        self.module = labregistry.load(lab_id)
        self.info = self.module.INFO
        self.specs: list[SettingSpec] = setting_specs(self.module.Settings)
        self.preset = dict(preset or {})
        self.initial = dict(self.preset)  # what the form opens with (see on_mount: last settings)
        self.lesson_id = lesson_id
        self.stopping = False
        self.run = RunState(device="not started")  # what the worker's events said so far
        self.view = 0
        self.curve_group = "loss"
        self.run_settings: dict = {}
        self.run_device = "auto"
        self.started_at = 0.0
        self._curves_dirty = False
        self._figure_dirty = False
        self._figure_drawn_at = 0.0
        self.redraws = 0
        self._run_proc = None  # the worker the current run was submitted to
        self.unresponsive = False
        # Estimates of a whole run's seconds, by settings: timed by a Probe, or a finished run.
        self.estimates: dict[str, tuple[float, str]] = {}
        self._probe_token = 0
        self._probe_wanted = False
        self._probe_timer = None

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        if not self.preset:  # a lesson's preset wins; otherwise the learner's last settings
            self.initial = self._last_settings()
        yield LabHeader(id="lab-header")
        yield Static(id="too-small")
        with Horizontal(id="lab"):
            yield SettingsForm(self.specs, self.initial, id="lab-settings")
            with Vertical(id="lab-main"):
                yield Static(id="lab-status")
                yield Static(id="lab-message")
                with TabbedContent(id="lab-tabs"):
                    with TabPane("Live", id="tab-live"):
                        with Horizontal(id="plots"):
                            with Vertical(id="curves-box"):
                                yield FigurePlot(id="curves")
                                yield Static(id="curves-note")
                            with Vertical(id="figure-box"):
                                yield FigurePlot(id="figure")
                                yield Static(id="figure-note")
                    with TabPane("Runs", id="tab-runs"):
                        yield RunsTable(id="runs")
                    with TabPane("About", id="tab-about"):
                        yield Static(self._about(), id="about")
        yield KeyBar()

    def _about(self) -> str:
        lines = [f"[b]{self.info.title}[/b]", self.info.summary, "",
                 f"[b]Expectation with the default settings[/b]: {self.info.expectation}", "",
                 *([escape(self.module.ABOUT), ""] if hasattr(self.module, "ABOUT") else []),
                 "[b]Final metrics[/b]"]
        lines += [f"  {k}: {v}" for k, v in self.info.metrics.items()]
        lines += ["", "[b]Settings[/b]"]
        lines += [f"  {s.name} = {s.default!r} ({s.allowed()}): {s.help}" for s in self.specs]
        lines += ["", "Keys: F5 start · F6 stop · F7 clear the run · d default settings · F2 show/hide "
                      "settings · v next view · a curves (loss, metrics, hidden) · Esc back"]
        return "\n".join(lines)

    def on_mount(self) -> None:
        self._check_size()
        self._status()
        self._fill_runs()
        self._draw()
        self.set_interval(POLL_SECONDS, self._poll)
        if self.dltui.prewarm_labs:
            self.dltui.lab_process()  # spawn the worker now so Start is instant
            self._probe_wanted = True  # and time these settings once it is ready
        self.query_one("#start", Button).focus()
        if self.initial and not self.preset and self.initial != {s.name: s.default for s in self.specs}:
            self._message("Your last settings for this lab; d: back to the defaults.")

    def on_resize(self) -> None:
        self._layout_plots()
        self._check_size()

    def _check_size(self) -> None:
        """Below 80×24 say so (current size and what is needed), as btop does, rather than draw
        plots two rows high. A run carries on meanwhile."""
        width, height = self.app.size
        small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        notice = self.query_one("#too-small", Static)
        notice.display = small
        self.query_one("#lab").display = not small
        if small:
            need_w = f"[b red]{width}[/]" if width < MIN_SIZE[0] else str(width)
            need_h = f"[b red]{height}[/]" if height < MIN_SIZE[1] else str(height)
            notice.update(f"[b]Terminal too small[/b]\n\nNow: {need_w} × {need_h}\n"
                          f"Needed for a lab: {MIN_SIZE[0]} × {MIN_SIZE[1]}\n\n"
                          "Enlarge the window (or make the font smaller).\n"
                          "A run carries on meanwhile; Esc goes back.")

    def _layout_plots(self) -> None:
        """Side by side when there is room, else stacked."""
        settings_shown = self.query_one("#lab-settings").display
        room = self.size.width - (30 if settings_shown else 0)
        fig = self._shown_figure()
        # A picture (the VAE's digits) keeps one column per pixel: side by side only if it fits.
        need = 76 if fig is None or fig.heatmap is None or not is_image(fig.heatmap) else \
            len(fig.heatmap.z[0]) * 5 // 3 + 4
        self.query_one("#plots").set_class(room >= need, "wide")

    def _shown_figure(self):
        if not self.figures:
            return None
        names = list(self.figures)
        return self.figures[names[self.view % len(names)]]

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """F5 is greyed out while a run is on, F6 and F7 while none is (None: shown, disabled)."""
        if action == "export":
            return hasattr(self.module, "export")  # w only where a lab writes files
        if action == "start":
            return None if self.running else True
        if action == "stop":
            return True if self.running else None
        if action == "reset":
            return None if self.running else True
        return True

    def watch_running(self) -> None:
        try:
            self._buttons()
        except NoMatches:
            return  # the screen is closing
        self.refresh_bindings()

    def action_export(self) -> None:
        """w: the lab's optional ``export(settings, folder)`` hook writes files (e.g. WAV audio)."""
        folder = self.dltui.store.path.parent / self.lab_id
        try:
            paths = self.module.export(self.read_settings(), folder)
        except (SettingError, OSError) as exc:
            self.notify(str(exc), title="Nothing written", severity="error")
            return
        self._message(f"Wrote {len(paths)} files to {escape(str(folder))}")
        self.notify(f"{len(paths)} files in {folder}", title="Files written", timeout=8)

    def action_toggle_settings(self) -> None:
        panel = self.query_one("#lab-settings")
        panel.display = not panel.display
        self._layout_plots()

    # -- settings --------------------------------------------------------------------------

    @property
    def form(self) -> SettingsForm:
        return self.query_one(SettingsForm)

    def read_settings(self) -> dict:
        return self.form.read()

    # -- actions ---------------------------------------------------------------------------

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        if self.running:
            return
        try:
            settings = self.read_settings()
        except SettingError as exc:
            title = _refusal_title(str(exc))
            self.form.show_error(f"[b red]Not started ({title.lower()}):[/b red]\n{escape(str(exc))}")
            # The settings' column may be scrolled or hidden: the whole reason also goes in the
            # message line above the plots, which wraps.
            self._message(f"[b red]Not started ({title.lower()}):[/b red] {escape(' · '.join(str(exc).splitlines()))}")
            self.notify(str(exc), title=title, severity="error")
            return
        self.dltui.store.set_state(_SETTINGS_KEY + self.lab_id, json.dumps(settings, default=str))
        self.form.show_error("")
        from dltui.engine import Job

        proc = self.dltui.lab_process()
        for _ in proc.poll():  # drop anything left over from an earlier run
            pass
        self.view = 0
        self.run = RunState()
        self.run_settings = settings
        self.run_device = self.form.device
        self._probe_wanted = False  # the run times these settings itself
        self.running, self.stopping, self.unresponsive = True, False, False
        self._run_proc = proc
        self.started_at = time.monotonic()
        self.device_label = "starting…" if proc.ready else "starting (loading torch)…"
        self._message("")
        proc.submit(Job(self.lab_id, settings, self.run_device, live=True))
        if self.size.width < 120 and self.query_one("#lab-settings").display:
            # Small terminal: the plots get the settings' columns while the lab runs (F2 shows them).
            self.action_toggle_settings()
        self._buttons()
        self._status()

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
        self._finish("stopped", self._last_scalars(), time.monotonic() - self.started_at, self.step)
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
        """F7: clear the run on show (figures, curves, step, rate, messages); settings stay."""
        if self.running:
            self.notify("Stop the run first (F6).", severity="warning")
            return
        self.view = 0
        self.run = RunState(device="not started")
        self._message("Run cleared; the settings are as they were.")
        self._draw()
        self._status()

    def action_defaults(self) -> None:
        """d: the settings go back to the lab's defaults (the lesson's, when opened from one)."""
        self.form.load(self.preset)
        self._message("Settings back to the defaults" + (" of this lesson" if self.preset else "")
                      + "; F5 runs them.")
        self._status()

    def _last_settings(self) -> dict:
        """The learner's last started settings for this lab, those still valid (a lab's ranges
        may have changed since)."""
        try:
            saved = json.loads(self.dltui.store.state(_SETTINGS_KEY + self.lab_id) or "{}")
        except ValueError:
            return {}
        values = {}
        for spec in self.specs:
            if isinstance(saved, dict) and spec.name in saved:
                try:
                    values[spec.name] = spec.check(saved[spec.name])
                except SettingError:
                    pass
        return values

    def action_next_view(self) -> None:
        if self.figures:
            self.view = (self.view + 1) % len(self.figures)
            self._draw()

    def action_toggle_curves(self) -> None:
        # loss curves → other metrics → no curves (the lab's view gets the whole area)
        order = ["loss", "acc", "none"]
        self.curve_group = order[(order.index(self.curve_group) + 1) % len(order)]
        self._draw()

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_unmount(self) -> None:
        if self.running:
            # Leaving mid-run (Esc, q, Ctrl+C, SIGTERM, SIGHUP): keep what was reached as a
            # stopped run, then free the worker.
            self.running = False
            self._record("stopped", self._last_scalars(), time.monotonic() - self.started_at, self.step)
            self._discard_worker()

    # -- events from the worker ------------------------------------------------------------

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
            elif self._probe_wanted and proc.ready and not self.running:
                self._send_probe(proc)
        # Curves follow every poll (≤ 10/s); the lab's own view, dearer to draw, ≤ 4/s.
        now = time.monotonic()
        figure_due = self._figure_dirty and (not self.running or now - self._figure_drawn_at >= FIGURE_SECONDS)
        if self._curves_dirty or figure_due:
            self._draw(curves=self._curves_dirty, figure=figure_due)
            self._status()

    # The run's figures, as read by the drawing code and the tests.
    history = property(lambda self: self.run.history)
    figures = property(lambda self: self.run.figures)
    step = property(lambda self: self.run.step)
    total = property(lambda self: self.run.total)
    _rate = property(lambda self: self.run.rate)

    @property
    def device_label(self) -> str:
        return self.run.device

    @device_label.setter
    def device_label(self, text: str) -> None:
        self.run.device = text

    def apply_events(self, events: list) -> None:
        """Fold worker events (typed, or the worker's tuples) into the run, and react to them."""
        for raw in events:
            match self.run.apply(raw):
                case Update(scalars=scalars, figures=figures):
                    self._curves_dirty = self._curves_dirty or bool(scalars)
                    self._figure_dirty = self._figure_dirty or bool(figures)
                case Log(text=text):
                    self._message(escape(text))
                case Done(status=status, metrics=metrics, seconds=seconds, steps=steps):
                    self._finish(status, metrics, seconds, steps)
                    self._curves_dirty = self._figure_dirty = True
                case Failed(kind=kind, message=message):
                    self._fail(kind, message)
                    self._curves_dirty = self._figure_dirty = True
                case Estimate(token=token, seconds=seconds, steps_timed=timed, total=total, device=device):
                    self._estimated(token, seconds, timed, total, device)

    # -- how long a run will take ----------------------------------------------------------

    @on(Input.Changed, ".setting")
    @on(Select.Changed)
    @on(Switch.Changed)
    def _settings_changed(self) -> None:
        """Time the new settings once the learner pauses (a worker that is not ready yet is asked
        as soon as it is)."""
        if self._probe_timer is not None:
            self._probe_timer.stop()
        self._probe_timer = self.set_timer(PROBE_DELAY_SECONDS, self._want_probe)
        self._status()

    def _want_probe(self) -> None:
        self._probe_wanted = True

    def _settings_key(self) -> str | None:
        """The settings on show (and the device) as a key, or None while any of them is invalid."""
        values = self.form.peek()
        return None if values is None else _key_of(values, self.form.device)

    def _send_probe(self, proc) -> None:
        from dltui.engine import Job, Probe

        self._probe_wanted = False
        key = self._settings_key()
        if key is None or key in self.estimates:
            self._status()
            return
        try:
            settings = self.read_settings()
        except SettingError:
            return
        self._probe_token += 1
        self._probe_key = key
        proc.submit(Probe(Job(self.lab_id, settings, self.form.device, live=True),
                          token=self._probe_token))

    def _estimated(self, token: int, seconds: float, steps_timed: int, total: int, label: str = "") -> None:
        if token != self._probe_token:
            return  # an answer about settings no longer on show
        self.estimates[self._probe_key] = (seconds, label)
        self._status()
        if not self.running and seconds >= LONG_RUN_SECONDS and self._settings_key() == self._probe_key:
            where = _where(label)
            self._message(f"This run will take about {_duration(seconds)} {where} (timed its first {steps_timed} "
                          f"{_plural(self.info.steps_label) if steps_timed != 1 else self.info.steps_label}). "
                          "F5 starts it; F6 stops it at any time.")

    def _estimate_text(self) -> str:
        """"about 2 min on this CPU" before a run; "about 1 min left" during one; or ""."""
        if self.running:
            elapsed = time.monotonic() - self.started_at
            # the first steps (warm-up) say little: wait for a few seconds' worth of rate
            if self._rate > 0 and self.total and elapsed >= 3 and 5 <= self.step < self.total:
                return f"about {_duration((self.total - self.step) / self._rate)} left"
            return ""
        key = self._settings_key()
        if self.history and key == _key_of(self.run_settings, self.run_device):
            return ""  # the last run of these settings is on show, with its own figures
        estimate = self.estimates.get(key or "")
        return f"about {_duration(estimate[0])} {_where(estimate[1])}" if estimate else ""

    def _last_scalars(self) -> dict:
        return self.run.last_scalars()

    def _finish(self, status: str, metrics: dict, seconds: float, steps: int) -> None:
        self.running = self.stopping = False
        met = self._record(status, metrics, seconds, steps)
        if steps and self.total and not self.unresponsive:  # the run itself timed these settings
            self.estimates[_key_of(self.run_settings, self.run_device)] = (
                seconds * self.total / steps if status == "stopped" else seconds, self.device_label)
        self.unresponsive = False
        verdict = ""
        if status == "finished":
            from dltui.quiz import expectation_note  # the expectation is about the default settings

            note, style = expectation_note(met, self.run_settings, {s.name: s.default for s in self.specs},
                                           self.preset if self.lesson_id else None)
            verdict = f" · [{style}]{note}[/]" if style else f" · {note}"
        shown = "  ".join(f"{k} {v:.3g}" for k, v in metrics.items())
        self._message(f"[b]{status.capitalize()}[/b]: {steps} {_plural(self.info.steps_label)} in {seconds:.1f} s"
                      f"{verdict} · {shown}")
        self._buttons()
        self._fill_runs()

    def _record(self, status: str, metrics: dict, seconds: float, steps: int) -> bool | None:
        met = bool(self.module.expectation_met(metrics)) if status == "finished" else None
        run_id = self.dltui.store.record_run(self.lab_id, self.run_settings, metrics, status=status,
                                           seconds=seconds, steps=steps, device=self.device_label,
                                           expectation_met=met, lesson_id=self.lesson_id)
        if status == "finished":
            for note in self.dltui.grade_predictions(self.lab_id, self.run_settings, metrics, run_id):
                self.notify(note, title="Prediction graded", timeout=8)
        return met

    def _fail(self, kind: str, message: str, details: list[str] | None = None) -> None:
        """End the run with an error; a run whose worker died is saved as failed."""
        was_running = self.running
        self.running = self.stopping = self.unresponsive = False
        if was_running and kind in FAILED_KINDS:
            self._record("failed", self._last_scalars(), time.monotonic() - self.started_at, self.step)
            self._fill_runs()
        title = ERROR_TITLES.get(kind, "Failed")
        text = " ".join(message.split()) if message else kind
        if kind == "crashed":
            text += " (the details are in lab-worker.log)"
        self._message(f"[b red]{title}:[/b red] {escape(text)}", details)
        self.notify(text, title=title, severity="error", timeout=10)
        self._buttons()
        self._status()

    def _worker_died(self, proc) -> None:
        """The worker ended in the middle of a run: say how, save the run as failed, and make sure
        the next Start gets a fresh worker."""
        how = describe_exit(proc.exitcode)
        tail = proc.log_tail(3) if hasattr(proc, "log_tail") else []
        self._discard_worker()
        at = f"{self.info.steps_label} {self.step}" if self.step else "its start"
        message = (f"the process running the lab {how}. The run is saved as failed at {at}; F5 starts a "
                   "fresh worker.")
        details = ["[dim]last lines of lab-worker.log:[/dim]"] + [f"[dim]  {escape(line)}[/dim]" for line in tail]
        self._fail("died", message, details if tail else None)
        if self.dltui.prewarm_labs:
            self.dltui.lab_process()

    def _check_silence(self, proc) -> None:
        """Warn (once) when the busy worker falls silent; take the warning back if it speaks again."""
        limit = SILENT_SECONDS if getattr(proc, "ready", True) else SILENT_SECONDS_STARTING
        silent = proc.silent_for() if hasattr(proc, "silent_for") else 0.0
        if silent >= limit and not self.unresponsive:
            self.unresponsive = True
            why = ("it is stopped (SIGSTOP or Ctrl+Z): `kill -CONT` resumes it"
                   if getattr(proc, "is_stopped", lambda: False)() else f"no sign of life for {silent:.0f} s")
            self._message(f"[b yellow]The lab worker is not responding[/b yellow] ({why}). "
                          "F6 stops the run and starts a fresh worker.")
            self.notify(f"No sign of life for {silent:.0f} s. F6 stops the run and starts a fresh worker.",
                        title="The lab worker is not responding", severity="warning", timeout=10)
        elif silent < limit and self.unresponsive:
            self.unresponsive = False
            if not self.stopping:
                self._message("The lab worker is responding again.")

    # -- drawing ---------------------------------------------------------------------------

    def _message(self, text: str, details: list[str] | None = None) -> None:
        """One line, cut with an ellipsis (the Runs tab keeps every number); a failure's message
        wraps, and its details follow it."""
        box = self.query_one("#lab-message", Static)
        long = details is not None or text.startswith("[b red]")
        box.set_class(long, "-long")
        if not long:
            line = Text.from_markup(text.replace("\n", " "), overflow="ellipsis")
            line.no_wrap = True
            box.update(line)
            return
        box.update(Text.from_markup("\n".join([text, *(details or [])])))

    def _buttons(self) -> None:
        self.query_one("#start", Button).disabled = self.running
        self.query_one("#stop", Button).disabled = not self.running
        self.query_one("#reset", Button).disabled = self.running

    def _status(self) -> None:
        last = self._last_scalars()
        text = Text(self.device_label, style="bold", no_wrap=True, overflow="ellipsis")
        parts = [f"{self.info.steps_label} {self.step}/{self.total}" if self.total else f"step {self.step}"]
        if self._rate:
            parts.append(f"{self._rate:,.0f}/s")
        losses = [(k, v) for k, v in last.items() if k.startswith("loss")][:2]
        accs = [(k, v) for k, v in last.items() if k.startswith("acc")][:2]
        parts += [f"{k} {v:.4g}" for k, v in losses + accs]
        estimate = self._estimate_text()
        if estimate:
            parts.insert(2 if self._rate else 1, estimate)
        # Whole parts only: a line cut after a metric's name would hide its value.
        box = self.query_one("#lab-status", Static)
        room = (box.size.width or self.app.size.width) - 2
        for part in parts:
            if text.cell_len + 3 + len(part) > room:
                break
            text.append(" · " + part, style="")
        box.update(text)

    def _draw(self, curves: bool = True, figure: bool = True) -> None:
        """Hand the plots what to paint; they paint on their next refresh, at their own size."""
        self.redraws += 1
        color = color_enabled()
        if curves:
            self._curves_dirty = False
            self._draw_curves(color)
        if figure:
            self._figure_dirty = False
            self._figure_drawn_at = time.monotonic()
            self._draw_figure(color)

    def _draw_curves(self, color: bool) -> None:
        losses = {k: v for k, v in self.history.items() if k.startswith("loss")}
        others = {k: v for k, v in self.history.items() if not k.startswith("loss")}
        want_loss = self.curve_group == "loss"
        group = (losses or others) if want_loss else (others or losses)
        title = "loss" if group is losses else "metrics"
        curves = self.query_one("#curves", FigurePlot)
        # Labs that report no curve (pure inference) give the whole area to their own view.
        self.query_one("#curves-box").display = (bool(group) or not self.figures) and self.curve_group != "none"
        curves.show(lambda plt, w, h: draw_curves(plt, group, w, h, title=f"{title} (a: next)", color=color,
                                                  legend=False))
        # The names go under the plot, not in a box over its first steps.
        note = self.query_one("#curves-note", Static)
        note.update(curves_legend(group, color, (note.size.width or self.size.width // 2) - 2))

    def _draw_figure(self, color: bool) -> None:
        plot = self.query_one("#figure", FigurePlot)
        note = self.query_one("#figure-note", Static)
        if self.figures:
            names = list(self.figures)
            self.view %= len(names)
            fig = self.figures[names[self.view]]
            if fig.heatmap is not None:  # half blocks: twice the rows plotext would give
                plot.show_text(lambda w, h: heatmap_text(fig, w, h, color=color))
            else:
                plot.show(lambda plt, w, h: draw_figure(plt, fig, w, h, color=color, title=False, legend=False))
            more = f"  [dim](v: view {self.view + 1}/{len(names)})[/dim]" if len(names) > 1 else ""
            text = figure_note_rich(fig, color)  # the legend keys in their series' colours
            text.append_text(Text.from_markup(more))
            note.update(text)
            self._header(fig.title or names[self.view], self.view, len(names))
            self._layout_plots()
        else:
            def placeholder(plt, w, h):
                plt.clear_figure()
                plt.plotsize(w, h)
                plt.title("the lab's view appears here once it runs")

            plot.show(placeholder)
            note.update("")
            self._header("no run yet: F5 starts one", 0, 0)

    def _header(self, view_title: str, index: int, count: int) -> None:
        """The lab's title and the view on show, in the header that never scrolls away."""
        which = f" ({index + 1}/{count})" if count > 1 else ""
        self.query_one(LabHeader).set_titles(self.info.title, view_title + which)

    def _fill_runs(self) -> None:
        self.query_one(RunsTable).fill(self.dltui.store.runs(self.lab_id, limit=50))

    @on(RunsTable.LoadRun)
    def _load_run(self, event: RunsTable.LoadRun) -> None:
        """Enter on a previous run copies its settings into the form."""
        if self.running:
            return
        self.form.load({k: v for k, v in event.settings.items() if k in {s.name for s in self.specs}},
                       defaults_for_missing=False)
        self.notify(f"Settings of run #{event.run_id} loaded; F5 runs them again.", timeout=4)
