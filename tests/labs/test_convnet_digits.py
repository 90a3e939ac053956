import pytest

from dltui.engine import run_inline
from dltui.labs import convnet_digits
from dltui.labspec import SettingError, make_settings


def test_digits_loader_shapes_and_range():
    from dltui.labs._digits import load

    X, y = load()
    assert tuple(X.shape) == (1797, 8, 8)
    assert float(X.min()) == 0.0 and float(X.max()) == 1.0
    assert sorted(set(y.tolist())) == list(range(10))


@pytest.mark.slow
def test_convnet_beats_fc_and_loses_edge_when_shuffled():
    r = run_inline("convnet_digits", {"epochs": 6, "seed": 0}, device="cpu")
    assert r.status == "finished", r.message
    m = r.metrics
    assert set(m) == set(convnet_digits.INFO.metrics)
    first = r.history["loss_cnn"][1][0]
    assert m["loss_cnn"] < 0.5 * first
    assert m["acc_cnn"] > m["acc_fc"]
    assert m["acc_cnn"] > m["acc_cnn_perm"] + 0.2
    assert "samples" in r.figures and "accuracy" in r.figures


def test_out_of_range_setting_is_refused():
    with pytest.raises(SettingError):
        make_settings(convnet_digits.Settings, {"canvas": 40})
    with pytest.raises(SettingError):
        make_settings(convnet_digits.Settings, {"lr": 1e9})
