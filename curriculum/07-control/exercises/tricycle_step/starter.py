"""One Euler step of the tricycle model. Replace each TODO; Ctrl+S runs the checks."""

import torch


def tricycle_step(state: torch.Tensor, action: torch.Tensor, wheelbase: float = 1.0) -> torch.Tensor:
    """state (…, 4) = (x, y, θ, s), action (…, 2) = (φ, a) → next state (…, 4), with dt = 1."""
    x, y, th, s = state.unbind(-1)
    phi, a = action.unbind(-1)
    # TODO: each update must read the old values (this version turns before it moves)
    th = th + s / wheelbase * torch.tan(phi)
    x = x + s * torch.cos(th)
    y = y + s * torch.sin(th)
    s = s + a
    return torch.stack([x, y, th, s], dim=-1)
