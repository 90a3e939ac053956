import pytest

from dltui.engine import run_inline
from dltui.labs import space_stretching
from dltui.labspec import SettingError, make_settings


@pytest.mark.slow
def test_known_svd_saturation_and_unwarped_spiral():
    r = run_inline("space_stretching", {"steps": 200, "hidden": 50, "seed": 0}, device="cpu")
    assert r.status == "finished", r.message
    m = r.metrics
    assert set(m) == set(space_stretching.INFO.metrics)
    # seed 0 draws the same W every time: its singular values and mirror sign are fixed
    assert m["s1"] == pytest.approx(1.751, abs=1e-3)
    assert m["s2"] == pytest.approx(0.818, abs=1e-3)
    assert m["det_sign"] == -1.0
    assert m["saturated"] > m["saturated_g1"]
    assert m["acc_hidden"] >= 0.9
    assert m["loss_hidden"] < 0.5 * r.history["loss_hidden"][1][0]
    assert {"input", "after W", "after tanh", "random net", "hidden 2-D"} <= set(r.figures)


def test_saturation_grows_with_gain():
    import torch

    Y = torch.randn(2000, 2, generator=torch.Generator().manual_seed(0))
    shares = [space_stretching.saturation(Y, g) for g in (1, 2, 3, 5)]
    assert shares == sorted(shares) and shares[0] < 0.2 < 0.7 < shares[-1]


def test_out_of_range_setting_is_refused():
    with pytest.raises(SettingError):
        make_settings(space_stretching.Settings, {"gain": 100})
    with pytest.raises(SettingError):
        make_settings(space_stretching.Settings, {"activation": "sigmoid"})
