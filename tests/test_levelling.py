"""Loudness levelling: the gain is aimed from an estimate of the limiter's loss, so one pass lands on target."""

from pathlib import Path

import numpy as np
import pytest

from vessay import assemble
from vessay.assemble import LOUDNESS, PEAK_LIMIT, block_levels, level, limiting_loss, limiter, loudness_in
from vessay.media import AUDIO_RATE, decode_audio, run_ffmpeg

SPEECH = Path(__file__).parent / "speech"
RAW = ["-f", "f32le", "-ar", str(AUDIO_RATE), "-ac", "2"]


def stereo_mix(path: Path, scale: float, music: bool = False) -> Path:
    """Real read speech (two takes) as a stereo float mix, at `scale`, optionally over a steady chord."""
    voice = np.concatenate([decode_audio(SPEECH / f"austen-{n}.flac") for n in (1, 2)]) * scale
    stereo = np.repeat(voice[:, None], 2, axis=1)
    if music:
        t = np.arange(len(voice)) / AUDIO_RATE
        stereo += (0.03 * (np.sin(2 * np.pi * 220 * t) + np.sin(2 * np.pi * 330 * t)))[:, None]
    stereo.astype(np.float32).tofile(path)
    return path


def loudness(path: Path, chain: str) -> float:
    return loudness_in(run_ffmpeg(["-v", "info", *RAW, "-i", str(path), "-af", f"{chain},ebur128=framelog=quiet",
                                   "-f", "null", "-"]).stderr)


@pytest.mark.parametrize("scale, music", [(0.3, False), (0.08, False), (0.3, True)])
def test_one_pass_lands_on_target_under_the_peak_ceiling(tmp_path, monkeypatch, scale, music):
    mixed = stereo_mix(tmp_path / "mix.f32", scale, music)
    before = loudness(mixed, "anull")
    passes = []
    monkeypatch.setattr(assemble, "run_ffmpeg", lambda *a, **k: passes.append(a) or run_ffmpeg(*a, **k))
    levelled, trim = level(mixed, before, tmp_path / "levelled.f32", None)
    assert len(passes) == 1
    assert abs(loudness(levelled, f"volume={trim:.2f}dB") - LOUDNESS["I"]) <= 0.15
    peak = np.abs(np.fromfile(levelled, np.float32)).max() * 10 ** (trim / 20)
    assert peak <= PEAK_LIMIT * 10 ** (1.0 / 20) + 1e-3  # the trim adds at most 1 dB over the limiter's ceiling


def test_estimated_loss_is_near_the_limiters_own(tmp_path):
    mixed = stereo_mix(tmp_path / "mix.f32", 0.3)
    before = loudness(mixed, "anull")
    peaks, powers = block_levels(mixed)
    for extra in (0.0, 4.0):
        gain = LOUDNESS["I"] - before + extra
        measured = before + gain - loudness(mixed, limiter(gain))
        assert measured > 0.3  # the limiter does work here
        assert -0.15 <= limiting_loss(peaks, powers, gain) - measured <= 0.5


def test_silence_is_left_alone(tmp_path):
    mixed = tmp_path / "mix.f32"
    np.zeros((AUDIO_RATE, 2), np.float32).tofile(mixed)
    assert level(mixed, float("-inf"), tmp_path / "levelled.f32") == (mixed, 0.0)
