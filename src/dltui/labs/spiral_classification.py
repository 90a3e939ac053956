"""Spiral classification: a linear model against a net with one hidden ReLU layer."""

from __future__ import annotations

from dataclasses import dataclass

from dltui.figures import Figure, Series
from dltui.labspec import LabInfo, setting

INFO = LabInfo(
    id="spiral_classification",
    title="Spiral classification",
    summary="3-arm spiral: a linear classifier stalls near 0.5 while one hidden ReLU layer separates the arms",
    lessons=("t1_nn_training",),
    expectation="hidden-layer net training accuracy ≥ 0.9 while the linear model stays ≤ 0.65",
    metrics={
        "acc_linear": "training accuracy of the linear model (0–1)",
        "acc_hidden": "training accuracy of the one-hidden-layer net (0–1)",
        "loss_linear": "final cross-entropy of the linear model",
        "loss_hidden": "final cross-entropy of the one-hidden-layer net",
    },
)

MODELS = ("both", "linear", "hidden")


@dataclass
class Settings:
    model: str = setting("both", choices=MODELS, help="which model(s) to train")
    classes: int = setting(3, 2, 6, help="number of spiral arms (classes)")
    points: int = setting(200, 50, 2000, help="points per class")
    noise: float = setting(0.2, 0.0, 1.0, help="angular noise of the arms (radians)")
    hidden: int = setting(100, 2, 1000, help="hidden units")
    activation: str = setting("relu", choices=("relu", "tanh", "none"), help="non-linearity of the hidden net")
    optimizer: str = setting("adam", choices=("adam", "sgd"), help="optimiser for both models")
    lr: float = setting(0.01, 1e-5, 100.0, help="learning rate")
    steps: int = setting(300, 10, 10000, help="full-batch training steps")
    seed: int = setting(0, 0, 2**31 - 1, help="random seed")


def make_spiral(n: int, classes: int, noise: float, generator, device: str):
    """n points per class on `classes` interleaved arms (course notebook 04's recipe)."""
    import math

    import torch

    xs, ys = [], []
    t = torch.linspace(0, 1, n)
    for c in range(classes):
        angle = torch.linspace(2 * math.pi * c / classes, 2 * math.pi * (c + 2) / classes, n)
        angle = angle + noise * torch.randn(n, generator=generator)
        xs.append(torch.stack([t * angle.sin(), t * angle.cos()], dim=1))
        ys.append(torch.full((n,), c, dtype=torch.long))
    return torch.cat(xs).to(device), torch.cat(ys).to(device)


def build(kind: str, hidden: int, classes: int, activation: str):
    from torch import nn

    if kind == "linear":  # two stacked linear maps are still one linear map
        return nn.Sequential(nn.Linear(2, hidden), nn.Linear(hidden, classes))
    act = {"relu": nn.ReLU(), "tanh": nn.Tanh(), "none": nn.Identity()}[activation]
    return nn.Sequential(nn.Linear(2, hidden), act, nn.Linear(hidden, classes))


def train(cfg: Settings, ctx) -> dict[str, float]:
    import torch
    import torch.nn.functional as F

    from dltui.labs._common import grid, heatmap

    gen = torch.Generator().manual_seed(cfg.seed)
    X, y = make_spiral(cfg.points, cfg.classes, cfg.noise, gen, ctx.device)
    torch.manual_seed(cfg.seed)
    kinds = ["linear", "hidden"] if cfg.model == "both" else [cfg.model]
    nets = {k: build(k, cfg.hidden, cfg.classes, cfg.activation).to(ctx.device) for k in kinds}
    opt_cls = torch.optim.Adam if cfg.optimizer == "adam" else torch.optim.SGD
    opts = {k: opt_cls(n.parameters(), lr=cfg.lr) for k, n in nets.items()}

    lim = (-1.1, 1.1)
    nx, ny = 64, 40
    G = grid(lim, lim, nx, ny, ctx.device)  # (ny·nx, 2)
    sub = torch.arange(0, X.shape[0], max(1, X.shape[0] // 300), device=X.device)
    points = [Series(X[sub][y[sub] == c, 0].tolist(), X[sub][y[sub] == c, 1].tolist(),
                     label=f"class {c}", style="scatter", color=c, marker="●")
              for c in range(cfg.classes)]

    def draw(step: int) -> None:
        with torch.no_grad():
            for k, net in nets.items():
                regions = net(G).argmax(dim=1)
                name = "one hidden layer" if k == "hidden" else "linear"
                ctx.figure(f"regions: {name}", Figure(
                    title=f"Decision regions, {name} model (step {step})",
                    heatmap=heatmap(regions, lim, lim, nx, ny, categorical=True, label="class"),
                    series=points, xlim=lim, ylim=lim))

    ctx.begin(cfg.steps)
    metrics: dict[str, float] = {}
    for step in range(1, cfg.steps + 1):
        scalars = {}
        for k, net in nets.items():
            logits = net(X)
            loss = F.cross_entropy(logits, y)
            opts[k].zero_grad()
            loss.backward()
            opts[k].step()
            scalars[f"loss_{k}"] = loss.item()
            scalars[f"acc_{k}"] = (logits.argmax(1) == y).float().mean().item()
        ctx.report(step, **scalars)
        metrics = scalars
        if step % 10 == 0 or step == cfg.steps:
            draw(step)
        if ctx.should_stop():
            break
    return metrics


def expectation_met(m: dict[str, float]) -> bool:
    if "acc_hidden" not in m and "acc_linear" not in m:  # nothing to judge
        return False
    ok = True
    if "acc_hidden" in m:
        ok &= m["acc_hidden"] >= 0.9
    if "acc_linear" in m:
        ok &= m["acc_linear"] <= 0.65
    return bool(ok)
