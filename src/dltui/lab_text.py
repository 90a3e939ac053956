"""What the lab screen says, as plain functions of the run (no textual, no torch): durations,
the status line's parts, the end-of-run line and the worker-fault messages. ``keys`` maps an
action ("start", "stop", …) to the key that triggers it where the learner is (F5 in a terminal,
Ctrl+G in a browser)."""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping

Keys = Callable[[str], str]


def duration(seconds: float) -> str:
    """Rounded the way one would say it: "8 s", "40 s", "2 min", "1 h 10 min"."""
    if seconds < 10:
        return f"{max(1, round(seconds))} s"
    if seconds < 57.5:  # from there on, rounding to 5 s would say "60 s"
        return f"{round(seconds / 5) * 5} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min" if minutes % 60 else f"{minutes // 60} h"


def plural(word: str) -> str:
    if word.endswith("epoch"):
        return word + "s"
    return word + ("es" if word.endswith(("s", "sh", "ch", "x")) else "s")


def counted(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else plural(word)}"


def where(device_label: str) -> str:
    return "on this GPU" if device_label.startswith("CUDA") else "on this CPU"


def settings_key(settings: Mapping[str, Any], device: str) -> str:
    """The settings (and device) that decide a run's speed, as a key: a seed does not."""
    speed = {k: v for k, v in settings.items() if "seed" not in k}
    return json.dumps([speed, device], sort_keys=True, default=str)


def refusal_title(problems: str) -> str:
    """"Not a number" when every refused setting is not a number; else what the first one is."""
    lines = problems.splitlines()
    if lines and all("is not a number" in line for line in lines):
        return "Not a number"
    if any("out of range" in line for line in lines):
        return "Setting out of range"
    return "Setting not allowed"


def status_parts(steps_label: str, step: int, total: int, rate: float, last: Mapping[str, float],
                 estimate: str = "") -> list[str]:
    """The status line after the device: progress, rate, estimate, two losses and two accuracies.
    The caller drops whole parts that do not fit, so no metric name loses its value."""
    parts = [f"{steps_label} {step}/{total}" if total else f"step {step}"]
    if rate:
        parts.append(f"{rate:,.0f}/s")
    losses = [(k, v) for k, v in last.items() if k.startswith("loss")][:2]
    accs = [(k, v) for k, v in last.items() if k.startswith("acc")][:2]
    parts += [f"{k} {v:.4g}" for k, v in losses + accs]
    if estimate:
        parts.insert(2 if rate else 1, estimate)
    return parts


def time_left(rate: float, step: int, total: int, elapsed: float) -> str:
    """"about 1 min left", once a few seconds' worth of rate says more than the warm-up did."""
    if rate > 0 and total and elapsed >= 3 and 5 <= step < total:
        return f"about {duration((total - step) / rate)} left"
    return ""


def long_run(seconds: float, device_label: str, steps_timed: int, steps_label: str, keys: Keys) -> str:
    return (f"This run will take about {duration(seconds)} {where(device_label)} (timed its first "
            f"{counted(steps_timed, steps_label)}). {keys('start')} starts it; {keys('stop')} stops it at any time.")


def finished(status: str, steps: int, steps_label: str, seconds: float, metrics: Mapping[str, float],
             verdict: str = "") -> str:
    """Rich markup: "Finished: 3000 steps in 4.2 s · as expected ✓ · loss 0.01 acc 0.99"."""
    shown = "  ".join(f"{k} {v:.3g}" for k, v in metrics.items())
    return f"[b]{status.capitalize()}[/b]: {counted(steps, steps_label)} in {seconds:.1f} s{verdict} · {shown}"


def worker_died(how: str, steps_label: str, step: int, keys: Keys) -> str:
    at = f"{steps_label} {step}" if step else "its start"
    return (f"the process running the lab {how}. The run is saved as failed at {at}; {keys('start')} starts a "
            "fresh worker.")


def not_responding(silent: float, stopped: bool, keys: Keys) -> tuple[str, str]:
    """The message line (markup) and the notification's text for a worker that fell silent."""
    why = ("it is stopped (SIGSTOP or Ctrl+Z): `kill -CONT` resumes it" if stopped
           else f"no sign of life for {silent:.0f} s")
    fix = f"{keys('stop')} stops the run and starts a fresh worker."
    return (f"[b yellow]The lab worker is not responding[/b yellow] ({why}). {fix}",
            f"No sign of life for {silent:.0f} s. {fix}")


def about(info: Any, notes: str | None, specs: list, keys: Keys) -> str:
    """The About tab (rich markup): what the lab shows, its expectation, metrics and settings."""
    from rich.markup import escape

    lines = [f"[b]{info.title}[/b]", info.summary, "",
             f"[b]Expectation with the default settings[/b]: {info.expectation}", "",
             *([escape(notes), ""] if notes else []), "[b]Final metrics[/b]"]
    lines += [f"  {k}: {v}" for k, v in info.metrics.items()]
    lines += ["", "[b]Settings[/b]"]
    lines += [f"  {s.name} = {s.default!r} ({s.allowed()}): {s.help}" for s in specs]
    lines += ["", f"Keys: {keys('start')} start · {keys('stop')} stop · {keys('reset')} clear the run · "
                  f"{keys('defaults')} default settings · {keys('toggle_settings')} show/hide settings · "
                  f"{keys('next_view')} next view · {keys('toggle_curves')} curves (loss, metrics, none) · "
                  f"{keys('back')} back"]
    return "\n".join(lines)


def verdict(met: bool | None, run_settings: Mapping[str, Any], defaults: Mapping[str, Any],
            preset: Mapping[str, Any] | None) -> str:
    """" · expectation met ✓" (markup) after a finished run; the expectation is about the default
    settings, and a lesson's preset run "as the lesson describes"."""
    from dltui.quiz import expectation_note

    note, style = expectation_note(met, dict(run_settings), dict(defaults), dict(preset) if preset else None)
    if not note:
        return ""
    return f" · [{style}]{note}[/]" if style else f" · {note}"


def failure(kind: str, message: str, titles: Mapping[str, str]) -> tuple[str, str]:
    """(title, one-line text) of a run that ended with an error of ``kind``."""
    text = " ".join(message.split()) if message else kind
    if kind == "crashed":
        text += " (the details are in lab-worker.log)"
    return titles.get(kind, "Failed"), text


def log_details(tail: list[str]) -> list[str] | None:
    """The last lines of the worker's log, dimmed, under a failure's message (markup)."""
    from rich.markup import escape

    if not tail:
        return None
    return ["[dim]last lines of lab-worker.log:[/dim]"] + [f"[dim]  {escape(line)}[/dim]" for line in tail]

