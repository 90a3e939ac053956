"""Checks for gcn_layer: compared with message passing over the edge list."""

import torch

from dltui.checking import call, check, expect_close


def _graph(case):
    n = case.dim(1, 10)
    density = float(case.uniform(1, low=0.1, high=0.9))
    upper = case.mask(n, n, p=density).triu(1)
    A = (upper | upper.T).to(torch.float64)
    if case.kind == "zeros":
        A = torch.zeros(n, n, dtype=torch.float64)  # no edges: every node alone
    return A


def _message_passing(A, X):
    """out_i = Σ over edges j → i, self-loop included, of X_j / √(d_i d_j)."""
    n = A.shape[0]
    src, dst = (A + torch.eye(n, dtype=A.dtype)).nonzero(as_tuple=True)
    deg = torch.zeros(n, dtype=A.dtype).index_add_(0, dst, torch.ones(len(dst), dtype=A.dtype))
    coef = (deg[src] * deg[dst]) ** -0.5
    return torch.zeros(n, X.shape[1], dtype=X.dtype).index_add_(0, dst, coef[:, None] * X[src])


@check("Â = D̃^(−1/2)(A + I)D̃^(−1/2)")
def adjacency(learner, case):
    A = _graph(case)
    n = A.shape[0]
    expect_close(call("normalised_adjacency", learner, A.clone()),
                 _message_passing(A, torch.eye(n, dtype=A.dtype)), "Â")


@check("layer output ReLU(Â H W)")
def layer(learner, case):
    A = _graph(case)
    f_in, f_out = case.dim(1, 6), case.dim(1, 5)
    H = case.tensor(A.shape[0], f_in)
    W = case.tensor(f_in, f_out, edge=False)
    expect_close(call("gcn_layer", learner, A.clone(), H.clone(), W.clone()),
                 torch.relu(_message_passing(A, H @ W)), "H′")
