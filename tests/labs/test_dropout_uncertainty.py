import pytest

from dltui.engine import run_inline
from dltui.labs import dropout_uncertainty as lab
from dltui.labspec import SettingError, make_settings


@pytest.mark.slow
def test_relu_is_far_less_sure_off_the_data_than_tanh():
    r = run_inline("dropout_uncertainty", {"seed": 0})
    assert r.status == "finished", r.message
    m = r.metrics
    assert set(m) == set(lab.INFO.metrics)
    assert 7 <= m["ratio_relu"] <= 14  # about 10×
    assert 1.3 <= m["ratio_tanh"] <= 3  # about 2×
    assert 0.25 <= m["std_in_relu"] <= 0.6 and 3 <= m["std_out_relu"] <= 5.5
    assert lab.expectation_met(m)
    losses = r.history["loss_relu"][1]
    assert losses[-1] < 0.2 * losses[0]  # it learned x·sin x on the data
    assert {"band relu", "band tanh", "std vs x"} <= set(r.figures)


def test_without_dropout_there_is_no_spread():
    r = run_inline("dropout_uncertainty", {"p": 0.0, "steps": 20, "activation": "relu"})
    assert r.status == "finished", r.message
    assert r.metrics["std_in_relu"] == 0 and r.metrics["std_out_relu"] == 0
    assert not lab.expectation_met(r.metrics)


def test_band_cloud_fills_between_the_curves():
    bx, by = lab.band_cloud([0.0, 1.0], [-1.0, 2.0], [1.0, 4.0], levels=3)
    assert bx == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]
    assert by == [-1.0, 0.0, 1.0, 2.0, 3.0, 4.0]


def test_out_of_range_settings_are_refused():
    with pytest.raises(SettingError):
        make_settings(lab.Settings, {"passes": 1})
    with pytest.raises(SettingError):
        make_settings(lab.Settings, {"activation": "sigmoid"})
