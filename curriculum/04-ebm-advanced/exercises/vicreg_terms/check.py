"""Checks for vicreg_terms: compared with torch.cov and autograd."""

import torch

from dltui.checking import call, check, expect_close, expect_true


def _batch(case):
    N, d = case.dim(1, 10), case.dim(1, 6)
    # mixing columns makes the components correlated, so the covariance term has work to do
    mix = torch.eye(d, dtype=torch.float64) + 0.5 * case.tensor(d, d, edge=False)
    scale = float(case.uniform(1, low=0.2, high=2.0))
    hx = case.tensor(N, d, scale=scale) @ mix
    hy = hx + case.tensor(N, d, scale=0.3, edge=False)
    return hx, hy


def _C(h):
    return torch.cov(h.T, correction=0).reshape(h.shape[1], h.shape[1])


def _var(h, gamma=1.0, eps=1e-4):
    return torch.clamp(gamma - torch.sqrt(_C(h).diagonal() + eps), min=0).sum() / h.shape[1]


def _cov(h):
    C = _C(h)
    return (C ** 2).sum().sub((C.diagonal() ** 2).sum()) / h.shape[1]


def _loss(hx, hy, lam, mu, nu):
    inv = ((hx - hy) ** 2).sum() / hx.shape[0]
    return lam * inv + mu * (_var(hx) + _var(hy)) + nu * (_cov(hx) + _cov(hy))


@check("invariance: mean squared distance of the pairs")
def inv(learner, case):
    hx, hy = _batch(case)
    expect_close(call("invariance", learner, hx.clone(), hy.clone()), ((hx - hy) ** 2).sum() / hx.shape[0], "inv")


@check("variance: hinge on each component's standard deviation")
def var(learner, case):
    hx, _ = _batch(case)
    gamma = float(case.uniform(1, low=0.5, high=2.0))
    expect_close(call("variance_term", learner, hx.clone(), gamma=gamma, eps=1e-4), _var(hx, gamma), "var")


@check("covariance: squared off-diagonal entries over d")
def cov(learner, case):
    hx, _ = _batch(case)
    expect_close(call("covariance_term", learner, hx.clone()), _cov(hx), "cov", atol=1e-9, rtol=1e-7)


@check("whole loss and its gradient")
def loss(learner, case):
    hx, hy = _batch(case)
    lam, mu, nu = (float(w) for w in case.uniform(3, low=0.5, high=30.0))
    mine = hx.clone().requires_grad_(True)
    got = call("vicreg_loss", learner, mine, hy.clone(), lam=lam, mu=mu, nu=nu)
    ref = hx.clone().requires_grad_(True)
    expected = _loss(ref, hy, lam, mu, nu)
    expect_close(got, expected, "L", atol=1e-9, rtol=1e-7)
    expect_true(isinstance(got, torch.Tensor) and got.requires_grad,
                "L does not depend on hx through autograd: keep to torch operations on the inputs")
    got.backward()
    expected.backward()
    expect_close(mine.grad, ref.grad, "∂L/∂hx", atol=1e-8, rtol=1e-6)
