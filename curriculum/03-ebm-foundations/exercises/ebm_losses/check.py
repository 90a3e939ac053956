"""Checks for ebm_losses: each loss against F.relu / F.softplus / F.log_softmax references."""

import torch
import torch.nn.functional as F

from dltui.checking import call, check, expect_close, expect_true


def _problem(case):
    n, k = case.dim(1, 8), case.dim(2, 7)
    E = case.tensor(n, k, scale=2.0, large=100.0)
    y = case.integers(0, k, n)
    return E, y


def _correct(E, y):
    return E[torch.arange(len(y)), y]


def _offending_energy(E, y):
    wrong = E.masked_fill(F.one_hot(y, E.shape[1]).bool(), float("inf"))
    return wrong.amin(dim=1)


def _loss(learner, name, E, y, *extra):
    return call(name, learner, E.clone(), y.clone(), *extra)


@check("most_offending: the lowest-energy wrong answer")
def offending(learner, case):
    E, y = _problem(case)
    got = _loss(learner, "most_offending", E, y)
    expect_true(isinstance(got, torch.Tensor) and got.shape == y.shape and not got.is_floating_point(),
                f"most_offending should return {len(y)} integer indices")
    expect_true(bool((got != y).all()), "the most offending answer must be a wrong one, never yᵢ itself")
    expect_close(E[torch.arange(len(y)), got], _offending_energy(E, y), "the energy of the answers you picked")


@check("energy loss: the mean correct energy")
def energy(learner, case):
    E, y = _problem(case)
    expect_close(_loss(learner, "energy_loss", E, y), _correct(E, y).mean(), "energy_loss")


@check("perceptron loss: Eᶜ − min E, never negative")
def perceptron(learner, case):
    E, y = _problem(case)
    expect_close(_loss(learner, "perceptron_loss", E, y), (_correct(E, y) - E.amin(dim=1)).mean(),
                 "perceptron_loss")


@check("hinge loss with a margin m")
def hinge(learner, case):
    E, y = _problem(case)
    m = float(case.uniform(1, low=0.1, high=3.0))
    want = F.relu(m + _correct(E, y) - _offending_energy(E, y)).mean()
    expect_close(_loss(learner, "hinge_loss", E, y, m), want, f"hinge_loss with m = {m:.3g}")


@check("log loss: a stable softplus of Eᶜ − Ē")
def log(learner, case):
    E, y = _problem(case)
    want = F.softplus(_correct(E, y) - _offending_energy(E, y)).mean()
    expect_close(_loss(learner, "log_loss", E, y), want, "log_loss")


@check("NLL at inverse temperature β is the cross-entropy of −βE, divided by β")
def nll(learner, case):
    E, y = _problem(case)
    beta = 10 ** float(case.uniform(1, low=-1, high=1.5))
    want = -F.log_softmax(-beta * E, dim=1)[torch.arange(len(y)), y].mean() / beta  # cross-entropy
    expect_close(_loss(learner, "nll_loss", E, y, beta), want, f"nll_loss at β = {beta:.3g}")
