"""Batch norm forward, training and evaluation. Replace each TODO; Ctrl+S runs the checks."""

import torch


def batch_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, running_mean: torch.Tensor,
               running_var: torch.Tensor, training: bool, momentum: float = 0.1, eps: float = 1e-5):
    """x (n, C) → (y, new_running_mean, new_running_var)."""
    if training:
        mean = x.mean(dim=0)
        var = x.var(dim=0, unbiased=False)
        # TODO: update the running statistics (unbiased variance for running_var)
    else:
        # TODO: evaluation mode uses the running statistics
        mean, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
    y = gamma * (x - mean) / torch.sqrt(var + eps) + beta
    return y, running_mean, running_var
