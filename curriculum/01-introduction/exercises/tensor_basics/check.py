"""Checks for tensor_basics: each one-liner against PyTorch on random shapes."""

import torch

from dltui.checking import call, check, expect_close


@check("matvec(A, v) = A v")
def matvec(learner, case):
    m, n = case.dim(1, 7), case.dim(1, 7)
    A, v = case.tensor(m, n), case.tensor(n, edge=False)
    expect_close(call("matvec", learner, A.clone(), v.clone()), torch.mv(A, v), "matvec(A, v)")


@check("stack_rows: a above b")
def stack_rows(learner, case):
    p, q, n = case.dim(1, 5), case.dim(1, 5), case.dim(1, 6)
    a, b = case.tensor(p, n), case.tensor(q, n)
    expect_close(call("stack_rows", learner, a, b), torch.vstack([a, b]), "stack_rows(a, b)")


@check("side_by_side: a left of b")
def side_by_side(learner, case):
    m, p, q = case.dim(1, 5), case.dim(1, 5), case.dim(1, 6)
    a, b = case.tensor(m, p), case.tensor(m, q)
    expect_close(call("side_by_side", learner, a, b), torch.hstack([a, b]), "side_by_side(a, b)")


@check("positives: the entries > 0, in order")
def positives(learner, case):
    shape = [case.dim(1, 5) for _ in range(case.dim(1, 3))]
    x = case.tensor(*shape)
    expect_close(call("positives", learner, x.clone()), torch.masked_select(x, x > 0), "positives(x)")


@check("outer(u, v) by broadcasting")
def outer(learner, case):
    m, n = case.dim(1, 7), case.dim(1, 7)
    u, v = case.tensor(m), case.tensor(n, edge=False)
    expect_close(call("outer", learner, u.clone(), v.clone()), torch.outer(u, v), "outer(u, v)")
