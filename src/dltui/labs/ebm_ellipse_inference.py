"""Inference in a latent-variable EBM: the ellipse decoder, E(y, z), ž, F∞ and the relaxed Fβ.

The helpers below (samples, energies, free energies) are shared with ``ebm_ellipse_training``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from dltui.figures import Figure, Series
from dltui.labspec import LabInfo, setting

INFO = LabInfo(
    id="ebm_ellipse_inference",
    title="Ellipse EBM: inference and free energy",
    summary="Energy E(y, z) of an ellipse decoder, its minimiser ž, and the free-energy landscape F∞ / Fβ",
    lessons=("t3_lv_ebm_inference",),
    expectation=("untrained ellipse w = (1.5, 0.36): F∞(0, 0) = 0.13 (a bump between two valleys), "
                 "F∞(0, −2) = 2.69 with ž = 3π/2 ≈ 4.71, and Fβ ≥ F∞ everywhere"),
    metrics={
        "f_inf_center": "zero-temperature free energy F∞ at the origin (0, 0)",
        "f_beta_center": "relaxed free energy Fβ at the origin for the chosen β",
        "f_inf_point": "F∞ at the chosen point (y1, y2)",
        "f_beta_point": "Fβ at the chosen point (y1, y2)",
        "z_check": "ž at the chosen point (radians, 0–2π): grid argmin, or where gradient descent stopped",
        "e_check": "E(y, ž) for that ž",
        "e_excess": "E(y, ž) − F∞(y): about 0 at the global minimum, > 0 if descent stopped in a shallower one",
        "f_inf_data": "mean F∞ over the training samples (how far the data lie from the model ellipse)",
        "gap_min": "smallest Fβ − F∞ over the y grid (never negative with the 1/|Z| normalisation)",
    },
    steps_label="β step",
)

LIM1, LIM2 = (-3.0, 3.0), (-2.0, 2.0)  # the notes' view of the y plane
NX, NY = 72, 48


@dataclass
class Settings:
    w1: float = setting(1.5, 0.0, 5.0, help="decoder semi-axis along y1 (untrained value 1.5)")
    w2: float = setting(0.36, 0.0, 5.0, help="decoder semi-axis along y2 (untrained value 0.36)")
    beta: float = setting(3.0, 0.01, 1000.0, help="inverse temperature β of the relaxed free energy Fβ")
    y1: float = setting(0.0, -3.0, 3.0, help="first coordinate of the point whose E(z) is shown")
    y2: float = setting(-2.0, -2.0, 2.0, help="second coordinate of the chosen point")
    z_points: int = setting(48, 4, 720, help="size of the latent grid over [0, 2π) (notes: 48)")
    inference: str = setting("grid", choices=("grid", "gradient"),
                             help="ž by exhaustive search over the z grid, or by gradient descent on z from z_init")
    z_init: float = setting(0.0, 0.0, 6.2832, help="starting z of gradient-descent inference (radians)")
    z_lr: float = setting(0.1, 0.001, 10.0, help="step size of gradient-descent inference")
    z_steps: int = setting(300, 1, 5000, help="steps of gradient-descent inference")
    samples: int = setting(24, 0, 500, help="training samples drawn on the true ellipse (2, 1.5)")
    sweep: int = setting(20, 1, 200, help="β steps, from β = 0.05 up to the chosen β")
    pause: float = setting(0.1, 0.0, 1.0, help="seconds between β steps, so the sharpening is visible")
    seed: int = setting(0, 0, 2**31 - 1, help="random seed of the samples")


def ellipse_samples(n: int, seed: int, device: str, axes=(2.0, 1.5), noise: float = 0.05):
    """n noisy points of the horn at x = 0, i.e. on the ellipse with semi-axes `axes`."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    theta = 2 * math.pi * torch.rand(n, generator=gen)
    eps = noise * torch.randn(n, 2, generator=gen)
    y = torch.stack([axes[0] * theta.cos(), axes[1] * theta.sin()], dim=1) + eps
    return y.to(device)


def z_grid(n: int, device: str):
    import torch

    return torch.arange(n, device=device, dtype=torch.float32) * (2 * math.pi / n)


def energy(y, w, z):
    """E(y, z) = ‖y − g(z)‖² with g(z) = (w1 cos z, w2 sin z); y (N, 2), z (K,) → (N, K).

    w is one pair of semi-axes (2,) or one pair per sample (N, 2), as the conditional horn needs.
    """
    return (y[:, :1] - w[..., :1] * z.cos()) ** 2 + (y[:, 1:] - w[..., 1:] * z.sin()) ** 2


def free_energy(E, beta: float | None):
    """Free energy per row of E (N, K). beta None = zero temperature, F∞ = min_z E.

    Relaxed: Fβ = −(1/β) log( (1/|Z|) ∫ exp(−βE) dz ). On the grid dz = 2π/K and |Z| = 2π, so the
    integral over |Z| is the plain mean over the K values: −(1/β)(logsumexp(−βE) − log K), as in the
    notes. With this normalisation F∞ ≤ Fβ ≤ F∞ + log(K)/β, and Fβ → mean_z E as β → 0.
    """
    if beta is None:
        return E.min(dim=1).values
    return -(E.mul(-beta).logsumexp(dim=1) - math.log(E.shape[1])) / beta


def descend(point, w, z0: float, lr: float, steps: int):
    """Gradient descent on the latent alone: returns ž in [0, 2π) and (z, E) samples of the path."""
    import torch

    z = torch.tensor([float(z0)], device=point.device, requires_grad=True)
    path = []
    for t in range(steps):
        e = energy(point, w, z)[0, 0]
        (g,) = torch.autograd.grad(e, z)
        if t % max(1, steps // 40) == 0:
            path.append((float(z.detach()) % (2 * math.pi), float(e.detach())))
        with torch.no_grad():
            z -= lr * g
    return float(z.detach()) % (2 * math.pi), path


def ellipse_series(w, label: str, color, n: int = 120) -> Series:
    t = [2 * math.pi * i / n for i in range(n + 1)]
    return Series([float(w[0]) * math.cos(a) for a in t], [float(w[1]) * math.sin(a) for a in t],
                  label=label, color=color)


def data_series(y) -> Series:
    return Series(y[:, 0].tolist(), y[:, 1].tolist(), label="data", style="scatter", color="white",
                  marker="●")


def train(cfg: Settings, ctx) -> dict[str, float]:
    import torch

    from dltui.labs._common import grid, heatmap

    dev = ctx.device
    w = torch.tensor([cfg.w1, cfg.w2], device=dev)
    z = z_grid(cfg.z_points, dev)
    Y = ellipse_samples(cfg.samples, cfg.seed, dev)
    G = grid(LIM1, LIM2, NX, NY, dev)
    E_grid = energy(G, w, z)  # (NY·NX, K): every later landscape is a reduction of this
    f_inf = free_energy(E_grid, None)
    centre = torch.zeros(1, 2, device=dev)
    point = torch.tensor([[cfg.y1, cfg.y2]], device=dev)
    E_pt = energy(point, w, z)[0]
    k = int(E_pt.argmin())
    z_check, e_check, z_path = float(z[k]), float(E_pt[k]), []
    if cfg.inference == "gradient":
        z_check, z_path = descend(point, w, cfg.z_init, cfg.z_lr, cfg.z_steps)
        e_check = float(energy(point, w, torch.tensor([z_check], device=dev))[0, 0])
    f_inf_c = float(free_energy(energy(centre, w, z), None))
    f_inf_p = float(E_pt[k])
    f_inf_data = float(free_energy(energy(Y, w, z), None).mean()) if cfg.samples else 0.0

    manifold = ellipse_series(w, "model ellipse", "cyan")
    chosen = Series([cfg.y1], [cfg.y2], label="y", style="scatter", color="red", marker="x")
    decoded = Series([cfg.w1 * math.cos(z_check)], [cfg.w2 * math.sin(z_check)], label="g(ž)",
                     style="scatter", color="yellow", marker="o")
    overlay = ([data_series(Y)] if cfg.samples else []) + [manifold, chosen, decoded]
    ctx.figure("landscape: F∞", Figure(
        title=f"Zero-temperature free energy F∞(y) = min_z E(y, z), w = ({cfg.w1:g}, {cfg.w2:g})",
        heatmap=heatmap(f_inf, LIM1, LIM2, NX, NY, label="F∞(y)", log_scale=True),
        series=overlay, xlim=LIM1, ylim=LIM2, xlabel="y1", ylabel="y2",
        caption=f"F∞(0,0) = {f_inf_c:.3f}   F∞(y) = {f_inf_p:.3f}   mean F∞ on data = {f_inf_data:.3f}"))
    zs = z.tolist()
    ctx.figure("energy E(z)", Figure(
        title=f"E(y, z) at y = ({cfg.y1:g}, {cfg.y2:g}) over the {cfg.z_points}-point z grid",
        series=[Series(zs, E_pt.tolist(), label="E(y, z)", color="cyan")]
        + ([Series([p[0] for p in z_path], [p[1] for p in z_path], label="descent", style="scatter",
                   color="yellow", marker="dot")] if z_path else [])
        + [Series([z_check], [e_check], label="ž", style="scatter", color="red", marker="x")],
        xlabel="z (radians)", ylabel="E", xlim=(0.0, 2 * math.pi),
        caption=f"ž = {z_check:.3f} rad ({cfg.inference}), E(y, ž) = {e_check:.3f}; F∞(y) = {f_inf_p:.3f}"))

    # Sweep β geometrically from hot to the chosen value so the landscape visibly sharpens.
    b0 = min(0.05, cfg.beta)
    betas = [b0 * (cfg.beta / b0) ** (i / max(1, cfg.sweep - 1)) for i in range(cfg.sweep)]
    ys = torch.linspace(LIM2[0], LIM2[1], 81, device=dev)
    section = torch.stack([torch.zeros_like(ys), ys], dim=1)
    E_sec = energy(section, w, z)
    ctx.begin(len(betas))
    m: dict[str, float] = {}
    for step, beta in enumerate(betas, start=1):
        f_beta = free_energy(E_grid, beta)
        f_beta_c = float(free_energy(energy(centre, w, z), beta))
        f_beta_p = float(free_energy(E_pt[None], beta))
        m = dict(f_inf_center=f_inf_c, f_beta_center=f_beta_c, f_inf_point=f_inf_p,
                 f_beta_point=f_beta_p, z_check=z_check, e_check=e_check, e_excess=e_check - f_inf_p,
                 f_inf_data=f_inf_data,
                 gap_min=float((f_beta - f_inf).min()))
        ctx.report(step, f_beta_center=f_beta_c, f_beta_point=f_beta_p)  # β itself is in the titles
        ctx.figure("landscape: Fβ", Figure(
            title=f"Relaxed free energy Fβ(y), β = {beta:.3g}",
            heatmap=heatmap(f_beta, LIM1, LIM2, NX, NY, label="Fβ(y)", log_scale=True),
            series=overlay, xlim=LIM1, ylim=LIM2, xlabel="y1", ylabel="y2",
            caption=f"β = {beta:.3g}   Fβ(0,0) = {f_beta_c:.3f}   Fβ(y) = {f_beta_p:.3f}"))
        ctx.figure("cross-section y1 = 0", Figure(
            title="Free energy along y1 = 0",
            series=[Series(ys.tolist(), free_energy(E_sec, None).tolist(), label="F∞", color="red"),
                    Series(ys.tolist(), free_energy(E_sec, beta).tolist(), label=f"Fβ, β={beta:.3g}",
                           color="cyan")],
            xlabel="y2", ylabel="free energy", xlim=LIM2))
        if ctx.should_stop():
            break
        if cfg.pause and ctx.live and step < len(betas):  # headless runs never sleep
            time.sleep(cfg.pause)
    return m


def expectation_met(m: dict[str, float]) -> bool:
    # a missing metric (a stopped run) is NaN, and every comparison with NaN is False: not met
    m = {k: m.get(k, math.nan) for k in INFO.metrics}
    return bool(abs(m["f_inf_center"] - 0.13) < 0.005 and abs(m["f_inf_point"] - 2.69) < 0.005
            and abs(m["z_check"] - 3 * math.pi / 2) < 0.01 and m["gap_min"] >= -1e-5)
