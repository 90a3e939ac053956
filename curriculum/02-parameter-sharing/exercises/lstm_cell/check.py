"""Checks for lstm_cell: nn.LSTMCell and nn.LSTM with copied weights, in float64."""

import torch
from torch import nn

from dltui.checking import CheckFailed, call, check, expect_close


def _weights(case, d_in, d_h):
    return [case.tensor(4 * d_h, d_in, scale=0.5, edge=False), case.tensor(4 * d_h, d_h, scale=0.5, edge=False),
            case.tensor(4 * d_h, scale=0.5, edge=False), case.tensor(4 * d_h, scale=0.5, edge=False)]


def _copy(module, weights):
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), weights):
            suffix = "_l0" if isinstance(module, nn.LSTM) else ""
            getattr(module, name + suffix).copy_(value)
    return module


def _step_problem(case):
    n, d_in, d_h = case.dim(1, 5), case.dim(1, 6), case.dim(1, 6)
    x, h, c = case.tensor(n, d_in), case.tensor(n, d_h, scale=0.5), case.tensor(n, d_h)
    return x, h, c, _weights(case, d_in, d_h)


def _pair(out, name):
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise CheckFailed(f"{name} should return a pair of tensors")
    return out


def _cell(learner, case):
    x, h, c, weights = _step_problem(case)
    got = _pair(call("lstm_cell", learner, x.clone(), h.clone(), c.clone(), *(w.clone() for w in weights)),
                "lstm_cell")
    cell = _copy(nn.LSTMCell(x.shape[1], h.shape[1], dtype=torch.float64), weights)
    with torch.no_grad():
        want = cell(x, (h, c))
    return got, want


@check("one step: the new cell state c′ matches nn.LSTMCell")
def cell_state(learner, case):
    got, want = _cell(learner, case)
    expect_close(got[1], want[1], "c′")


@check("one step: the new hidden state h′ matches nn.LSTMCell")
def hidden_state(learner, case):
    got, want = _cell(learner, case)
    expect_close(got[0], want[0], "h′")


@check("a whole sequence matches nn.LSTM")
def sequence(learner, case):
    steps, n, d_in, d_h = case.dim(1, 6), case.dim(1, 4), case.dim(1, 5), case.dim(1, 5)
    xs, h, c = case.tensor(steps, n, d_in), case.tensor(n, d_h, scale=0.5), case.tensor(n, d_h)
    weights = _weights(case, d_in, d_h)
    got = _pair(call("lstm_sequence", learner, xs.clone(), h.clone(), c.clone(), *(w.clone() for w in weights)),
                "lstm_sequence")
    lstm = _copy(nn.LSTM(d_in, d_h, dtype=torch.float64), weights)
    with torch.no_grad():
        out, (_h_last, c_last) = lstm(xs, (h[None], c[None]))
    expect_close(got[0], out, "the hidden states")
    expect_close(got[1], c_last[0], "the last cell state")
