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
