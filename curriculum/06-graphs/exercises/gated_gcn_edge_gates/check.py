"""Checks for gated_gcn_edge_gates: edge scores, gates and the layer against a dense all-pairs reference."""

import torch

from dltui.checking import call, check, expect_close, expect_shape, expect_true

EPS = 1e-6


def _graph(case):
    """A random graph without self-loops, its edges in shuffled order, with dense features and maps."""
    n, d = case.dim(1, 7), case.dim(1, 5)
    adj = case.mask(n, n, p=float(case.uniform(1, low=0.2, high=0.7))) & ~torch.eye(n, dtype=torch.bool)
    if n > 2:
        adj[0] = False  # node 0 receives no edge: its aggregate must stay 0
    dst, src = adj.nonzero(as_tuple=True)
    order = torch.randperm(len(dst), generator=case.generator)
    dst, src = dst[order], src[order]
    h = case.tensor(n, d)
    e_dense = case.tensor(n, n, d)  # e_dense[i, j] is the vector of edge j → i
    maps = [case.tensor(d, d, edge=False) / d ** 0.5 for _ in range(5)]
    return h, e_dense, adj, src, dst, maps


def _dense(h, e_dense, adj, maps):
    """Every pair scored at once, then masked by the adjacency: no edge list anywhere."""
    A, B, C, D, E = maps
    e_hat = e_dense @ C.T + (h @ D.T)[None, :, :] + (h @ E.T)[:, None, :]  # (n, n, d)
    sig = torch.sigmoid(e_hat) * adj[:, :, None]
    eta = sig / (sig.sum(dim=1, keepdim=True) + EPS)
    agg = (eta * (h @ B.T)[None, :, :]).sum(dim=1)
    return e_hat, eta, h + torch.relu(h @ A.T + agg), e_dense + torch.relu(e_hat)


@check("edge scores ê = C e + D h_j + E h_i")
def scores(learner, case):
    h, e_dense, adj, src, dst, maps = _graph(case)
    e_hat = _dense(h, e_dense, adj, maps)[0]
    got = call("edge_scores", learner, h.clone(), e_dense[dst, src], src, dst, *maps[2:])
    expect_shape(got, (len(src), h.shape[1]), "edge_scores(...)")
    expect_close(got, e_hat[dst, src], "ê")


@check("gates η: σ(ê) over the sum into the same node + ε")
def gates(learner, case):
    h, e_dense, adj, src, dst, maps = _graph(case)
    e_hat, eta = _dense(h, e_dense, adj, maps)[:2]
    got = call("normalised_gates", learner, e_hat[dst, src].clone(), dst, h.shape[0], EPS)
    expect_shape(got, (len(src), h.shape[1]), "normalised_gates(...)")
    expect_close(got, eta[dst, src], "η")


@check("layer: h ← h + ReLU(A h + Σ η ⊙ B h_j), e ← e + ReLU(ê)")
def layer(learner, case):
    h, e_dense, adj, src, dst, maps = _graph(case)
    _, _, h_new, e_new = _dense(h, e_dense, adj, maps)
    got = call("gated_gcn_layer", learner, h.clone(), e_dense[dst, src].clone(), src, dst, *maps, EPS)
    expect_true(isinstance(got, tuple) and len(got) == 2, "gated_gcn_layer should return a pair (h, e)")
    expect_close(got[0], h_new, "the new h")
    expect_close(got[1], e_new[dst, src], "the new e")
