"""Plan a tricycle's actions by gradient descent through its unrolled model — a reference solution."""

import torch


def rollout(u: torch.Tensor, speed0: float = 1.0) -> torch.Tensor:
    """States (T+1, 4) of (x, y, θ, s) from (0, 0, 0, speed0) under the actions u (T, 2) = (φ, a)."""
    zero = u.new_zeros(())
    x, y, th, s = zero, zero, zero, zero + speed0
    states = [torch.stack([x, y, th, s])]
    for phi, a in u:
        # One tuple assignment, so every right-hand side reads the old state (explicit Euler).
        x, y, th, s = x + s * torch.cos(th), y + s * torch.sin(th), th + s * torch.tan(phi), s + a
        states.append(torch.stack([x, y, th, s]))
    return torch.stack(states)


def gradient_step(u: torch.Tensor, target: torch.Tensor, lr: float, speed0: float = 1.0) -> torch.Tensor:
    """u − lr · ∂C/∂u with C = ‖final (x, y) − target‖²; u itself stays unchanged."""
    v = u.detach().clone().requires_grad_(True)
    cost = ((rollout(v, speed0)[-1, :2] - target) ** 2).sum()
    (grad,) = torch.autograd.grad(cost, v)
    return (v - lr * grad).detach()


def plan(target: torch.Tensor, horizon: int, iters: int, lr: float, speed0: float = 1.0) -> torch.Tensor:
    """Actions (horizon, 2) after iters gradient steps from zero actions."""
    u = torch.zeros(horizon, 2, dtype=target.dtype)
    for _ in range(iters):
        u = gradient_step(u, target, lr, speed0)
    return u
