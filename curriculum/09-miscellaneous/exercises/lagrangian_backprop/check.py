"""Checks for lagrangian_backprop: stationarity of the Lagrangian and autograd's gradients."""

import torch

from dltui.checking import call, check, expect_close, expect_true


def _chain(case):
    n = case.dim(1, 5)
    widths = [case.dim(1, 6) for _ in range(n + 1)]
    x = case.tensor(widths[0])
    weights = [case.tensor(widths[k + 1], widths[k], scale=widths[k] ** -0.5 * 1.5, edge=False) for k in range(n)]
    y = case.uniform(widths[n], low=-0.9, high=0.9)
    return x, weights, y


def _list(out, length, what):
    expect_true(isinstance(out, (list, tuple)) and len(out) == length,
                f"{what} should return a list of {length} tensors")
    return list(out)


def _reference(x, weights, y):
    """Autograd's ∂C/∂z_k (states kept with retain_grad) and ∂C/∂W_k."""
    ws = [W.clone().requires_grad_(True) for W in weights]
    z = [x.clone().requires_grad_(True)]
    for W in ws:
        z.append(torch.tanh(W @ z[-1]))
        z[-1].retain_grad()
    (0.5 * ((z[-1] - y) ** 2).sum()).backward()
    return [t.detach() for t in z], [t.grad for t in z], [W.grad for W in ws]


def _learner(learner, x, weights, y):
    n = len(weights)
    states = _list(call("forward", learner, x.clone(), [W.clone() for W in weights]), n + 1, "forward")
    lambdas = _list(call("multipliers", learner, [s.clone() for s in states], [W.clone() for W in weights], y.clone()),
                    n + 1, "multipliers")
    return states, lambdas


@check("∂L/∂λ = 0: the forward pass")
def forward_pass(learner, case):
    x, weights, y = _chain(case)
    z, _, _ = _reference(x, weights, y)
    states = _list(call("forward", learner, x.clone(), [W.clone() for W in weights]), len(z), "forward")
    for k, (got, want) in enumerate(zip(states, z)):
        expect_close(got, want, f"z{k}")


@check("∂L/∂z_k = 0 at your multipliers")
def stationary(learner, case):
    x, weights, y = _chain(case)
    states, lambdas = _learner(learner, x, weights, y)
    z = [s.detach().clone().requires_grad_(True) for s in states]
    lagrangian = 0.5 * ((z[-1] - y) ** 2).sum()
    for k, W in enumerate(weights):
        lagrangian = lagrangian + (lambdas[k + 1].detach() * (z[k + 1] - torch.tanh(W @ z[k]))).sum()
    grads = torch.autograd.grad(lagrangian, z[1:])
    for k, g in enumerate(grads, 1):
        expect_close(g, torch.zeros_like(g), f"∂L/∂z{k}", atol=1e-9)


@check("λ_k = −∂C/∂z_k, down to λ₀")
def multipliers_are_gradients(learner, case):
    x, weights, y = _chain(case)
    _, lambdas = _learner(learner, x, weights, y)
    _, dz, _ = _reference(x, weights, y)
    for k in range(len(lambdas) - 1, -1, -1):
        expect_close(lambdas[k], -dz[k], f"λ{k}")


@check("∂C/∂W_k = −(∂f_k/∂W_k)ᵀ λ_{k+1} matches autograd")
def weight_gradients(learner, case):
    x, weights, y = _chain(case)
    states, lambdas = _learner(learner, x, weights, y)
    grads = _list(call("weight_grads", learner, states, lambdas, [W.clone() for W in weights]), len(weights),
                  "weight_grads")
    _, _, dW = _reference(x, weights, y)
    for k, (got, want) in enumerate(zip(grads, dW)):
        expect_close(got, want, f"∂C/∂W{k}")
