"""Checks for hw2_receptive_field: the real receptive field and jump, measured with autograd.

A stack of Conv1d layers with positive weights and no nonlinearity: the gradient of one output
unit with respect to the input is positive exactly on the inputs that unit can see."""

import torch
from torch import nn

from dltui.checking import CheckFailed, call, check, expect_equal


def _layers(case, count, dilated):
    return [{"kernel": case.dim(1, 4), "stride": case.dim(1, 3),
             "dilation": case.dim(1, 3) if dilated else 1} for _ in range(count)]


def _measure(layers):
    """(r, j) of the real stack: the support of ∂y[0]/∂x and where ∂y[1]/∂x starts."""
    r, j = 1, 1
    for layer in layers:  # only to size the input: the measurement below is the reference
        r, j = r + layer["dilation"] * (layer["kernel"] - 1) * j, j * layer["stride"]
    x = torch.zeros(1, 1, r + 2 * j, dtype=torch.float64, requires_grad=True)
    y = x
    for layer in layers:
        conv = nn.Conv1d(1, 1, layer["kernel"], stride=layer["stride"], dilation=layer["dilation"],
                         bias=False, dtype=torch.float64)
        nn.init.constant_(conv.weight, 1.0)
        y = conv(y)
    first, second = (torch.autograd.grad(y[0, 0, i], x, retain_graph=True)[0][0, 0] for i in (0, 1))
    seen = first.nonzero()[:, 0]
    return int(seen[-1] - seen[0] + 1), int(second.nonzero()[0, 0] - seen[0])


def _compare(learner, layers):
    got = call("receptive_field", learner, [dict(layer) for layer in layers])
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise CheckFailed(f"receptive_field should return a pair (r, j), got {got!r}")
    expect_equal(tuple(int(v) for v in got), _measure(layers), f"(r, j) for {layers}")


@check("one layer")
def one(learner, case):
    _compare(learner, _layers(case, 1, dilated=case.index % 2 == 1))


@check("a stack of 2–5 layers, stride 1, no dilation")
def plain(learner, case):
    layers = _layers(case, case.dim(2, 5), dilated=False)
    for layer in layers:
        layer["stride"] = 1
    _compare(learner, layers)


@check("a stack of 2–5 layers with strides and dilations")
def strided(learner, case):
    _compare(learner, _layers(case, case.dim(2, 5), dilated=True))
