"""A run as the worker's events describe it: a pure fold (no textual, no torch), shared by the
lab screen, :func:`dltui.engine.run_inline` and ``dltui lab``."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from dltui.engine import Begin, Done, Event, Failed, Started, Update, decode, fold_scalars

RATE_WINDOW_SECONDS = 0.5  # the rate is re-measured at most this often, then smoothed


@dataclass
class RunState:
    history: dict[str, tuple[list[int], list[float]]] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    step: int = 0
    total: int = 0
    device: str = ""
    rate: float = 0.0  # steps per second, smoothed
    updates: int = 0
    result: Done | Failed | None = None
    _rate_mark: tuple[float, int] | None = None

    def apply(self, event: Event, now: float | None = None) -> Event | None:
        """Fold one worker event in; returns it (None for an object that is no event)."""
        event = decode(event)
        match event:
            case Started(device=device):
                self.device = device
            case Begin(total=total):
                self.total = total
            case Update(scalars=scalars, figures=figures):
                self.updates += 1
                last = fold_scalars(self.history, scalars)
                if last is not None:
                    self.step = last
                self.figures.update(figures)
                self._measure_rate(time.monotonic() if now is None else now)
            case Done(seconds=seconds, steps=steps):
                self.result = event
                if seconds > 0 and steps:
                    self.rate = steps / seconds
            case Failed():
                self.result = event
        return event

    def _measure_rate(self, now: float) -> None:
        if self._rate_mark is None:
            self._rate_mark = (now, self.step)
            return
        t, s = self._rate_mark
        if now - t >= RATE_WINDOW_SECONDS:
            rate = (self.step - s) / (now - t)
            self.rate = rate if self.rate == 0 else 0.5 * self.rate + 0.5 * rate
            self._rate_mark = (now, self.step)

    def last_scalars(self) -> dict[str, float]:
        return {name: ys[-1] for name, (_, ys) in self.history.items() if ys}
