"""VAE pieces: reparameterised sampling and the closed-form KL. A reference solution."""

import torch


def reparameterise(mu: torch.Tensor, logvar: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """z = μ + √v ⊙ ε with v = exp(logvar); all shapes (n, d)."""
    return mu + torch.exp(0.5 * logvar) * eps


def kl_to_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(𝒩(μ, diag v) ‖ 𝒩(0, I)) for each sample: shape (n,)."""
    # logvar itself is log v, so there is no log of a possibly tiny number to take
    return 0.5 * (logvar.exp() - logvar - 1 + mu ** 2).sum(dim=1)


def kl_grads(mu: torch.Tensor, logvar: torch.Tensor):
    """Gradients of Σ KL (over the batch) with respect to mu and logvar, each (n, d)."""
    return mu.clone(), 0.5 * (logvar.exp() - 1)
