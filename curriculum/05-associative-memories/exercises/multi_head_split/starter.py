"""Splitting and merging attention heads. Replace each TODO; Ctrl+S runs the checks."""

import math

import torch


def split_heads(x: torch.Tensor, h: int) -> torch.Tensor:
    """(B, L, D) → (B, h, L, D/h), a view of x."""
    B, L, D = x.shape
    # TODO: view the last dimension as (h, D/h), then swap the head and sequence axes
    return x.view(B, h, L, D // h)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """(B, h, L, d) → (B, L, h·d); undoes split_heads."""
    B, h, L, d = x.shape
    # TODO: swap the axes back, make it contiguous, then view
    return x.contiguous().view(B, L, h * d)


def multi_head_attention(x, Wq, Wk, Wv, Wo, h: int) -> torch.Tensor:
    """Self-attention with h heads and (D, D) weight matrices, no biases: (B, L, D) → (B, L, D)."""
    q, k, v = (split_heads(x @ W.T, h) for W in (Wq, Wk, Wv))
    d = q.shape[-1]
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d), dim=-1)
    return merge_heads(weights @ v) @ Wo.T
