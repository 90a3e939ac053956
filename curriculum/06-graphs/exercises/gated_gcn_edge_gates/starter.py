"""One residual gated GCN layer with normalised edge gates. Replace each TODO."""

import torch


def edge_scores(h, e, src, dst, C, D, E):
    """ê = C e + D h_src + E h_dst for every edge: (m, d)."""
    # TODO: gather the endpoint vectors with h[src] and h[dst]
    return torch.zeros_like(e)


def normalised_gates(e_hat, dst, n, eps=1e-6):
    """η = σ(ê) / (sum of σ(ê) over the edges into the same node + eps): (m, d)."""
    # TODO: a scatter-add by dst for the denominator
    return torch.sigmoid(e_hat)


def gated_gcn_layer(h, e, src, dst, A, B, C, D, E, eps=1e-6):
    """The new node vectors (n, d) and edge vectors (m, d)."""
    e_hat = edge_scores(h, e, src, dst, C, D, E)
    eta = normalised_gates(e_hat, dst, h.shape[0], eps)
    # TODO: aggregate η ⊙ B h_src into the destinations, then the two residual updates
    return h, e
