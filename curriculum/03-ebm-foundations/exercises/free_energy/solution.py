"""Free energies of the ellipse model: a reference solution."""

import torch


def energies(Y: torch.Tensor, Z: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """Y (m, 2), Z (k,), w (2,) → E (m, k) with E[i, j] = ‖Y[i] − g(Z[j])‖²."""
    points = torch.stack([w[0] * torch.cos(Z), w[1] * torch.sin(Z)], dim=1)  # g(z): (k, 2)
    return ((Y[:, None, :] - points[None, :, :]) ** 2).sum(dim=2)


def zero_temperature(Y, Z, w):
    """(F∞ (m,), ž (m,)): the smallest energy over the grid and the latent reaching it."""
    E = energies(Y, Z, w)
    index = E.argmin(dim=1)  # the best grid point for each y
    return E[torch.arange(E.shape[0]), index], Z[index]


def free_energy(Y, Z, w, beta: float) -> torch.Tensor:
    """F_β (m,) = −(1/β) log Σ_j exp(−β E[:, j])."""
    return -torch.logsumexp(-beta * energies(Y, Z, w), dim=1) / beta
