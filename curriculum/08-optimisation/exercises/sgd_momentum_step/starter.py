"""One step of SGD with momentum, by hand. Replace each TODO; Ctrl+S runs the checks."""

import torch


def sgd_momentum_step(w: torch.Tensor, grad: torch.Tensor, buf: torch.Tensor, lr: float, momentum: float,
                      weight_decay: float = 0.0, nesterov: bool = False):
    """Returns (new_w, new_buf) after one step; buf starts as zeros."""
    # TODO: weight decay on the gradient, then the buffer, then the step (Nesterov: look ahead)
    new_w = w - lr * grad
    return new_w, buf
