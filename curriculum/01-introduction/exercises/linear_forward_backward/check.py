"""Checks for linear_forward_backward: compared with PyTorch on random shapes and values."""

import torch

from dltui.checking import call, check, expect_close, expect_true


def _problem(case):
    n, d_in, d_out = case.dim(1, 8), case.dim(1, 7), case.dim(1, 6)
    x = case.tensor(n, d_in)
    W = case.tensor(d_out, d_in, edge=False)
    b = case.tensor(d_out, edge=False)
    g = case.tensor(n, d_out, edge=False)
    return x, W, b, g


def _reference(x, W, b, g):
    x, W, b = (t.clone().requires_grad_(True) for t in (x, W, b))
    y = x @ W.T + b
    y.backward(g)
    return x.grad, W.grad, b.grad


def _learner_grads(learner, x, W, g):
    out = call("linear_backward", learner, g.clone(), x.clone(), W.clone())
    expect_true(isinstance(out, (tuple, list)) and len(out) == 3,
                "linear_backward should return three tensors: (grad_x, grad_W, grad_b)")
    return out


@check("forward: y = x Wᵀ + b")
def forward(learner, case):
    x, W, b, _ = _problem(case)
    expect_close(call("linear_forward", learner, x.clone(), W.clone(), b.clone()), x @ W.T + b, "y")


@check("backward: ∂L/∂x")
def grad_x(learner, case):
    x, W, b, g = _problem(case)
    expect_close(_learner_grads(learner, x, W, g)[0], _reference(x, W, b, g)[0], "grad_x")


@check("backward: ∂L/∂W")
def grad_W(learner, case):
    x, W, b, g = _problem(case)
    expect_close(_learner_grads(learner, x, W, g)[1], _reference(x, W, b, g)[1], "grad_W")


@check("backward: ∂L/∂b")
def grad_b(learner, case):
    x, W, b, g = _problem(case)
    expect_close(_learner_grads(learner, x, W, g)[2], _reference(x, W, b, g)[2], "grad_b")
