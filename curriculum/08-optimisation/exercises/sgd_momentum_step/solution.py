"""One step of SGD with momentum, by hand: a reference solution."""

import torch


def sgd_momentum_step(w: torch.Tensor, grad: torch.Tensor, buf: torch.Tensor, lr: float, momentum: float,
                      weight_decay: float = 0.0, nesterov: bool = False):
    """Returns (new_w, new_buf) after one step; buf starts as zeros."""
    g = grad + weight_decay * w  # decay acts through the gradient, so momentum carries it too
    new_buf = momentum * buf + g
    direction = g + momentum * new_buf if nesterov else new_buf
    return w - lr * direction, new_buf
