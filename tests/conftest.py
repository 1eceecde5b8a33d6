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


def write_numbered_clip(path: Path, frames: int = 36, size: tuple[int, int] = (64, 48), fps: int = 12,
                        encode: tuple[str, ...] = ("-c:v", "libx264", "-preset", "ultrafast", "-qp", "0"),
                        pix_fmt: str = "yuv420p", before: tuple[str, ...] = (), after: tuple[str, ...] = (),
                        tone: float | None = None) -> Path:
    """A tiny clip whose frame i shows i in binary: six white-or-black bars on top, a red band below.

    `tone` adds a sine of that frequency as the clip's sound; `before`/`after` go before the output
    options (filters) and just before the path (container flags).
    """
    import subprocess

    import imageio_ffmpeg

    w, h = size
    data = bytearray()
    for i in range(frames):
        image = np.zeros((h, w, 3), np.uint8)
        image[h // 2:] = (200, 40, 40)
        for bit in range(6):
            if i >> bit & 1:
                image[:h // 2, bit * w // 6:(bit + 1) * w // 6] = 255
        data += image.tobytes()
    args = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
            "-s", f"{w}x{h}", "-r", str(fps), "-i", "-"]
    if tone is not None:
        args += ["-f", "lavfi", "-i", f"sine=frequency={tone}:sample_rate=48000", "-shortest", "-c:a", "aac"]
    subprocess.run([*args, *before, *encode, "-pix_fmt", pix_fmt, *after, str(path)], input=bytes(data), check=True)
    return path


def read_number(rgb: np.ndarray) -> int:
    """The frame number a numbered clip shows, from an RGB picture of its top half."""
    h, w = rgb.shape[:2]
    return sum(1 << bit for bit in range(6) if rgb[: h // 2, bit * w // 6 + w // 12].mean() > 128)
