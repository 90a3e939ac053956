"""One step of Adam, by hand. Replace each TODO; Ctrl+S runs the checks."""

import torch


def adam_step(w: torch.Tensor, grad: torch.Tensor, m: torch.Tensor, v: torch.Tensor, t: int, lr: float,
              beta1: float, beta2: float, eps: float, weight_decay: float = 0.0):
    """Returns (new_w, new_m, new_v) after step t (t counts from 1); m and v start as zeros."""
    g = grad + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    # TODO: correct the bias of m and v for step t before using them
    return w - lr * m / (v.sqrt() + eps), m, v
