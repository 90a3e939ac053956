"""Forward algorithm and Viterbi on a CTC alignment lattice, and a frame classifier trained with our CTC loss."""

from __future__ import annotations

from dataclasses import dataclass

from dltui.figures import Figure, Heatmap, Series
from dltui.labspec import LabInfo, setting

INFO = LabInfo(
    id="lattice_alignment",
    title="Alignment lattice: forward score vs Viterbi",
    summary="CTC lattice (frames × labels): the forward score closes in on the Viterbi path as training sharpens it",
    lessons=("t6_gtn", "t3_hw3_structured_prediction"),
    expectation="greedy decoding accuracy ≥ 0.9 and the mean forward − Viterbi gap falls below 0.15 × its start",
    metrics={
        "loss_ctc": "final CTC loss (−forward score, mean over the training sequences)",
        "acc_decode": "share of held-out sequences whose greedy decoding gives exactly the label sequence (0–1)",
        "score_forward": "forward (log-sum-exp over all alignments) score, mean over held-out sequences",
        "score_viterbi": "best-path (max over alignments) score, mean over held-out sequences",
        "gap": "mean forward − Viterbi score (≥ 0; 0 when one alignment takes all the mass)",
        "gap_start": "the same gap before training (many alignments share the mass)",
    },
)

BLANK = 0


@dataclass
class Settings:
    symbols: int = setting(5, 2, 20, help="label alphabet size (blank is one more class)")
    labels: int = setting(4, 1, 10, help="U: labels per sequence (the lattice has 2U + 1 rows)")
    frames: int = setting(24, 20, 100, help="T: frames per sequence (≥ 2 per label)")
    noise: float = setting(0.6, 0.0, 5.0, help="std of the Gaussian noise on the frame features")
    sequences: int = setting(256, 16, 4096, help="training sequences (one full batch)")
    hidden: int = setting(32, 4, 256, help="hidden channels of the frame classifier")
    steps: int = setting(150, 5, 5000, cpu_max=3000, help="full-batch Adam steps")
    optimizer: str = setting("adam", choices=("adam", "sgd"), help="optimiser of the frame classifier")
    lr: float = setting(1e-2, 1e-5, 10.0, help="learning rate")
    seed: int = setting(0, 0, 2**31 - 1, help="random seed")


def extend(targets):
    """Blank, l₁, blank, l₂, …, blank: the rows of the lattice, shape (B, 2U + 1)."""
    import torch

    B, U = targets.shape
    ext = torch.full((B, 2 * U + 1), BLANK, dtype=targets.dtype, device=targets.device)
    ext[:, 1::2] = targets
    return ext


def lattice(log_probs, targets, use_max: bool = False):
    """Forward (log-sum-exp) or Viterbi (max) scores over every CTC alignment.

    log_probs (B, T, K), targets (B, U) without blanks. Returns (score (B,), backpointers (T, B, S) or None).
    """
    import torch

    B, T, _ = log_probs.shape
    ext = extend(targets)
    S = ext.shape[1]
    emit = log_probs.gather(2, ext[:, None, :].expand(B, T, S))  # (B, T, S)
    ninf = torch.finfo(log_probs.dtype).min
    pad = torch.full((B, 2), ninf, device=log_probs.device, dtype=log_probs.dtype)
    # a label may skip the blank before it unless it repeats the previous label
    skip_ok = torch.cat([torch.zeros(B, 2, dtype=torch.bool, device=ext.device),
                         (ext[:, 2:] != BLANK) & (ext[:, 2:] != ext[:, :-2])], dim=1)
    alpha = torch.cat([emit[:, 0, :2], pad.new_full((B, S - 2), ninf)], dim=1)
    pointers = []
    for t in range(1, T):
        shifted = torch.cat([pad, alpha], dim=1)
        stay, step, skip = alpha, shifted[:, 1:S + 1], shifted[:, :S].masked_fill(~skip_ok, ninf)
        moves = torch.stack([stay, step, skip], dim=2)  # (B, S, 3): from s, s − 1, s − 2
        if use_max:
            best, arg = moves.max(dim=2)
            pointers.append(arg)
        else:
            best = moves.logsumexp(dim=2)
        alpha = best + emit[:, t]
    ends = alpha[:, S - 2:]  # finish on the last label or the final blank
    score = ends.max(dim=1).values if use_max else ends.logsumexp(dim=1)
    if not use_max:
        return score, None
    return score, (torch.stack(pointers) if pointers else None, ends.argmax(dim=1) + S - 2)


def ctc_loss(log_probs, targets):
    """Our CTC loss: −(forward score), averaged over the batch."""
    return -lattice(log_probs, targets)[0].mean()


def best_path(log_probs, targets):
    """Viterbi score and the row of the lattice at every frame, for the first sequence of the batch."""
    score, (pointers, last) = lattice(log_probs, targets, use_max=True)
    rows = [int(last[0])]
    if pointers is not None:
        for t in range(pointers.shape[0] - 1, -1, -1):
            rows.append(rows[-1] - int(pointers[t, 0, rows[-1]]))
    return score, rows[::-1]


def make_sequences(n: int, cfg: Settings, means, gen):
    """Each label lasts 2+ frames; blank gaps fill the rest. Features: class mean + noise."""
    import torch

    U, T = cfg.labels, cfg.frames
    labels = torch.randint(1, cfg.symbols + 1, (n, U), generator=gen)
    for u in range(1, U):  # no immediate repeats: every label then shows as its own segment
        same = labels[:, u] == labels[:, u - 1]
        labels[same, u] = labels[same, u] % cfg.symbols + 1
    # split T frames into U label runs (≥ 2 frames) and U + 1 blank gaps (≥ 0 frames)
    weights = torch.rand(n, 2 * U + 1, generator=gen)
    base = torch.zeros(n, 2 * U + 1)
    base[:, 1::2] = 2
    spare = T - int(base[0].sum())
    lengths = base + torch.floor(weights / weights.sum(1, keepdim=True) * spare)
    lengths[:, -1] += T - lengths.sum(1)
    frame_class = torch.repeat_interleave(extend(labels).reshape(-1), lengths.long().reshape(-1)).view(n, T)
    x = means[frame_class] + cfg.noise * torch.randn(n, T, means.shape[1], generator=gen)
    return x, labels


def build(dim: int, hidden: int, classes: int):
    from torch import nn

    # each frame sees its neighbours (kernel 3), then a per-frame classifier
    return nn.Sequential(nn.Conv1d(dim, hidden, 3, padding=1), nn.ReLU(), nn.Conv1d(hidden, classes, 1))


def train(cfg: Settings, ctx) -> dict[str, float]:
    import torch

    gen = torch.Generator().manual_seed(cfg.seed)
    dim = 8
    means = 1.5 * torch.randn(cfg.symbols + 1, dim, generator=gen)
    X, Y = make_sequences(cfg.sequences, cfg, means, gen)
    Xte, Yte = make_sequences(200, cfg, means, gen)
    X, Y, Xte, Yte = (t.to(ctx.device) for t in (X, Y, Xte, Yte))
    torch.manual_seed(cfg.seed)
    net = build(dim, cfg.hidden, cfg.symbols + 1).to(ctx.device)
    opt = (torch.optim.Adam if cfg.optimizer == "adam" else torch.optim.SGD)(net.parameters(), lr=cfg.lr)
    log_probs_of = lambda x: net(x.transpose(1, 2)).transpose(1, 2).log_softmax(-1)  # noqa: E731

    def decode_accuracy() -> float:
        with torch.no_grad():
            best = log_probs_of(Xte).argmax(-1)
        hits = 0
        for row, target in zip(best.tolist(), Yte.tolist()):
            out = [c for i, c in enumerate(row) if c != BLANK and (i == 0 or c != row[i - 1])]
            hits += out == target
        return hits / len(Yte)

    def show(step: int) -> dict[str, float]:
        with torch.no_grad():
            lp = log_probs_of(Xte)
            fwd = lattice(lp, Yte)[0]
            vit, rows = best_path(lp, Yte)  # the path of held-out sequence 0
        emit = lp[0].gather(1, extend(Yte[:1])[0][None, :].expand(cfg.frames, -1))  # (T, S)
        names = "".join(f"∅{c}" for c in Yte[0].tolist()) + "∅"
        ctx.figure("lattice", Figure(
            title=f"Lattice of held-out sequence 0: log p(row | frame), best path on top (step {step})",
            heatmap=Heatmap(z=emit.clamp(min=-8).T.cpu().tolist(), x_range=(-0.5, cfg.frames - 0.5),
                            y_range=(-0.5, 2 * cfg.labels + 0.5), label="log p"),
            series=[Series(list(range(cfg.frames)), rows, label="Viterbi path", color="white", marker="●")],
            xlabel="frame t", ylabel=f"row s: {names}",
            caption=f"this sequence: forward (log-sum-exp) {fwd[0]:.3f} · Viterbi (max) {vit[0]:.3f} · "
                    f"gap {fwd[0] - vit[0]:.3f} nats · held-out mean gap {(fwd - vit).mean():.3f}"))
        return {"score_forward": fwd.mean().item(), "score_viterbi": vit.mean().item(),
                "gap": (fwd - vit).mean().item()}

    ctx.begin(cfg.steps)
    metrics = show(0)
    metrics["gap_start"] = metrics["gap"]
    ctx.log(f"before training: mean forward − Viterbi gap {metrics['gap']:.2f} nats")
    for step in range(1, cfg.steps + 1):
        loss = ctc_loss(log_probs_of(X), Y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        scalars = {"loss_ctc": loss.item()}
        if step % 10 == 0 or step == cfg.steps:
            scalars.update(show(step))
            scalars["acc_decode"] = decode_accuracy()
        ctx.report(step, **scalars)
        metrics.update(scalars)
        if ctx.should_stop():
            break
    return metrics


def expectation_met(m: dict[str, float]) -> bool:
    return bool(m.get("acc_decode", 0.0) >= 0.9 and m.get("gap", 0.0) < 0.15 * m.get("gap_start", 0.0))
