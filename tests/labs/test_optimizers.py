import pytest

from dltui.engine import run_inline
from dltui.labspec import SettingError, make_settings

QUAD = {"surface": "quadratic", "animate": 0.0}


def final_point(result, index=0):
    """Last point of the index-th optimiser's path in the 'paths' figure."""
    paths = [s for s in result.figures["paths"].series if s.style == "line"]
    return paths[index].x[-1], paths[index].y[-1]


@pytest.mark.parametrize("settings, expected", [
    ({"optimizers": "sgd", "lr": 0.1}, (0.3487, 0.0010)),  # (0.9^10, 0.5^10)
    ({"optimizers": "sgd", "lr": 1 / 3}, (0.0173, 0.0173)),  # 2/(1+5): both axes shrink by 2/3
    ({"optimizers": "momentum", "lr": 0.075, "momentum": 0.5}, (0.178, 0.032)),
    ({"optimizers": "momentum", "lr": 0.0375, "momentum": 0.75}, (0.210, -0.078)),
])
def test_exact_paths_on_the_notebook_quadratic(settings, expected):
    r = run_inline("optimizers", {**QUAD, "steps": 10, **settings})
    assert r.status == "finished", r.message
    assert final_point(r) == pytest.approx(expected, abs=1e-3)


def test_sgd_diverges_when_the_rate_exceeds_two_over_the_curvature():
    ok = run_inline("optimizers", {**QUAD, "optimizers": "sgd", "lr": 0.39, "steps": 200})
    assert ok.status == "finished" and ok.metrics["dist_sgd"] < 1e-3
    bad = run_inline("optimizers", {**QUAD, "optimizers": "sgd", "lr": 0.41, "steps": 2000})
    assert bad.status == "error" and bad.error_kind == "diverged"
    assert "SGD diverged" in bad.message


@pytest.mark.slow
def test_rosenbrock_defaults_adam_and_momentum_reach_the_minimum():
    from dltui.labs.optimizers import expectation_met

    r = run_inline("optimizers", {"animate": 0.0})
    assert r.status == "finished", r.message
    m = r.metrics
    assert m["dist_adam"] < 0.05 and m["dist_momentum"] < 0.05
    assert m["dist_sgd"] > 0.3
    assert r.history["loss_adam"][1][-1] < r.history["loss_adam"][1][0]
    assert expectation_met(m)


def test_saddle_sgd_lingers_where_adam_escapes():
    r = run_inline("optimizers", {"surface": "saddle", "lr": 0.1, "lr_adaptive": 0.1, "steps": 30,
                                  "animate": 0.0})
    assert r.metrics["dist_adam"] < r.metrics["dist_sgd"]


def test_out_of_range_setting_is_refused():
    from dltui.labs.optimizers import Settings

    with pytest.raises(SettingError):
        make_settings(Settings, {"lr": 1e9})
    with pytest.raises(SettingError):
        make_settings(Settings, {"surface": "himmelblau"})


def test_momentum_range_stops_where_the_default_valley_still_converges():
    from dltui.labs.optimizers import Settings

    with pytest.raises(SettingError):
        make_settings(Settings, {"momentum": 0.999})  # lr/(1 − β) = 1 throws w out of the valley


def test_a_momentum_divergence_says_momentum_is_the_cause():
    bad = run_inline("optimizers", {"surface": "rosenbrock", "optimizers": "momentum", "lr": 0.004,
                                    "momentum": 0.99, "steps": 300}, device="cpu")
    assert bad.status == "error" and bad.error_kind == "diverged", bad.status
    assert "momentum β = 0.99" in bad.message and "lr/(1 − β)" in bad.message
