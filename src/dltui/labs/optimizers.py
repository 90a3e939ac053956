"""SGD, momentum, RMSprop and Adam racing on 2-D loss surfaces, drawn over the surface's heatmap."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from dltui.figures import Figure, Series
from dltui.labspec import LabDiverged, LabInfo, setting

OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
NAMES = {"sgd": "SGD", "momentum": "momentum", "rmsprop": "RMSprop", "adam": "Adam"}
# start, minima, view window per surface
SURFACES = {
    "quadratic": ((1.0, 1.0), ((0.0, 0.0),), (-1.5, 1.5), (-1.5, 1.5)),
    "rosenbrock": ((-1.2, 1.0), ((1.0, 1.0),), (-2.0, 2.0), (-1.0, 3.0)),
    "saddle": ((1.5, 0.01), ((0.0, 1.0), (0.0, -1.0)), (-2.0, 2.0), (-1.6, 1.6)),
}

INFO = LabInfo(
    id="optimizers",
    title="Optimisers on loss surfaces",
    summary="SGD, momentum, RMSprop and Adam on a quadratic, Rosenbrock's valley and a saddle, paths drawn live",
    lessons=("t8_optim_i", "t8_optim_ii"),
    expectation=("in Rosenbrock's curved valley from (−1.2, 1), 2000 steps: Adam (lr 0.01) and momentum 0.9 "
                 "(lr 0.001) end within 0.05 of the minimum (1, 1), plain SGD with the same lr stays over 0.3 away"),
    metrics={
        **{f"loss_{o}": f"final value of the surface f(w) for {NAMES[o]}" for o in OPTIMIZERS},
        **{f"dist_{o}": f"final distance from {NAMES[o]}'s w to the nearest minimum" for o in OPTIMIZERS},
    },
)


@dataclass
class Settings:
    surface: str = setting("rosenbrock", choices=tuple(SURFACES),
                           help="quadratic ½(x² + κy²), Rosenbrock (1−x)² + 100(y−x²)², saddle ½x² + ¼y⁴ − ½y²")
    optimizers: str = setting("all", choices=("all",) + OPTIMIZERS, help="which optimiser(s) to run")
    lr: float = setting(0.001, 1e-5, 10.0, help="learning rate of SGD and momentum (quadratic diverges for lr > 2/κ)")
    lr_adaptive: float = setting(0.01, 1e-5, 10.0, help="learning rate of RMSprop and Adam")
    momentum: float = setting(0.9, 0.0, 0.99, help="momentum β: v ← g + β v (steps add up to about lr/(1 − β))")
    alpha: float = setting(0.9, 0.0, 0.9999, help="decay of the squared-gradient average (RMSprop, Adam)")
    beta1: float = setting(0.9, 0.0, 0.9999, help="decay of Adam's gradient average")
    curvature: float = setting(5.0, 0.1, 100.0, help="κ, the curvature along y of the quadratic (x has 1)")
    noise: float = setting(0.0, 0.0, 5.0, help="std of a random linear term bᵀw redrawn each step (noisy gradients)")
    steps: int = setting(2000, 1, 20000, help="optimisation steps")
    animate: float = setting(3.0, 0.0, 30.0, help="seconds the whole run is stretched over, so paths can be watched")
    seed: int = setting(0, 0, 2**31 - 1, help="seed of the gradient noise")


def surface_fn(name: str, kappa: float):
    if name == "quadratic":
        return lambda x, y: 0.5 * (x ** 2 + kappa * y ** 2)
    if name == "rosenbrock":
        return lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2
    return lambda x, y: 0.5 * x ** 2 + 0.25 * y ** 4 - 0.5 * y ** 2


def train(cfg: Settings, ctx) -> dict[str, float]:
    import torch

    from dltui.labs._common import grid, heatmap

    dev = ctx.device
    opts = list(OPTIMIZERS) if cfg.optimizers == "all" else [cfg.optimizers]
    start, minima, xr, yr = SURFACES[cfg.surface]
    f = surface_fn(cfg.surface, cfg.curvature)
    # One row of w per optimiser; they never interact, so one backward pass serves them all.
    w = torch.tensor([start] * len(opts), device=dev, dtype=torch.float64, requires_grad=True)
    m1 = torch.zeros(len(opts), 2, device=dev, dtype=torch.float64)  # momentum / first moment
    m2 = torch.zeros_like(m1)  # squared-gradient average
    lrs = torch.tensor([[cfg.lr if o in ("sgd", "momentum") else cfg.lr_adaptive] for o in opts],
                       device=dev, dtype=torch.float64)
    mins = torch.tensor(minima, device=dev, dtype=torch.float64)
    gen = torch.Generator().manual_seed(cfg.seed)
    nx, ny = 64, 40
    G = grid(xr, yr, nx, ny, dev).double()
    surf = heatmap(f(G[:, 0], G[:, 1]), xr, yr, nx, ny, label="f(w)", log_scale=True)
    paths = [[list(start)] for _ in opts]
    marks = Series([p[0] for p in minima], [p[1] for p in minima], label="minimum", style="scatter",
                   color="white", marker="x")

    def objective(wt):
        value = f(wt[:, 0], wt[:, 1])
        if cfg.noise:  # notebook-style noise: a random linear term, the same for every optimiser
            b = (cfg.noise * torch.randn(2, generator=gen, dtype=torch.float64)).to(dev)
            value = value + wt @ b
        return value

    def result() -> dict[str, float]:
        with torch.no_grad():
            loss = f(w[:, 0], w[:, 1])
            dist = torch.cdist(w, mins).min(dim=1).values
        out = {}
        for i, o in enumerate(opts):
            out[f"loss_{o}"] = float(loss[i])
            out[f"dist_{o}"] = float(dist[i])
        return out

    def draw(step: int) -> None:
        series = [marks]
        for i, o in enumerate(opts):
            path = paths[i]
            xs, ys = zip(*(path[:: max(1, len(path) // 300)] + path[-1:]))
            series.append(Series(list(xs), list(ys), label=NAMES[o], color=i + 1))
            series.append(Series([xs[-1]], [ys[-1]], style="scatter", color=i + 1, marker="●"))
        r = result()
        ctx.figure("paths", Figure(
            title=f"{cfg.surface} surface, step {step}", heatmap=surf, series=series, xlim=xr, ylim=yr,
            xlabel="w1", ylabel="w2",
            caption="  ".join(f"{NAMES[o]} f={r[f'loss_{o}']:.3g}" for o in opts)))

    kind = torch.tensor([OPTIMIZERS.index(o) for o in opts], device=dev)[:, None]
    ctx.begin(cfg.steps)
    every = max(1, cfg.steps // 80)
    pause = cfg.animate / cfg.steps if ctx.live else 0.0  # headless runs never sleep
    for t in range(1, cfg.steps + 1):
        value = objective(w)
        (g,) = torch.autograd.grad(value.sum(), w)
        with torch.no_grad():
            # Every rule is computed for every row (2 numbers each, cheaper than looping) and each
            # row keeps its own; m1 is momentum's v for that row and Adam's first moment for Adam's.
            b1 = torch.where(kind == 1, cfg.momentum, cfg.beta1)
            m1 = torch.where((kind == 1) & (t == 1), g,  # momentum: v = g first, then g + βv (no dampening)
                             torch.where(kind == 1, g + b1 * m1, b1 * m1 + (1 - b1) * g))
            m2 = cfg.alpha * m2 + (1 - cfg.alpha) * g ** 2
            rms = g / (m2.sqrt() + 1e-8)
            adam = (m1 / (1 - cfg.beta1 ** t)) / ((m2 / (1 - cfg.alpha ** t)).sqrt() + 1e-8)
            step = torch.where(kind == 0, g, torch.where(kind == 1, m1, torch.where(kind == 2, rms, adam)))
            w -= lrs * step
            size = w.abs().max(dim=1).values.tolist()
            now = w.tolist()
        for i, o in enumerate(opts):
            if not math.isfinite(size[i]) or size[i] > 1e3:
                draw(t)
                raise LabDiverged(f"{NAMES[o]} diverged at step {t}: |w| passed 1000. {_why_diverged(o, cfg)}")
            paths[i].append(now[i])
        ctx.report(t, **{f"loss_{o}": float(v) for o, v in zip(opts, value.tolist())})
        if t % every == 0 or t == cfg.steps:
            draw(t)
        if ctx.should_stop():
            break
        if pause:
            time.sleep(pause)
    return result()


def _why_diverged(opt: str, cfg: Settings) -> str:
    if opt == "sgd":
        return ("The step lr·∇f is too large for the curvature (on the quadratic SGD needs lr < 2/κ); "
                "lower the learning rate (lr).")
    if opt == "momentum":
        return (f"With momentum β = {cfg.momentum:g} the steps add up to about lr/(1 − β) = "
                f"{cfg.lr / (1 - cfg.momentum):.3g} times the gradient, too much for this surface; "
                "lower the learning rate (lr) or the momentum.")
    return ("Its steps are about lr_adaptive per coordinate, too large for this surface; lower the "
            "adaptive learning rate (lr_adaptive), or raise alpha so the gradient scale is averaged longer.")


def expectation_met(m: dict[str, float]) -> bool:
    if not any(f"dist_{o}" in m for o in ("adam", "momentum", "sgd")):  # RMSprop alone: no claim about it
        return False
    ok = all(m[f"dist_{o}"] <= 0.05 for o in ("adam", "momentum") if f"dist_{o}" in m)
    if "dist_sgd" in m:
        ok &= m["dist_sgd"] > 0.3
    return bool(ok)
