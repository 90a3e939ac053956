"""Checks for losses_backward: values against torch.nn.functional, gradients against autograd."""

import torch
import torch.nn.functional as F

from dltui.checking import call, check, expect_close


def _regression(case):
    shape = [case.dim(1, 6) for _ in range(case.dim(1, 3))]
    return case.tensor(*shape), case.tensor(*shape, edge=False)


def _binary(case):
    shape = [case.dim(1, 6) for _ in range(case.dim(1, 2))]
    p = case.uniform(*shape, low=0.02, high=0.98)
    return p, case.mask(*shape).to(torch.float64)


def _classes(case):
    n, k = case.dim(1, 8), case.dim(2, 6)
    return case.tensor(n, k, large=1000.0), case.integers(0, k, n)


def _autograd(loss, x, *rest):
    leaf = x.clone().requires_grad_(True)
    loss(leaf, *rest).backward()
    return leaf.grad


@check("MSE value")
def mse(learner, case):
    y_hat, y = _regression(case)
    expect_close(call("mse", learner, y_hat.clone(), y.clone()), F.mse_loss(y_hat, y), "mse")


@check("MSE gradient ∂L/∂ŷ")
def mse_grad(learner, case):
    y_hat, y = _regression(case)
    expect_close(call("mse_grad", learner, y_hat.clone(), y.clone()), _autograd(F.mse_loss, y_hat, y), "mse_grad")


@check("BCE value")
def bce(learner, case):
    p, y = _binary(case)
    expect_close(call("bce", learner, p.clone(), y.clone()), F.binary_cross_entropy(p, y), "bce")


@check("BCE gradient ∂L/∂p")
def bce_grad(learner, case):
    p, y = _binary(case)
    expect_close(call("bce_grad", learner, p.clone(), y.clone()), _autograd(F.binary_cross_entropy, p, y),
                 "bce_grad")


@check("softmax cross-entropy value (stable for large logits)")
def cross_entropy(learner, case):
    z, target = _classes(case)
    expect_close(call("cross_entropy", learner, z.clone(), target.clone()), F.cross_entropy(z, target),
                 "cross_entropy")


@check("softmax cross-entropy gradient ∂L/∂z")
def cross_entropy_grad(learner, case):
    z, target = _classes(case)
    expect_close(call("cross_entropy_grad", learner, z.clone(), target.clone()),
                 _autograd(F.cross_entropy, z, target), "cross_entropy_grad")
