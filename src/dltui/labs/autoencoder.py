"""Autoencoders as energy models: the reconstruction energy ‖y − dec(enc(y))‖² over the plane."""

from __future__ import annotations

import math
from dataclasses import dataclass

from dltui.figures import Figure, Series
from dltui.labspec import LabInfo, setting

MODELS = {  # key -> (shown name, code size is the over-complete one?, trained on noisy inputs?)
    "under": ("under-complete", False, False),
    "denoise": ("denoising", True, True),
    "over": ("over-complete", True, False),
}

INFO = LabInfo(
    id="autoencoder",
    title="Autoencoder energy landscapes",
    summary="Reconstruction energy ‖y − AE(y)‖² over the plane: under-complete and denoising AEs carve a "
            "valley along the data, a plain over-complete AE leaks",
    lessons=("t4_unsup_autoencoders", "t4_ae_gan_pytorch"),
    expectation=("on the ellipse, the under-complete (1-number code) and denoising AEs keep the energy off the "
                 "curve ≥ 0.5 and ≥ 10× the energy on it, while the plain over-complete AE leaks: "
                 "off-curve energy ≤ 0.35"),
    metrics={
        **{f"loss_{k}": f"final training reconstruction error (MSE) of the {v[0]} AE" for k, v in MODELS.items()},
        **{f"energy_on_{k}": f"median energy ‖y − AE(y)‖² of the {v[0]} AE on points of the true curve"
           for k, v in MODELS.items()},
        **{f"energy_off_{k}": f"mean energy of the {v[0]} AE on grid points farther than 0.5 from the curve"
           for k, v in MODELS.items()},
    },
)

LIM1, LIM2 = (-3.0, 3.0), (-2.0, 2.0)
NX, NY = 72, 48


@dataclass
class Settings:
    models: str = setting("all", choices=("all", "under", "denoise", "over"),
                          help="which autoencoder(s) to train: under-complete, denoising, over-complete")
    data: str = setting("ellipse", choices=("ellipse", "spiral"), help="the 1-D data manifold in the plane")
    points: int = setting(400, 50, 5000, help="training points")
    data_noise: float = setting(0.05, 0.0, 0.5, help="noise of the training points around the curve")
    code: int = setting(8, 2, 256, help="code size of the over-complete and denoising AEs (the under-complete has 1)")
    hidden: int = setting(32, 4, 1024, help="hidden units in encoder and decoder")
    corruption: float = setting(0.5, 0.0, 2.0, help="std of the Gaussian noise added to the denoising AE's input")
    lr: float = setting(0.01, 1e-5, 10.0, help="Adam learning rate")
    steps: int = setting(1000, 10, 20000, help="full-batch training steps")
    seed: int = setting(0, 0, 2**31 - 1, help="random seed")


def curve(t, data: str):
    """Points of the manifold for parameters t in [0, 1)."""
    import torch

    if data == "ellipse":
        a = 2 * math.pi * t
        return torch.stack([2.0 * a.cos(), 1.5 * a.sin()], dim=1)
    a = 3 * math.pi * t + 0.5  # a 1.5-turn spiral, stretched to fill the 3:2 view
    r = 0.25 + 0.6 * a / math.pi
    return torch.stack([1.25 * r * a.cos(), 0.9 * r * a.sin()], dim=1)


def _build(code: int, hidden: int):
    from torch import nn

    return nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, code),
                         nn.Linear(code, hidden), nn.Tanh(), nn.Linear(hidden, 2))


def train(cfg: Settings, ctx) -> dict[str, float]:
    import torch

    from dltui.labs._common import grid, heatmap

    dev = ctx.device
    gen = torch.Generator().manual_seed(cfg.seed)
    Y = (curve(torch.rand(cfg.points, generator=gen), cfg.data)
         + cfg.data_noise * torch.randn(cfg.points, 2, generator=gen)).to(dev)
    on = curve(torch.arange(400) / 400, cfg.data).to(dev)  # clean points of the curve
    G = grid(LIM1, LIM2, NX, NY, dev)
    dist = torch.cdist(G, on).min(dim=1).values
    off = G[dist > 0.5]
    ideal_off = float(dist[dist > 0.5].pow(2).mean())  # what a perfect projection onto the curve would give
    torch.manual_seed(cfg.seed)
    keys = list(MODELS) if cfg.models == "all" else [cfg.models]
    nets = {k: _build(cfg.code if MODELS[k][1] else 1, cfg.hidden).to(dev) for k in keys}
    # One optimiser and one backward pass for all models: their parameters never interact, so this
    # is the same as training them apart, with a third of the per-step overhead.
    opt = torch.optim.Adam([p for n in nets.values() for p in n.parameters()], lr=cfg.lr, foreach=True)
    noise_gen = torch.Generator(device=dev).manual_seed(cfg.seed + 1)
    sub = Y[:: max(1, cfg.points // 200)]
    data_pts = Series(sub[:, 0].tolist(), sub[:, 1].tolist(), label="data", style="scatter",
                      color="white", marker="dot")

    def energy(net, y):
        return (y - net(y)).pow(2).sum(dim=1)

    def evaluate(k, loss: float) -> dict[str, float]:
        with torch.no_grad():
            # median: a 1-number code must cut a closed curve somewhere, and that seam's few huge
            # values would dominate a mean
            return {f"loss_{k}": loss, f"energy_on_{k}": float(energy(nets[k], on).median()),
                    f"energy_off_{k}": float(energy(nets[k], off).mean())}

    def draw(step: int, m: dict[str, float]) -> None:
        with torch.no_grad():
            for k, net in nets.items():
                name = MODELS[k][0]
                rec = net(sub)
                ctx.figure(f"energy: {name}", Figure(
                    title=f"Energy ‖y − AE(y)‖² of the {name} AE (step {step})",
                    heatmap=heatmap(energy(net, G).clamp_min(1e-4).log10(), LIM1, LIM2, NX, NY,
                                    label="log₁₀ ‖y − AE(y)‖²"),
                    series=[data_pts, Series(rec[:, 0].tolist(), rec[:, 1].tolist(), label="AE(y)",
                                             style="scatter", color="red", marker="dot")],
                    xlim=LIM1, ylim=LIM2, xlabel="y1", ylabel="y2",
                    caption=f"energy on the curve {m[f'energy_on_{k}']:.4f}, off it {m[f'energy_off_{k}']:.3f} "
                            f"(squared distance to the curve there: {ideal_off:.3f})"))

    ctx.begin(cfg.steps)
    metrics: dict[str, float] = {}
    for step in range(1, cfg.steps + 1):
        losses = {}
        for k, net in nets.items():
            x = Y
            if MODELS[k][2]:  # denoising: corrupt the input, reconstruct the clean point
                x = Y + cfg.corruption * torch.randn(Y.shape, generator=noise_gen, device=dev)
            losses[k] = (net(x) - Y).pow(2).sum(dim=1).mean()
        opt.zero_grad()
        sum(losses.values()).backward()
        opt.step()
        scalars = {f"loss_{k}": v for k, v in zip(losses, torch.stack(list(losses.values())).tolist())}
        ctx.report(step, **scalars)
        last = step == cfg.steps or ctx.should_stop()
        if step % 100 == 0 or last:
            metrics = {}
            for k in nets:
                metrics.update(evaluate(k, scalars[f"loss_{k}"]))
            draw(step, metrics)
        if ctx.should_stop():
            break
    return metrics


def expectation_met(m: dict[str, float]) -> bool:
    if not any(k.startswith("energy_off_") for k in m):  # nothing to judge
        return False
    ok = True
    for k in ("under", "denoise"):
        if f"energy_on_{k}" in m:
            ok &= m[f"energy_off_{k}"] >= max(0.5, 10 * m[f"energy_on_{k}"])
    if "energy_off_over" in m:
        ok &= m["energy_off_over"] <= 0.35
    return bool(ok)
