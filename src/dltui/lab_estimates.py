"""How long a whole run of some settings takes, as far as the worker has timed it (a probe of the
first steps, or a finished run). Pure: the lab screen decides when to ask and what to show."""

from __future__ import annotations

from dltui.lab_text import duration, where


class Estimates:
    def __init__(self) -> None:
        self.by_key: dict[str, tuple[float, str]] = {}  # settings key → (seconds, device label)
        self.token = 0  # the newest probe; answers to older ones are about settings no longer on show
        self.asked_key: str | None = None
        self.wanted = False  # time the settings on show once the worker is ready

    def ask(self, key: str | None) -> int | None:
        """A token for a probe of these settings, or None when there is nothing to time (invalid
        settings, or known already)."""
        self.wanted = False
        if key is None or key in self.by_key:
            return None
        self.token += 1
        self.asked_key = key
        return self.token

    def answer(self, token: int, seconds: float, device_label: str) -> str | None:
        """Keep a probe's answer; returns the key it was about, or None when it is stale."""
        if token != self.token or self.asked_key is None:
            return None
        self.by_key[self.asked_key] = (seconds, device_label)
        return self.asked_key

    def learn(self, key: str, seconds: float, device_label: str) -> None:
        self.by_key[key] = (seconds, device_label)

    def before_run(self, key: str | None) -> str:
        """"about 2 min on this CPU", or "" when these settings were never timed."""
        known = self.by_key.get(key or "")
        return f"about {duration(known[0])} {where(known[1])}" if known else ""
