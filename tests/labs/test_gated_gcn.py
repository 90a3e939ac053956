import random

import pytest

from dltui.engine import run_inline
from dltui.labspec import SettingError, make_settings


def test_generators_build_the_named_families():
    from dltui.labs.gated_gcn import make_graph

    rng = random.Random(0)
    for _ in range(20):
        n, edges = make_graph(0, rng)  # cycle
        assert len(edges) == n and len(set(edges)) == n
        n, edges = make_graph(2, rng)  # wheel: spokes + rim
        assert len(edges) == 2 * (n - 1)
        n, edges = make_graph(4, rng)  # hypercube of dimension d: d·2^(d-1) edges
        assert n in (8, 16) and len(edges) == {8: 12, 16: 32}[n]
        n, edges = make_graph(6, rng)  # clique
        assert len(edges) == n * (n - 1) // 2
        n, edges = make_graph(7, rng)  # circular ladder: two rims and the rungs
        assert n % 2 == 0 and len(edges) == 3 * n // 2
        for fam in range(8):
            n, edges = make_graph(fam, rng)
            assert all(0 <= a < n and 0 <= b < n and a != b for a, b in edges)


def test_batch_is_block_diagonal_with_self_loops():
    from dltui.labs.gated_gcn import collate, make_dataset

    graphs, labels = make_dataset(16, random.Random(1))
    assert labels == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7]
    g = collate(graphs, [3, 9], "cpu")
    assert (g["gid"][g["src"]] == g["gid"][g["dst"]]).all()  # no edge crosses graphs
    n0 = graphs[3][0]
    # graph 3 is a star: in-degree (self-loop included) n at the hub, 2 at every leaf
    assert g["x"][:n0, 0].tolist() == [float(n0)] + [2.0] * (n0 - 1)
    assert g["n"] == 2


@pytest.mark.slow
def test_gated_gcn_learns_families():
    res = run_inline("gated_gcn", {"model": "gated", "graphs": 200, "epochs": 12}, device="cpu", threads=1)
    assert res.status == "finished", res.message
    assert res.metrics["acc_gated"] >= 0.7
    losses = res.history["loss_gated"][1]
    assert losses[-1] < 0.5 * losses[0]
    assert {"confusion", "families: gated"} <= set(res.figures)


def test_out_of_range_setting_is_refused():
    from dltui.labs.gated_gcn import Settings

    with pytest.raises(SettingError):
        make_settings(Settings, {"layers": 99})
    with pytest.raises(SettingError):
        make_settings(Settings, {"model": "gat"})
