"""Truck backer-upper: learn an emulator of the truck, then a steering controller through it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from dltui.figures import Figure, Series
from dltui.labspec import LabInfo, setting

INFO = LabInfo(
    id="truck_backer_upper",
    title="Truck backer-upper",
    summary="Emulator of truck-and-trailer kinematics, then a controller trained by back-propagation through time",
    lessons=("t7_truck_backer_upper",),
    expectation="final docking cost < 0.3 × the zero-steering cost and success rate ≥ 0.5",
    metrics={
        "cost": "mean final docking cost of the controller on the test starts",
        "cost_zero": "mean final docking cost with the wheels kept straight (φ = 0)",
        "success": "share of test starts docked: trailer x < 0.5, |y| < 0.5, |θ₁| < 0.2 (0–1)",
        "loss_emulator": "emulator test MSE on standardised state changes",
    },
    steps_label="iteration",
)

ABOUT = """\
What the course (notebook 14-truck_backer_upper, DLSP20 week 10) does, and what this lab changes:
• The controller does not see the raw state: it reads six hand-made features, the trailer rear's
  x/10 and y/10, cos and sin of the trailer angle θ₁, and cos and sin of the cab–trailer angle.
  It is 6 → 25 tanh → 1, with φ = (π/4)·tanh(output).
• The emulator is 9 → 64 → 64 → 4 with tanh units (the notebook's is 7 → 45 ReLU → 6). It reads φ
  and eight features of the state and predicts the standardised change of (x, y, θ₀, θ₁), trained
  with Adam on minibatches of random-steering transitions.
• With through = emulator the rollout still uses the exact kinematics; only the gradient goes through
  the emulator's Jacobian. In the lecture the emulator's predictions are the rollout itself. The
  default, through = kinematics, differentiates the exact equations.
• Training rollouts run a fixed number of steps (horizon) from starts whose trailer rear is, by default,
  3–7 units from the dock; they
  do not stop at a jackknife or at the arena's edge. A trailer that reaches the dock line stays there."""

SPEED, CAB, TRAILER = -0.1, 1.0, 4.0  # backing speed per step, cab length L, hitch-to-rear d₁


@dataclass
class Settings:
    through: str = setting("kinematics", choices=("kinematics", "emulator"),
                           help="what the controller's gradients flow through: the exact (differentiable) "
                                "kinematics, or the learned emulator's Jacobian (noisier: learns more slowly)")
    emu_steps: int = setting(600, 10, 10000, cpu_max=5000,
                             help="Adam steps (minibatches of 1024 transitions) for the emulator")
    iters: int = setting(40, 5, 1000, cpu_max=500,
                         help="controller training iterations (one batch of episodes each)")
    batch: int = setting(64, 4, 512, help="random starts per controller iteration")
    horizon: int = setting(80, 20, 300, help="T: steps per episode (0.1 length unit each)")
    distance: float = setting(3.0, 0.0, 20.0, help="starts: cab x in [6 + distance − 2, 6 + distance + 2]")
    lr: float = setting(2e-2, 1e-5, 10.0, help="controller Adam learning rate")
    seed: int = setting(0, 0, 2**31 - 1, help="random seed")


def kinematics(S, phi):
    """One step backwards; S = (x, y, θ₀, θ₁) with (x, y) the hitch. Every update reads the old state."""
    import torch

    x, y, th0, th1 = S.unbind(-1)
    return torch.stack([x + SPEED * th0.cos(), y + SPEED * th0.sin(),
                        th0 + SPEED / CAB * phi.tan(), th1 + SPEED / TRAILER * (th0 - th1).sin()], dim=-1)


def trailer(S):
    import torch

    return torch.stack([S[..., 0] - TRAILER * S[..., 3].cos(), S[..., 1] - TRAILER * S[..., 3].sin()], dim=-1)


def features(S):
    """What emulator and controller see: positions / 10, and angles as (cos, sin)."""
    import torch

    tr = trailer(S)
    return torch.stack([S[..., 0] / 10, S[..., 1] / 10, S[..., 2].cos(), S[..., 2].sin(),
                        tr[..., 0] / 10, tr[..., 1] / 10, S[..., 3].cos(), S[..., 3].sin()], dim=-1)


def controller_features(S):
    """The trailer's pose and the cab–trailer angle: the quantities a driver backing up watches."""
    import torch

    tr = trailer(S)
    bend = S[..., 2] - S[..., 3]
    return torch.stack([tr[..., 0] / 10, tr[..., 1] / 10, S[..., 3].cos(), S[..., 3].sin(), bend.cos(), bend.sin()],
                       dim=-1)


def starts(n: int, distance: float, gen, device):
    import torch

    u = torch.rand(n, 4, generator=gen)
    x = 6 + distance + 4 * (u[:, 0] - 0.5)
    th1 = 0.6 * (u[:, 2] - 0.5)
    th0 = th1 + 0.3 * (u[:, 3] - 0.5)
    y = 2 * (u[:, 1] - 0.5) + TRAILER * th1.sin()  # so the trailer rear starts within |y| < 1
    return torch.stack([x, y, th0, th1], dim=1).to(device)


def random_transitions(gen, device, trucks: int = 256, steps: int = 60):
    """Random-steering episodes (φ ~ U(−π/4, π/4)) from wide random poses, stopped at a jackknife."""
    import torch

    S = torch.stack([10 + 30 * torch.rand(trucks, generator=gen), 20 * torch.rand(trucks, generator=gen) - 10,
                     2 * math.pi * torch.rand(trucks, generator=gen), torch.zeros(trucks)], dim=1)
    S[:, 3] = S[:, 2] + (torch.rand(trucks, generator=gen) - 0.5) * math.pi / 2
    inputs, deltas, alive = [], [], torch.ones(trucks, dtype=torch.bool)
    for _ in range(steps):
        phi = (torch.rand(trucks, generator=gen) - 0.5) * math.pi / 2
        nxt = kinematics(S, phi)
        inputs.append(torch.cat([phi[alive, None], features(S[alive])], dim=1))
        deltas.append((nxt - S)[alive])
        alive &= (nxt[:, 2] - nxt[:, 3]).abs() < math.pi / 2
        S = nxt
    return torch.cat(inputs).to(device), torch.cat(deltas).to(device)


def train(cfg: Settings, ctx) -> dict[str, float]:
    import torch
    from torch import nn

    gen = torch.Generator().manual_seed(cfg.seed)
    X, D = random_transitions(gen, ctx.device)
    test_starts = starts(64, cfg.distance, gen, ctx.device)
    torch.manual_seed(cfg.seed)
    cut = int(0.8 * len(X))
    mu, sd = D[:cut].mean(0), D[:cut].std(0) + 1e-8
    emulator = nn.Sequential(nn.Linear(9, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 4)).to(ctx.device)
    controller = nn.Sequential(nn.Linear(6, 25), nn.Tanh(), nn.Linear(25, 1)).to(ctx.device)
    ctx.begin(cfg.emu_steps + cfg.iters)

    # 1. The emulator learns the state *change*: predicting "next = current" would already look good.
    opt = torch.optim.Adam(emulator.parameters(), lr=3e-3)
    for step in range(1, cfg.emu_steps + 1):
        idx = torch.randint(0, cut, (1024,), generator=gen).to(ctx.device)
        loss = ((emulator(X[idx]) - (D[idx] - mu) / sd) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        ctx.report(step, loss_emulator_train=loss.item())
        if ctx.should_stop():
            return {}
    with torch.no_grad():
        target = (D[cut:] - mu) / sd
        emu_test = ((emulator(X[cut:]) - target) ** 2).mean().item()
        no_change = ((-mu / sd - target) ** 2).mean().item()  # the "next = current" guess
    ctx.log(f"emulator test MSE on standardised deltas: {emu_test:.4f}; predicting no change: {no_change:.3f}")
    for p in emulator.parameters():
        p.requires_grad_(False)

    def rollout(S, steer, record: bool = False):
        path = [S]
        for _ in range(cfg.horizon):
            phi = steer(S)
            nxt = kinematics(S, phi)
            if cfg.through == "emulator":  # exact next state, but the emulator's Jacobian for back-prop
                model = S + emulator(torch.cat([phi[:, None], features(S)], dim=1)) * sd + mu
                nxt = nxt.detach() + model - model.detach()
            docked = (trailer(S)[:, 0] <= 0)[:, None]  # a trailer at the dock stays there
            S = torch.where(docked, S, nxt)
            if record:
                path.append(S)
        return S, path

    def cost(S):
        tr = trailer(S)
        return tr[:, 0].relu() ** 2 + tr[:, 1] ** 2 + S[:, 3] ** 2

    policy = lambda S: math.pi / 4 * torch.tanh(controller(controller_features(S))[:, 0])  # noqa: E731
    with torch.no_grad():
        zero_cost = cost(rollout(test_starts, lambda S: torch.zeros_like(S[:, 0]))[0]).mean().item()

    def evaluate(it: int) -> tuple[float, float]:
        with torch.no_grad():
            S, path = rollout(test_starts, policy, record=True)
        c = cost(S)
        tr = trailer(S)
        ok = (tr[:, 0] < 0.5) & (tr[:, 1].abs() < 0.5) & (S[:, 3].abs() < 0.2)
        draw(it, torch.stack(path), c.mean().item(), ok.float().mean().item())
        return c.mean().item(), ok.float().mean().item()

    def draw(it: int, P, c: float, success: float) -> None:
        series = [Series([0, 0], [-1.5, 1.5], label="dock", color="black")]
        for k in range(4):
            rear = trailer(P[:, k]).cpu()
            series.append(Series(rear[:, 0].tolist(), rear[:, 1].tolist(), label="trailer rear" if k == 0 else "",
                                 color=1))
        for t in range(0, P.shape[0], max(1, P.shape[0] // 3)):  # a few poses: segments would overlap
            x, y, th0, _ = P[t, 0].tolist()
            rear = trailer(P[t, 0]).tolist()
            series.append(Series([rear[0], x], [rear[1], y], label="trailer" if t == 0 else "", color=2))
            series.append(Series([x, x + 1.5 * CAB * math.cos(th0)], [y, y + 1.5 * CAB * math.sin(th0)],
                                 label="cab" if t == 0 else "", color=0))
        ctx.figure("path", Figure(
            title=f"Backing to the dock, 4 test starts (iteration {it}, via {cfg.through})", series=series,
            xlabel="x", ylabel="y", xlim=(-1, 6 + cfg.distance + 4), ylim=(-3, 3),
            caption=f"cost {c:.3f} (straight wheels {zero_cost:.3f}) · success {success:.2f} · "
                    f"emulator MSE {emu_test:.4f} (no-change guess {no_change:.2f})"))

    # 2. The controller: unroll whole episodes, back-propagate the final docking cost through time.
    opt = torch.optim.Adam(controller.parameters(), lr=cfg.lr)
    metrics = {"cost": 0.0, "cost_zero": zero_cost, "success": 0.0, "loss_emulator": emu_test}
    metrics["cost"], metrics["success"] = evaluate(0)
    for it in range(1, cfg.iters + 1):
        S, _ = rollout(starts(cfg.batch, cfg.distance, gen, ctx.device), policy)
        loss = cost(S).mean()
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(controller.parameters(), 1.0)
        opt.step()
        scalars = {"loss_controller": loss.item()}
        if it % 10 == 0 or it == cfg.iters:
            metrics["cost"], metrics["success"] = evaluate(it)
            scalars["success"] = metrics["success"]
        ctx.report(cfg.emu_steps + it, **scalars)
        if ctx.should_stop():
            break
    return metrics


def expectation_met(m: dict[str, float]) -> bool:
    if not {"cost", "cost_zero", "success"} <= set(m):  # stopped during the emulator stage
        return False
    return bool(m["cost"] < 0.3 * m["cost_zero"] and m["success"] >= 0.5)
