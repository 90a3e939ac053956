"""One step of Adam, by hand: a reference solution."""

import torch


def adam_step(w: torch.Tensor, grad: torch.Tensor, m: torch.Tensor, v: torch.Tensor, t: int, lr: float,
              beta1: float, beta2: float, eps: float, weight_decay: float = 0.0):
    """Returns (new_w, new_m, new_v) after step t (t counts from 1); m and v start as zeros."""
    g = grad + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** t)  # m and v started at zero: undo their pull towards it
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (v_hat.sqrt() + eps), m, v
