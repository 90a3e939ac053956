"""Checks for autograd_basics: the predicted formula, then autograd used three ways."""

import torch

from dltui.checking import call, check, expect_close, expect_true


def _x(case):
    return case.tensor(*[case.dim(1, 4) for _ in range(case.dim(1, 3))])


@check("predicted ∂a/∂x for a = mean(3(x − 2)²), by formula")
def predicted(learner, case):
    x = _x(case)
    with torch.inference_mode():
        got = call("predicted_grad", learner, x.clone())
    expect_close(got, 6 * (x - 2) / x.numel(), "predicted_grad(x)")


@check("the same gradient from autograd, x left untouched")
def from_autograd(learner, case):
    x = _x(case)
    mine = x.clone()
    got = call("autograd_grad", learner, mine)
    expect_true(not mine.requires_grad and mine.grad is None,
                "autograd_grad changed the caller's x (requires_grad or .grad); work on a detached copy")
    expect_close(got, 6 * (x - 2) / x.numel(), "autograd_grad(x)")


@check("vector-Jacobian product of y = W tanh(x)")
def vector_jacobian(learner, case):
    m, n = case.dim(1, 6), case.dim(1, 6)
    W, x, v = case.tensor(m, n, edge=False), case.tensor(n), case.tensor(m, edge=False)
    expect_close(call("vjp", learner, W.clone(), x.clone(), v.clone()), (W.T @ v) * (1 - torch.tanh(x) ** 2),
                 "vjp(W, x, v)")


@check("gradient through a data-dependent loop")
def doubling(learner, case):
    n = case.dim(1, 5)
    x = case.tensor(n, edge=False) * 0.1 + 0.01
    v = case.tensor(n, edge=False)
    y, k = x * 2, 1
    while y.norm() < 1000:
        y, k = y * 2, k + 1
    expect_close(call("doubling_grad", learner, x.clone(), v.clone()), v * 2.0 ** k, "doubling_grad(x, v)")
