"""Planning as energy minimisation: gradient descent on a tricycle's actions through its unrolled model."""

from __future__ import annotations

import math
from dataclasses import dataclass

from dltui.figures import Figure, Series
from dltui.labspec import LabDiverged, LabInfo, setting

INFO = LabInfo(
    id="optimal_control",
    title="Optimal control by back-propagation",
    summary="Tricycle model unrolled over T steps; SGD on the action sequence drives the car to a target",
    lessons=("t7_planning_control",),
    expectation="the planned trajectory ends (final-position cost) or passes (path costs) within 0.2 of the target",
    metrics={
        "cost": "final value of the chosen cost",
        "dist": "distance from the target at the end of the plan (final costs) or at the closest step (path costs)",
        "final_speed": "speed s of the car at the last step",
        "iters": "gradient steps taken",
    },
    steps_label="iteration",
)

COSTS = ("final", "final_speed", "mean_dist", "mean_sq_dist", "softmin")


@dataclass
class Settings:
    cost: str = setting("final", choices=COSTS,
                        help="final: ‖p_T − target‖²; final_speed: + s_T²; mean_dist / mean_sq_dist: "
                             "average (squared) distance over the path; softmin: −log Σₜ exp(−d²ₜ)")
    horizon: int = setting(10, 2, 30, help="T: number of actions (time steps) to plan")
    iters: int = setting(60, 1, 2000, help="gradient steps on the action sequence")
    lr: float = setting(1e-3, 1e-6, 10.0, help="SGD learning rate")
    target_x: float = setting(5.0, -10.0, 12.0, help="target x (farther targets need more speed, and a smaller lr)")
    target_y: float = setting(1.0, -10.0, 10.0, help="target y")
    speed0: float = setting(1.0, 0.0, 3.0, help="initial speed s₀")


def rollout(u, speed0: float = 1.0, wheelbase: float = 1.0):
    """Euler steps (dt = 1) of the tricycle from (0, 0, heading 0, speed0); returns states (T+1, 4)."""
    import torch

    z = u.new_zeros(())
    x, y, th, s = z, z, z, z + speed0
    states = [torch.stack([x, y, th, s])]
    for phi, a in u:  # every update reads the old state, as an explicit Euler step does
        x, y, th, s = x + s * torch.cos(th), y + s * torch.sin(th), th + s / wheelbase * torch.tan(phi), s + a
        states.append(torch.stack([x, y, th, s]))
    return torch.stack(states)


def cost_of(states, target, kind: str):
    import torch

    d2 = ((states[1:, :2] - target) ** 2).sum(dim=1)  # squared distance after each step
    if kind == "final":
        return d2[-1]
    if kind == "final_speed":
        return d2[-1] + states[-1, 3] ** 2
    if kind == "mean_dist":
        return (d2 + 1e-12).sqrt().mean()
    if kind == "mean_sq_dist":
        return d2.mean()
    return -torch.logsumexp(-d2, dim=0)


def plan(horizon: int, iters: int, lr: float, kind: str = "final", target=(5.0, 1.0), speed0: float = 1.0,
         device: str = "cpu", on_step=None):
    """Optimise the (T, 2) actions (φ, a) from zero by SGD; returns (actions, states, costs)."""
    import torch

    u = torch.zeros(horizon, 2, device=device, requires_grad=True)
    tgt = torch.tensor(target, device=device)
    opt = torch.optim.SGD([u], lr=lr)
    costs = []
    for it in range(1, iters + 1):
        states = rollout(u, speed0)
        c = cost_of(states, tgt, kind)
        opt.zero_grad()
        c.backward()
        opt.step()
        costs.append(c.item())
        if on_step is not None and on_step(it, c.item(), states.detach()):
            break
    return u.detach(), rollout(u.detach(), speed0), costs


def train(cfg: Settings, ctx) -> dict[str, float]:
    import torch

    target = (cfg.target_x, cfg.target_y)
    tgt = torch.tensor(target, device=ctx.device)
    snapshots: list[tuple[int, list[float], list[float]]] = []
    every = max(1, cfg.iters // 6)

    def summary(states) -> tuple[float, float]:
        d = ((states[1:, :2] - tgt) ** 2).sum(dim=1).sqrt()
        dist = d[-1] if cfg.cost in ("final", "final_speed") else d.min()
        return float(dist), float(states[-1, 3])

    def draw(it: int, c: float, states) -> None:
        xs, ys = states[:, 0].tolist(), states[:, 1].tolist()
        series = [Series(sx, sy, label=f"iter {k}", color="gray") for k, sx, sy in snapshots[:1] + snapshots[1:][-3:]]
        series.append(Series(xs, ys, label=f"plan (iter {it})", color=1, marker="braille"))
        series.append(Series(xs, ys, label="car", style="scatter", color=1, marker="o"))
        series.append(Series([target[0]], [target[1]], label="target", style="scatter", color=0, marker="x"))
        dist, _ = summary(states)
        lo_x, hi_x = min(xs + [target[0], 0.0]) - 1, max(xs + [target[0]]) + 1
        lo_y, hi_y = min(ys + [target[1], 0.0]) - 1, max(ys + [target[1]]) + 1
        ctx.figure("plan", Figure(
            title=f"Planned trajectory, cost {cfg.cost} (iteration {it})", series=series,
            xlabel="x", ylabel="y", xlim=(lo_x, hi_x), ylim=(lo_y, hi_y),
            caption=f"cost {c:.4f} · distance to target {dist:.3f} · final speed {states[-1, 3]:.3f}"))

    def draw_controls(u) -> None:
        t = list(range(u.shape[0]))
        ctx.figure("actions", Figure(
            title="Planned actions per time step", xlabel="t", ylabel="value",
            series=[Series(t, u[:, 0].tolist(), label="steering φ", color=2),
                    Series(t, u[:, 1].tolist(), label="acceleration a", color=3)]))

    metrics: dict[str, float] = {}

    def on_step(it: int, c: float, states) -> bool:
        dist, speed = summary(states)
        if not (math.isfinite(c) and math.isfinite(dist)):
            raise LabDiverged(f"The cost became {c} at iteration {it}: the plan diverged. {divergence_hint(cfg)}")
        ctx.report(it, **{"cost": c, "dist": dist})
        metrics.update(cost=c, dist=dist, final_speed=speed, iters=float(it))
        if it == 1 or it % every == 0:
            snapshots.append((it, states[:, 0].tolist(), states[:, 1].tolist()))
        if it == 1 or it % 5 == 0:
            draw(it, c, states)
        return ctx.should_stop()

    ctx.begin(cfg.iters)
    u, states, costs = plan(cfg.horizon, cfg.iters, cfg.lr, cfg.cost, target, cfg.speed0, ctx.device, on_step)
    final_cost = cost_of(states, tgt, cfg.cost).item()  # the cost of the plan after its last update
    if not math.isfinite(final_cost):  # the last update itself can be the one that blows up
        raise LabDiverged(f"The cost became {final_cost} after the last iteration: the plan diverged. "
                          f"{divergence_hint(cfg)}")
    dist, speed = summary(states)
    draw(int(metrics.get("iters", 0)), final_cost, states)
    draw_controls(u)
    metrics.update(cost=final_cost, dist=dist, final_speed=speed)
    return metrics


def divergence_hint(cfg: Settings) -> str:
    """Why SGD on the actions blew up, and what to try: the horizon sets the gradient's scale."""
    safe = float(f"{0.1 / cfg.horizon ** 2:.0e}")  # measured: T = 30 needs lr ≤ 1e-4, T = 20 lr ≤ 3e-4
    if cfg.lr <= safe:
        return "Try a smaller learning rate (lr) or a shorter horizon."
    return (f"An early action steers every later step, so the gradient grows about as horizon² "
            f"(T = {cfg.horizon}): lr {cfg.lr:g} overshoots. Try lr ≤ {safe:g} with more iterations "
            f"(about 500), or a shorter horizon.")


def expectation_met(m: dict[str, float]) -> bool:
    return bool(m.get("dist", float("inf")) <= 0.2)
