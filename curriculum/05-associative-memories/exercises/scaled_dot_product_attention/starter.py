"""Scaled dot-product attention. Replace each TODO; Ctrl+S runs the checks."""

import math

import torch


def attention_weights(q: torch.Tensor, k: torch.Tensor, causal: bool = False) -> torch.Tensor:
    """softmax(q kᵀ / √d) over the keys, shape (…, L, S); masked where j > i if causal."""
    scores = q @ k.transpose(-2, -1)
    # TODO: scale by 1/√d, apply the causal mask when asked, then softmax over the last dimension
    return scores


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False) -> torch.Tensor:
    """The weighted mix of the values, shape (…, L, d_v)."""
    # TODO: one product of the weights with v
    return torch.zeros(*q.shape[:-1], v.shape[-1], dtype=v.dtype)
