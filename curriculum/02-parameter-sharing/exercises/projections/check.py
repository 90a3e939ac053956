"""Checks for projections: cosines against F.cosine_similarity, and the 1/√d law."""

import math

import torch
import torch.nn.functional as F

from dltui.checking import CheckFailed, call, check, expect_close


def _rows(case, n_low=2):
    n, d = case.dim(n_low, 12), case.dim(1, 20)
    X = case.tensor(n, d, edge=False)
    if case.kind == "large":
        X = X * 1e3
    X[X.norm(dim=1) == 0] = 1.0  # no zero rows: their cosine is undefined
    return X


def _reference(X):
    i, j = torch.triu_indices(X.shape[0], X.shape[0], offset=1)
    return F.cosine_similarity(X[i], X[j], dim=1)


@check("pairwise cosines match F.cosine_similarity, in triu_indices order")
def cosines(learner, case):
    X = _rows(case)
    expect_close(call("pairwise_cosines", learner, X.clone()), _reference(X), "the cosines", atol=1e-10)


@check("the spread is the standard deviation of the cosines")
def spread(learner, case):
    X = _rows(case, n_low=3)
    expect_close(call("cosine_spread", learner, X.clone()), _reference(X).std(correction=0), "the spread",
                 atol=1e-10)


@check("the spread of random directions is 1/√d within 5 %")
def law(learner, case):
    dims = (2, 8, 32, 128)
    lines = ["    d   spread   1/√d"]
    for d in dims:
        X = case.tensor(100, d, edge=False)
        got = call("cosine_spread", learner, X)
        value = float(got) if isinstance(got, (torch.Tensor, float, int)) else float("nan")
        lines.append(f"{d:5d}   {value:.4f}   {1 / math.sqrt(d):.4f}")
        if not abs(value * math.sqrt(d) - 1) < 0.05:
            raise CheckFailed(f"for d = {d} the spread is {value:.4g}, expected about 1/√d = "
                              f"{1 / math.sqrt(d):.4g}", "\n".join(lines))
    return "\n".join(lines)
