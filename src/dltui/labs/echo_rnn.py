"""Echo: repeat a bit stream k steps later, trained with truncated backpropagation through time."""

from __future__ import annotations

import math
from dataclasses import dataclass

from dltui.figures import Bars, Figure, Series
from dltui.labspec import LabInfo, setting

INFO = LabInfo(
    id="echo_rnn",
    title="Echoing a bit stream",
    summary="An RNN repeats its input k steps later; it fails once k reaches the truncated-BPTT window",
    lessons=("t2_rnn_lstm",),
    expectation="with a BPTT window of 5, a 3-step echo is learnt (test accuracy ≥ 0.95) while "
                "echoes of 5 steps or more stay near chance (mean accuracy ≤ 0.6)",
    metrics={
        "acc_within": "mean test accuracy of the echoes shorter than the BPTT window (0–1; chance 0.5)",
        "acc_beyond": "mean test accuracy of the echoes as long as the window or longer (0–1; chance 0.5)",
        "acc_delay": "test accuracy of the echo chosen by the delay setting (drawn in the sequence figure)",
        "loss_echo": "final binary cross-entropy, averaged over all delays",
    },
    steps_label="chunk",
)


@dataclass
class Settings:
    window: int = setting(5, 2, 100, help="BPTT window: time steps per chunk; gradients stop at its edge")
    delays: int = setting(8, 1, 40, help="delays 1…this are trained side by side (at least up to the window)")
    delay: int = setting(3, 1, 40, help="the delay reported as acc_delay and drawn in the sequence figure")
    cell: str = setting("lstm", choices=("lstm", "rnn"), help="recurrent cell")
    hidden: int = setting(8, 1, 64, help="hidden units per delay's model")
    lr: float = setting(0.003, 1e-5, 10.0, help="RMSprop learning rate")
    series: int = setting(2000, 100, 100000, cpu_max=30000,
                         help="length of each of the 5 parallel training streams, per epoch")
    epochs: int = setting(5, 1, 100, cpu_max=50, help="passes, each over fresh streams")
    seed: int = setting(0, 0, 2**31 - 1, help="random seed")


def echo(bits, delay: int):
    """The stream shifted right by `delay` steps, zeros first: the target for that delay."""
    import torch.nn.functional as F

    return F.pad(bits, (delay, 0))[:, : bits.shape[1]]


def build(cell: str, count: int, hidden: int):
    """`count` independent models packed into one recurrent layer with block-diagonal weights.

    Each delay gets its own block of `hidden` units and its own output; the zero blocks are put
    back after every step (see :func:`apply_mask`), so no block ever reads another one.
    """
    import torch
    from torch import nn

    size = count * hidden
    rec = (nn.LSTM(1, size, batch_first=True) if cell == "lstm"
           else nn.RNN(1, size, nonlinearity="relu", batch_first=True))
    out = nn.Linear(size, count)
    block = torch.block_diag(*[torch.ones(hidden, hidden)] * count)
    gates = 4 if cell == "lstm" else 1
    masks = {"rec": block.repeat(gates, 1),
             "out": torch.block_diag(*[torch.ones(1, hidden)] * count)}
    return nn.ModuleDict({"rec": rec, "out": out}), masks


def apply_mask(model, masks) -> None:
    import torch

    with torch.no_grad():
        model["rec"].weight_hh_l0.mul_(masks["rec"])
        model["out"].weight.mul_(masks["out"])


def train(cfg: Settings, ctx) -> dict[str, float]:
    import torch
    import torch.nn.functional as F


    delays = list(range(1, max(cfg.delays, cfg.window, cfg.delay) + 1))
    K, dev = len(delays), ctx.device
    gen = torch.Generator().manual_seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    model, masks = build(cfg.cell, K, cfg.hidden)
    model.to(dev)
    masks = {k: m.to(dev) for k, m in masks.items()}
    apply_mask(model, masks)
    opt = torch.optim.RMSprop(model.parameters(), lr=cfg.lr)

    def targets(bits):  # (streams, T) → (streams, T, K): one target column per delay
        return torch.stack([echo(bits, d) for d in delays], dim=2)

    def run(bits, state=None):
        h, state = model["rec"](bits[..., None], state)
        return model["out"](h), state

    test_bits = torch.randint(0, 2, (5, 2000), generator=gen).float().to(dev)
    test_y = targets(test_bits)
    skip = max(delays)  # the first targets are padding zeros, not echoes

    def evaluate():
        with torch.no_grad():
            logits, _ = run(test_bits)
        hits = ((logits[:, skip:] > 0).float() == test_y[:, skip:]).float().mean(dim=(0, 1))
        return hits, logits

    def draw(step: int, hits, logits) -> None:
        k = delays.index(cfg.delay)
        span = 40
        t = [i + j for i in range(span) for j in (0, 1)]  # each bit as a flat step

        def steps(values, lift):
            return [values[i] + lift for i in range(span) for _ in (0, 1)]

        x_in = test_bits[0, skip:skip + span].tolist()
        y_tg = test_y[0, skip:skip + span, k].tolist()
        p = torch.sigmoid(logits[0, skip:skip + span, k]).tolist()
        ctx.figure("sequence", Figure(
            title=f"Echo of {cfg.delay} steps: input, target and predicted P(1) (chunk {step})",
            series=[Series(t, steps(x_in, 3.0), label="input (+3)", color=0),
                    Series(t, steps(y_tg, 1.5), label="target (+1.5)", color=2),
                    Series(t, steps(p, 0.0), label="predicted P(1)", color=1)],
            xlabel="time step", ylim=(-0.2, 4.2),
            caption=f"accuracy at delay {cfg.delay}: {hits[k].item():.3f}"))
        ctx.figure("accuracy per delay", Figure(
            title=f"Test accuracy per delay, BPTT window {cfg.window} (chunk {step})",
            bars=Bars([str(d) for d in delays], hits.tolist(), label="accuracy"),
            xlabel="delay (steps)", ylim=(0, 1),
            caption=f"delays < {cfg.window} can be learnt; from {cfg.window} on the gradient never "
                    "reaches the input that is echoed"))

    chunks = cfg.series // cfg.window
    ctx.begin(cfg.epochs * chunks)
    step, loss_v = 0, float("nan")
    hits = torch.full((K,), 0.5)
    for _ in range(cfg.epochs):
        bits = torch.randint(0, 2, (5, chunks * cfg.window), generator=gen).float().to(dev)
        ys = targets(bits)
        state = None
        for c in range(chunks):
            sl = slice(c * cfg.window, (c + 1) * cfg.window)
            logits, state = run(bits[:, sl], state)
            # truncated BPTT: carry the state forward but cut the gradient at the chunk edge
            state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
            loss = F.binary_cross_entropy_with_logits(logits, ys[:, sl], reduction="none").mean(dim=(0, 1))
            opt.zero_grad()
            loss.sum().backward()  # blocks share nothing, so each delay learns from its own loss
            opt.step()
            apply_mask(model, masks)
            step += 1
            loss_v = loss.mean().item()
            stop = ctx.should_stop()
            if step % 50 == 0 or step == cfg.epochs * chunks or stop:
                hits, logits_t = evaluate()
                ctx.report(step, loss_echo=loss_v, acc_delay=hits[delays.index(cfg.delay)].item())
                draw(step, hits, logits_t)
            else:
                ctx.report(step, loss_echo=loss_v)
            if stop:
                return summary(hits, delays, cfg, loss_v)
    return summary(hits, delays, cfg, loss_v)


def summary(hits, delays, cfg, loss_v) -> dict[str, float]:
    acc = hits.tolist()
    within = [a for a, d in zip(acc, delays) if d < cfg.window]
    beyond = [a for a, d in zip(acc, delays) if d >= cfg.window]
    return {"acc_within": sum(within) / len(within), "acc_beyond": sum(beyond) / len(beyond),
            "acc_delay": acc[delays.index(cfg.delay)], "loss_echo": loss_v}


def expectation_met(m: dict[str, float]) -> bool:
    # a missing metric (a stopped run) is NaN, and every comparison with NaN is False: not met
    m = {k: m.get(k, math.nan) for k in INFO.metrics}
    return bool(m["acc_delay"] >= 0.95 and m["acc_beyond"] <= 0.6)
