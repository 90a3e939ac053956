"""Checks for unrolled_plan: the unrolled model, one gradient step on the actions, then whole plans."""

import torch

from dltui.checking import CheckFailed, call, check, expect_close, expect_shape, expect_true
from dltui.labs.optimal_control import cost_of, rollout as lab_rollout


def _actions(case, horizon):
    # Steering stays well inside (−π/2, π/2), where tan φ is finite.
    phi = case.uniform(horizon, 1, low=-0.6, high=0.6)
    accel = case.tensor(horizon, 1, scale=0.3, large=3.0)
    if case.kind == "zeros":
        phi = torch.zeros_like(phi)
    return torch.cat([phi, accel], dim=1)


@check("rollout matches the tricycle model step by step")
def unrolled_model(learner, case):
    horizon = case.dim(1, 12)
    u = _actions(case, horizon)
    speed0 = float(case.uniform(1, low=0.0, high=2.0))
    got = call("rollout", learner, u.clone(), speed0)
    expect_shape(got, (horizon + 1, 4), "rollout(u, speed0)")
    want = lab_rollout(u, speed0)
    expect_close(got[0], want[0], "the start state (row 0)")
    expect_close(got, want, "the states (x, y, θ, s)")


@check("gradient_step equals u − lr·∂C/∂u from autograd")
def one_step(learner, case):
    horizon = case.dim(1, 10)
    u = _actions(case, horizon)
    target = case.uniform(2, low=-4.0, high=8.0)
    speed0 = float(case.uniform(1, low=0.2, high=1.5))
    lr = float(case.uniform(1, low=1e-3, high=5e-2))
    given = u.clone()
    got = call("gradient_step", learner, given, target.clone(), lr, speed0)
    expect_true(torch.equal(given, u), "gradient_step changed the u it was given; return new actions instead")
    expect_true(isinstance(got, torch.Tensor) and not got.requires_grad,
                "gradient_step should return a plain tensor (detach it: no grad attached)")
    ref = u.clone().requires_grad_(True)
    cost_of(lab_rollout(ref, speed0), target, "final").backward()
    expect_close(got, (u - lr * ref.grad), "the new actions")


@check("20 plans of 30 steps end within 0.1 of random targets")
def reaches_target(learner, case):
    target = torch.cat([case.uniform(1, low=3.0, high=6.0), case.uniform(1, low=-1.5, high=1.5)])
    u = call("plan", learner, target.clone(), 5, 30, 0.01, 1.0)
    expect_shape(u, (5, 2), "plan(target, 5, 30, 0.01)")
    end = lab_rollout(u.detach(), 1.0)[-1, :2]
    dist = float(((end - target) ** 2).sum().sqrt())
    if not dist < 0.1:
        raise CheckFailed(f"the plan ends at ({end[0]:.3f}, {end[1]:.3f}), {dist:.3f} from the target "
                          f"({target[0]:.3f}, {target[1]:.3f}); with rollout and gradient_step right, plan "
                          "should take iters steps of gradient_step from zero actions")
