"""Plan a tricycle's actions by gradient descent through its unrolled model. Replace each TODO."""

import torch


def rollout(u: torch.Tensor, speed0: float = 1.0) -> torch.Tensor:
    """States (T+1, 4) of (x, y, θ, s) from (0, 0, 0, speed0) under the actions u (T, 2) = (φ, a)."""
    # TODO: one Euler step per row of u, each new value computed from the old state
    return torch.zeros(u.shape[0] + 1, 4, dtype=u.dtype)


def gradient_step(u: torch.Tensor, target: torch.Tensor, lr: float, speed0: float = 1.0) -> torch.Tensor:
    """u − lr · ∂C/∂u with C = ‖final (x, y) − target‖²; u itself stays unchanged."""
    # TODO: a fresh leaf that requires grad, the cost through rollout, autograd, the step
    return u.clone()


def plan(target: torch.Tensor, horizon: int, iters: int, lr: float, speed0: float = 1.0) -> torch.Tensor:
    """Actions (horizon, 2) after iters gradient steps from zero actions."""
    u = torch.zeros(horizon, 2, dtype=target.dtype)
    # TODO: take the gradient steps
    return u
