"""Shared fixtures: tiny scripts, generated audio, an isolated cache."""

from __future__ import annotations

import math
import wave
from pathlib import Path

import numpy as np
import pytest

TINY_VIDEO = "video: {width: 320, height: 180, fps: 10}"


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch) -> Path:
    """Every test gets its own cache so results never leak between tests."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("VESSAY_CACHE_DIR", str(cache))
    return cache


def write_tone(path: Path, seconds: float, freq: float = 440.0, rate: int = 44100, channels: int = 2,
               lead_silence: float = 0.0, level: float = 0.3) -> Path:
    """A sine tone WAV (optionally after some silence), standing in for a recording."""
    n_silence = int(lead_silence * rate)
    t = np.arange(int(seconds * rate)) / rate
    tone = level * np.sin(2 * math.pi * freq * t)
    mono = np.concatenate([np.zeros(n_silence), tone])
    pcm = (np.repeat(mono[:, None], channels, axis=1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
    return path


def write_script(folder: Path, body: str, name: str = "essay.yaml") -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path
