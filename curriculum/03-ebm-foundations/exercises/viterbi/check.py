"""Checks for viterbi: brute force over every path on small trellises, bounds on a long one."""

import itertools
import math

import torch

from dltui.checking import CheckFailed, call, check, expect_close, expect_true


def _trellis(case, T=None, K=None):
    T = T or case.dim(1, 6)
    K = K or case.dim(1, 4)
    return case.tensor(T, K), case.tensor(K, K, scale=0.7)


def _path_energy(E, A, paths):
    """Energies of a (P, T) batch of paths."""
    frames = torch.arange(E.shape[0])
    energy = E[frames, paths].sum(dim=1)
    return energy + A[paths[:, :-1], paths[:, 1:]].sum(dim=1)


def _all_paths(E, A):
    T, K = E.shape
    paths = torch.tensor(list(itertools.product(range(K), repeat=T)), dtype=torch.long)
    return _path_energy(E, A, paths)


def _viterbi(learner, E, A):
    out = call("viterbi", learner, E.clone(), A.clone())
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise CheckFailed("viterbi should return a pair: (energy, path)")
    return out


def _check_path(E, A, path, best, what):
    T, K = E.shape
    expect_true(isinstance(path, torch.Tensor) and tuple(path.shape) == (T,),
                f"{what}: the path should be a tensor of {T} state indices")
    path = path.long()
    expect_true(bool(((path >= 0) & (path < K)).all()), f"{what}: the path has states outside 0 … {K - 1}")
    expect_close(_path_energy(E, A, path[None])[0], best, f"{what}: the energy of your path", atol=1e-9)


@check("Viterbi energy is the lowest over all K^T paths")
def energy(learner, case):
    E, A = _trellis(case)
    got, _ = _viterbi(learner, E, A)
    expect_close(got, _all_paths(E, A).min(), "the Viterbi energy", atol=1e-9)


@check("the Viterbi path reaches that lowest energy")
def path(learner, case):
    E, A = _trellis(case)
    _, got = _viterbi(learner, E, A)
    _check_path(E, A, got, _all_paths(E, A).min(), "the best path")


@check("F_β matches brute force over all paths, β from 0.1 to 100")
def forward(learner, case):
    E, A = _trellis(case)
    beta = 10 ** float(case.uniform(1, low=-1, high=2))
    want = -torch.logsumexp(-beta * _all_paths(E, A), dim=0) / beta
    expect_close(call("forward_energy", learner, E.clone(), A.clone(), beta), want, f"F_β at β = {beta:.3g}",
                 atol=1e-8)


@check("a long trellis (T = 100): path, energy and F∞ − T·log K/β ≤ F_β ≤ F∞")
def long(learner, case):
    E, A = _trellis(case, T=100, K=case.dim(2, 5))
    best, got = _viterbi(learner, E, A)
    best = torch.as_tensor(best, dtype=E.dtype)
    _check_path(E, A, got, best, "on the long trellis")
    # no path may beat the claimed optimum: try some random ones
    others = case.integers(0, E.shape[1], 64, E.shape[0])
    expect_true(bool((_path_energy(E, A, others) >= best - 1e-9).all()),
                "a random path has lower energy than your Viterbi energy")
    beta = 2.0
    F = call("forward_energy", learner, E.clone(), A.clone(), beta)
    value = float(F) if isinstance(F, (torch.Tensor, float, int)) else float("nan")
    low = float(best) - E.shape[0] * math.log(E.shape[1]) / beta
    if not (low - 1e-6 <= value <= float(best) + 1e-6):
        raise CheckFailed(f"F_β = {value:.6g} at β = 2 should lie in [{low:.6g}, {float(best):.6g}]")
