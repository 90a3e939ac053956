"""Space stretching: what a linear layer, a squashing tanh and a trained net do to the plane."""

from __future__ import annotations

import math
from dataclasses import dataclass

from dltui.figures import Bars, Figure, Series
from dltui.labspec import LabInfo, setting

INFO = LabInfo(
    id="space_stretching",
    title="Stretching and folding space",
    summary="Watch a cloud of points go through a random linear map, a tanh and a trained net with a 2-unit layer",
    lessons=("t1_nn_inference",),
    expectation="the trained net's 2-unit layer makes the spiral linearly separable (accuracy ≥ 0.9), "
                "and at gain 3 more coordinates saturate (|tanh| > 0.9) than at gain 1",
    metrics={
        "s1": "larger singular value of the random 2×2 matrix W (stretch along one axis)",
        "s2": "smaller singular value of W",
        "det_sign": "sign of det W: −1 means W also mirrors the plane",
        "saturated": "share of coordinates with |tanh(gain·Wx)| > 0.9 at the chosen gain",
        "saturated_g1": "the same share at gain 1",
        "acc_hidden": "accuracy of a linear classifier on the trained net's 2-D hidden layer (0–1)",
        "loss_hidden": "final cross-entropy of the trained net",
    },
)

CLASSES = 4  # points are coloured by quadrant


@dataclass
class Settings:
    gain: float = setting(3.0, 0.1, 20.0, help="s in tanh(s·x): how hard the tanh squashes")
    points: int = setting(600, 50, 5000, help="points in the Gaussian cloud")
    depth: int = setting(3, 1, 8, help="hidden layers of the random net")
    width: int = setting(5, 2, 64, help="units per hidden layer of the random net")
    activation: str = setting("tanh", choices=("tanh", "relu"), help="non-linearity of the random net")
    hidden: int = setting(100, 4, 1000, help="ReLU units before the trained net's 2-unit layer")
    optimizer: str = setting("adam", choices=("adam", "sgd"), help="optimiser of the trained net")
    lr: float = setting(0.01, 1e-5, 100.0, help="learning rate of the trained net")
    steps: int = setting(300, 10, 10000, help="training steps of the net that un-warps the spiral")
    seed: int = setting(0, 0, 2**31 - 1, help="seed for the cloud, W, the random net and training")


def scatter(P, labels, classes: int, limit: int = 300) -> list[Series]:
    keep = slice(0, limit)
    P, labels = P[keep].detach().cpu(), labels[keep].cpu()
    return [Series(P[labels == c, 0].tolist(), P[labels == c, 1].tolist(), label=f"class {c}",
                   style="scatter", color=c, marker="●") for c in range(classes)]


def random_net(depth: int, width: int, activation: str, device: str):
    from torch import nn

    act = nn.Tanh if activation == "tanh" else nn.ReLU
    layers, size = [], 2
    for _ in range(depth):
        layers += [nn.Linear(size, width), act()]
        size = width
    return nn.Sequential(*layers, nn.Linear(size, 2)).to(device)


def turn(R) -> float:
    """Angle in degrees of the first column of R (a singular vector)."""
    import torch

    return torch.rad2deg(torch.atan2(R[1, 0], R[0, 0])).item()


def saturation(Y, gain: float) -> float:
    import torch

    return (torch.tanh(gain * Y).abs() > 0.9).float().mean().item()


def train(cfg: Settings, ctx) -> dict[str, float]:
    import torch
    import torch.nn.functional as F
    from torch import nn

    from dltui.labs.spiral_classification import make_spiral

    opt_cls = torch.optim.Adam if cfg.optimizer == "adam" else torch.optim.SGD

    gen = torch.Generator().manual_seed(cfg.seed)
    X = torch.randn(cfg.points, 2, generator=gen).to(ctx.device)
    quadrant = ((X[:, 0] < 0).long() + 2 * (X[:, 1] < 0).long())
    W = torch.randn(2, 2, generator=gen).to(ctx.device)
    U, S, Vh = torch.linalg.svd(W)
    s1, s2 = S.tolist()
    det_sign = 1.0 if torch.linalg.det(W).item() > 0 else -1.0
    Y = X @ W.T
    Z = torch.tanh(cfg.gain * Y)
    lim = (-4.0, 4.0)

    def stage(name: str, P, title: str, caption: str, box=lim, labels=quadrant, classes=CLASSES) -> None:
        ctx.figure(name, Figure(title=title, series=scatter(P, labels, classes),
                                xlim=box, ylim=box, caption=caption))

    stage("input", X, "Input: Gaussian cloud, coloured by quadrant", f"{cfg.points} points, x ~ N(0, I)")
    stage("after W", Y, "After W: rotate (Vᵀ), stretch (Σ), rotate (U)",
          f"s1 = {s1:.3f}  s2 = {s2:.3f}  area ×{s1 * s2:.3f}  det {'+' if det_sign > 0 else '−'}"
          f"  (direction {turn(Vh.T):.0f}° is stretched most, landing at {turn(U):.0f}°)",
          box=(-max(4.0, Y.abs().max().item()), max(4.0, Y.abs().max().item())))
    sat = saturation(Y, cfg.gain)
    stage("after tanh", Z, f"After tanh({cfg.gain:g}·Wx): squashed into the square",
          f"{sat:.0%} of coordinates have |value| > 0.9", box=(-1.1, 1.1))
    gains = [0.5, 1, 2, 3, 5, 10]
    ctx.figure("saturation vs gain", Figure(
        title="Share of |tanh(s·Wx)| > 0.9 for several gains s",
        bars=Bars([f"s={g:g}" for g in gains], [saturation(Y, g) for g in gains], label="saturated"),
        ylim=(0, 1), caption=f"chosen gain {cfg.gain:g}: {sat:.3f}"))
    torch.manual_seed(cfg.seed)
    with torch.no_grad():
        R = random_net(cfg.depth, cfg.width, cfg.activation, ctx.device)(X)
    lo, hi = R.min(0).values, R.max(0).values
    pad = ((hi - lo) * 0.05).clamp(min=1e-3)  # random nets often shrink and shift the cloud: zoom in
    (x0, y0), (x1, y1) = (lo - pad).tolist(), (hi + pad).tolist()
    ctx.figure("random net", Figure(
        title=f"Random {cfg.activation} net, {cfg.depth} layers of {cfg.width} (zoomed)",
        series=scatter(R, quadrant, CLASSES), xlim=(x0, x1), ylim=(y0, y1),
        caption="ReLU folds the plane along straight creases; tanh bends it smoothly"))

    # A net whose last hidden layer has 2 units: its job is to move the spiral arms apart so
    # that the final (linear) layer can cut them with straight lines.
    Xs, ys = make_spiral(200, 3, 0.2, gen, ctx.device)
    body = nn.Sequential(nn.Linear(2, cfg.hidden), nn.ReLU(), nn.Linear(cfg.hidden, 2), nn.Tanh())
    head = nn.Linear(2, 3)
    body.to(ctx.device), head.to(ctx.device)
    opt = opt_cls([*body.parameters(), *head.parameters()], lr=cfg.lr)
    stage("spiral input", Xs, "Spiral to un-warp (input plane)", "3 arms, 200 points each", box=(-1.1, 1.1),
          labels=ys, classes=3)

    ctx.begin(cfg.steps)
    loss_v, acc = float("nan"), 0.0
    for step in range(1, cfg.steps + 1):
        H = body(Xs)
        logits = head(H)
        loss = F.cross_entropy(logits, ys)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss_v, acc = loss.item(), (logits.argmax(1) == ys).float().mean().item()
        ctx.report(step, loss_hidden=loss_v, acc_hidden=acc)
        stop = ctx.should_stop()
        if step % 10 == 0 or step == cfg.steps or stop:
            ctx.figure("hidden 2-D", Figure(
                title=f"Trained net's 2-unit layer (step {step})", series=scatter(H, ys, 3, 600),
                xlim=(-1.1, 1.1), ylim=(-1.1, 1.1),
                caption=f"linear read-out accuracy on this plane: {acc:.3f}"))
        if stop:
            break
    return {"s1": s1, "s2": s2, "det_sign": det_sign, "saturated": sat,
            "saturated_g1": saturation(Y, 1.0), "acc_hidden": acc, "loss_hidden": loss_v}


def expectation_met(m: dict[str, float]) -> bool:
    # a missing metric (a stopped run) is NaN, and every comparison with NaN is False: not met
    m = {k: m.get(k, math.nan) for k in INFO.metrics}
    return bool(m["acc_hidden"] >= 0.9 and m["saturated"] > m["saturated_g1"])
