"""Checks for sgd_momentum_step: several steps compared with torch.optim.SGD."""

import torch

from dltui.checking import call, check, expect_close, expect_true


def _warm_up():
    """An optimizer's first step imports torch._dynamo (seconds on a small machine). Doing it
    here, while check.py loads, keeps that out of the learner's time limit."""
    p = torch.zeros(1, requires_grad=True)
    p.grad = torch.zeros(1)
    torch.optim.SGD([p], lr=0.1, momentum=0.9).step()


_warm_up()


def _run(learner, case, *, weight_decay: bool, nesterov: bool):
    shape = (case.dim(1, 5), case.dim(1, 4))
    steps = case.dim(1, 8)
    w0 = case.tensor(*shape)
    grads = [case.tensor(*shape, scale=2.0) for _ in range(steps)]
    lr = float(case.uniform(1, low=1e-3, high=0.5))
    momentum = float(case.uniform(1, low=0.0, high=0.99))
    decay = float(case.uniform(1, low=0.0, high=0.1)) if weight_decay else 0.0

    ref = w0.clone().requires_grad_(True)
    opt = torch.optim.SGD([ref], lr=lr, momentum=momentum, weight_decay=decay, nesterov=nesterov)
    w, buf = w0.clone(), torch.zeros_like(w0)
    for step, g in enumerate(grads, 1):
        ref.grad = g.clone()
        opt.step()
        out = call("sgd_momentum_step", learner, w.clone(), g.clone(), buf.clone(), lr, momentum,
                   weight_decay=decay, nesterov=nesterov)
        expect_true(isinstance(out, (tuple, list)) and len(out) == 2,
                    "sgd_momentum_step should return two tensors: (new_w, new_buf)")
        w, buf = out
        expect_close(w, ref.detach(), f"w after step {step} (lr {lr:.3g}, β {momentum:.3g}, λ {decay:.3g})")
        expect_close(buf, opt.state[ref]["momentum_buffer"], f"buffer after step {step}")


@check("momentum steps match torch.optim.SGD")
def plain(learner, case):
    _run(learner, case, weight_decay=False, nesterov=False)


@check("with weight decay")
def decay(learner, case):
    _run(learner, case, weight_decay=True, nesterov=False)


@check("Nesterov momentum, with weight decay")
def nesterov(learner, case):
    _run(learner, case, weight_decay=True, nesterov=True)
