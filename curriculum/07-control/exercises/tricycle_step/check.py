"""Checks for tricycle_step: compared with the planning lab's own model, optimal_control.rollout."""

import torch

from dltui.checking import call, check, expect_close, expect_true


from dltui.labs.optimal_control import rollout


def _actions(case, T):
    phi = case.uniform(T, low=-0.6, high=0.6)  # steering stays well away from tan's pole at π/2
    a = case.tensor(T, scale=0.3, large=3.0)
    return torch.stack([phi, a], dim=1)


def _unroll(learner, speed0, u, wheelbase=1.0):
    state = torch.stack([torch.zeros((), dtype=u.dtype)] * 3 + [torch.tensor(speed0, dtype=u.dtype)])
    states = [state]
    for action in u:
        state = call("tricycle_step", learner, state, action, wheelbase=wheelbase)
        expect_true(isinstance(state, torch.Tensor) and state.shape == (4,),
                    f"tricycle_step on a state of shape (4,) returned {getattr(state, 'shape', state)!r}; "
                    "expected shape (4,)")
        states.append(state)
    return torch.stack(states)


@check("a whole action sequence matches the lab's rollout")
def sequence(learner, case):
    T = case.dim(1, 10)
    u, speed0 = _actions(case, T), float(case.uniform(1, low=0.0, high=2.0))
    expect_close(_unroll(learner, speed0, u), rollout(u, speed0), f"states for T = {T} (s₀ = {speed0:.3g})")


@check("other wheelbases")
def wheelbase(learner, case):
    T, L = case.dim(1, 8), float(case.uniform(1, low=0.3, high=4.0))
    u, speed0 = _actions(case, T), float(case.uniform(1, low=0.0, high=2.0))
    expect_close(_unroll(learner, speed0, u, L), rollout(u, speed0, wheelbase=L), f"states with L = {L:.3g}")


@check("a batch of arbitrary start states")
def batch(learner, case):
    n = case.dim(1, 8)
    xy = case.tensor(n, 2, scale=3.0)
    theta = case.uniform(n, low=-3.2, high=3.2)
    speed = case.uniform(n, low=0.0, high=2.0)
    u = torch.stack([_actions(case, 1)[0] for _ in range(n)])
    # The lab always starts at the origin facing along x; the step commutes with moving and
    # turning the plane, so its one-step move is rotated by θ and shifted to (x, y).
    moves = torch.stack([rollout(u[i:i + 1], float(speed[i]))[1] for i in range(n)])
    c, s = theta.cos(), theta.sin()
    expected = torch.stack([xy[:, 0] + c * moves[:, 0] - s * moves[:, 1],
                            xy[:, 1] + s * moves[:, 0] + c * moves[:, 1],
                            theta + moves[:, 2], moves[:, 3]], dim=1)
    state = torch.cat([xy, theta[:, None], speed[:, None]], dim=1)
    expect_close(call("tricycle_step", learner, state.clone(), u.clone()), expected, "next states (n, 4)")


@check("gradient of the final-position cost with respect to the actions")
def gradient(learner, case):
    T = case.dim(1, 10)
    u0, speed0 = _actions(case, T), float(case.uniform(1, low=0.2, high=2.0))
    target = case.tensor(2, scale=3.0, edge=False)
    mine = u0.clone().requires_grad_(True)
    cost = ((_unroll(learner, speed0, mine)[-1, :2] - target) ** 2).sum()
    expect_true(cost.requires_grad, "no gradient reaches the actions: build the next state with torch operations")
    cost.backward()
    ref = u0.clone().requires_grad_(True)
    ((rollout(ref, speed0)[-1, :2] - target) ** 2).sum().backward()
    expect_close(mine.grad, ref.grad, "∂cost/∂actions")
