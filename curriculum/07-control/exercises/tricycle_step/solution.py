"""One Euler step of the tricycle model: a reference solution."""

import torch


def tricycle_step(state: torch.Tensor, action: torch.Tensor, wheelbase: float = 1.0) -> torch.Tensor:
    """state (…, 4) = (x, y, θ, s), action (…, 2) = (φ, a) → next state (…, 4), with dt = 1."""
    x, y, th, s = state.unbind(-1)
    phi, a = action.unbind(-1)
    # an explicit Euler step: every derivative is taken at the old state
    return torch.stack([x + s * torch.cos(th),
                        y + s * torch.sin(th),
                        th + s / wheelbase * torch.tan(phi),
                        s + a], dim=-1)
