import pytest

from dltui.engine import run_inline
from dltui.labspec import SettingError, make_settings


@pytest.mark.slow
def test_zero_temperature_training_finds_the_true_ellipse():
    from dltui.labs.ebm_ellipse_training import expectation_met

    r = run_inline("ebm_ellipse_training", {"animate": 0.0})
    assert r.status == "finished", r.message
    m = r.metrics
    losses = r.history["loss"][1]
    assert losses[-1] < 0.05 * losses[0]
    assert m["w1"] == pytest.approx(2.0, rel=0.05)
    assert m["w2"] == pytest.approx(1.5, rel=0.05)
    assert m["energy_data"] < 0.02  # the data sit in the valley after training
    assert expectation_met(m)


@pytest.mark.slow
def test_warm_and_hot_free_energies():
    warm = run_inline("ebm_ellipse_training", {"animate": 0.0, "free_energy": "relaxed", "beta": 10.0}).metrics
    assert warm["axis_error"] < 0.05
    hot = run_inline("ebm_ellipse_training", {"animate": 0.0, "free_energy": "relaxed", "beta": 0.1}).metrics
    # the hot limit is the average over z, minimised by shrinking the ellipse onto the data mean
    assert hot["w1"] < 0.05 and hot["w2"] < 0.05
    assert hot["energy_data"] > 1.0


def test_too_large_rate_diverges():
    r = run_inline("ebm_ellipse_training", {"animate": 0.0, "lr": 100.0, "steps": 50})
    assert r.status == "error" and r.error_kind == "diverged"


def test_out_of_range_setting_is_refused():
    from dltui.labs.ebm_ellipse_training import Settings

    with pytest.raises(SettingError):
        make_settings(Settings, {"lr": 1e9})
    with pytest.raises(SettingError):
        make_settings(Settings, {"free_energy": "hot"})


@pytest.mark.slow
def test_conditional_horn_learns_axes_that_grow_with_x():
    r = run_inline("ebm_ellipse_training", {"animate": 0.0, "data": "horn", "optimizer": "adam", "lr": 0.01,
                                            "steps": 600, "samples": 300})
    assert r.status == "finished", r.message
    losses = r.history["loss"][1]
    assert losses[-1] < 0.05 * losses[0]
    assert r.metrics["axis_error"] < 0.35  # |f(x)| tracks ρ(x) at x = 0, 0.5, 1 (it grows 7-fold)
    assert "horn: axes against x" in r.figures
