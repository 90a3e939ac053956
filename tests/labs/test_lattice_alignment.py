import itertools

import pytest

from dltui.engine import run_inline
from dltui.labspec import SettingError, make_settings


def _random_case(seed, B=6, T=9, K=4):
    import torch

    g = torch.Generator().manual_seed(seed)
    lp = torch.randn(B, T, K, generator=g).log_softmax(-1)
    targets = torch.tensor([[1, 1, 2], [2, 3, 2], [3, 3, 3], [1, 2, 3], [2, 2, 1], [1, 3, 1]])[:B]
    return lp, targets


def test_our_ctc_loss_matches_torch():
    import torch
    import torch.nn.functional as F

    from dltui.labs.lattice_alignment import ctc_loss, lattice

    lp, targets = _random_case(0, T=12)
    ours = -lattice(lp, targets)[0]
    ref = F.ctc_loss(lp.transpose(0, 1), targets, torch.full((6,), 12), torch.full((6,), 3), reduction="none")
    assert ours.tolist() == pytest.approx(ref.tolist(), abs=1e-4)
    assert ctc_loss(lp, targets).item() == pytest.approx(ref.mean().item(), abs=1e-4)


def test_forward_and_viterbi_against_brute_force():
    import torch

    from dltui.labs.lattice_alignment import best_path, extend, lattice

    lp, targets = _random_case(1, B=1, T=7)
    ext = extend(targets)[0].tolist()
    S = len(ext)
    scores = {}
    for rows in itertools.product(range(S), repeat=7):  # every monotone path through the lattice
        if rows[0] > 1 or rows[-1] < S - 2:
            continue
        ok = all(0 <= b - a <= 2 and (b - a < 2 or (ext[b] != 0 and ext[b] != ext[b - 2]))
                 for a, b in zip(rows, rows[1:]))
        if ok:
            scores[rows] = sum(lp[0, t, ext[s]].item() for t, s in enumerate(rows))
    values = torch.tensor(list(scores.values()))
    assert lattice(lp, targets)[0].item() == pytest.approx(values.logsumexp(0).item(), abs=1e-4)
    vit, rows = best_path(lp, targets)
    assert vit.item() == pytest.approx(values.max().item(), abs=1e-4)
    assert scores[tuple(rows)] == pytest.approx(vit.item(), abs=1e-4)
    assert lattice(lp, targets)[0].item() >= vit.item()


@pytest.mark.slow
def test_training_sharpens_the_best_path():
    res = run_inline("lattice_alignment", {"sequences": 128, "steps": 80, "seed": 1}, device="cpu", threads=1)
    assert res.status == "finished", res.message
    m = res.metrics
    assert m["acc_decode"] >= 0.8
    assert m["gap"] < 0.5 * m["gap_start"]
    losses = res.history["loss_ctc"][1]
    assert losses[-1] < 0.2 * losses[0]
    assert "lattice" in res.figures


def test_out_of_range_setting_is_refused():
    from dltui.labs.lattice_alignment import Settings

    with pytest.raises(SettingError):
        make_settings(Settings, {"frames": 5})
    with pytest.raises(SettingError):
        make_settings(Settings, {"lr": 100.0})
