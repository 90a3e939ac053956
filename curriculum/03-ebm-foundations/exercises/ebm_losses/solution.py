"""Losses for energy-based models: a reference solution."""

import torch


def _correct(E, y):
    """Eᶜ: the energy of each sample's correct answer, shape (n,)."""
    return E[torch.arange(E.shape[0]), y]


def most_offending(E: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Ȳ (n,): the index of the lowest-energy answer other than y."""
    wrong = E.clone()
    wrong[torch.arange(E.shape[0]), y] = float("inf")
    return wrong.argmin(dim=1)


def _offending(E, y):
    return E[torch.arange(E.shape[0]), most_offending(E, y)]


def energy_loss(E, y):
    return _correct(E, y).mean()


def perceptron_loss(E, y):
    return (_correct(E, y) - E.amin(dim=1)).mean()


def hinge_loss(E, y, margin: float):
    return (margin + _correct(E, y) - _offending(E, y)).clamp(min=0).mean()


def log_loss(E, y):
    d = _correct(E, y) - _offending(E, y)
    return (d.clamp(min=0) + torch.log1p(torch.exp(-d.abs()))).mean()  # softplus without overflow


def nll_loss(E, y, beta: float):
    return (_correct(E, y) + torch.logsumexp(-beta * E, dim=1) / beta).mean()
