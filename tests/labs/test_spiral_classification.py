import pytest

from dltui.engine import run_inline
from dltui.labregistry import load
from dltui.labspec import SettingError, make_settings


@pytest.mark.slow
def test_hidden_layer_beats_linear_on_the_spiral():
    r = run_inline("spiral_classification", {"points": 100, "steps": 150, "seed": 3})
    assert r.status == "finished", r.message
    m = r.metrics
    losses = r.history["loss_hidden"][1]
    assert losses[-1] < 0.5 * losses[0]  # it learned
    assert m["acc_hidden"] >= 0.85 and m["acc_linear"] <= 0.65
    assert load("spiral_classification").expectation_met(m)
    assert any(name.startswith("regions") for name in r.figures)


@pytest.mark.slow
def test_without_activation_the_hidden_net_is_linear_too():
    r = run_inline("spiral_classification", {"model": "hidden", "activation": "none", "points": 100,
                                             "steps": 150})
    assert r.metrics["acc_hidden"] < 0.65


def test_out_of_bounds_settings_are_refused():
    Settings = load("spiral_classification").Settings
    with pytest.raises(SettingError, match="from 1e-05 to 100"):
        make_settings(Settings, {"lr": 1000.0})
    with pytest.raises(SettingError, match="one of both, linear, hidden"):
        make_settings(Settings, {"model": "deep"})
    with pytest.raises(SettingError, match="whole number"):
        make_settings(Settings, {"steps": 2.5})
