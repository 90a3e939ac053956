"""Compose two weighted transducers and take the forward score — a reference solution."""

import torch


def compose(g1: dict, g2: dict) -> dict:
    """Arcs of g1 and g2 that agree on the middle label, run side by side; weights add."""
    s2 = g2["states"]
    arcs, left, right = [], [], []
    for i, (p, p2, a, b) in enumerate(g1["arcs"]):
        for j, (q, q2, c, d) in enumerate(g2["arcs"]):
            if b == c:  # g1's output must be g2's input
                arcs.append((p * s2 + q, p2 * s2 + q2, a, d))
                left.append(i)
                right.append(j)
    weights = g1["weights"][left] + g2["weights"][right]  # (m,), still attached to both inputs
    accept = [p * s2 + q for p in g1["accept"] for q in g2["accept"]]
    return {"states": g1["states"] * s2, "accept": accept, "arcs": arcs, "weights": weights}


def forward_score(g: dict) -> torch.Tensor:
    """log Σ over accepted paths of exp(sum of their weights); −inf when no path is accepted."""
    incoming = [[] for _ in range(g["states"])]
    for k, (src, dst, _, _) in enumerate(g["arcs"]):
        incoming[dst].append((src, k))
    alpha = [None] * g["states"]  # None: not reachable, kept out of every sum (its gradient would be NaN)
    alpha[0] = g["weights"].new_zeros(())
    for s in range(1, g["states"]):  # arcs go from lower to higher states: a topological order
        terms = [alpha[src] + g["weights"][k] for src, k in incoming[s] if alpha[src] is not None]
        if terms:
            alpha[s] = torch.logsumexp(torch.stack(terms), dim=0)
    ends = [alpha[s] for s in g["accept"] if alpha[s] is not None]
    if not ends:
        return g["weights"].new_tensor(float("-inf"))
    return torch.logsumexp(torch.stack(ends), dim=0)
