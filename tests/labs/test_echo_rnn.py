import pytest

from dltui.engine import run_inline
from dltui.labs import echo_rnn
from dltui.labspec import SettingError, make_settings


def test_echo_shifts_the_stream():
    import torch

    bits = torch.tensor([[1.0, 0.0, 1.0, 1.0, 0.0]])
    assert echo_rnn.echo(bits, 2).tolist() == [[0.0, 0.0, 1.0, 0.0, 1.0]]


def test_blocks_stay_independent():
    model, masks = echo_rnn.build("lstm", 3, 4)
    echo_rnn.apply_mask(model, masks)
    w = model["rec"].weight_hh_l0.detach()
    assert w.shape == (48, 12)
    assert float(w[:4, 4:].abs().sum()) == 0.0 and float(w[:4, :4].abs().sum()) > 0.0


@pytest.mark.slow
def test_short_echo_learnt_long_echo_not():
    r = run_inline("echo_rnn", {"window": 4, "delays": 5, "delay": 2, "series": 1000, "epochs": 3,
                                "lr": 0.01, "seed": 0}, device="cpu")
    assert r.status == "finished", r.message
    m = r.metrics
    assert set(m) == set(echo_rnn.INFO.metrics)
    assert m["loss_echo"] < r.history["loss_echo"][1][0]
    assert m["acc_delay"] >= 0.95
    assert m["acc_beyond"] <= 0.6
    assert {"sequence", "accuracy per delay"} <= set(r.figures)


def test_out_of_range_setting_is_refused():
    with pytest.raises(SettingError):
        make_settings(echo_rnn.Settings, {"window": 1})
    with pytest.raises(SettingError):
        make_settings(echo_rnn.Settings, {"cell": "gru"})
