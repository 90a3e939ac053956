"""ConvNet vs. fully connected net on shifted 8×8 digits, with and without a pixel permutation."""

from __future__ import annotations

import math
from dataclasses import dataclass

from dltui.figures import Bars, Figure, Heatmap
from dltui.labspec import LabInfo, setting

INFO = LabInfo(
    id="convnet_digits",
    title="ConvNet vs. fully connected net",
    summary="Two nets of ~2,000 weights on shifted digits: the ConvNet wins until the pixels are shuffled",
    lessons=("t2_natural_signals",),
    expectation="ConvNet test accuracy beats the FC net by ≥ 0.1; shuffling the pixels costs the "
                "ConvNet ≥ 0.15 but the FC net ≤ 0.1",
    metrics={
        "acc_cnn": "test accuracy of the ConvNet on the digits as they are (0–1)",
        "acc_fc": "test accuracy of the fully connected net on the digits as they are (0–1)",
        "acc_cnn_perm": "test accuracy of the ConvNet on pixel-shuffled digits (0–1)",
        "acc_fc_perm": "test accuracy of the fully connected net on pixel-shuffled digits (0–1)",
        "loss_cnn": "final training cross-entropy of the ConvNet",
        "loss_fc": "final training cross-entropy of the fully connected net",
        "loss_cnn_perm": "final training cross-entropy of the ConvNet on shuffled pixels",
        "loss_fc_perm": "final training cross-entropy of the fully connected net on shuffled pixels",
    },
)

RUNS = ("cnn", "fc", "cnn_perm", "fc_perm")
N_TEST = 500


@dataclass
class Settings:
    canvas: int = setting(12, 8, 16, help="canvas side; each 8×8 digit lands at a random offset on it")
    channels: int = setting(8, 1, 64, help="feature maps of each ConvNet layer")
    hidden: int = setting(12, 2, 512, help="units in each of the FC net's two hidden layers")
    epochs: int = setting(20, 1, 200, help="passes over the 1,297 training images")
    batch: int = setting(64, 8, 1297, help="minibatch size")
    optimizer: str = setting("adam", choices=("adam", "sgd"), help="optimiser of all four nets")
    lr: float = setting(0.01, 1e-5, 10.0, help="learning rate")
    seed: int = setting(0, 0, 2**31 - 1, help="seed for the split, the permutation and the weights")


def build(kind: str, side: int, channels: int, hidden: int):
    from torch import nn

    if kind == "fc":
        return nn.Sequential(nn.Flatten(), nn.Linear(side * side, hidden), nn.ReLU(),
                             nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 10))
    after = side // 4  # two 2×2 poolings
    return nn.Sequential(
        nn.Unflatten(1, (1, side)),
        nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(channels * after * after, 16), nn.ReLU(), nn.Linear(16, 10))


def sample_grid(plain, shuffled, count: int = 6) -> Heatmap:
    """Top row: digits as the nets see them; bottom row: the same digits with pixels shuffled."""
    side = plain.shape[-1]
    gap = [float("nan")]  # blank column between tiles
    rows = []
    for imgs in (plain[:count], shuffled[:count]):
        for r in range(side):
            line = []
            for i, img in enumerate(imgs):
                line += img[r].tolist() + (gap if i < count - 1 else [])
            rows.append(line)
        rows.append([float("nan")] * len(rows[-1]))
    rows.pop()
    rows.reverse()  # Heatmap row 0 is the bottom
    return Heatmap(z=rows, x_range=(0, len(rows[0])), y_range=(0, len(rows)), label="ink (standardised)")


def train(cfg: Settings, ctx) -> dict[str, float]:
    import torch
    import torch.nn.functional as F

    from dltui.labs._digits import load, on_canvas

    opt_cls = torch.optim.Adam if cfg.optimizer == "adam" else torch.optim.SGD

    gen = torch.Generator().manual_seed(cfg.seed)
    X8, y = load("cpu")
    X = on_canvas(X8, cfg.canvas, gen)
    order = torch.randperm(X.shape[0], generator=gen)
    test, tr = order[:N_TEST], order[N_TEST:]
    mean, std = X[tr].mean(), X[tr].std()
    X = ((X - mean) / std).to(ctx.device)
    y, test = y.to(ctx.device), test.to(ctx.device)
    pixels = cfg.canvas * cfg.canvas
    perm = torch.randperm(pixels, generator=gen).to(ctx.device)  # one fixed shuffle for every image
    Xp = X.reshape(-1, pixels)[:, perm].reshape(X.shape)
    data = {"cnn": X, "fc": X, "cnn_perm": Xp, "fc_perm": Xp}

    torch.manual_seed(cfg.seed)
    nets = {r: build(r.split("_")[0], cfg.canvas, cfg.channels, cfg.hidden).to(ctx.device) for r in RUNS}
    opts = {r: opt_cls(n.parameters(), lr=cfg.lr) for r, n in nets.items()}
    n_params = {k: sum(p.numel() for p in nets[k].parameters()) for k in ("cnn", "fc")}
    ctx.log(f"parameters: ConvNet {n_params['cnn']}, FC {n_params['fc']}")

    ctx.figure("samples", Figure(
        title="Digits on the canvas (top) and after the fixed pixel shuffle (bottom)",
        heatmap=sample_grid(X[test].cpu(), Xp[test].cpu()),
        caption=f"{cfg.canvas}×{cfg.canvas} canvas; same shuffle for all images; "
                f"ConvNet {n_params['cnn']} weights, FC {n_params['fc']}"))

    def accuracy(r: str) -> float:
        with torch.no_grad():
            return (nets[r](data[r][test]).argmax(1) == y[test]).float().mean().item()

    per_epoch = -(-tr.numel() // cfg.batch)
    ctx.begin(cfg.epochs * per_epoch)
    shuffle_gen = torch.Generator().manual_seed(cfg.seed + 1)
    losses: dict[str, float] = {}
    accs = {f"acc_{r}": 0.1 for r in RUNS}
    step = 0
    for epoch in range(1, cfg.epochs + 1):
        batches = tr[torch.randperm(tr.numel(), generator=shuffle_gen)].to(ctx.device).split(cfg.batch)
        for idx in batches:
            step += 1
            for r in RUNS:  # same batches for all four, so only the model and pixel order differ
                loss = F.cross_entropy(nets[r](data[r][idx]), y[idx])
                opts[r].zero_grad()
                loss.backward()
                opts[r].step()
                losses[f"loss_{r}"] = loss.item()
            if idx is batches[-1]:
                accs = {f"acc_{r}": accuracy(r) for r in RUNS}
                ctx.report(step, **losses, **accs)
                ctx.figure("accuracy", Figure(
                    title=f"Test accuracy after epoch {epoch}",
                    bars=Bars(["ConvNet", "FC", "ConvNet shuffled", "FC shuffled"],
                              [accs[f"acc_{r}"] for r in RUNS], label="accuracy"),
                    ylim=(0, 1),
                    caption="  ".join(f"{r}={accs['acc_' + r]:.2f}" for r in RUNS)))
            else:
                ctx.report(step, **losses)
            if ctx.should_stop():
                return {**losses, **accs}
    return {**losses, **accs}


def expectation_met(m: dict[str, float]) -> bool:
    # a missing metric (a stopped run) is NaN, and every comparison with NaN is False: not met
    m = {k: m.get(k, math.nan) for k in INFO.metrics}
    return bool(m["acc_cnn"] - m["acc_fc"] >= 0.1
                and m["acc_cnn"] - m["acc_cnn_perm"] >= 0.15
                and m["acc_fc"] - m["acc_fc_perm"] <= 0.1)
