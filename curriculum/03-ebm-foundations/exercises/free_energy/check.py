"""Checks for free_energy: the ellipse model's energies, F∞ with its ž, and F_β by logsumexp."""

import math

import torch

from dltui.checking import CheckFailed, call, check, expect_close, expect_true


def _problem(case):
    m, k = case.dim(1, 12), case.dim(4, 160)
    Y = case.tensor(m, 2, scale=1.5)
    Z = torch.linspace(0, 2 * math.pi, k + 1, dtype=torch.float64)[:-1]
    w = case.uniform(2, low=0.2, high=2.5)
    return Y, Z, w


def _energies(Y, Z, w):
    points = torch.stack([w[0] * torch.cos(Z), w[1] * torch.sin(Z)], dim=1)
    return (Y[:, 0, None] - points[:, 0]) ** 2 + (Y[:, 1, None] - points[:, 1]) ** 2


def _pair(out):
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise CheckFailed("zero_temperature should return a pair: (F∞, ž)")
    return out


@check("E[i, j] = ‖Y[i] − g(Z[j])‖²")
def energy(learner, case):
    Y, Z, w = _problem(case)
    expect_close(call("energies", learner, Y.clone(), Z.clone(), w.clone()), _energies(Y, Z, w), "E",
                 atol=1e-9)


@check("F∞ is the smallest energy on the grid")
def zero_temperature(learner, case):
    Y, Z, w = _problem(case)
    F, _ = _pair(call("zero_temperature", learner, Y.clone(), Z.clone(), w.clone()))
    expect_close(F, _energies(Y, Z, w).amin(dim=1), "F∞", atol=1e-9)


@check("ž is a grid latent whose energy is F∞")
def z_check(learner, case):
    Y, Z, w = _problem(case)
    _, z = _pair(call("zero_temperature", learner, Y.clone(), Z.clone(), w.clone()))
    expect_true(isinstance(z, torch.Tensor) and z.shape == (len(Y),), f"ž should be a tensor of shape ({len(Y)},)")
    z = z.to(Z.dtype)
    at_z = ((Y - torch.stack([w[0] * torch.cos(z), w[1] * torch.sin(z)], dim=1)) ** 2).sum(dim=1)
    expect_close(at_z, _energies(Y, Z, w).amin(dim=1), "E(y, ž)", atol=1e-9)


@check("F_β matches −(1/β) logsumexp(−βE), β from 0.1 to 10⁴")
def soft(learner, case):
    Y, Z, w = _problem(case)
    beta = 10 ** float(case.uniform(1, low=-1, high=4))
    want = -torch.logsumexp(-beta * _energies(Y, Z, w), dim=1) / beta
    expect_close(call("free_energy", learner, Y.clone(), Z.clone(), w.clone(), beta), want, f"F_β at β = {beta:.4g}",
                 atol=1e-8)


@check("F_β rises to F∞ as β grows: F∞ − (log k)/β ≤ F_β ≤ F∞")
def limit(learner, case):
    Y, Z, w = _problem(case)
    F_inf = _energies(Y, Z, w).amin(dim=1)
    lines = ["      β    max F∞ − F_β"]
    for beta in (1.0, 10.0, 100.0, 1000.0):
        F = call("free_energy", learner, Y.clone(), Z.clone(), w.clone(), beta)
        expect_true(isinstance(F, torch.Tensor) and F.shape == F_inf.shape, "free_energy should return an (m,) tensor")
        gap = F_inf - F
        lines.append(f"{beta:7g}    {float(gap.max()):.4g}")
        slack = 1e-9 * (1 + F_inf.abs())
        if bool(((gap < -slack) | (gap > math.log(len(Z)) / beta + slack)).any()):
            raise CheckFailed(f"at β = {beta:g}, F_β is outside [F∞ − (log k)/β, F∞]", "\n".join(lines))
    return "\n".join(lines)
