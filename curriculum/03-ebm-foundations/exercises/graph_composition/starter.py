"""Compose two weighted transducers and take the forward score. Replace each TODO."""

import torch


def compose(g1: dict, g2: dict) -> dict:
    """Arcs of g1 and g2 that agree on the middle label, run side by side; weights add.

    A graph is {"states": S, "accept": [...], "arcs": [(src, dst, in, out), ...], "weights": (m,)}.
    The composed state (p, q) is numbered p * g2["states"] + q.
    """
    # TODO: pair every arc of g1 with every arc of g2 whose input label is g1's output label
    return {"states": g1["states"] * g2["states"], "accept": [], "arcs": [],
            "weights": g1["weights"].new_zeros(0)}


def forward_score(g: dict) -> torch.Tensor:
    """log Σ over accepted paths of exp(sum of their weights); −inf when no path is accepted."""
    # TODO: α(0) = 0, then α(s) = logsumexp over arcs into s of α(src) + w, states in increasing order
    return g["weights"].new_tensor(float("-inf"))
