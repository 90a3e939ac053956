import math

import pytest

from dltui.engine import run_inline
from dltui.labspec import SettingError, make_settings


def test_kinematics_step_uses_the_old_angles():
    import torch

    from dltui.labs.truck_backer_upper import kinematics, trailer

    S = torch.tensor([[10.0, 2.0, 0.3, 0.1]])
    nxt = kinematics(S, torch.tensor([0.2]))[0].tolist()
    assert nxt[0] == pytest.approx(10 - 0.1 * math.cos(0.3))
    assert nxt[1] == pytest.approx(2 - 0.1 * math.sin(0.3))
    assert nxt[2] == pytest.approx(0.3 - 0.1 * math.tan(0.2))
    assert nxt[3] == pytest.approx(0.1 - 0.1 / 4 * math.sin(0.2))
    assert trailer(S)[0].tolist() == pytest.approx([10 - 4 * math.cos(0.1), 2 - 4 * math.sin(0.1)])


@pytest.mark.slow
def test_controller_learns_to_dock():
    res = run_inline("truck_backer_upper", {"iters": 20, "horizon": 70, "batch": 32, "emu_steps": 60},
                     device="cpu", threads=1)
    assert res.status == "finished", res.message
    m = res.metrics
    assert m["loss_emulator"] < 0.4  # the no-change guess scores about 1 on standardised deltas
    assert m["cost"] < 0.5 * m["cost_zero"]
    losses = res.history["loss_controller"][1]
    assert min(losses[-5:]) < 0.5 * losses[0]
    assert "path" in res.figures


def test_out_of_range_setting_is_refused():
    from dltui.labs.truck_backer_upper import Settings

    with pytest.raises(SettingError):
        make_settings(Settings, {"horizon": 5})
    with pytest.raises(SettingError):
        make_settings(Settings, {"through": "magic"})
