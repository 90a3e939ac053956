"""Cosines between random directions. Replace each TODO; run the checks with Ctrl+S."""

import torch


def pairwise_cosines(X: torch.Tensor) -> torch.Tensor:
    """X (n, d) → the cosines of all pairs of rows i < j, shape (n(n − 1)/2,)."""
    n = X.shape[0]
    i, j = torch.triu_indices(n, n, offset=1)
    # TODO: dot products alone depend on the lengths; normalise the rows first
    return (X @ X.T)[i, j]


def cosine_spread(X: torch.Tensor) -> torch.Tensor:
    """The standard deviation (no correction) of the pairwise cosines of X's rows."""
    # TODO
    return torch.tensor(0.0, dtype=X.dtype)
