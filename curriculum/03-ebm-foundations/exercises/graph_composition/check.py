"""Checks for graph_composition: composed arcs, forward scores and their gradients against brute force."""

import torch

from dltui.checking import CheckFailed, call, check, expect_close, expect_true

LABELS = 3


def _graph(case, states, spine, inputs=None, outputs=None):
    """A random DAG (arcs from lower to higher states) holding a spine path 0 → 1 → … → len(spine)."""
    arcs = []
    for t, label in enumerate(spine):
        a = label if inputs is None else inputs[t]
        b = label if outputs is None else outputs[t]
        arcs.append((t, t + 1, a, b))
    for _ in range(case.dim(0, 2 * states)):
        src = int(case.integers(0, states - 1, 1)) if states > 1 else 0
        if states > 1:
            dst = int(case.integers(src + 1, states, 1))
            arcs.append((src, dst, int(case.integers(0, LABELS, 1)), int(case.integers(0, LABELS, 1))))
    order = torch.randperm(len(arcs), generator=case.generator).tolist()
    arcs = [arcs[k] for k in order]
    accept = sorted({len(spine)} | {s for s in range(states) if bool(case.mask(1, p=0.3))})
    weights = case.tensor(len(arcs), scale=1.5, large=20.0)
    return {"states": states, "accept": accept, "arcs": arcs, "weights": weights}


def _pair(case):
    """Two transducers whose composition accepts at least one path (their spines line up)."""
    length = case.dim(1, 3)
    middle = case.integers(0, LABELS, length).tolist()
    g1 = _graph(case, length + case.dim(1, 2), middle, inputs=case.integers(0, LABELS, length).tolist())
    g2 = _graph(case, length + case.dim(1, 2), middle, outputs=case.integers(0, LABELS, length).tolist())
    return g1, g2


def _paths(g):
    """Every path from state 0 to an accepting state, as a list of arc indices."""
    out, stack = [], [(0, [])]
    while stack:
        state, path = stack.pop()
        if state in g["accept"]:
            out.append(path)
        stack.extend((dst, path + [k]) for k, (src, dst, _, _) in enumerate(g["arcs"]) if src == state)
    return out


def _labels(g, path, side):
    return [g["arcs"][k][side] for k in path]


def _brute_compose_score(g1, g2):
    """Pairs of accepted paths whose middle labels agree: the composition, never built."""
    scores = [g1["weights"][p1].sum() + g2["weights"][p2].sum()
              for p1 in _paths(g1) for p2 in _paths(g2) if _labels(g1, p1, 3) == _labels(g2, p2, 2)]
    return torch.logsumexp(torch.stack(scores), dim=0)


def _copy(g, grad=False):
    return {"states": g["states"], "accept": list(g["accept"]), "arcs": list(g["arcs"]),
            "weights": g["weights"].clone().requires_grad_(grad)}


def _arc_table(g, what):
    expect_true(isinstance(g, dict) and {"states", "accept", "arcs", "weights"} <= set(g),
                f"{what} should be a dict with keys states, accept, arcs, weights")
    expect_true(len(g["arcs"]) == len(g["weights"]),
                f"{what} has {len(g['arcs'])} arcs but {len(g['weights'])} weights")
    return sorted((tuple(int(v) for v in arc), round(float(w), 9)) for arc, w in zip(g["arcs"], g["weights"]))


@check("forward_score of one graph equals log Σ exp over its accepted paths")
def forward(learner, case):
    length = case.dim(0, 4)
    g = _graph(case, length + case.dim(1, 2), case.integers(0, LABELS, length).tolist())
    if case.index % 5 == 4:
        g["accept"] = []  # nothing accepted: the score is log 0 = −inf
    paths = _paths(g)
    want = (torch.logsumexp(torch.stack([g["weights"][p].sum() for p in paths]), dim=0) if paths
            else torch.tensor(float("-inf"), dtype=torch.float64))
    got = call("forward_score", learner, _copy(g))
    expect_close(got, want, "forward_score(g)")


@check("compose keeps the matching arc pairs, numbered p·S₂ + q, weights added")
def composed_arcs(learner, case):
    g1, g2 = _pair(case)
    s2 = g2["states"]
    want = {"states": g1["states"] * s2,
            "accept": sorted(p * s2 + q for p in g1["accept"] for q in g2["accept"]),
            "arcs": [], "weights": []}
    for (p, p2, a, b), w1 in zip(g1["arcs"], g1["weights"]):
        for (q, q2, c, d), w2 in zip(g2["arcs"], g2["weights"]):
            if b == c:
                want["arcs"].append((p * s2 + q, p2 * s2 + q2, a, d))
                want["weights"].append(w1 + w2)
    want["weights"] = torch.stack(want["weights"]) if want["weights"] else torch.zeros(0, dtype=torch.float64)
    got = call("compose", learner, _copy(g1), _copy(g2))
    expect_true(isinstance(got, dict), "compose should return a graph dict")
    expect_true(int(got.get("states", -1)) == want["states"],
                f"the composition should have S₁·S₂ = {want['states']} states, not {got.get('states')}")
    expect_true(sorted(int(s) for s in got.get("accept", [])) == want["accept"],
                f"the accepting states should be {want['accept']} (every (p, q) with both accepting)")
    mine, theirs = _arc_table(got, "compose(g1, g2)"), _arc_table(want, "the reference")
    if mine != theirs:
        missing = [arc for arc in theirs if arc not in mine][:2]
        extra = [arc for arc in mine if arc not in theirs][:2]
        raise CheckFailed(f"the composed arcs differ: {len(mine)} arcs, expected {len(theirs)}; "
                          f"missing {missing or 'none'}, unexpected {extra or 'none'} "
                          "(each as ((src, dst, in, out), weight))")


@check("forward_score(compose(g1, g2)) and its gradients match brute force")
def composed_score(learner, case):
    g1, g2 = _pair(case)
    a1, a2 = _copy(g1, grad=True), _copy(g2, grad=True)
    want = _brute_compose_score(a1, a2)
    want_grads = torch.autograd.grad(want, [a1["weights"], a2["weights"]])
    b1, b2 = _copy(g1, grad=True), _copy(g2, grad=True)
    got = call("forward_score", learner, call("compose", learner, b1, b2))
    expect_close(got, want, "forward_score(compose(g1, g2))")
    expect_true(isinstance(got, torch.Tensor) and got.requires_grad,
                "the score should stay attached to the arc weights (no .item() or float() on the way)")
    grads = torch.autograd.grad(got, [b1["weights"], b2["weights"]], allow_unused=True)
    for name, g, w in zip(("g1", "g2"), grads, want_grads):
        expect_true(g is not None, f"no gradient reaches {name}'s weights: build the composed weights from them")
        expect_close(g, w, f"∂score/∂ {name}'s weights (NaN here: an unreachable state entered a logsumexp)")
