import pytest

from dltui.engine import run_inline
from dltui.labspec import SettingError, make_settings


def test_t5_controls_match_the_notebook():
    from dltui.labs.optimal_control import plan

    u, states, costs = plan(horizon=5, iters=5, lr=0.01, kind="final", target=(5.0, 1.0))
    phi = [0.1280, 0.0957, 0.0637, 0.0318, 0.0]
    acc = [0.0182, 0.0131, 0.0085, 0.0043, 0.0]
    assert u[:, 0].tolist() == pytest.approx(phi, abs=1e-4)
    assert u[:, 1].tolist() == pytest.approx(acc, abs=1e-4)
    assert costs[0] == pytest.approx(1.0, abs=1e-6)  # straight ahead ends at (5, 0)
    assert costs == sorted(costs, reverse=True)


@pytest.mark.slow
def test_plan_reaches_target():
    res = run_inline("optimal_control", {"horizon": 8, "iters": 40}, device="cpu")
    assert res.status == "finished", res.message
    assert res.metrics["dist"] < 0.2
    costs = res.history["cost"][1]
    assert costs[-1] < 0.05 * costs[0]
    assert "plan" in res.figures


def test_out_of_range_setting_is_refused():
    from dltui.labs.optimal_control import Settings

    with pytest.raises(SettingError):
        make_settings(Settings, {"horizon": 100})
    with pytest.raises(SettingError):
        make_settings(Settings, {"cost": "nope"})


def test_a_long_horizon_divergence_explains_the_horizon():
    """T = 30 at the default lr blows up: the message says why and what lr would do."""
    res = run_inline("optimal_control", {"horizon": 30}, device="cpu")
    assert res.status == "error" and res.error_kind == "diverged"
    assert "horizon² (T = 30)" in res.message and "lr ≤ 0.0001" in res.message


@pytest.mark.slow
def test_the_suggested_learning_rate_reaches_the_target_at_the_longest_horizon():
    res = run_inline("optimal_control", {"horizon": 30, "lr": 1e-4, "iters": 500}, device="cpu")
    assert res.status == "finished", res.message
    assert res.metrics["dist"] < 0.2
