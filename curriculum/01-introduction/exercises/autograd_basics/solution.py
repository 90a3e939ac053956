"""Autograd basics: a reference solution."""

import torch


def predicted_grad(x: torch.Tensor) -> torch.Tensor:
    return 6 * (x - 2) / x.numel()


def autograd_grad(x: torch.Tensor) -> torch.Tensor:
    x = x.detach().clone().requires_grad_(True)
    a = (3 * (x - 2) ** 2).mean()
    a.backward()
    return x.grad


def vjp(W: torch.Tensor, x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    x = x.detach().clone().requires_grad_(True)
    y = W @ torch.tanh(x)
    y.backward(v)
    return x.grad


def doubling_grad(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    x = x.detach().clone().requires_grad_(True)
    y = x * 2
    while y.norm() < 1000:
        y = y * 2
    y.backward(v)
    return x.grad
