import pytest

from dltui.engine import run_inline
from dltui.labs import regression
from dltui.labspec import SettingError, make_settings


@pytest.mark.slow
def test_nets_beat_linear_and_ensemble_spreads_off_data():
    r = run_inline("regression", {"nets": 3, "hidden": 50, "steps": 300, "seed": 0}, device="cpu")
    assert r.status == "finished", r.message
    m = r.metrics
    assert set(m) == set(regression.INFO.metrics)
    assert r.history["loss_relu"][1][-1] < 0.2 * r.history["loss_relu"][1][0]
    assert m["mse_linear"] > 0.02  # a straight line cannot follow x³
    assert m["mse_relu"] < m["mse_linear"] and m["mse_tanh"] < m["mse_linear"]
    assert m["spread_out"] > 5 * m["spread_in"]
    assert {"fit", "ensemble"} <= set(r.figures)


def test_out_of_range_setting_is_refused():
    with pytest.raises(SettingError):
        make_settings(regression.Settings, {"lr": 1e9})
    with pytest.raises(SettingError):
        make_settings(regression.Settings, {"ensemble": "sigmoid"})


def test_an_ensemble_needs_two_nets():
    with pytest.raises(SettingError):
        make_settings(regression.Settings, {"nets": 1})
    assert make_settings(regression.Settings, {"nets": 2, "ensemble": "relu"}).nets == 2


def test_no_spread_is_not_a_met_expectation():
    """Nets that all agree (spread 0 everywhere) cannot show the ensemble's claim."""
    m = {"mse_linear": 0.03, "mse_relu": 0.005, "mse_tanh": 0.005, "spread_in": 0.0, "spread_out": 0.0}
    assert regression.expectation_met(m) is False
    assert regression.expectation_met({**m, "spread_in": 0.01, "spread_out": 0.2}) is True
