"""Checks for vae_reparam_kl: compared with torch.distributions and autograd."""

import torch

from dltui.checking import call, check, expect_close, expect_true


def _problem(case):
    n, d = case.dim(1, 8), case.dim(1, 6)
    mu = case.tensor(n, d)
    # log-variances stay within about ±12 even in the large case: exp() of them is finite
    logvar = case.tensor(n, d, large=4.0)
    eps = case.tensor(n, d, edge=False)
    return mu, logvar, eps


def _pair(out, what):
    expect_true(isinstance(out, (tuple, list)) and len(out) == 2,
                f"{what} should return two tensors: (grad_mu, grad_logvar)")
    return out


@check("z = μ + exp(½ log v) ⊙ ε")
def sample(learner, case):
    mu, logvar, eps = _problem(case)
    z = call("reparameterise", learner, mu.clone(), logvar.clone(), eps.clone())
    expect_close(z, mu + (0.5 * logvar).exp() * eps, "z")


@check("gradients reach μ and log v through z")
def sample_grad(learner, case):
    mu, logvar, eps = _problem(case)
    m, s = mu.clone().requires_grad_(True), logvar.clone().requires_grad_(True)
    z = call("reparameterise", learner, m, s, eps.clone())
    expect_true(isinstance(z, torch.Tensor) and z.requires_grad,
                "z does not depend on mu and logvar through autograd: build it with torch operations "
                "on the tensors you are given (no .detach(), no new tensors)")
    g = case.tensor(*mu.shape, edge=False)
    (z * g).sum().backward()  # a scalar: backward(g) would import torch.fx (seconds) on first use
    expect_true(m.grad is not None and s.grad is not None,
                "no gradient reaches " + ("mu" if m.grad is None else "logvar") + " through z: use it in z")
    expect_close(m.grad, g, "∂(g·z)/∂μ")
    expect_close(s.grad, g * eps * 0.5 * (0.5 * logvar).exp(), "∂(g·z)/∂ log v")


@check("KL per sample matches torch.distributions")
def kl_value(learner, case):
    mu, logvar, _ = _problem(case)
    q = torch.distributions.Normal(mu, (0.5 * logvar).exp())
    p = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    expected = torch.distributions.kl_divergence(q, p).sum(dim=1)
    expect_close(call("kl_to_standard_normal", learner, mu.clone(), logvar.clone()), expected, "KL",
                 atol=1e-9, rtol=1e-8)


@check("∂(Σ KL)/∂μ by hand")
def kl_grad_mu(learner, case):
    mu, logvar, _ = _problem(case)
    got = _pair(call("kl_grads", learner, mu.clone(), logvar.clone()), "kl_grads")[0]
    expect_close(got, _reference_grads(mu, logvar)[0], "grad_mu")


@check("∂(Σ KL)/∂ log v by hand")
def kl_grad_logvar(learner, case):
    mu, logvar, _ = _problem(case)
    got = _pair(call("kl_grads", learner, mu.clone(), logvar.clone()), "kl_grads")[1]
    expect_close(got, _reference_grads(mu, logvar)[1], "grad_logvar")


def _reference_grads(mu, logvar):
    m, s = mu.clone().requires_grad_(True), logvar.clone().requires_grad_(True)
    (0.5 * (s.exp() - s - 1 + m ** 2)).sum().backward()
    return m.grad, s.grad
