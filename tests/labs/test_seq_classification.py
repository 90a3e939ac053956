import pytest

from dltui.engine import run_inline
from dltui.labs import seq_classification
from dltui.labspec import SettingError, make_settings


def test_batch_encodes_the_order_of_x_and_y():
    import torch

    gen = torch.Generator().manual_seed(0)
    x, y, ids = seq_classification.make_batch(64, "normal", gen, "cpu")
    assert x.shape == (64, 41, 8)
    for row, label in zip(ids.tolist(), y.tolist()):
        seq = [s for s in row if s >= 0]
        assert seq[0] == 6 and seq[-1] == 7 and 30 <= len(seq) <= 40
        marks = [s for s in seq if s in (0, 1)]
        assert len(marks) == 2 and 2 * marks[0] + marks[1] == label


@pytest.mark.slow
def test_lstm_bridges_the_gap_rnn_does_not():
    r = run_inline("seq_classification", {"batches": 300, "seed": 0}, device="cpu")
    assert r.status == "finished", r.message
    m = r.metrics
    assert set(m) == set(seq_classification.INFO.metrics)
    assert m["loss_lstm"] < 0.5 * r.history["loss_lstm"][1][0]
    assert m["acc_lstm"] >= 0.9
    assert m["acc_rnn"] <= 0.7
    assert "lstm cell states" in r.figures


def test_out_of_range_setting_is_refused():
    with pytest.raises(SettingError):
        make_settings(seq_classification.Settings, {"hidden": 0})
    with pytest.raises(SettingError):
        make_settings(seq_classification.Settings, {"difficulty": "nightmare"})
