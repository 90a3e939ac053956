"""A GCN layer with symmetric normalisation: a reference solution."""

import torch


def normalised_adjacency(A: torch.Tensor) -> torch.Tensor:
    """Â = D̃^(−1/2) (A + I) D̃^(−1/2) for a symmetric 0/1 adjacency A (n, n)."""
    A_loops = A + torch.eye(A.shape[0], dtype=A.dtype)
    s = A_loops.sum(dim=1) ** -0.5  # every degree is ≥ 1 thanks to the loop
    return s[:, None] * A_loops * s[None, :]


def gcn_layer(A: torch.Tensor, H: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    """ReLU(Â H W): H (n, f_in), W (f_in, f_out) → (n, f_out)."""
    return torch.relu(normalised_adjacency(A) @ H @ W)
