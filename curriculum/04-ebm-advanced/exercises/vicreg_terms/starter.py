"""VICReg's three terms. Replace each TODO; Ctrl+S runs the checks."""

import torch


def invariance(hx: torch.Tensor, hy: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of the squared distance between paired rows of hx, hy (N, d)."""
    return ((hx - hy) ** 2).sum(dim=1).mean()


def variance_term(h: torch.Tensor, gamma: float = 1.0, eps: float = 1e-4) -> torch.Tensor:
    """(1/d) Σᵢ relu(γ − √(Cᵢᵢ + ε)) for one branch h (N, d)."""
    # TODO: the per-component (biased) variance, then the hinge on its square root
    return torch.zeros((), dtype=h.dtype)


def covariance_term(h: torch.Tensor) -> torch.Tensor:
    """(1/d) Σ_{i≠j} Cᵢⱼ² with C = (1/N) hcᵀ hc, hc the centred batch."""
    # TODO: centre, build C, drop its diagonal, sum the squares, divide by d
    return torch.zeros((), dtype=h.dtype)


def vicreg_loss(hx, hy, lam: float = 25.0, mu: float = 25.0, nu: float = 1.0) -> torch.Tensor:
    """λ·inv + μ·(var(hx) + var(hy)) + ν·(cov(hx) + cov(hy))."""
    return (lam * invariance(hx, hy) + mu * (variance_term(hx) + variance_term(hy))
            + nu * (covariance_term(hx) + covariance_term(hy)))
