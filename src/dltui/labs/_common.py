"""Small torch helpers shared by labs. Every function imports torch lazily."""

from __future__ import annotations

from dltui.figures import Heatmap


def seed_everything(seed: int) -> None:
    import random

    import torch

    random.seed(seed)
    torch.manual_seed(seed)


def grid(x_range, y_range, nx: int, ny: int, device: str = "cpu"):
    """Cell centres of an nx × ny grid as an (ny·nx, 2) tensor; row 0 is the bottom row."""
    import torch

    dx = (x_range[1] - x_range[0]) / nx
    dy = (y_range[1] - y_range[0]) / ny
    xs = torch.linspace(x_range[0] + dx / 2, x_range[1] - dx / 2, nx, device=device)
    ys = torch.linspace(y_range[0] + dy / 2, y_range[1] - dy / 2, ny, device=device)
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")  # (ny, nx) each
    return torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)


def heatmap(values, x_range, y_range, nx: int, ny: int, **kw) -> Heatmap:
    """Wrap a flat tensor of ny·nx values (from :func:`grid` order) as a Heatmap figure part."""
    z = values.detach().reshape(ny, nx).float().cpu().tolist()
    return Heatmap(z=z, x_range=tuple(x_range), y_range=tuple(y_range), **kw)


def to_list(t) -> list[float]:
    return t.detach().float().cpu().reshape(-1).tolist()
