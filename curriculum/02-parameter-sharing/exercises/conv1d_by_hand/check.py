"""Checks for conv1d_by_hand: compared with F.conv1d on random sizes, strides and paddings."""

import torch
import torch.nn.functional as F

from dltui.checking import call, check, expect_close, expect_shape


def _problem(case, *, stride=None, padding=None):
    n, c_in, c_out = case.dim(1, 4), case.dim(1, 4), case.dim(1, 5)
    k = case.dim(1, 5)
    s = stride if stride is not None else case.dim(1, 3)
    p = padding if padding is not None else case.dim(0, 2)
    length = k + case.dim(0, 12)  # at least one window without padding
    x = case.tensor(n, c_in, length)
    w = case.tensor(c_out, c_in, k, edge=False)
    b = case.tensor(c_out, edge=False)
    return x, w, b, s, p


def _run(learner, x, w, b, s, p):
    return call("conv1d", learner, x.clone(), w.clone(), b.clone(), stride=s, padding=p)


@check("output shape (N, C_out, L_out) for any stride and padding")
def shape(learner, case):
    x, w, b, s, p = _problem(case)
    expect_shape(_run(learner, x, w, b, s, p), F.conv1d(x, w, b, stride=s, padding=p).shape, "y")


@check("stride 1, no padding: matches F.conv1d")
def plain(learner, case):
    x, w, b, s, p = _problem(case, stride=1, padding=0)
    expect_close(_run(learner, x, w, b, s, p), F.conv1d(x, w, b), "y")


@check("padding only: matches F.conv1d")
def padded(learner, case):
    x, w, b, s, p = _problem(case, stride=1)
    expect_close(_run(learner, x, w, b, s, p), F.conv1d(x, w, b, padding=p), "y")


@check("stride and padding: matches F.conv1d")
def strided(learner, case):
    x, w, b, s, p = _problem(case)
    expect_close(_run(learner, x, w, b, s, p), F.conv1d(x, w, b, stride=s, padding=p), "y")
