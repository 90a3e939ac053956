"""MC dropout on y = x·sin x from 20 points: how unsure is the net far from its data?"""

from __future__ import annotations

from dataclasses import dataclass

from dltui.figures import Figure, Series
from dltui.labspec import LabInfo, setting

INFO = LabInfo(
    id="dropout_uncertainty",
    title="Uncertainty from dropout (MC dropout)",
    summary="y = x·sin x from 20 points: 100 dropout passes give a mean and a ±std band that widens off the data",
    lessons=("t8_optim_ii",),
    expectation="with ReLU the MC standard deviation for |x| > 10 is ≥ 5× the one for |x| < 5 "
                "(about 10×); with tanh it is < 4× (about 2×)",
    metrics={
        "std_in_relu": "ReLU net: mean MC-dropout standard deviation for |x| < 5 (near the data)",
        "std_out_relu": "ReLU net: mean MC-dropout standard deviation for 10 < |x| ≤ 15 (far from the data)",
        "ratio_relu": "ReLU net: std_out_relu / std_in_relu",
        "std_in_tanh": "tanh net: mean MC-dropout standard deviation for |x| < 5",
        "std_out_tanh": "tanh net: mean MC-dropout standard deviation for 10 < |x| ≤ 15",
        "ratio_tanh": "tanh net: std_out_tanh / std_in_tanh",
        "mse_relu": "final training MSE of the ReLU net (dropout on)",
        "mse_tanh": "final training MSE of the tanh net (dropout on)",
    },
)

# One paragraph per line: the About tab wraps them to its width.
ABOUT = "\n".join([
    'What the course notebook (13-bayesian_nn, DLSP20 week 14) does, and what this lab changes:',
    '• Same data and model: 20 points x ~ U(−6, 6), y = x·sin x without noise; Dropout → '
    'Linear(1, 20) → act → Dropout → Linear(20, 20) → act → Linear(20, 1); MSE, SGD lr 0.01, '
    'weight decay 1e‑5, 1000 full-batch steps; 100 passes in training mode over 1000 points of '
    '[−15, 15].',
    '• The notebook trains one activation at a time without a seed; here a seeded run trains the '
    'ReLU and the tanh net side by side, so their bands can be compared.',
    "• The notebook draws the band with matplotlib's fill; here it is a cloud of dots between "
    'mean − std and mean + std, and a second view plots the standard deviation against x.',
    '• As the notes say, this spread is not a calibrated probability: it depends on p, the '
    'activation and the training range (try them).',
])

ACTS = ("relu", "tanh")


@dataclass
class Settings:
    activation: str = setting("both", choices=("both", "relu", "tanh"), help="nets to train")
    p: float = setting(0.05, 0.0, 0.5, help="dropout probability (before each linear layer but the last)")
    passes: int = setting(100, 2, 2000, help="stochastic forward passes for the MC estimate")
    points: int = setting(20, 3, 2000, help="training points")
    spread: float = setting(6.0, 1.0, 10.0, help="training x is uniform on [−spread, spread]")
    hidden: int = setting(20, 2, 512, help="units of both hidden layers")
    lr: float = setting(0.01, 1e-5, 0.05, help="SGD learning rate")
    steps: int = setting(1000, 10, 20000, help="full-batch training steps")
    seed: int = setting(0, 0, 2**31 - 1, help="random seed (data, initialisation, dropout masks)")


def build(act: str, hidden: int, p: float):
    from torch import nn

    layer = nn.ReLU if act == "relu" else nn.Tanh
    return nn.Sequential(nn.Dropout(p), nn.Linear(1, hidden), layer(), nn.Dropout(p),
                         nn.Linear(hidden, hidden), layer(), nn.Linear(hidden, 1))


def mc_predict(net, x, passes: int):
    """Mean and standard deviation over `passes` stochastic (training-mode) passes at inputs x."""
    import torch

    net.train()
    hidden = net[1].out_features
    chunk = max(1, 4_000_000 // (x.shape[0] * hidden))  # passes per forward: bounded activations
    with torch.no_grad():
        out = torch.cat([net(x.repeat(min(chunk, passes - i)).view(-1, 1)).view(-1, x.shape[0])
                         for i in range(0, passes, chunk)])
    return out.mean(0), out.std(0) if passes > 1 else torch.zeros_like(x)


def band_cloud(xs: list[float], lo: list[float], hi: list[float], levels: int = 7) -> tuple[list, list]:
    """Dots filling the band between lo and hi: plotext cannot shade between two curves."""
    bx, by = [], []
    for x, a, b in zip(xs, lo, hi):
        for k in range(levels):
            bx.append(x)
            by.append(a + (b - a) * k / (levels - 1))
    return bx, by


def train(cfg: Settings, ctx) -> dict[str, float]:
    import torch

    gen = torch.Generator().manual_seed(cfg.seed)
    x = ((torch.rand(cfg.points, generator=gen) * 2 - 1) * cfg.spread).to(ctx.device)
    y = x * torch.sin(x)
    torch.manual_seed(cfg.seed)  # initialisation, then the dropout masks (on the device's generator)
    acts = ACTS if cfg.activation == "both" else (cfg.activation,)
    nets = {a: build(a, cfg.hidden, cfg.p).to(ctx.device) for a in acts}
    params = [p for net in nets.values() for p in net.parameters()]
    opt = torch.optim.SGD(params, lr=cfg.lr, weight_decay=1e-5, foreach=True)

    grid = torch.linspace(-15, 15, 1000, device=ctx.device)
    near, far = grid.abs() < 5, grid.abs() > 10
    wide = grid[::5].tolist()  # 200 points keep the band cloud light to draw
    data = Series(x.tolist(), y.tolist(), label="data", style="scatter", color="white", marker="●")
    truth = Series(grid[::5].tolist(), (grid[::5] * torch.sin(grid[::5])).tolist(), label="x·sin x",
                   color="gray")
    stats: dict[str, float] = {}

    def measure(step: int) -> None:
        profiles = []
        for i, (a, net) in enumerate(nets.items()):
            mean, std = mc_predict(net, grid, cfg.passes)
            s_in, s_out = std[near].mean().item(), std[far].mean().item()
            stats.update({f"std_in_{a}": s_in, f"std_out_{a}": s_out, f"ratio_{a}": s_out / max(s_in, 1e-12)})
            m, s = mean[::5], std[::5]
            bx, by = band_cloud(wide, (m - s).tolist(), (m + s).tolist())
            ctx.figure(f"band {a}", Figure(
                title=f"{a}: MC mean ± std (step {step})",
                series=[Series(bx, by, label="± std", style="scatter", color="cyan", marker="braille"),
                        truth, Series(wide, m.tolist(), label="MC mean", color="red"), data],
                xlabel="x", ylabel="y", xlim=(-15, 15), ylim=(-20, 20),
                caption=f"{cfg.passes} dropout passes · std near the data (|x|<5) {s_in:.2f} · "
                        f"far (|x|>10) {s_out:.2f} · "
                        f"ratio {s_out / max(s_in, 1e-12):.1f}×"))
            profiles.append(Series(wide, s.tolist(), label=f"{a} std", color=i))
        lo, hi = float(x.min()), float(x.max())
        ctx.figure("std vs x", Figure(
            title=f"MC-dropout std against x (step {step})",
            series=[*profiles, Series([lo, hi], [0, 0], label="training x", color="white", marker="●",
                                      style="scatter")],
            xlabel="x", ylabel="std", xlim=(-15, 15),
            caption="  ".join(f"{a}: near {stats[f'std_in_{a}']:.2f} far {stats[f'std_out_{a}']:.2f} "
                              f"({stats[f'ratio_{a}']:.1f}×)" for a in nets)))

    ctx.begin(cfg.steps)
    mse = {}
    for step in range(1, cfg.steps + 1):
        losses = []
        for net in nets.values():
            net.train()
            losses.append(((net(x[:, None]).squeeze(1) - y) ** 2).mean())
        opt.zero_grad()
        sum(losses).backward()  # the nets share no weights: each gets the gradient of its own loss
        opt.step()
        mse = dict(zip(nets, torch.stack(losses).tolist()))
        ctx.report(step, **{f"loss_{a}": v for a, v in mse.items()})
        stop = ctx.should_stop()
        if step % 100 == 0 or step == cfg.steps or stop:
            measure(step)
        if stop:
            break
    return {**stats, **{f"mse_{a}": v for a, v in mse.items()}}


def expectation_met(m: dict[str, float]) -> bool:
    ok = "ratio_relu" in m or "ratio_tanh" in m
    if "ratio_relu" in m:
        ok &= m["ratio_relu"] >= 5
    if "ratio_tanh" in m:
        ok &= m["ratio_tanh"] < 4
    return bool(ok)
