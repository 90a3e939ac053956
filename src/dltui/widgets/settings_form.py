"""A lab's settings as a form: one field per setting spec (with its range and help), the device,
and the Start/Stop/Clear buttons under them."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static, Switch

from dltui.labspec import SettingError, SettingSpec


class SettingsForm(VerticalScroll):
    """Build from the setting specs, ``read`` (checked values), ``peek`` (same, without marking
    fields), ``load`` (fill in values; missing ones get their defaults)."""

    def __init__(self, specs: list[SettingSpec], initial: dict[str, Any], **kwargs) -> None:
        super().__init__(**kwargs)
        self.specs = specs
        self.initial = initial

    def compose(self) -> ComposeResult:
        for spec in self.specs:
            value = self.initial.get(spec.name, spec.default)
            label = Label(f"[b]{spec.name}[/b] [dim]{spec.short()}[/dim]", classes="setting-label")
            label.tooltip = spec.help
            yield label
            if spec.choices:
                yield Select([(str(c), c) for c in spec.choices], value=value, allow_blank=False,
                             id=f"set-{spec.name}", classes="setting", compact=True)
            elif spec.kind is bool:
                yield Switch(value=bool(value), id=f"set-{spec.name}", classes="setting")
            else:
                yield Input(str(value), id=f"set-{spec.name}", classes="setting", compact=True)
        yield Label("[b]device[/b]", classes="setting-label")
        yield Select([("auto (CUDA if present)", "auto"), ("cpu", "cpu"), ("cuda", "cuda")],
                     value="auto", allow_blank=False, id="device", compact=True)
        with Horizontal(id="lab-buttons"):
            yield Button("Start", id="start", variant="success", compact=True)
            yield Button("Stop", id="stop", variant="error", disabled=True, compact=True)
            yield Button("Clear", id="reset", compact=True,
                         tooltip="F7: clear the run on show (figures, curves, rate); the settings stay")
        yield Static(id="settings-error")

    @property
    def device(self) -> str:
        return self.query_one("#device", Select).value

    def _value(self, spec: SettingSpec) -> Any:
        widget = self.query_one(f"#set-{spec.name}")
        if isinstance(widget, Input):
            return spec.parse(widget.value)
        if isinstance(widget, Switch):
            return spec.check(bool(widget.value))
        return spec.check(widget.value)

    def read(self) -> dict[str, Any]:
        """The checked values; a refused field is marked, and all problems raised together."""
        values, problems = {}, []
        for spec in self.specs:
            widget = self.query_one(f"#set-{spec.name}")
            try:
                values[spec.name] = self._value(spec)
                widget.remove_class("-invalid")
            except SettingError as exc:
                problems.append(str(exc))
                widget.add_class("-invalid")
        if problems:
            raise SettingError("\n".join(problems))
        return values

    def peek(self) -> dict[str, Any] | None:
        """The values on show, or None while any is invalid (marks nothing)."""
        try:
            return {spec.name: self._value(spec) for spec in self.specs}
        except SettingError:
            return None

    def load(self, values: dict[str, Any], defaults_for_missing: bool = True) -> None:
        for spec in self.specs:
            if spec.name not in values and not defaults_for_missing:
                continue
            widget = self.query_one(f"#set-{spec.name}")
            value = values.get(spec.name, spec.default)
            if isinstance(widget, Input):
                widget.value = str(value)
                widget.remove_class("-invalid")
            else:
                widget.value = value
        self.query_one("#settings-error", Static).update("")

    def set_running(self, running: bool) -> None:
        """Start while idle; Stop while a run is on; Clear (the run on show) while idle."""
        self.query_one("#start", Button).disabled = running
        self.query_one("#stop", Button).disabled = not running
        self.query_one("#reset", Button).disabled = running

    def show_error(self, text: str) -> None:
        self.query_one("#settings-error", Static).update(text)
