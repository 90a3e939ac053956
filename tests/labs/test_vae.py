import pytest

from dltui.engine import run_inline
from dltui.labspec import SettingError, make_settings


@pytest.mark.slow
def test_vae_learns_a_class_structured_latent_map():
    r = run_inline("vae", {"epochs": 15})
    assert r.status == "finished", r.message
    m = r.metrics
    test_losses = r.history["loss_test"][1]
    assert test_losses[-1] < test_losses[0] - 5
    assert m["loss_test"] == pytest.approx(m["loss_recon"] + m["loss_kl"], rel=1e-4)  # β = 1
    assert m["loss_test"] < 30
    assert 0.5 < m["loss_kl"] < 10
    assert m["acc_latent"] > 0.45  # chance is 0.1
    assert {"latent map", "reconstructions", "decoded latent grid"} <= set(r.figures)


@pytest.mark.slow
def test_a_heavy_kl_weight_collapses_the_posterior():
    m = run_inline("vae", {"epochs": 15, "beta": 10.0}).metrics
    assert m["loss_kl"] < 0.2
    assert m["acc_latent"] < 0.5


def test_too_large_rate_diverges():
    r = run_inline("vae", {"lr": 1.0, "epochs": 2})
    assert r.status == "error" and r.error_kind == "diverged"


def test_out_of_range_setting_is_refused():
    from dltui.labs.vae import Settings

    with pytest.raises(SettingError):
        make_settings(Settings, {"beta": -1.0})
    with pytest.raises(SettingError):
        make_settings(Settings, {"latent": 0})
