"""A GCN layer with symmetric normalisation. Replace each TODO; Ctrl+S runs the checks."""

import torch


def normalised_adjacency(A: torch.Tensor) -> torch.Tensor:
    """Â = D̃^(−1/2) (A + I) D̃^(−1/2) for a symmetric 0/1 adjacency A (n, n)."""
    # TODO: add the self-loops, compute the degrees, scale rows and columns by d^(−1/2)
    return A


def gcn_layer(A: torch.Tensor, H: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    """ReLU(Â H W): H (n, f_in), W (f_in, f_out) → (n, f_out)."""
    return torch.relu(normalised_adjacency(A) @ H @ W)
