"""The temporal-order task: a vanilla RNN against an LSTM on sequences with a long gap."""

from __future__ import annotations

from dataclasses import dataclass

from dltui.figures import Figure
from dltui.labspec import LabInfo, setting

INFO = LabInfo(
    id="seq_classification",
    title="Temporal order: RNN vs. LSTM",
    summary="Classify a sequence by the order of two far-apart symbols: the LSTM bridges the gap, the RNN cannot",
    lessons=("t2_rnn_lstm",),
    expectation="on 'normal' sequences (length 30–40, symbols ~20 steps apart) the LSTM's test "
                "accuracy is ≥ 0.9 while the RNN's stays ≤ 0.7 (chance is 0.25)",
    metrics={
        "acc_rnn": "test accuracy of the vanilla RNN (0–1; chance 0.25)",
        "acc_lstm": "test accuracy of the LSTM (0–1; chance 0.25)",
        "loss_rnn": "final training cross-entropy of the RNN",
        "loss_lstm": "final training cross-entropy of the LSTM",
    },
    steps_label="batch",
)

SYMBOLS = "XYabcdBE"  # X, Y carry the class; a–d are distractors; B and E mark start and end
CLASSES = "QRSU"  # XX, XY, YX, YY
# (shortest, longest length), (t1 range), (t2 range): positions counted from B at 0
LEVELS = {
    "easy": ((7, 8), (1, 2), (4, 5)),
    "normal": ((30, 40), (2, 5), (20, 27)),
    "moderate": ((60, 80), (10, 20), (45, 54)),
}


@dataclass
class Settings:
    model: str = setting("both", choices=("both", "rnn", "lstm"), help="which model(s) to train")
    difficulty: str = setting("normal", choices=tuple(LEVELS), help="sequence length and gap")
    hidden: int = setting(8, 1, 256, help="hidden units of each model")
    lr: float = setting(0.003, 1e-5, 10.0, help="RMSprop learning rate")
    batch: int = setting(32, 4, 1024, help="sequences per training batch (fresh ones every batch)")
    batches: int = setting(600, 10, 20000, cpu_max=10000, help="training batches")
    seed: int = setting(0, 0, 2**31 - 1, help="random seed")


def make_batch(n: int, level: str, generator, device: str):
    """n one-hot sequences (n, T, 8), pre-padded with zeros to a common length T, and labels."""
    import torch
    import torch.nn.functional as F

    (lo, hi), (a1, b1), (a2, b2) = LEVELS[level]
    T = hi + 1

    def draw(a, b):
        return torch.randint(a, b + 1, (n, 1), generator=generator)

    length, t1, t2 = draw(lo, hi), draw(a1, b1), draw(a2, b2)
    first, second = torch.randint(0, 2, (2, n, 1), generator=generator)
    pos = torch.arange(T)[None, :] - (T - length)  # position inside the sequence; < 0 is padding
    ids = torch.randint(2, 6, (n, T), generator=generator)
    ids = torch.where(pos == t1, first, ids)
    ids = torch.where(pos == t2, second, ids)
    ids = torch.where(pos == 0, 6, ids)
    ids = torch.where(pos == length - 1, 7, ids)
    x = F.one_hot(ids, 8).float() * (pos >= 0)[..., None]
    y = (2 * first + second).squeeze(1)
    return x.to(device), y.to(device), ids.masked_fill(pos < 0, -1)


def build(kind: str, hidden: int):
    from torch import nn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            if kind == "lstm":
                self.rnn = nn.LSTM(8, hidden, batch_first=True)
            else:
                self.rnn = nn.RNN(8, hidden, nonlinearity="relu", batch_first=True)
            self.out = nn.Linear(hidden, 4)

        def forward(self, x):
            states, _ = self.rnn(x)
            return self.out(states[:, -1])  # only the state after the last symbol decides

    return Classifier()


def cell_states(lstm, x):
    """Cell state of every unit at every step of one sequence x (T, 8): a (hidden, T) tensor."""
    import torch

    cell = torch.nn.LSTMCell(8, lstm.hidden_size).to(x.device)
    cell.load_state_dict({k[:-3]: v for k, v in lstm.state_dict().items()})  # drop the "_l0" suffix
    h = c = torch.zeros(1, lstm.hidden_size, device=x.device)
    cols = []
    with torch.no_grad():
        for t in range(x.shape[0]):
            h, c = cell(x[t:t + 1], (h, c))
            cols.append(c[0])
    return torch.stack(cols, dim=1)


def train(cfg: Settings, ctx) -> dict[str, float]:
    import torch
    import torch.nn.functional as F

    from dltui.labs._common import heatmap


    gen = torch.Generator().manual_seed(cfg.seed)
    Xt, yt, ids_t = make_batch(1000, cfg.difficulty, gen, ctx.device)
    torch.manual_seed(cfg.seed)
    kinds = ["rnn", "lstm"] if cfg.model == "both" else [cfg.model]
    nets = {k: build(k, cfg.hidden).to(ctx.device) for k in kinds}
    opts = {k: torch.optim.RMSprop(n.parameters(), lr=cfg.lr) for k, n in nets.items()}

    def evaluate() -> dict[str, float]:
        with torch.no_grad():
            return {f"acc_{k}": (n(Xt).argmax(1) == yt).float().mean().item() for k, n in nets.items()}

    def draw(step: int) -> None:
        text = "".join(SYMBOLS[i] for i in ids_t[0].tolist() if i >= 0)
        with torch.no_grad():
            preds = " ".join(f"{k}: {CLASSES[n(Xt[:1]).argmax().item()]}" for k, n in nets.items())
        caption = f"{text} → {CLASSES[yt[0].item()]}   predicted {preds}"
        if "lstm" not in nets:
            ctx.figure("example", Figure(title=f"Test sequence (batch {step})", caption=caption))
            return
        c = cell_states(nets["lstm"].rnn, Xt[0]).tanh()
        T, H = c.shape[1], c.shape[0]
        ctx.figure("lstm cell states", Figure(
            title=f"LSTM cell states along a test sequence (batch {step}); x = time step",
            heatmap=heatmap(c, (0, T), (0, H), T, H, label="tanh(c)"),
            xlabel="time step", ylabel="unit", caption=caption))

    ctx.begin(cfg.batches)
    scalars: dict[str, float] = {}
    accs: dict[str, float] = {}
    for step in range(1, cfg.batches + 1):
        X, y, _ = make_batch(cfg.batch, cfg.difficulty, gen, ctx.device)
        for k, net in nets.items():
            loss = F.cross_entropy(net(X), y)
            opts[k].zero_grad()
            loss.backward()
            opts[k].step()
            scalars[f"loss_{k}"] = loss.item()
        stop = ctx.should_stop()
        if step % 25 == 0 or step == cfg.batches or stop:
            accs = evaluate()
            ctx.report(step, **scalars, **accs)
        else:
            ctx.report(step, **scalars)
        if step % 50 == 0 or step == cfg.batches or stop:
            draw(step)
        if stop:
            break
    return {**scalars, **accs}


def expectation_met(m: dict[str, float]) -> bool:
    if "acc_lstm" not in m and "acc_rnn" not in m:  # nothing to judge
        return False
    ok = True
    if "acc_lstm" in m:
        ok &= m["acc_lstm"] >= 0.9
    if "acc_rnn" in m:
        ok &= m["acc_rnn"] <= 0.7
    return bool(ok)
