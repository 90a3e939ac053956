"""Scaled dot-product attention: a reference solution."""

import math

import torch


def attention_weights(q: torch.Tensor, k: torch.Tensor, causal: bool = False) -> torch.Tensor:
    """softmax(q kᵀ / √d) over the keys, shape (…, L, S); masked where j > i if causal."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        L, S = scores.shape[-2], scores.shape[-1]
        keep = torch.ones(L, S, dtype=torch.bool).tril()  # True where j ≤ i
        scores = scores.masked_fill(~keep, float("-inf"))
    return torch.softmax(scores, dim=-1)  # subtracts the row maximum: large scores are safe


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False) -> torch.Tensor:
    """The weighted mix of the values, shape (…, L, d_v)."""
    return attention_weights(q, k, causal) @ v
