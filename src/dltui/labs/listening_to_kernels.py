"""Convolve a synthesised four-note melody with each note's tone: each kernel lights up where its note plays."""

from __future__ import annotations

import math
import time
import wave
from dataclasses import dataclass
from pathlib import Path

from dltui.figures import Figure, Heatmap, Series
from dltui.labspec import LabInfo, setting

RATE = 22050  # samples per second, as in the course's WAV file
NOTE_SECONDS = 0.4
# The four notes the notebook reads off the spectrogram, in the order they play.
NOTES = (("Ab6", 1661.0), ("Eb6", 1244.0), ("Ab5", 830.0), ("Bb5", 932.0))

INFO = LabInfo(
    id="listening_to_kernels",
    title="Listening to kernels: a melody convolved with its notes",
    summary="A synthesised four-note melody, its spectrogram, and each note's tone used as a 1-D convolution kernel",
    lessons=("t2_natural_signals",),
    expectation="each kernel puts 0.86–0.99 of its output energy in its own note's 0.4 s slot; the Ab6 "
                "kernel also picks up ≥ 0.03 in the Ab5 slot (Ab5's second harmonic is 1660 Hz)",
    metrics={
        "share_ab6": "share of the Ab6 kernel's output energy inside the Ab6 slot (0–1)",
        "share_eb6": "share of the Eb6 kernel's output energy inside the Eb6 slot (0–1)",
        "share_ab5": "share of the Ab5 kernel's output energy inside the Ab5 slot (0–1)",
        "share_bb5": "share of the Bb5 kernel's output energy inside the Bb5 slot (0–1)",
        "min_share": "the smallest of the four own-slot shares",
        "ab6_in_ab5": "share of the Ab6 kernel's output energy inside the Ab5 slot (0–1)",
    },
    steps_label="frame",
)

# One paragraph per line: the About tab wraps them to its width.
ABOUT = "\n".join([
    'What the course notebook (07-listening_to_kernels, DLSP20 week 4) does, and what this lab '
    'changes:',
    '• The notebook loads a recorded operating-system jingle (copyrighted, so not shipped); here '
    'the melody is synthesised: Ab6, Eb6, Ab5, Bb5 for 0.4 s each at 22,050 Hz, every note '
    'e^(−3t)·(sin 2πft + h·sin 2π·2f·t) plus white noise (h = harmonic, seeded noise).',
    '• Like the notebook, the kernels are pure sine tones of each note and the convolution keeps '
    'the signal\'s length ("same"); here it is computed with an FFT (on the GPU if you pick one).',
    '• The notebook plays the results in the browser; in the app, w writes the melody and the '
    'four convolved signals as WAV files into the data folder (the message says where), and '
    '`dltui lab listening_to_kernels --export` does the same from the command line.',
    '• The spectrogram is a plain STFT (512-sample Hann frames, magnitude in dB up to 2 kHz) '
    "rather than librosa's; the envelopes are RMS values over 10 ms windows, each scaled to its "
    'own peak.',
    '• Try harmonic = 0: the Ab6 kernel stops hearing the Ab5 slot. A 0.4 s kernel blurs time '
    'instead: its output spills past the slot borders and the own-slot shares fall to about 0.86.',
])


@dataclass
class Settings:
    kernel: float = setting(0.1, 0.01, 0.4, help="length of each note's tone used as kernel, in seconds")
    harmonic: float = setting(0.3, 0.0, 1.0, help="amplitude of every note's second harmonic (2f)")
    noise: float = setting(0.05, 0.0, 1.0, help="standard deviation of the white noise added to the melody")
    animate: float = setting(1.6, 0.0, 20.0, help="seconds the playhead takes to cross the melody in the app")
    seed: int = setting(0, 0, 2**31 - 1, help="random seed of the noise")


def synthesise(kernel: float, harmonic: float, noise: float, seed: int):
    """The melody and the four tone kernels as float64 numpy arrays (pure, no torch)."""
    import numpy as np

    t = np.arange(int(NOTE_SECONDS * RATE)) / RATE
    notes = [np.exp(-3 * t) * (np.sin(2 * np.pi * f * t) + harmonic * np.sin(2 * np.pi * 2 * f * t))
             for _, f in NOTES]
    melody = np.concatenate(notes)
    melody = melody + noise * np.random.default_rng(seed).standard_normal(melody.shape[0])
    tk = np.arange(max(2, int(round(kernel * RATE)))) / RATE
    kernels = [np.sin(2 * np.pi * f * tk) for _, f in NOTES]
    return melody, kernels


def convolve_same(x, k, xp):
    """numpy.convolve(x, k, "same") through an FFT; ``xp`` is numpy or torch (arrays on any device)."""
    n = x.shape[-1] + k.shape[-1] - 1
    size = 1 << (n - 1).bit_length()
    full = xp.fft.irfft(xp.fft.rfft(x, n=size) * xp.fft.rfft(k, n=size), n=size)
    start = (k.shape[-1] - 1) // 2
    return full[start:start + x.shape[-1]]


def slot_shares(y, slots: int):
    """Share of y's energy in each of `slots` equal time slots."""
    e = (y[: y.shape[-1] // slots * slots] ** 2).reshape(slots, -1).sum(-1)
    return e / e.sum()


def write_wav(path: Path, samples, rate: int = RATE) -> Path:
    """Write a mono 16-bit WAV, scaled so its peak is at 90 % of full scale."""
    import numpy as np

    x = np.asarray(samples, dtype=np.float64)
    peak = float(np.abs(x).max()) or 1.0
    pcm = np.round(x / peak * 0.9 * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path


def export(settings: dict, folder: Path) -> list[Path]:
    """Write the melody and its four convolutions as WAV files into ``folder`` (created if needed).

    Raises OSError when the folder cannot be written.
    """
    import numpy as np

    cfg = Settings(**settings)
    melody, kernels = synthesise(cfg.kernel, cfg.harmonic, cfg.noise, cfg.seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [write_wav(folder / "melody.wav", melody)]
    for (name, _), k in zip(NOTES, kernels):
        paths.append(write_wav(folder / f"melody-conv-{name}.wav", convolve_same(melody, k, np)))
    return paths


def _rms_frames(y, frame: int):
    usable = y.shape[-1] // frame * frame
    return (y[:usable].reshape(-1, frame) ** 2).mean(-1).sqrt()


def train(cfg: Settings, ctx) -> dict[str, float]:
    import torch

    melody_np, kernels_np = synthesise(cfg.kernel, cfg.harmonic, cfg.noise, cfg.seed)
    x = torch.from_numpy(melody_np).float().to(ctx.device)
    kernels = [torch.from_numpy(k).float().to(ctx.device) for k in kernels_np]
    seconds = x.shape[0] / RATE
    slot = int(NOTE_SECONDS * RATE)

    outs = [convolve_same(x, k, torch) for k in kernels]
    shares = torch.stack([slot_shares(y, len(NOTES)) for y in outs]).cpu()  # (kernel, slot)
    own = {name.lower(): float(shares[i, i]) for i, (name, _) in enumerate(NOTES)}
    metrics = {f"share_{n}": v for n, v in own.items()}
    metrics["min_share"] = min(own.values())
    metrics["ab6_in_ab5"] = float(shares[0, 2])

    # Waveform: min and max per column of samples (a sine at 1.6 kHz cannot be drawn sample by sample).
    cols = 400
    per = x.shape[0] // cols
    chunks = x[: per * cols].view(cols, per)
    tcol = [(i + 0.5) * per / RATE for i in range(cols)]
    ctx.figure("waveform", Figure(
        title="The melody x(t)",
        series=[Series(tcol, chunks.max(1).values.tolist(), label="max", color="cyan"),
                Series(tcol, chunks.min(1).values.tolist(), label="min", color="blue")],
        xlabel="time (s)", ylabel="x(t)", xlim=(0, seconds),
        caption=f"Ab6 Eb6 Ab5 Bb5, {NOTE_SECONDS:g} s each, decaying as e^(−3t), noise σ = {cfg.noise:g}; "
                "w writes the melody and the convolutions as WAV files"))

    zoom = torch.arange(500, 600)
    pure = torch.sin(2 * math.pi * NOTES[0][1] * zoom / RATE) * math.exp(-3 * 550 / RATE)
    ctx.figure("zoom", Figure(
        title="Samples 500–600 vs a pure Ab6 sine",
        series=[Series(zoom.tolist(), x[500:600].tolist(), label="melody", color="cyan"),
                Series(zoom.tolist(), pure.tolist(), label="pure Ab6", color="red")],
        xlabel="sample", ylabel="x",
        caption=f"inside the Ab6 note: the harmonic (amplitude {cfg.harmonic:g}) bends the 1661 Hz sine"))

    nfft, hop, bins = 512, 256, 48  # 48 bins of 43 Hz: 0–2067 Hz
    spec = torch.stft(x, nfft, hop_length=hop, window=torch.hann_window(nfft, device=ctx.device),
                      return_complex=True).abs()
    db = 20 * torch.log10(spec[:bins] + 1e-3)
    db = db.clamp(min=float(db.max()) - 60)  # a 60 dB range, like a spectrogram's colour bar
    # Rows of 86 Hz (max of two bins), each also taking its neighbours' maximum: a small terminal
    # samples only some rows of the map, and a note must not fall between them.
    rows = db.view(bins // 2, 2, -1).amax(1)
    padded = torch.nn.functional.pad(rows[None, None], (0, 0, 1, 1), mode="replicate")[0, 0]
    rows = torch.stack([padded[:-2], padded[1:-1], padded[2:]]).amax(0)
    ctx.figure("spectrogram", Figure(
        title="Spectrogram, 0–2 kHz",
        heatmap=Heatmap(z=rows.cpu().tolist(), x_range=(0.0, seconds), y_range=(0.0, bins * RATE / nfft),
                        label="dB"),
        xlabel="time (s)", ylabel="Hz",
        caption="512-sample Hann frames; notes at " + ", ".join(f"{n} {f:.0f} Hz" for n, f in NOTES)
                + "; harmonics at 2f"))

    window = int(0.01 * RATE)
    envs = [_rms_frames(y, window) for y in outs]
    envs = [(e / e.max().clamp(min=1e-12)).cpu() for e in envs]
    frames = envs[0].shape[0]
    tenv = [(i + 0.5) * window / RATE for i in range(frames)]
    names = [n for n, _ in NOTES]

    def draw(upto: int) -> None:
        series = []
        for i, (name, e) in enumerate(zip(names, envs)):
            offset = 1.2 * (len(NOTES) - 1 - i)  # Ab6 on top, in playing order
            # No labels: the title names the rows, and a legend box would hide the top trace.
            series.append(Series(tenv[:upto], (e[:upto] + offset).tolist(), color=i))
        bounds = [b * NOTE_SECONDS for b in range(1, len(NOTES))]
        series.append(Series([b for b in bounds for _ in range(12)],
                             [k * 0.4 for _ in bounds for k in range(12)], style="scatter",
                             color="gray", marker="·"))
        ctx.figure("envelopes", Figure(
            title="|x ∗ tone|, top to bottom: " + " ".join(names),
            series=series, xlabel="time (s)", ylabel="RMS envelope (stacked)", xlim=(0, seconds),
            ylim=(-0.1, 1.2 * len(NOTES)),
            caption=f"{cfg.kernel:g} s tones; own-slot energy "
                    + " ".join(f"{n} {own[n.lower()]:.2f}" for n in names)
                    + f" · Ab6 kernel in the Ab5 slot {metrics['ab6_in_ab5']:.2f}"))

    # The playhead: frames of 20 ms, paced to `animate` seconds in the app, instant headless.
    step_frames = 2
    total = (frames + step_frames - 1) // step_frames
    pause = cfg.animate / total if ctx.live else 0.0
    ctx.begin(total)
    draw(1)
    for step in range(1, total + 1):
        at = min(frames, step * step_frames)
        ctx.report(step, **{f"env_{n.lower()}": float(e[at - 1]) for n, e in zip(names, envs)})
        if step % 5 == 0 or step == total:
            draw(at)
        if ctx.should_stop():
            break
        if pause:
            time.sleep(pause)
    draw(frames)
    return metrics


def expectation_met(m: dict[str, float]) -> bool:
    if not set(INFO.metrics) <= set(m):
        return False
    shares = [m[f"share_{n.lower()}"] for n, _ in NOTES]
    return bool(all(0.85 <= s <= 0.995 for s in shares) and m["ab6_in_ab5"] >= 0.03)
