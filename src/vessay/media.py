"""The bundled ffmpeg binary: locating it, running it, probing and decoding with it.

There is no ffprobe in the imageio-ffmpeg wheel, so probing parses `ffmpeg -i`.
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import VessayError

AUDIO_RATE = 48000
"""Every narration clip is held as mono float32 at this rate until the final mix."""


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    try:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as err:
        raise VessayError(f"could not find ffmpeg ({err}); reinstall it with: pip install imageio-ffmpeg") from None
    if not os.path.isfile(exe) or not os.access(exe, os.X_OK):
        raise VessayError(f"ffmpeg binary '{exe}' is missing or not executable; "
                          "reinstall it with: pip install --force-reinstall imageio-ffmpeg")
    return exe


class Stopped(Exception):
    """An ffmpeg run was ended early because the render is stopping."""


def run_ffmpeg(args: list[str], *, input_bytes: bytes | None = None,
               stop: threading.Event | None = None) -> subprocess.CompletedProcess:
    """Run ffmpeg with `args` (argv without the binary); raise with its last error line.

    With `stop`, ffmpeg is killed as soon as the event is set (for runs on a background thread).
    """
    if stop is None:
        proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", *args], input=input_bytes,
                              capture_output=True)
    else:
        with subprocess.Popen([ffmpeg_exe(), "-hide_banner", "-nostdin", *args], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
            reader = threading.Thread(target=lambda: setattr(child, "output", child.communicate()))
            reader.start()
            while reader.is_alive():
                if stop.is_set():
                    child.kill()
                    reader.join()
                    raise Stopped()
                reader.join(timeout=0.1)
            stdout, stderr = child.output
        proc = subprocess.CompletedProcess(args, child.returncode, stdout, stderr)
    if proc.returncode != 0:
        raise_ffmpeg_failure(proc.stderr, args)
    return proc


def raise_ffmpeg_failure(stderr: bytes, args: list[str]) -> None:
    """A full disk is the user's to fix (OSError ENOSPC); anything else is our bug."""
    if b"No space left on device" in stderr:
        raise OSError(errno.ENOSPC, "No space left on device")
    raise RuntimeError(f"ffmpeg failed: {last_error_line(stderr)}\nargs: {args}")


def last_error_line(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1] if lines else "no output"


@dataclass(frozen=True)
class StreamInfo:
    kind: str  # "video", "audio", "subtitle", "data"
    codec: str
    width: int = 0
    height: int = 0
    fps: float = 0.0
    sample_rate: int = 0
    channels: str = ""
    colour: str = ""
    """Range and colour tags as ffmpeg prints them, e.g. "tv, bt709"."""


@dataclass(frozen=True)
class MediaInfo:
    duration: float
    streams: tuple[StreamInfo, ...]
    chapters: tuple[tuple[float, float, str], ...] = ()
    tags: dict | None = None

    def first(self, kind: str) -> StreamInfo | None:
        return next((s for s in self.streams if s.kind == kind), None)


_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+\.\d+)")
_STREAM = re.compile(r"Stream #\d+:\d+(?:\[\w+\])?(?:\(\w+\))?: (Video|Audio|Subtitle|Data): (\w+)(.*)")
_CHAPTER = re.compile(r"Chapter #\d+:\d+: start (\d+\.\d+), end (\d+\.\d+)")


def probe(path: Path) -> MediaInfo:
    """Read duration, streams and chapters from `ffmpeg -i` output."""
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)], capture_output=True)
    text = proc.stderr.decode("utf-8", "replace")
    match = _DURATION.search(text)
    if not match:
        raise VessayError(f"not a readable audio or video file ({last_error_line(proc.stderr)})", path)
    hours, minutes, seconds = match.groups()
    duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    streams = tuple(_stream(kind, codec, rest) for kind, codec, rest in _STREAM.findall(text))
    chapters = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        found = _CHAPTER.search(line)
        if found:
            title = ""
            for follow in lines[i + 1:i + 4]:
                if follow.strip().startswith("title"):
                    title = follow.split(":", 1)[1].strip()
                    break
            chapters.append((float(found.group(1)), float(found.group(2)), title))
    tags = {}
    for line in lines:
        tag = re.match(r"^\s{4}(\w+)\s*: (.*)$", line)
        if tag and tag.group(1) not in tags:
            tags[tag.group(1)] = tag.group(2)
    return MediaInfo(duration=duration, streams=streams, chapters=tuple(chapters), tags=tags)


def _stream(kind: str, codec: str, rest: str) -> StreamInfo:
    kind = kind.lower()
    if kind == "video":
        size = re.search(r", (\d+)x(\d+)", rest)
        fps = re.search(r", ([\d.]+) fps", rest)
        colour = re.search(r"yuv\w*\(([^)]*?)(?:, progressive)?\)", rest)
        return StreamInfo(kind, codec, width=int(size.group(1)) if size else 0,
                          height=int(size.group(2)) if size else 0, fps=float(fps.group(1)) if fps else 0.0,
                          colour=colour.group(1) if colour else "")
    if kind == "audio":
        rate = re.search(r", (\d+) Hz", rest)
        layout = re.search(r"Hz, ([\w.()]+)", rest)
        return StreamInfo(kind, codec, sample_rate=int(rate.group(1)) if rate else 0,
                          channels=layout.group(1) if layout else "")
    return StreamInfo(kind, codec)


def decode_audio(path: Path, rate: int = AUDIO_RATE) -> np.ndarray:
    """Any audio file ffmpeg reads → mono float32 samples at `rate`."""
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-i", str(path),
                           "-vn", "-ac", "1", "-ar", str(rate), "-f", "f32le", "-"], capture_output=True)
    if proc.returncode != 0:
        raise VessayError(f"cannot decode audio ({last_error_line(proc.stderr)}); "
                          "use WAV, FLAC, MP3 or M4A", path)
    return np.frombuffer(proc.stdout, dtype=np.float32)


def resample(samples: np.ndarray, from_rate: int, to_rate: int = AUDIO_RATE) -> np.ndarray:
    if from_rate == to_rate:
        return samples.astype(np.float32)
    proc = run_ffmpeg(["-v", "error", "-f", "f32le", "-ar", str(from_rate), "-ac", "1", "-i", "-",
                       "-ar", str(to_rate), "-f", "f32le", "-"], input_bytes=samples.astype(np.float32).tobytes())
    return np.frombuffer(proc.stdout, dtype=np.float32)


def write_wav(path: Path, samples: np.ndarray, rate: int = AUDIO_RATE) -> None:
    """Mono float32 → 16-bit PCM WAV."""
    import wave

    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())


def levels_db(samples: np.ndarray, rate: int, hop: float = 0.01) -> np.ndarray:
    """Level in dB (0 dB: full scale) of each whole `hop` seconds of `samples`; silence reads -120 dB."""
    size = max(1, int(rate * hop))
    count = len(samples) // size
    frames = samples[: count * size].astype(np.float64).reshape(count, size)
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)


def read_wav(path: Path) -> np.ndarray:
    """16-bit mono WAV written by `write_wav` → float32."""
    import wave

    with wave.open(str(path), "rb") as wav:
        data = wav.readframes(wav.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32767.0


def measure_loudness(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a file's audio, by EBU R128."""
    proc = run_ffmpeg(["-v", "info", "-i", str(path), "-vn", "-af", "ebur128=peak=true", "-f", "null", "-"])
    text = proc.stderr.decode("utf-8", "replace")
    summary = text[text.rfind("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return integrated, peak


def decode_frame(path: Path, at: float, size: tuple[int, int]) -> np.ndarray:
    """One RGB frame of a video at `at` seconds, as an (h, w, 3) uint8 array."""
    proc = run_ffmpeg(["-v", "error", "-ss", f"{at:.3f}", "-i", str(path), "-frames:v", "1",
                       "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
    width, height = size
    return np.frombuffer(proc.stdout, dtype=np.uint8).reshape(height, width, 3)
