import pytest

from dltui.engine import run_inline
from dltui.labspec import SettingError, make_settings


@pytest.mark.slow
def test_bottleneck_and_noise_carve_a_valley_while_overcomplete_leaks():
    r = run_inline("autoencoder", {"steps": 600, "points": 200})
    assert r.status == "finished", r.message
    m = r.metrics
    for k in ("under", "denoise", "over"):
        xs, losses = r.history[f"loss_{k}"]
        assert losses[-1] < 0.5 * losses[0]
    for k in ("under", "denoise"):
        assert m[f"energy_on_{k}"] < 0.05
        assert m[f"energy_off_{k}"] > 10 * m[f"energy_on_{k}"]
        assert m[f"energy_off_{k}"] > 2 * m["energy_off_over"]  # the over-complete AE leaks
    assert {"energy: under-complete", "energy: denoising", "energy: over-complete"} <= set(r.figures)


def test_single_model_reports_only_its_metrics():
    r = run_inline("autoencoder", {"models": "under", "steps": 20, "points": 50})
    assert r.status == "finished", r.message
    assert set(r.metrics) == {"loss_under", "energy_on_under", "energy_off_under"}


def test_out_of_range_setting_is_refused():
    from dltui.labs.autoencoder import Settings

    with pytest.raises(SettingError):
        make_settings(Settings, {"code": 0})
    with pytest.raises(SettingError):
        make_settings(Settings, {"models": "vae"})
