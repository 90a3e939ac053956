"""A one-layer transformer encoder against the same net without attention, on synthetic token sentiment."""

from __future__ import annotations

from dataclasses import dataclass

from dltui.figures import Figure, Heatmap
from dltui.labspec import LabInfo, setting

INFO = LabInfo(
    id="transformer_sentiment",
    title="Transformer encoder: attention for sentiment",
    summary="Synthetic reviews: a transformer encoder counts polar words; max-pooled embeddings cannot",
    lessons=("t5_attention_transformer",),
    expectation="transformer validation accuracy ≥ 0.78 and at least 0.05 above the no-attention net",
    metrics={
        "acc_transformer": "validation accuracy of the transformer encoder (0–1)",
        "acc_noattn": "validation accuracy of the same net without encoder layers (0–1)",
        "loss_transformer": "final training cross-entropy of the transformer",
        "loss_noattn": "final training cross-entropy of the no-attention net",
    },
)

VOCAB = 200  # word ranks 1..200 get ids 2..201; id 0 = unknown, id 1 = padding
PAD = 1


@dataclass
class Settings:
    model: str = setting("both", choices=("both", "transformer", "noattn"), help="which model(s) to train")
    layers: int = setting(1, 1, 3, help="encoder layers of the transformer")
    heads: int = setting(2, choices=(1, 2, 4, 8), help="attention heads (each of size d / heads)")
    d: int = setting(32, choices=(16, 32, 64), help="model width d")
    positions: bool = setting(True, help="add sinusoidal position encodings")
    reviews: int = setting(2000, 200, 20000, help="training reviews (1000 more for validation)")
    epochs: int = setting(8, 1, 100, help="passes over the training reviews")
    optimizer: str = setting("adamw", choices=("adamw", "sgd"), help="optimiser for both models")
    lr: float = setting(3e-3, 1e-5, 10.0, help="learning rate")
    beta: float = setting(0.125, 0.0, 5.0, help="β of the associative-memory demo: weights = softmax(β·K·q)")
    seed: int = setting(0, 0, 2**31 - 1, help="random seed (data and initialisation)")


def make_reviews(n: int, generator, min_len: int = 10, max_len: int = 40):
    """Zipf-distributed word ids; label 1 when the polarity sum is positive (ties: coin flip)."""
    import torch

    ranks = torch.arange(1, VOCAB + 1)
    probs = 1.0 / ranks
    polarity = torch.zeros(VOCAB + 2)
    polarity[torch.arange(10, 69, 2) + 1] = 1.0  # ranks 10, 12, …, 68 (id = rank + 1)
    polarity[torch.arange(11, 70, 2) + 1] = -1.0
    lengths = torch.randint(min_len, max_len + 1, (n,), generator=generator)
    words = torch.multinomial(probs, n * max_len, replacement=True, generator=generator).view(n, max_len) + 2
    words[torch.arange(max_len)[None, :] >= lengths[:, None]] = PAD
    score = polarity[words].sum(1)
    coin = torch.randint(0, 2, (n,), generator=generator)
    labels = torch.where(score == 0, coin, (score > 0).long())
    return words, labels, polarity


def soft_retrieve(keys, values, query, beta: float):
    """Attention as a soft associative memory: the values, weighted by softmax(β·K·q)."""
    w = (beta * keys @ query).softmax(dim=0)
    return w, w @ values


def build(layers: int, heads: int, d: int, positions: bool, max_len: int = 64):
    import math

    import torch
    from torch import nn

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.q, self.k, self.v = (nn.Linear(d, d, bias=False) for _ in range(3))
            self.out = nn.Linear(d, d)
            self.ln1, self.ln2 = nn.LayerNorm(d, eps=1e-6), nn.LayerNorm(d, eps=1e-6)
            self.ffn = nn.Sequential(nn.Linear(d, 4 * d), nn.ReLU(), nn.Linear(4 * d, d))

        def forward(self, x, pad):
            b, n, _ = x.shape
            split = lambda t: t.view(b, n, heads, d // heads).transpose(1, 2)  # noqa: E731
            q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
            scores = q @ k.transpose(-1, -2) / math.sqrt(d // heads)
            attn = scores.masked_fill(pad[:, None, None, :], float("-inf")).softmax(-1)  # (b, h, n, n)
            mixed = (attn @ v).transpose(1, 2).reshape(b, n, d)
            x = self.ln1(x + self.out(mixed))  # post-norm, as in the course notebook
            return self.ln2(x + self.ffn(x)), attn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(VOCAB + 2, d, padding_idx=PAD)
            pos = torch.arange(max_len)[:, None] / 10000 ** (torch.arange(0, d, 2) / d)
            table = torch.stack([pos.sin(), pos.cos()], dim=-1).view(max_len, d)  # sin at 2i, cos at 2i+1
            self.register_buffer("pos", table * float(positions))
            self.ln = nn.LayerNorm(d, eps=1e-12)
            self.blocks = nn.ModuleList(Layer() for _ in range(layers))
            self.head = nn.Linear(d, 2)

        def forward(self, words):
            pad = words == PAD
            x = self.ln(self.emb(words) + self.pos[: words.shape[1]])
            maps = []
            for block in self.blocks:
                x, attn = block(x, pad)
                maps.append(attn)
            pooled = x.masked_fill(pad[..., None], float("-inf")).max(dim=1).values  # max over time
            return self.head(pooled), maps

    return Classifier()


def memory_figure(beta: float) -> Figure:
    import torch

    keys = torch.tensor([[10.0, 0, 0], [0, 10, 0], [0, 0, 10], [0, 0, 10]])
    values = torch.tensor([[1.0, 0, 0], [10, 0, 0], [100, 5, 0], [1000, 6, 0]])
    queries = torch.tensor([[0.0, 10, 0], [0, 0, 10], [10, 10, 0]])
    rows, parts = [], []
    for q in queries:
        w, out = soft_retrieve(keys, values, q, beta)
        rows.append(w.tolist())
        parts.append(f"q{tuple(int(a) for a in q.tolist())}→({out[0]:.2f}, {out[1]:.2f})")
    return Figure(
        title=f"Soft associative memory: weights softmax(β·K·q), β = {beta:g}",
        heatmap=Heatmap(z=rows, x_range=(0.5, 4.5), y_range=(0.5, 3.5), label="weight"),
        xlabel="stored key 1–4: (10,0,0) (0,10,0) (0,0,10) (0,0,10)", ylabel="query 1–3",
        caption=" · ".join(parts))


def train(cfg: Settings, ctx) -> dict[str, float]:
    import torch
    import torch.nn.functional as F

    gen = torch.Generator().manual_seed(cfg.seed)
    Xtr, ytr, polarity = make_reviews(cfg.reviews, gen)
    Xva, yva, _ = make_reviews(1000, gen)
    Xtr, ytr, Xva, yva = (t.to(ctx.device) for t in (Xtr, ytr, Xva, yva))
    ctx.figure("memory", memory_figure(cfg.beta))

    torch.manual_seed(cfg.seed)
    kinds = {"both": ["transformer", "noattn"], "transformer": ["transformer"], "noattn": ["noattn"]}[cfg.model]
    nets = {k: build(cfg.layers if k == "transformer" else 0, cfg.heads, cfg.d, cfg.positions).to(ctx.device)
            for k in kinds}
    opt_cls = torch.optim.AdamW if cfg.optimizer == "adamw" else torch.optim.SGD
    opts = {k: opt_cls(n.parameters(), lr=cfg.lr) for k, n in nets.items()}

    # A short review makes a legible map; mark its polar words in the caption.
    lengths = (Xva != PAD).sum(1).cpu()
    ex = int(torch.nonzero(lengths <= 14)[0]) if bool((lengths <= 14).any()) else 0
    ex_words = Xva[ex, : int(lengths[ex])]
    marks = "".join("+" if polarity[w] > 0 else "−" if polarity[w] < 0 else "·" for w in ex_words.tolist())

    def draw_attention(epoch: int) -> None:
        if "transformer" not in nets:
            return
        net = nets["transformer"]
        with torch.no_grad():
            logits, maps = net(ex_words[None])
        att = maps[-1][0].mean(0)  # last layer, averaged over heads: (query, key)
        n = att.shape[0]
        ctx.figure("attention", Figure(
            title=f"Attention of validation review {ex}, last layer, mean of {cfg.heads} heads (epoch {epoch})",
            heatmap=Heatmap(z=att.cpu().tolist(), x_range=(-0.5, n - 0.5), y_range=(-0.5, n - 0.5),
                            label="weight"),
            xlabel="key position", ylabel="query position",
            caption=f"words {marks} (+ positive, − negative) · label {int(yva[ex])}, "
                    f"predicted {int(logits.argmax())}"))

    batch = 64
    per_epoch = (cfg.reviews + batch - 1) // batch
    ctx.begin(cfg.epochs * per_epoch)
    metrics: dict[str, float] = {}
    step = 0
    draw_attention(0)
    for epoch in range(1, cfg.epochs + 1):
        order = torch.randperm(cfg.reviews, generator=gen).to(ctx.device)
        for i in range(per_epoch):
            idx = order[i * batch:(i + 1) * batch]
            step += 1
            scalars = {}
            for k, net in nets.items():
                loss = F.cross_entropy(net(Xtr[idx])[0], ytr[idx])
                opts[k].zero_grad()
                loss.backward()
                opts[k].step()
                scalars[f"loss_{k}"] = loss.item()
            if i == per_epoch - 1:
                with torch.no_grad():
                    for k, net in nets.items():
                        scalars[f"acc_{k}"] = (net(Xva)[0].argmax(1) == yva).float().mean().item()
            ctx.report(step, **scalars)
            metrics.update(scalars)
            if step % 8 == 0:
                draw_attention(epoch)
            if ctx.should_stop():
                return metrics
    draw_attention(cfg.epochs)
    ctx.figure("memory", memory_figure(cfg.beta))
    return metrics


def expectation_met(m: dict[str, float]) -> bool:
    if "acc_transformer" not in m:  # the claim is about the transformer: a noattn-only run cannot show it
        return False
    ok = m["acc_transformer"] >= 0.78
    if "acc_noattn" in m and "acc_transformer" in m:
        ok &= m["acc_transformer"] - m["acc_noattn"] >= 0.05
    return bool(ok)
