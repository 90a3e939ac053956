"""Training a latent-variable EBM: fit the ellipse decoder's axes by pushing down the free energy."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from dltui.figures import Figure, Series
from dltui.labs.ebm_ellipse_inference import (LIM1, LIM2, NX, NY, data_series, ellipse_samples,
                                              ellipse_series, energy, free_energy, z_grid)
from dltui.labspec import LabInfo, setting

INFO = LabInfo(
    id="ebm_ellipse_training",
    title="Ellipse EBM: training by free energy",
    summary="Learn the ellipse axes (w1, w2) by minimising F∞ or Fβ of the data; a hot β collapses them to 0",
    lessons=("t3_lv_ebm_training",),
    expectation=("zero-temperature training from w = (1.5, 0.35) learns |w1|, |w2| within 5 % of the true "
                 "axes (2, 1.5) and the mean F∞ on the data falls below 0.02; relaxed with β = 0.1 the "
                 "axes collapse towards (0, 0)"),
    metrics={
        "loss": "final training loss: mean free energy of the samples (F∞ or Fβ)",
        "w1": "learned semi-axis along y1 (truth 2)",
        "w2": "learned semi-axis along y2 (truth 1.5)",
        "axis_error": "largest relative error of |w1|, |w2| against the true axes (0 = exact)",
        "energy_data": "mean zero-temperature free energy F∞ of the samples under the learned ellipse",
    },
)

TRUE_W = (2.0, 1.5)
SECTION_BETAS = (0.1, 1.0, 10.0)


@dataclass
class Settings:
    free_energy: str = setting("zero-temperature", choices=("zero-temperature", "relaxed"),
                               help="loss per sample: F∞ = min_z E, or the softmin Fβ at inverse temperature β")
    beta: float = setting(10.0, 0.01, 1000.0, help="β of the relaxed free energy (small β = hot = average over z)")
    w1_init: float = setting(1.5, 0.0, 5.0, help="initial semi-axis along y1")
    w2_init: float = setting(0.35, 0.0, 5.0, help="initial semi-axis along y2")
    optimizer: str = setting("sgd", choices=("sgd", "adam"), help="optimiser for (w1, w2)")
    lr: float = setting(0.1, 1e-4, 100.0, help="learning rate")
    steps: int = setting(200, 1, 5000, help="full-batch training steps")
    samples: int = setting(24, 2, 2000, help="training samples on the ellipse (2, 1.5) with noise 0.05")
    z_points: int = setting(48, 4, 720, help="size of the latent grid over [0, 2π)")
    pause: float = setting(0.015, 0.0, 0.5, help="seconds per step, so the ellipse can be watched moving")
    seed: int = setting(0, 0, 2**31 - 1, help="random seed of the samples")


def train(cfg: Settings, ctx) -> dict[str, float]:
    import torch

    from dltui.labs._common import grid, heatmap

    dev = ctx.device
    Y = ellipse_samples(cfg.samples, cfg.seed, dev, TRUE_W)
    z = z_grid(cfg.z_points, dev)
    w = torch.tensor([cfg.w1_init, cfg.w2_init], device=dev, requires_grad=True)
    opt = (torch.optim.SGD if cfg.optimizer == "sgd" else torch.optim.Adam)([w], lr=cfg.lr)
    beta = None if cfg.free_energy == "zero-temperature" else cfg.beta
    fname = "F∞" if beta is None else "Fβ"
    G = grid(LIM1, LIM2, NX, NY, dev)
    ys = torch.linspace(LIM2[0], LIM2[1], 81, device=dev)
    section = torch.stack([torch.zeros_like(ys), ys], dim=1)
    truth = ellipse_series(TRUE_W, "true ellipse", "white")
    points = data_series(Y)
    points.color = "red"

    def metrics(loss: float) -> dict[str, float]:
        with torch.no_grad():
            a = w.abs().tolist()  # the sign of each axis is free: (−w1, w2) draws the same ellipse
            return dict(loss=loss, w1=a[0], w2=a[1],
                        axis_error=max(abs(a[0] - TRUE_W[0]) / TRUE_W[0], abs(a[1] - TRUE_W[1]) / TRUE_W[1]),
                        energy_data=float(free_energy(energy(Y, w, z), None).mean()))

    def draw(step: int, m: dict[str, float]) -> None:
        with torch.no_grad():
            F = free_energy(energy(G, w, z), beta)
            E_sec = energy(section, w, z)
            label = "F∞" if beta is None else f"Fβ (β={cfg.beta:g})"
            ctx.figure("landscape", Figure(
                title=f"{label} of the model after {step} steps",
                heatmap=heatmap(F, LIM1, LIM2, NX, NY, label=fname + "(y)", log_scale=True),
                series=[points, truth, ellipse_series(w.tolist(), "learned ellipse", "cyan")],
                xlim=LIM1, ylim=LIM2, xlabel="y1", ylabel="y2",
                caption=f"w = ({m['w1']:.3f}, {m['w2']:.3f}), truth (2, 1.5); mean F∞ on data {m['energy_data']:.4f}"))
            cols = ("magenta", "green", "cyan")
            lines = [Series(ys.tolist(), free_energy(E_sec, b).tolist(), label=f"β={b:g}", color=c)
                     for b, c in zip(SECTION_BETAS, cols)]
            lines.append(Series(ys.tolist(), free_energy(E_sec, None).tolist(), label="β=∞", color="red"))
            ctx.figure("cross-section y1 = 0", Figure(
                title="Free energy of the current model along y1 = 0", series=lines,
                xlabel="y2", ylabel="free energy", xlim=LIM2))

    ctx.begin(cfg.steps)
    m = metrics(float("nan"))
    for step in range(1, cfg.steps + 1):
        loss = free_energy(energy(Y, w, z), beta).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        w1, w2 = w.detach().tolist()
        ctx.report(step, loss=loss.item(), w1=w1, w2=w2)
        if step == 1 or step % 10 == 0 or step == cfg.steps:
            m = metrics(loss.item())
            draw(step, m)
        if ctx.should_stop():
            break
        if cfg.pause:
            time.sleep(cfg.pause)
    with torch.no_grad():
        final = float(free_energy(energy(Y, w, z), beta).mean())
    return metrics(final) if math.isfinite(final) else m


def expectation_met(m: dict[str, float]) -> bool:
    return m["axis_error"] <= 0.05 and m["energy_data"] < 0.02
