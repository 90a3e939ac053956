import wave

import numpy as np
import pytest

from dltui.cli import main
from dltui.engine import run_inline
from dltui.labs import listening_to_kernels as lab
from dltui.labspec import SettingError, make_settings


def test_each_kernel_lights_up_where_its_note_plays():
    r = run_inline("listening_to_kernels", {"seed": 0})
    assert r.status == "finished", r.message
    m = r.metrics
    assert set(m) == set(lab.INFO.metrics)
    for note in ("ab6", "eb6", "ab5", "bb5"):
        assert 0.86 <= m[f"share_{note}"] <= 0.99, (note, m)
    assert 0.05 <= m["ab6_in_ab5"] <= 0.12  # Ab5's second harmonic (1660 Hz) is Ab6's pitch
    assert lab.expectation_met(m)
    assert {"waveform", "spectrogram", "envelopes"} <= set(r.figures)
    assert r.history["env_ab6"][1]  # the playhead reported every kernel's envelope


def test_spectrogram_peaks_at_the_first_note():
    r = run_inline("listening_to_kernels", {"noise": 0.0})
    hm = r.figures["spectrogram"].heatmap
    first_frame = [row[2] for row in hm.z]  # a frame inside the Ab6 note (t < 0.4 s)
    peak_hz = (first_frame.index(max(first_frame)) + 0.5) * hm.y_range[1] / len(hm.z)
    assert abs(peak_hz - 1661) < 100  # rows are 86 Hz; the next note down is 1244 Hz


def test_without_harmonics_the_ab6_kernel_ignores_the_ab5_slot():
    m = run_inline("listening_to_kernels", {"harmonic": 0.0}).metrics
    assert m["ab6_in_ab5"] < 0.01
    assert not lab.expectation_met(m)


@pytest.mark.parametrize("k_len", [5, 6])
def test_fft_convolution_matches_numpy_same(k_len):
    rng = np.random.default_rng(1)
    x, k = rng.standard_normal(50), rng.standard_normal(k_len)
    assert np.allclose(lab.convolve_same(x, k, np), np.convolve(x, k, mode="same"))


def test_export_writes_playable_wav_files(tmp_path):
    paths = lab.export({"kernel": 0.05}, tmp_path / "out")
    assert [p.name for p in paths] == ["melody.wav", "melody-conv-Ab6.wav", "melody-conv-Eb6.wav",
                                       "melody-conv-Ab5.wav", "melody-conv-Bb5.wav"]
    for p in paths:
        with wave.open(str(p)) as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22050)
            assert w.getnframes() == 4 * int(0.4 * 22050)
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        assert 0.85 * 32767 < np.abs(pcm).max() <= 32767  # scaled to 90 % of full scale


def test_export_into_an_unwritable_place_raises_oserror(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError):
        lab.export({}, blocker / "wav")


def test_cli_export_writes_into_the_data_dir(tmp_path, capsys):
    rc = main(["--data-dir", str(tmp_path), "lab", "listening_to_kernels", "--export", "--json", "--no-save"])
    assert rc == 0
    assert len(list((tmp_path / "listening_to_kernels").glob("*.wav"))) == 5
    assert str(tmp_path / "listening_to_kernels") in capsys.readouterr().err


def test_cli_export_is_refused_for_a_lab_without_files(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path), "lab", "regression", "--export"]) == 2
    assert "no files to export" in capsys.readouterr().err


def test_out_of_range_kernel_is_refused():
    with pytest.raises(SettingError, match="from 0.01 to 0.4"):
        make_settings(lab.Settings, {"kernel": 1.0})


async def test_w_in_the_lab_screen_writes_the_wav_files(make_app, tmp_path):
    from dltui.screens.lab import LabScreen

    app = make_app(tmp_path / "w")
    async with app.run_test(size=(100, 30)) as pilot:
        await app.push_screen(LabScreen("listening_to_kernels"))
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        assert len(list((tmp_path / "w" / "listening_to_kernels").glob("*.wav"))) == 5
        await app.push_screen(LabScreen("regression"))
        await pilot.pause()
        await pilot.press("w")  # a lab without files: the key is disabled, nothing is written
        await pilot.pause()
        assert not (tmp_path / "w" / "regression").exists()
