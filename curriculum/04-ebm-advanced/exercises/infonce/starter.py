"""InfoNCE with a temperature. Replace each TODO; Ctrl+S runs the checks."""

import torch


def cosine_matrix(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """S[i, j] = cos(a_i, b_j) for a, b of shape (n, d); returns (n, n)."""
    # TODO: normalise the rows (norm clamped at 1e-12), then one matrix product
    return a @ b.T


def info_nce(a: torch.Tensor, b: torch.Tensor, tau: float) -> torch.Tensor:
    """Mean over i of −S_ii/τ + log Σ_j exp(S_ij/τ); a scalar tensor."""
    logits = cosine_matrix(a, b) / tau
    # TODO: this log-sum-exp overflows for small tau: shift by the row maximum first
    lse = torch.log(torch.exp(logits).sum(dim=1))
    return (lse - logits.diagonal()).mean()
