"""Linear layer forward and backward, by hand. Replace each TODO; run the checks with Ctrl+S."""

import torch


def linear_forward(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """y = x Wᵀ + b for x (n, d_in), W (d_out, d_in), b (d_out,); returns y (n, d_out)."""
    # TODO: one matrix product and one addition
    return torch.zeros(x.shape[0], W.shape[0], dtype=x.dtype)


def linear_backward(g: torch.Tensor, x: torch.Tensor, W: torch.Tensor):
    """Given g = ∂L/∂y (n, d_out), return (∂L/∂x, ∂L/∂W, ∂L/∂b)."""
    # TODO: each gradient has the shape of what it is the gradient of
    grad_x = torch.zeros_like(x)
    grad_W = torch.zeros_like(W)
    grad_b = torch.zeros(W.shape[0], dtype=W.dtype)
    return grad_x, grad_W, grad_b
