"""Checks for infonce: compared with F.normalize and F.cross_entropy."""

import torch
import torch.nn.functional as F

from dltui.checking import call, check, expect_close, expect_true


def _problem(case, dtype=torch.float64, edge=True):
    n, d = case.dim(1, 12), case.dim(1, 8)
    a = case.tensor(n, d, dtype=dtype, edge=edge)
    # b is a noisy copy of a, as two views of one image would be
    b = a + case.tensor(n, d, dtype=dtype, edge=False) * 0.5
    tau = float(case.uniform(1, low=0.05, high=1.0))
    return a, b, tau


def _reference(a, b, tau):
    logits = F.normalize(a, dim=1) @ F.normalize(b, dim=1).T / tau
    return F.cross_entropy(logits, torch.arange(a.shape[0]))


@check("cosine matrix S, zero rows included")
def cosine(learner, case):
    a, b, _ = _problem(case)
    expect_close(call("cosine_matrix", learner, a.clone(), b.clone()),
                 F.normalize(a, dim=1) @ F.normalize(b, dim=1).T, "S")


@check("InfoNCE loss matches cross-entropy on S/τ")
def loss(learner, case):
    a, b, tau = _problem(case)
    expect_close(call("info_nce", learner, a.clone(), b.clone(), tau), _reference(a, b, tau), "L")


@check("stable at τ = 0.005 in float32")
def small_temperature(learner, case):
    a, b, _ = _problem(case, torch.float32)
    got = call("info_nce", learner, a.clone(), b.clone(), 0.005)
    expect_true(isinstance(got, torch.Tensor) and bool(torch.isfinite(got).all()),
                f"L is {got!r} at τ = 0.005: exp(S/τ) overflows float32; subtract each row's maximum first")
    expect_close(got, _reference(a, b, 0.005), "L at τ = 0.005", atol=1e-3, rtol=1e-4)


@check("∂L/∂a matches autograd")
def gradient(learner, case):
    # a zero row has no direction, so no meaningful gradient: random rows only here
    a, b, tau = _problem(case, edge=False)
    mine = a.clone().requires_grad_(True)
    got = call("info_nce", learner, mine, b.clone(), tau)
    expect_true(isinstance(got, torch.Tensor) and got.requires_grad,
                "L does not depend on a through autograd: keep to torch operations on the inputs")
    got.backward()
    ref = a.clone().requires_grad_(True)
    _reference(ref, b, tau).backward()
    expect_close(mine.grad, ref.grad, "∂L/∂a")
