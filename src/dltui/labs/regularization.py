"""No regularisation, L2, L1 and dropout on synthetic token sentiment: the gap, early stopping, the weights."""

from __future__ import annotations

from dataclasses import dataclass

from dltui.figures import Figure, Series
from dltui.labspec import LabInfo, setting

VARIANTS = ("none", "l2", "l1", "dropout")
NAMES = {"none": "none", "l2": "L2", "l1": "L1", "dropout": "dropout"}
VOCAB = 200  # word ranks 1..200 get ids 2..201; ids 0/1 are reserved (unknown/padding)
LENGTH = 20
ZERO = 0.01  # |w| below this counts as "zero" in the weight histograms

INFO = LabInfo(
    id="regularization",
    title="Regularisation: L2, L1 and dropout",
    summary="Token sentiment with a big net and little data: none, L2, L1 and dropout; the train/validation "
            "gap and the weights",
    lessons=("t8_optim_ii",),
    expectation="without regularisation the validation loss ends ≥ 0.05 above its minimum (overfitting) "
                "and above L1's and dropout's; L1 leaves ≥ 0.5 of the first layer's weights with |w| < 0.01 "
                "(about 0.73) while no-reg, L2 and dropout leave < 0.3 (about 0.14–0.18)",
    metrics={
        **{f"train_{v}": f"{NAMES[v]}: training loss (BCE, without the penalty) over the last epoch"
           for v in VARIANTS},
        **{f"val_{v}": f"{NAMES[v]}: validation loss (BCE) after the last epoch" for v in VARIANTS},
        **{f"valmin_{v}": f"{NAMES[v]}: lowest validation loss over the epochs (where early stopping "
                          "would stop)" for v in VARIANTS},
        **{f"acc_{v}": f"{NAMES[v]}: validation accuracy after the last epoch (0–1)" for v in VARIANTS},
        **{f"zeros_{v}": f"{NAMES[v]}: share of the first layer's weights with |w| < 0.01 (0–1)"
           for v in VARIANTS},
    },
    steps_label="batch",
)

# One paragraph per line: the About tab wraps them to its width.
ABOUT = "\n".join([
    'What the course notebook (12-regularization, DLSP20 week 14) does, and what this lab '
    'changes:',
    '• The notebook classifies IMDB reviews (80 words, a 1,002-word vocabulary, 17,500 training '
    'reviews). Here the reviews are synthetic, so nothing is downloaded: 20 word ids drawn with '
    'Zipf frequencies from 200 words, 30 positive and 30 negative; the label says whether the '
    'polarity sum is above its median. 2,000 training and 2,000 validation reviews keep the run '
    'to seconds.',
    '• Same kind of model, scaled down: Embedding(202, 20) → flatten (400) → Linear(400, 32) → '
    'ReLU → [dropout] → Linear(32, 1), binary cross-entropy, Adam lr 1e‑3, batches of 64.',
    '• Same regularisers: L2 as weight decay 0.005, L1 as 0.001·‖first layer‖₁ added to the loss,'
    ' dropout p = 0.8 after the hidden layer. Here the four share one initialisation and one '
    'batch order and train side by side, so their curves compare directly.',
    '• The notebook saves the best model as it goes; here the ✕ marks the epoch with the lowest '
    'validation loss, where early stopping would have kept the weights.',
    "• The histograms count the first layer's weights in bins of 0.02 around 0; the middle bin is"
    ' |w| < 0.01.',
])


@dataclass
class Settings:
    regularizer: str = setting("all", choices=("all", *VARIANTS), help="which regularisers to train")
    l2: float = setting(0.005, 0.0, 0.1, help="L2: Adam's weight decay")
    l1: float = setting(0.001, 0.0, 0.02, help="L1: weight of ‖first layer‖₁ in the loss")
    p: float = setting(0.8, 0.0, 0.95, help="dropout probability after the hidden layer")
    reviews: int = setting(2000, 100, 20000, help="training reviews (validation: 2000)")
    epochs: int = setting(25, 1, 200, help="passes over the training reviews")
    lr: float = setting(1e-3, 1e-5, 0.1, help="Adam learning rate")
    seed: int = setting(1, 0, 2**31 - 2, help="seed of the training set (validation: seed + 1) and the weights")


def polarity_table():
    import torch

    polarity = torch.zeros(VOCAB + 2)
    polarity[torch.arange(10, 69, 2) + 1] = 1.0  # ranks 10, 12, …, 68 (id = rank + 1)
    polarity[torch.arange(11, 70, 2) + 1] = -1.0  # ranks 11, 13, …, 69
    return polarity


def make_reviews(n: int, generator, threshold: float | None = None):
    """(words, labels, threshold): label 1 when the polarity sum is above the median (ties: coin flip)."""
    import torch

    probs = 1.0 / torch.arange(1, VOCAB + 1)
    words = torch.multinomial(probs, n * LENGTH, replacement=True, generator=generator).view(n, LENGTH) + 2
    score = polarity_table()[words].sum(1)
    if threshold is None:
        threshold = float(score.median())
    coin = torch.randint(0, 2, (n,), generator=generator).float()
    labels = torch.where(score == threshold, coin, (score > threshold).float())
    return words, labels, threshold


def build():
    """The notebook's net (without its dropout layer, which `forward` applies per copy)."""
    from torch import nn

    return nn.Sequential(nn.Embedding(VOCAB + 2, LENGTH), nn.Flatten(), nn.Linear(LENGTH * LENGTH, 32),
                         nn.ReLU(), nn.Linear(32, 1))


def stack_copies(net, count: int):
    """`count` copies of the net's weights stacked along a new dim 0: (embedding, W1, b1, W2, b2).

    Training the copies as one batched model costs about as much as training one.
    """
    parts = (net[0].weight, net[2].weight.t(), net[2].bias, net[4].weight.t(), net[4].bias)
    return [t.detach().repeat(count, *[1] * t.dim()).clone().requires_grad_() for t in parts]


def forward(params, words, keep=None):
    """Logits (copies, batch). ``keep``: per copy, the probability a hidden unit survives dropout."""
    import torch

    emb, w1, b1, w2, b2 = params
    h = torch.relu(torch.baddbmm(b1[:, None, :], emb[:, words].flatten(2), w1))  # (copies, batch, 32)
    if keep is not None:
        k = keep[:, None, None]
        h = h * (torch.rand(h.shape, device=h.device) < k) / k  # inverted dropout, as nn.Dropout
    return torch.baddbmm(b2[:, None, :], h, w2).squeeze(-1)


def histogram(values, width: float = 0.02, bins: int = 15) -> tuple[list[float], list[float]]:
    """Share of values per bin of `width`, bins centred on 0 (the middle bin is |w| < width / 2)."""
    import torch

    idx = torch.round(values / width).long() + bins // 2
    inside = (idx >= 0) & (idx < bins)
    counts = torch.bincount(idx[inside], minlength=bins).float() / values.numel()
    return [(i - bins // 2) * width for i in range(bins)], counts.cpu().tolist()


def train(cfg: Settings, ctx) -> dict[str, float]:
    import torch
    import torch.nn.functional as F

    Xtr, ytr, threshold = make_reviews(cfg.reviews, torch.Generator().manual_seed(cfg.seed))
    Xva, yva, _ = make_reviews(2000, torch.Generator().manual_seed(cfg.seed + 1), threshold)
    Xtr, ytr, Xva, yva = (t.to(ctx.device) for t in (Xtr, ytr, Xva, yva))

    torch.manual_seed(cfg.seed)  # the initialisation, then the dropout masks
    variants = VARIANTS if cfg.regularizer == "all" else (cfg.regularizer,)
    # One initialisation for all copies: differences come from the regulariser alone.
    params = stack_copies(build(), len(variants))
    params = [p.detach().to(ctx.device).requires_grad_() for p in params]
    keep = torch.tensor([1 - cfg.p if v == "dropout" else 1.0 for v in variants], device=ctx.device)
    opt = torch.optim.Adam(params, lr=cfg.lr, foreach=True)
    at = {v: j for j, v in enumerate(variants)}

    def penalty():
        """L1 on its copy's first layer; L2 as ½λ‖w‖² on all its copy's weights.

        The gradient of ½λ‖w‖² is λw, exactly what Adam's weight_decay adds.
        """
        total = 0.0
        if "l1" in at:
            j = at["l1"]
            total = total + cfg.l1 * (params[1][j].abs().sum() + params[2][j].abs().sum())
        if "l2" in at:
            j = at["l2"]
            total = total + 0.5 * cfg.l2 * sum((p[j] ** 2).sum() for p in params)
        return total

    batch = 64
    per_epoch = (cfg.reviews + batch - 1) // batch
    ctx.begin(cfg.epochs * per_epoch)
    curves = {v: {"train": [], "val": [], "acc": []} for v in variants}
    gen = torch.Generator().manual_seed(cfg.seed + 2)

    def zeros_share(v: str) -> float:
        return (params[1][at[v]].detach().abs() < ZERO).float().mean().item()

    def draw(epoch: int) -> None:
        """The views, in the order `v` cycles them: validation, weights, then each net's gap."""
        epochs = list(range(1, epoch + 1))
        series, marks, cap, gaps = [], [], [], {}
        for i, v in enumerate(variants):
            val = curves[v]["val"]
            best = min(range(len(val)), key=val.__getitem__)
            series.append(Series(epochs, val, label=NAMES[v], color=i))
            marks.append(Series([best + 1], [val[best]], style="scatter", color=i, marker="x"))
            cap.append(f"{NAMES[v]} {val[-1]:.2f} (min {val[best]:.2f} @ {best + 1})")
            gaps[f"gap: {NAMES[v]}"] = Figure(
                title=f"{NAMES[v]}: train vs validation (epoch {epoch})",
                series=[Series(epochs, curves[v]["train"], label="train", color=i, marker="dot"),
                        Series(epochs, val, label="validation", color=i),
                        Series([best + 1], [val[best]], label="early stop", style="scatter",
                               color="white", marker="x")],
                xlabel="epoch", ylabel="BCE",
                caption=f"gap {val[-1] - curves[v]['train'][-1]:.2f} · validation min {val[best]:.2f} "
                        f"at epoch {best + 1} (✕) · accuracy {curves[v]['acc'][-1]:.2f}")
        ctx.figure("validation", Figure(
            title=f"Validation loss, ✕ = minimum (epoch {epoch})",
            series=series + marks, xlabel="epoch", ylabel="BCE",
            caption="now (min @ epoch): " + " · ".join(cap)))
        hist = []
        for i, v in enumerate(variants):
            xs, ys = histogram(params[1][at[v]].detach().reshape(-1))
            hist.append(Series(xs, ys, label=NAMES[v], color=i))
        ctx.figure("weights", Figure(
            title="First-layer weights, bins of 0.02",
            series=hist, xlabel="w", ylabel="share",
            caption="share with |w| < 0.01 (the middle bin): "
                    + " · ".join(f"{NAMES[v]} {zeros_share(v):.2f}" for v in variants)))
        for name, fig in gaps.items():
            ctx.figure(name, fig)

    step = 0
    for epoch in range(1, cfg.epochs + 1):
        order = torch.randperm(cfg.reviews, generator=gen).to(ctx.device)
        sums = {v: 0.0 for v in variants}
        for i in range(per_epoch):
            idx = order[i * batch:(i + 1) * batch]
            step += 1
            logits = forward(params, Xtr[idx], keep)
            per_copy = F.binary_cross_entropy_with_logits(
                logits, ytr[idx].expand_as(logits), reduction="none").mean(1)
            opt.zero_grad()
            (per_copy.sum() + penalty()).backward()  # copies share no weights: each gets its own gradient
            opt.step()
            values = per_copy.tolist()
            for v, value in zip(variants, values):
                sums[v] += value * len(idx)
            ctx.report(step, **{f"loss_{v}": value for v, value in zip(variants, values)})
            if ctx.should_stop():
                break
        with torch.no_grad():
            logits = forward(params, Xva)
            val = F.binary_cross_entropy_with_logits(logits, yva.expand_as(logits), reduction="none").mean(1)
            acc = ((logits > 0).float() == yva).float().mean(1)
            for v, j in at.items():
                curves[v]["val"].append(val[j].item())
                curves[v]["acc"].append(acc[j].item())
                curves[v]["train"].append(sums[v] / min(cfg.reviews, (i + 1) * batch))
        ctx.report(step, **{f"acc_{v}": curves[v]["acc"][-1] for v in variants})
        draw(epoch)
        if ctx.should_stop():
            break
    m: dict[str, float] = {}
    for v in variants:
        c = curves[v]
        m.update({f"train_{v}": c["train"][-1], f"val_{v}": c["val"][-1], f"valmin_{v}": min(c["val"]),
                  f"acc_{v}": c["acc"][-1], f"zeros_{v}": zeros_share(v)})
    return m


def expectation_met(m: dict[str, float]) -> bool:
    ok = any(f"zeros_{v}" in m for v in VARIANTS)
    if "val_none" in m:
        ok &= m["val_none"] >= m["valmin_none"] + 0.05
        ok &= all(m[f"val_{v}"] < m["val_none"] for v in ("l1", "dropout") if f"val_{v}" in m)
    if "zeros_l1" in m:
        ok &= m["zeros_l1"] >= 0.5
    ok &= all(m[f"zeros_{v}"] < 0.3 for v in ("none", "l2", "dropout") if f"zeros_{v}" in m)
    return bool(ok)
