"""The lab contract. Pure: imports neither torch nor textual.

A lab is one module ``dltui/labs/<id>.py`` that defines:

- ``INFO``: a :class:`LabInfo` (id, title, one-line summary, lessons, expectation, metric names).
- ``Settings``: a dataclass whose fields are declared with :func:`setting` (default, bounds, help).
- ``train(cfg: Settings, ctx: LabContext) -> dict[str, float]``: the training function. It imports
  torch *inside* the function (so listing labs, validating lessons and drawing the UI never pay
  for torch), puts tensors on ``ctx.device``, calls ``ctx.report`` every step and
  ``ctx.figure`` now and then, returns early when ``ctx.should_stop()`` is true, and returns the
  final metrics (every name of ``INFO.metrics``).
- ``expectation_met(metrics: dict[str, float]) -> bool``: whether a finished run shows what
  ``INFO.expectation`` promises.

The engine (``dltui.engine``) runs ``train`` in a separate process, throttles what it reports,
and turns NaN losses, exceptions and out-of-memory errors into clear messages.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Protocol

from dltui.figures import Figure


class SettingError(ValueError):
    """A lab setting that is unknown, malformed or out of its allowed range."""


class LabDiverged(RuntimeError):
    """Raised by a lab (or the engine) when training blew up (NaN/Inf loss)."""


def setting(default: Any, low: float | None = None, high: float | None = None, *,
            choices: tuple | list | None = None, help: str = "", cpu_max: float | None = None) -> Any:
    """Declare a dataclass field of a lab's ``Settings`` with its bounds and help text.

    ``cpu_max`` is the largest value that still runs comfortably (about a minute or less, with the
    other settings at their defaults) on a laptop CPU; the range above it is meant for GPUs. The
    note is added to the help text, so `dltui labs --metrics` and the lab's About tab show it.
    """
    meta = {"low": low, "high": high, "choices": tuple(choices) if choices else None, "help": help,
            "cpu_max": cpu_max}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class LabInfo:
    id: str
    title: str
    summary: str  # one line, shown by `dltui labs`
    lessons: tuple[str, ...]
    expectation: str  # what the default settings show, in words and numbers
    metrics: dict[str, str]  # final metric name -> meaning (used by predict questions)
    steps_label: str = "step"


@dataclass(frozen=True)
class SettingSpec:
    name: str
    kind: type
    default: Any
    low: float | None
    high: float | None
    choices: tuple | None
    help: str
    cpu_max: float | None = None  # larger values are meant for GPUs (see :func:`setting`)

    def gpu_note(self) -> str:
        """Which part of the range is for GPUs; "" when all of it suits a CPU."""
        if self.cpu_max is None:
            return ""
        return f"up to {_fmt(self.cpu_max)} on a CPU; larger values are for GPUs"

    def allowed(self) -> str:
        if self.choices:
            return "one of " + ", ".join(str(c) for c in self.choices)
        if self.kind is bool:
            return "true or false"
        if self.low is not None and self.high is not None:
            what = "a whole number" if self.kind is int else "a number"
            return f"{what} from {_fmt(self.low)} to {_fmt(self.high)}"
        return self.kind.__name__

    def short(self) -> str:
        """The allowed values in a few characters, for narrow forms."""
        if self.choices or self.kind is bool:
            return ""
        if self.low is not None and self.high is not None:
            return f"{_fmt(self.low)}…{_fmt(self.high)}"
        return ""

    def parse(self, text: str) -> Any:
        """Turn the text a user typed into a checked value."""
        text = str(text).strip()
        if self.kind is bool:
            low = text.lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise SettingError(f"{self.name}: {text!r} is not allowed; allowed: {self.allowed()}")
        if self.kind in (int, float):
            return self.check(self._number(text))
        return self.check(text)

    def _number(self, text: str) -> int | float:
        """A typed number: whole numbers exactly (a 400-digit one is just out of range), and
        ``inf``, ``nan`` or ``1e309`` refused here rather than overflowing later."""
        shown = text if len(text) <= 24 else f"{text[:12]}… ({len(text)} characters)"
        if self.kind is int:
            try:
                return int(text)
            except ValueError:
                pass  # "1e3", "2.0", "inf", or over Python's 4,300-digit limit: decide below
        try:
            value = float(text)
        except ValueError:
            raise SettingError(f"{self.name}: {shown!r} is not a number; allowed: {self.allowed()}") from None
        if value != value:
            raise SettingError(f"{self.name}: {shown!r} is not a number; allowed: {self.allowed()}")
        if value in (math.inf, -math.inf):
            raise SettingError(f"{self.name}: {shown!r} is out of range; allowed: {self.allowed()}")
        if self.kind is int:
            if not value.is_integer():
                raise SettingError(f"{self.name}: {shown!r} is not a whole number; allowed: {self.allowed()}")
            return int(value)
        return value

    def check(self, value: Any) -> Any:
        if self.kind is float and isinstance(value, int) and not isinstance(value, bool):
            try:
                value = float(value)
            except OverflowError:  # a whole number too large for a float
                raise SettingError(f"{self.name}: {_fmt(value)} is out of range; allowed: {self.allowed()}") from None
        if self.choices:
            if value not in self.choices:
                raise SettingError(f"{self.name}: {value!r} is not allowed; allowed: {self.allowed()}")
            return value
        if self.kind is bool:
            if not isinstance(value, bool):
                raise SettingError(f"{self.name}: {value!r} is not allowed; allowed: {self.allowed()}")
            return value
        if self.kind in (int, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise SettingError(f"{self.name}: {value!r} is not a number; allowed: {self.allowed()}")
            if isinstance(value, float) and value != value:
                raise SettingError(f"{self.name}: nan is not a number; allowed: {self.allowed()}")
            if isinstance(value, float) and not math.isfinite(value):
                raise SettingError(f"{self.name}: {value!r} is out of range; allowed: {self.allowed()}")
            if self.kind is int and isinstance(value, float) and not value.is_integer():
                raise SettingError(f"{self.name}: {value!r} is not a whole number; allowed: {self.allowed()}")
            if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
                raise SettingError(f"{self.name}: {_fmt(value)} is out of range; allowed: {self.allowed()}")
            return self.kind(value)
        return value


def _fmt(x: float) -> str:
    if isinstance(x, int):
        text = str(x)
        return text if len(text) <= 16 else f"{text[:6]}…({len(text)} digits)"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:g}"


def setting_specs(settings_cls: type) -> list[SettingSpec]:
    specs = []
    for f in dataclasses.fields(settings_cls):
        kind = type(f.default)
        spec = SettingSpec(f.name, kind, f.default, f.metadata.get("low"), f.metadata.get("high"),
                           f.metadata.get("choices"), f.metadata.get("help", ""), f.metadata.get("cpu_max"))
        if spec.cpu_max is not None:  # every place that shows a setting's help shows the GPU note too
            spec = dataclasses.replace(spec, help=f"{spec.help} ({spec.gpu_note()})")
        specs.append(spec)
    return specs


def still_valid(specs: list[SettingSpec], saved: Any) -> dict[str, Any]:
    """The values of ``saved`` (e.g. the learner's last settings, from JSON) that these specs still
    accept: a lab's ranges may have changed since they were saved."""
    values = {}
    for spec in specs:
        if isinstance(saved, dict) and spec.name in saved:
            try:
                values[spec.name] = spec.check(saved[spec.name])
            except SettingError:
                pass
    return values


def make_settings(settings_cls: type, overrides: dict[str, Any] | None = None, *,
                  from_text: bool = False) -> Any:
    """Build a ``Settings`` instance; every override is checked (unknown names, bounds)."""
    specs = {s.name: s for s in setting_specs(settings_cls)}
    values = {}
    for name, raw in (overrides or {}).items():
        if name not in specs:
            raise SettingError(f"unknown setting {name!r}; known: {', '.join(specs)}")
        spec = specs[name]
        values[name] = spec.parse(raw) if from_text else spec.check(raw)
    return settings_cls(**values)


def settings_dict(cfg: Any) -> dict[str, Any]:
    return dataclasses.asdict(cfg)


class LabContext(Protocol):
    device: str  # "cpu" or "cuda" (or "cuda:N")
    live: bool  # True in the app: a lab may pace an animation; False headless: never sleep

    def begin(self, total_steps: int) -> None: ...
    def report(self, step: int, **scalars: float) -> None: ...
    def figure(self, name: str, fig: Figure) -> None: ...
    def should_stop(self) -> bool: ...
    def log(self, text: str) -> None: ...
