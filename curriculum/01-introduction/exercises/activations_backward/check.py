"""Checks for activations_backward: forward against torch, backward against autograd."""

import torch

from dltui.checking import call, check, expect_close

REFERENCE = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}


def _inputs(case):
    shape = [case.dim(1, 6) for _ in range(case.dim(1, 3))]
    return case.tensor(*shape, large=300.0), case.tensor(*shape, edge=False)


def _forward(learner, case, name):
    x, _ = _inputs(case)
    expect_close(call(f"{name}_forward", learner, x.clone()), REFERENCE[name](x), f"{name}_forward(x)")


def _backward(learner, case, name):
    x, g = _inputs(case)
    leaf = x.clone().requires_grad_(True)
    REFERENCE[name](leaf).backward(g)
    expect_close(call(f"{name}_backward", learner, g.clone(), x.clone()), leaf.grad, f"{name}_backward(g, x)")


@check("ReLU forward")
def relu_forward(learner, case):
    _forward(learner, case, "relu")


@check("ReLU backward")
def relu_backward(learner, case):
    _backward(learner, case, "relu")


@check("sigmoid forward")
def sigmoid_forward(learner, case):
    _forward(learner, case, "sigmoid")


@check("sigmoid backward")
def sigmoid_backward(learner, case):
    _backward(learner, case, "sigmoid")


@check("tanh forward")
def tanh_forward(learner, case):
    _forward(learner, case, "tanh")


@check("tanh backward")
def tanh_backward(learner, case):
    _backward(learner, case, "tanh")
