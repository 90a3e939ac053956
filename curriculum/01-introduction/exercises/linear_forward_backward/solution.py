"""Linear layer forward and backward, by hand: a reference solution."""

import torch


def linear_forward(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """y = x Wᵀ + b for x (n, d_in), W (d_out, d_in), b (d_out,); returns y (n, d_out)."""
    return x @ W.T + b


def linear_backward(g: torch.Tensor, x: torch.Tensor, W: torch.Tensor):
    """Given g = ∂L/∂y (n, d_out), return (∂L/∂x, ∂L/∂W, ∂L/∂b)."""
    grad_x = g @ W  # (n, d_out)·(d_out, d_in)
    grad_W = g.T @ x  # (d_out, n)·(n, d_in): summed over the batch
    grad_b = g.sum(dim=0)  # b was added to every row
    return grad_x, grad_W, grad_b
