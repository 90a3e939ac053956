"""Losses for energy-based models. Replace each TODO; run the checks with Ctrl+S."""

import torch


def _correct(E, y):
    """Eᶜ: the energy of each sample's correct answer, shape (n,)."""
    return E[torch.arange(E.shape[0]), y]


def most_offending(E: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Ȳ (n,): the index of the lowest-energy answer other than y."""
    # TODO: rule out the correct answer before taking the argmin
    return E.argmin(dim=1)


def energy_loss(E, y):
    return _correct(E, y).mean()


def perceptron_loss(E, y):
    # TODO: the correct energy minus the lowest of all energies
    return _correct(E, y).mean()


def hinge_loss(E, y, margin: float):
    # TODO: zero once the offending answer sits `margin` above the correct one
    return torch.zeros((), dtype=E.dtype)


def log_loss(E, y):
    off = E[torch.arange(E.shape[0]), most_offending(E, y)]
    # TODO: this overflows for large differences; make it stable
    return torch.log(1 + torch.exp(_correct(E, y) - off)).mean()


def nll_loss(E, y, beta: float):
    # TODO: Eᶜ + (1/β) log Σ_k exp(−β E[i, k]), stable, averaged
    return torch.zeros((), dtype=E.dtype)
