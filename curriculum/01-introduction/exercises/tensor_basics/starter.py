"""Tensor one-liners. Each TODO is one expression; loops are not allowed."""

import torch


def matvec(A: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    # TODO: (m, n) times (n,) gives (m,)
    return torch.zeros(A.shape[0], dtype=A.dtype)


def stack_rows(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    # TODO: a above b
    return a


def side_by_side(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    # TODO: a left of b
    return a


def positives(x: torch.Tensor) -> torch.Tensor:
    # TODO: the entries greater than 0, as a 1-D tensor
    return x.flatten()


def outer(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    # TODO: entry (i, j) is u[i] * v[j], by broadcasting
    return torch.zeros(u.shape[0], v.shape[0], dtype=u.dtype)
