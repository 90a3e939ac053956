"""Checks for adam_step: several steps compared with torch.optim.Adam."""

import torch

from dltui.checking import call, check, expect_close, expect_true


def _warm_up():
    """An optimizer's first step imports torch._dynamo (seconds on a small machine). Doing it
    here, while check.py loads, keeps that out of the learner's time limit."""
    p = torch.zeros(1, requires_grad=True)
    p.grad = torch.zeros(1)
    torch.optim.Adam([p], lr=0.1).step()


_warm_up()


def _run(learner, case, *, weight_decay: bool):
    shape = (case.dim(1, 5), case.dim(1, 4))
    steps = case.dim(1, 8)
    w0 = case.tensor(*shape)
    grads = [case.tensor(*shape, scale=2.0) for _ in range(steps)]
    lr = float(case.uniform(1, low=1e-3, high=0.3))
    beta1 = float(case.uniform(1, low=0.5, high=0.95))
    beta2 = float(case.uniform(1, low=0.9, high=0.999))
    eps = 10 ** float(case.uniform(1, low=-8, high=-3))
    decay = float(case.uniform(1, low=0.0, high=0.1)) if weight_decay else 0.0

    ref = w0.clone().requires_grad_(True)
    opt = torch.optim.Adam([ref], lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=decay)
    w, m, v = w0.clone(), torch.zeros_like(w0), torch.zeros_like(w0)
    for step, g in enumerate(grads, 1):
        ref.grad = g.clone()
        opt.step()
        out = call("adam_step", learner, w.clone(), g.clone(), m.clone(), v.clone(), step, lr, beta1, beta2, eps,
                   weight_decay=decay)
        expect_true(isinstance(out, (tuple, list)) and len(out) == 3,
                    "adam_step should return three tensors: (new_w, new_m, new_v)")
        w, m, v = out
        state = opt.state[ref]
        expect_close(m, state["exp_avg"], f"m after step {step}")
        expect_close(v, state["exp_avg_sq"], f"v after step {step}")
        expect_close(w, ref.detach(), f"w after step {step} (lr {lr:.3g}, β₁ {beta1:.3g}, β₂ {beta2:.4g})")


@check("Adam steps match torch.optim.Adam")
def plain(learner, case):
    _run(learner, case, weight_decay=False)


@check("with weight decay (L2 added to the gradient)")
def decay(learner, case):
    _run(learner, case, weight_decay=True)
