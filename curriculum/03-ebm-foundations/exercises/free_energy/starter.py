"""Free energies of the ellipse model. Replace each TODO; run the checks with Ctrl+S."""

import torch


def energies(Y: torch.Tensor, Z: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """Y (m, 2), Z (k,), w (2,) → E (m, k) with E[i, j] = ‖Y[i] − g(Z[j])‖²."""
    points = torch.stack([w[0] * torch.cos(Z), w[1] * torch.sin(Z)], dim=1)  # g(z): (k, 2)
    # TODO: the squared distance from every y to every decoded point
    return torch.zeros(Y.shape[0], Z.shape[0], dtype=Y.dtype)


def zero_temperature(Y, Z, w):
    """(F∞ (m,), ž (m,)): the smallest energy over the grid and the latent reaching it."""
    E = energies(Y, Z, w)
    # TODO: the minimum over the grid axis, and the latent values where it is reached
    return E[:, 0], Z[torch.zeros(Y.shape[0], dtype=torch.long)]


def free_energy(Y, Z, w, beta: float) -> torch.Tensor:
    """F_β (m,) = −(1/β) log Σ_j exp(−β E[:, j])."""
    E = energies(Y, Z, w)
    # TODO: this overflows for large β·E: use a stable log-sum-exp
    return -torch.log(torch.exp(-beta * E).sum(dim=1)) / beta
