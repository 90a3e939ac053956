"""Checks for custom_grads: outputs, gradients and gradcheck on random inputs."""

import torch

from dltui.checking import CheckFailed, call, check, expect_close, expect_true


def _x(case, edge=True):
    return case.tensor(*[case.dim(1, 5) for _ in range(case.dim(1, 2))], edge=edge)


def _function(learner, name):
    cls = getattr(learner, name, None)
    expect_true(cls is not None, f"your file has no `{name}`: keep the name from the starter")
    expect_true(isinstance(cls, type) and issubclass(cls, torch.autograd.Function),
                f"{name} should be a subclass of torch.autograd.Function")
    return cls


def _grad_of(apply, x, g):
    leaf = x.clone().requires_grad_(True)
    out = apply(leaf)
    expect_true(isinstance(out, torch.Tensor) and out.requires_grad,
                "the output does not track gradients: return a tensor computed from x in forward")
    out.backward(g)
    return leaf.grad


@check("Clamp01 forward clamps to [0, 1]")
def clamp_forward(learner, case):
    x = _x(case)
    expect_close(_function(learner, "Clamp01").apply(x.clone()), x.clamp(0, 1), "Clamp01.apply(x)")


@check("Clamp01 backward: the gradient passes where 0 ≤ x ≤ 1")
def clamp_backward(learner, case):
    x, g = _x(case), None
    g = case.tensor(*x.shape, edge=False)
    want = g * ((x >= 0) & (x <= 1)).to(g.dtype)
    expect_close(_grad_of(_function(learner, "Clamp01").apply, x, g), want, "x.grad")


@check("Clamp01 passes torch.autograd.gradcheck (float64)")
def clamp_gradcheck(learner, case):
    x = _x(case, edge=False)
    # keep clear of the kinks at 0 and 1, where finite differences are meaningless
    near = ((x.abs() < 1e-3) | ((x - 1).abs() < 1e-3))
    x = torch.where(near, x + 0.01, x).requires_grad_(True)
    apply = _function(learner, "Clamp01").apply
    try:
        ok = torch.autograd.gradcheck(apply, (x,), eps=1e-6, atol=1e-5, raise_exception=True)
    except torch.autograd.gradcheck.GradcheckError as exc:
        first = str(exc).strip().splitlines()[0]
        raise CheckFailed(f"gradcheck failed: {first}", str(exc)[:800]) from None
    expect_true(ok, "gradcheck returned False")


@check("SignSTE forward is sign(x)")
def sign_forward(learner, case):
    x = _x(case)
    expect_close(_function(learner, "SignSTE").apply(x.clone()), torch.sign(x), "SignSTE.apply(x)")


@check("SignSTE backward: straight-through where |x| ≤ 1")
def sign_backward(learner, case):
    x = _x(case)
    g = case.tensor(*x.shape, edge=False)
    expect_close(_grad_of(_function(learner, "SignSTE").apply, x, g), g * (x.abs() <= 1).to(g.dtype), "x.grad")
