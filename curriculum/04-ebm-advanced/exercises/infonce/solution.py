"""InfoNCE with a temperature: a reference solution."""

import torch


def cosine_matrix(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """S[i, j] = cos(a_i, b_j) for a, b of shape (n, d); returns (n, n)."""
    a_hat = a / a.norm(dim=1, keepdim=True).clamp_min(1e-12)
    b_hat = b / b.norm(dim=1, keepdim=True).clamp_min(1e-12)
    return a_hat @ b_hat.T


def info_nce(a: torch.Tensor, b: torch.Tensor, tau: float) -> torch.Tensor:
    """Mean over i of −S_ii/τ + log Σ_j exp(S_ij/τ); a scalar tensor."""
    logits = cosine_matrix(a, b) / tau
    # the row maximum is a constant shift: it changes nothing but keeps every exponent ≤ 0
    m = logits.max(dim=1, keepdim=True).values
    lse = m.squeeze(1) + torch.log(torch.exp(logits - m).sum(dim=1))
    return (lse - logits.diagonal()).mean()
