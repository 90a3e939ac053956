"""Batch norm forward, training and evaluation: a reference solution."""

import torch


def batch_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, running_mean: torch.Tensor,
               running_var: torch.Tensor, training: bool, momentum: float = 0.1, eps: float = 1e-5):
    """x (n, C) → (y, new_running_mean, new_running_var)."""
    if training:
        mean = x.mean(dim=0)
        var = x.var(dim=0, unbiased=False)
        # PyTorch stores the unbiased estimate, though it normalises with the biased one
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var = (1 - momentum) * running_var + momentum * x.var(dim=0, unbiased=True)
    else:
        mean, var = running_mean, running_var
    y = gamma * (x - mean) / torch.sqrt(var + eps) + beta
    return y, running_mean, running_var
