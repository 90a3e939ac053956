"""Autograd basics. Replace each TODO."""

import torch


def predicted_grad(x: torch.Tensor) -> torch.Tensor:
    """∂a/∂x for a = mean(3(x − 2)²), as a formula (no autograd)."""
    # TODO
    return torch.zeros_like(x)


def autograd_grad(x: torch.Tensor) -> torch.Tensor:
    """The same gradient, from autograd, leaving the caller's x untouched."""
    # TODO
    return torch.zeros_like(x)


def vjp(W: torch.Tensor, x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """vᵀ ∂y/∂x for y = W tanh(x), from autograd."""
    # TODO
    return torch.zeros_like(x)


def doubling_grad(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """y = 2x, doubled while ‖y‖ < 1000; the gradient of y.backward(v) with respect to x."""
    # TODO
    return torch.zeros_like(x)
