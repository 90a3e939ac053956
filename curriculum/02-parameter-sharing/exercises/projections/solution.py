"""Cosines between random directions: a reference solution."""

import torch


def pairwise_cosines(X: torch.Tensor) -> torch.Tensor:
    """X (n, d) → the cosines of all pairs of rows i < j, shape (n(n − 1)/2,)."""
    n = X.shape[0]
    U = X / X.norm(dim=1, keepdim=True)  # unit rows: a dot product is then a cosine
    i, j = torch.triu_indices(n, n, offset=1)
    return (U @ U.T)[i, j]


def cosine_spread(X: torch.Tensor) -> torch.Tensor:
    """The standard deviation (no correction) of the pairwise cosines of X's rows."""
    return pairwise_cosines(X).std(correction=0)
