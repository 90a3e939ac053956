import pytest
import torch

from dltui.engine import run_inline
from dltui.labs import regularization as lab
from dltui.labspec import SettingError, make_settings


@pytest.mark.slow
def test_regularisers_close_the_gap_and_l1_zeroes_weights():
    r = run_inline("regularization", {"seed": 1})
    assert r.status == "finished", r.message
    m = r.metrics
    assert set(m) == set(lab.INFO.metrics)
    assert m["train_none"] < 0.1 < m["val_none"] - 0.4  # memorised: a wide train/validation gap
    assert m["val_none"] > m["valmin_none"] + 0.05  # validation loss rose after its minimum
    assert m["val_l1"] < m["val_none"] and m["val_dropout"] < m["val_none"]
    assert 0.65 <= m["zeros_l1"] <= 0.8  # L1's spike of (near-)exact zeros
    for v in ("none", "l2", "dropout"):
        assert 0.1 <= m[f"zeros_{v}"] <= 0.22, v
    assert lab.expectation_met(m)
    assert {"validation", "weights", "gap: none", "gap: L1"} <= set(r.figures)
    losses = r.history["loss_none"][1]
    assert sum(losses[-10:]) < 0.2 * sum(losses[:10])  # it learned the training set


def test_one_regulariser_alone_reports_its_own_metrics():
    r = run_inline("regularization", {"regularizer": "l1", "epochs": 2, "reviews": 200})
    assert r.status == "finished", r.message
    assert set(r.metrics) == {"train_l1", "val_l1", "valmin_l1", "acc_l1", "zeros_l1"}


def test_reviews_are_balanced_and_follow_the_polarity_sum():
    words, labels, threshold = lab.make_reviews(2000, torch.Generator().manual_seed(1))
    assert words.shape == (2000, lab.LENGTH) and int(words.min()) >= 2 and int(words.max()) <= lab.VOCAB + 1
    assert 0.45 <= float(labels.mean()) <= 0.55
    score = lab.polarity_table()[words].sum(1)
    assert bool((labels[score > threshold] == 1).all()) and bool((labels[score < threshold] == 0).all())
    assert int((lab.polarity_table() != 0).sum()) == 60


def test_histogram_middle_bin_is_the_near_zero_share():
    xs, ys = lab.histogram(torch.tensor([0.0, 0.009, -0.009, 0.02, 0.5]))
    assert xs[7] == 0.0 and ys[7] == pytest.approx(0.6)
    assert sum(ys) == pytest.approx(0.8)  # 0.5 lies outside the ±0.15 range


def test_out_of_range_settings_are_refused():
    with pytest.raises(SettingError):
        make_settings(lab.Settings, {"p": 1.0})
    with pytest.raises(SettingError):
        make_settings(lab.Settings, {"regularizer": "elastic"})
