"""VICReg's three terms: a reference solution."""

import torch


def _covariance(h: torch.Tensor) -> torch.Tensor:
    hc = h - h.mean(dim=0)
    return hc.T @ hc / h.shape[0]


def invariance(hx: torch.Tensor, hy: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of the squared distance between paired rows of hx, hy (N, d)."""
    return ((hx - hy) ** 2).sum(dim=1).mean()


def variance_term(h: torch.Tensor, gamma: float = 1.0, eps: float = 1e-4) -> torch.Tensor:
    """(1/d) Σᵢ relu(γ − √(Cᵢᵢ + ε)) for one branch h (N, d)."""
    std = torch.sqrt(_covariance(h).diagonal() + eps)  # ε keeps the root differentiable at a collapse
    return torch.relu(gamma - std).mean()


def covariance_term(h: torch.Tensor) -> torch.Tensor:
    """(1/d) Σ_{i≠j} Cᵢⱼ² with C = (1/N) hcᵀ hc, hc the centred batch."""
    C = _covariance(h)
    off = C - torch.diag(C.diagonal())
    return (off ** 2).sum() / h.shape[1]


def vicreg_loss(hx, hy, lam: float = 25.0, mu: float = 25.0, nu: float = 1.0) -> torch.Tensor:
    """λ·inv + μ·(var(hx) + var(hy)) + ν·(cov(hx) + cov(hy))."""
    return (lam * invariance(hx, hy) + mu * (variance_term(hx) + variance_term(hy))
            + nu * (covariance_term(hx) + covariance_term(hy)))
