"""Checks for mlp_by_hand: forward and gradients against autograd, then SGD lowers the loss."""

import torch

from dltui.checking import CheckFailed, call, check, expect_close, expect_true


def _problem(case):
    n, d_in, d_h, d_out = case.dim(1, 8), case.dim(1, 6), case.dim(1, 10), case.dim(1, 4)
    params = (case.tensor(d_h, d_in, edge=False), case.tensor(d_h, edge=False),
              case.tensor(d_out, d_h, edge=False), case.tensor(d_out, edge=False))
    return case.tensor(n, d_in), params, case.tensor(n, d_out, edge=False)


def _reference(x, params, g):
    W1, b1, W2, b2 = (p.clone().requires_grad_(True) for p in params)
    y = torch.relu(x @ W1.T + b1) @ W2.T + b2
    y.backward(g)
    return y.detach(), {"W1": W1.grad, "b1": b1.grad, "W2": W2.grad, "b2": b2.grad}


def _learner_grads(learner, x, params, g):
    mlp = call("MLP", learner, *(p.clone() for p in params))
    mlp.forward(x.clone())
    mlp.backward(g.clone())
    grads = getattr(mlp, "grads", None)
    expect_true(isinstance(grads, dict), "backward should fill self.grads, a dict")
    for key in ("W1", "b1", "W2", "b2"):
        expect_true(key in grads, f"self.grads has no {key!r} after backward")
    return grads


@check("forward: ŷ = ReLU(x W₁ᵀ + b₁) W₂ᵀ + b₂")
def forward(learner, case):
    x, params, g = _problem(case)
    mlp = call("MLP", learner, *(p.clone() for p in params))
    expect_close(mlp.forward(x.clone()), _reference(x, params, g)[0], "ŷ")


@check("backward: ∂L/∂W₂ and ∂L/∂b₂")
def layer2(learner, case):
    x, params, g = _problem(case)
    grads = _learner_grads(learner, x, params, g)
    want = _reference(x, params, g)[1]
    expect_close(grads["W2"], want["W2"], "grads['W2']")
    expect_close(grads["b2"], want["b2"], "grads['b2']")


@check("backward: ∂L/∂W₁ and ∂L/∂b₁")
def layer1(learner, case):
    x, params, g = _problem(case)
    grads = _learner_grads(learner, x, params, g)
    want = _reference(x, params, g)[1]
    expect_close(grads["W1"], want["W1"], "grads['W1']")
    expect_close(grads["b1"], want["b1"], "grads['b1']")


@check("ten SGD steps lower the mean squared error")
def training(learner, case):
    n, d_in, d_h = 16, case.dim(2, 4), case.dim(8, 16)
    x = case.tensor(n, d_in, edge=False)
    target = torch.sin(x.sum(dim=1, keepdim=True))
    mlp = call("MLP", learner, case.tensor(d_h, d_in, edge=False) * 0.5, torch.zeros(d_h, dtype=x.dtype),
               case.tensor(1, d_h, edge=False) * 0.5, torch.zeros(1, dtype=x.dtype))
    losses = []
    for _ in range(10):
        y = mlp.forward(x)
        losses.append(float(((y - target) ** 2).mean()))
        mlp.backward(2 * (y - target) / y.numel())
        mlp.sgd_step(0.05)
    final = float(((mlp.forward(x) - target) ** 2).mean())
    if not final < losses[0]:
        raise CheckFailed(f"the loss went from {losses[0]:.4f} to {final:.4f} after 10 steps of lr 0.05; "
                          "does sgd_step change the parameters that forward uses?")
