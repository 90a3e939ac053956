import pytest

from dltui.engine import run_inline
from dltui.labspec import SettingError, make_settings


def test_soft_retrieval_matches_the_notebook_sanity_checks():
    import torch

    from dltui.labs.transformer_sentiment import soft_retrieve

    keys = torch.tensor([[10.0, 0, 0], [0, 10, 0], [0, 0, 10], [0, 0, 10]])
    values = torch.tensor([[1.0, 0, 0], [10, 0, 0], [100, 5, 0], [1000, 6, 0]])
    w, out = soft_retrieve(keys, values, torch.tensor([0.0, 10, 0]), 1 / 8)
    assert w.tolist() == pytest.approx([3.73e-6, 0.99999, 3.73e-6, 3.73e-6], rel=1e-2)
    assert out.tolist() == pytest.approx([10.004, 4.1e-5, 0], abs=1e-3)
    _, out = soft_retrieve(keys, values, torch.tensor([0.0, 0, 10]), 1 / 8)
    assert out.tolist() == pytest.approx([550.0, 5.5, 0], abs=1e-2)
    _, out = soft_retrieve(keys, values, torch.tensor([10.0, 10, 0]), 1 / 8)
    assert out.tolist() == pytest.approx([5.5, 0, 0], abs=1e-2)
    w, _ = soft_retrieve(keys, values, torch.tensor([0.0, 10, 0]), 0.0)
    assert w.tolist() == pytest.approx([0.25] * 4)  # β = 0 forgets the keys


def test_labels_are_balanced_and_follow_polarity():
    import torch

    from dltui.labs.transformer_sentiment import PAD, make_reviews

    words, labels, polarity = make_reviews(2000, torch.Generator().manual_seed(1))
    assert 0.4 < labels.float().mean().item() < 0.6
    score = polarity[words].sum(1)
    assert bool((labels[score > 0] == 1).all()) and bool((labels[score < 0] == 0).all())
    assert set((words != PAD).sum(1).tolist()) <= set(range(10, 41))


@pytest.mark.slow
def test_attention_beats_max_pooled_embeddings():
    res = run_inline("transformer_sentiment", {"reviews": 2000, "epochs": 4}, device="cpu", threads=1)
    assert res.status == "finished", res.message
    m = res.metrics
    assert m["acc_transformer"] >= 0.72
    assert m["acc_transformer"] > m["acc_noattn"] + 0.05
    losses = res.history["loss_transformer"][1]
    assert sum(losses[-10:]) < 0.7 * sum(losses[:10])
    assert {"attention", "memory"} <= set(res.figures)


def test_out_of_range_setting_is_refused():
    from dltui.labs.transformer_sentiment import Settings

    with pytest.raises(SettingError):
        make_settings(Settings, {"heads": 3})
    with pytest.raises(SettingError):
        make_settings(Settings, {"layers": 9})
