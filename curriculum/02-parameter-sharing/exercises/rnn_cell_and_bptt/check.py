"""Checks for rnn_cell_and_bptt: nn.RNN with copied weights, and autograd through it."""

import torch
from torch import nn

from dltui.checking import CheckFailed, call, check, expect_close


def _problem(case):
    steps, n, d_in, d_h = case.dim(1, 7), case.dim(1, 4), case.dim(1, 5), case.dim(1, 6)
    x = case.tensor(steps, n, d_in)
    h0 = case.tensor(n, d_h, scale=0.5)
    weights = [case.tensor(d_h, d_in, scale=0.6, edge=False), case.tensor(d_h, d_h, scale=0.6, edge=False),
               case.tensor(d_h, scale=0.3, edge=False), case.tensor(d_h, scale=0.3, edge=False)]
    g = case.tensor(n, d_h, edge=False)
    return x, h0, weights, g


def _rnn(weights):
    W_ih, W_hh, b_ih, b_hh = weights
    rnn = nn.RNN(W_ih.shape[1], W_ih.shape[0], nonlinearity="tanh", dtype=torch.float64)
    with torch.no_grad():
        for param, value in zip((rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0), weights):
            param.copy_(value)
    return rnn


def _reference_grads(x, h0, weights, g):
    rnn = _rnn(weights)
    h0 = h0.clone().requires_grad_(True)
    _out, h_last = rnn(x, h0[None])
    h_last[0].backward(g)
    return (rnn.weight_ih_l0.grad, rnn.weight_hh_l0.grad, rnn.bias_ih_l0.grad, rnn.bias_hh_l0.grad, h0.grad)


def _learner_grads(learner, x, h0, weights, g):
    out = call("rnn_bptt", learner, x.clone(), h0.clone(), *(w.clone() for w in weights), g.clone())
    if not isinstance(out, (tuple, list)) or len(out) != 5:
        raise CheckFailed("rnn_bptt should return five tensors: (dW_ih, dW_hh, db_ih, db_hh, dh0)")
    return out


@check("forward: every hidden state matches nn.RNN")
def forward(learner, case):
    x, h0, weights, _ = _problem(case)
    with torch.no_grad():
        want, _ = _rnn(weights)(x, h0[None])
    got = call("rnn_forward", learner, x.clone(), h0.clone(), *(w.clone() for w in weights))
    expect_close(got, want, "H")


def _grad_check(index, what):
    def run(learner, case):
        x, h0, weights, g = _problem(case)
        got = _learner_grads(learner, x, h0, weights, g)[index]
        expect_close(got, _reference_grads(x, h0, weights, g)[index], what)
    return run


grad_W_ih = check("BPTT: ∂L/∂W_ih, summed over time")(_grad_check(0, "dW_ih"))
grad_W_hh = check("BPTT: ∂L/∂W_hh, summed over time")(_grad_check(1, "dW_hh"))
grad_b_ih = check("BPTT: ∂L/∂b_ih")(_grad_check(2, "db_ih"))
grad_b_hh = check("BPTT: ∂L/∂b_hh")(_grad_check(3, "db_hh"))
grad_h0 = check("BPTT: ∂L/∂h0, through every step")(_grad_check(4, "dh0"))
