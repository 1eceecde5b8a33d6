"""Stage 5: assembly — join scene segments, lay the narration on one timeline,
normalise loudness, and mux the final MP4 with chapters and metadata."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from .media import AUDIO_RATE, read_wav, run_ffmpeg
from .timeline import Slot

LOUDNESS = {"I": -14.0, "TP": -1.5, "LRA": 11.0}
"""Target: -14 LUFS integrated; true peak aimed at -1.5 so AAC overshoot stays under -1 dBTP."""


def mix_narration(wavs: list[Path], slots: list[Slot]) -> np.ndarray:
    """All narration clips placed at their scene's voice start, as one mono float track."""
    total = round(slots[-1].end * AUDIO_RATE)
    track = np.zeros(total, dtype=np.float32)
    for wav, slot in zip(wavs, slots):
        clip = _soften_edges(read_wav(wav))
        at = round(slot.voice_start * AUDIO_RATE)
        clip = clip[: max(0, total - at)]
        track[at: at + len(clip)] += clip
    return track


def _soften_edges(clip: np.ndarray, seconds: float = 0.006) -> np.ndarray:
    """Short fades at both ends, so a recording cut mid-waveform doesn't click."""
    n = min(len(clip) // 2, int(seconds * AUDIO_RATE))
    if n == 0:
        return clip
    ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
    clip = clip.copy()
    clip[:n] *= ramp
    clip[-n:] *= ramp[::-1]
    return clip


def ffmetadata(title: str, artist: str, chapters: list[tuple[float, float, str]]) -> str:
    """FFMETADATA1 text with the file's tags and one chapter per entry."""
    def esc(text: str) -> str:
        return re.sub(r"([=;#\\\n])", r"\\\1", text)

    lines = [";FFMETADATA1", f"title={esc(title)}"]
    if artist:
        lines.append(f"artist={esc(artist)}")
    for start, end, name in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={round(start * 1000)}",
                  f"END={round(end * 1000)}", f"title={esc(name)}"]
    return "\n".join(lines) + "\n"


def build_loudness_scan_args(mix: Path) -> list[str]:
    """First loudnorm pass: measure only."""
    target = ":".join(f"{k}={v}" for k, v in LOUDNESS.items())
    return ["-v", "info", "-f", "f32le", "-ar", str(AUDIO_RATE), "-ac", "1", "-i", str(mix),
            "-af", f"loudnorm={target}:print_format=json", "-f", "null", "-"]


def parse_loudnorm(stderr: bytes) -> dict:
    text = stderr.decode("utf-8", "replace")
    start = text.rfind("{")
    return json.loads(text[start: text.rfind("}") + 1])


def build_mux_args(concat_list: Path, mix: Path, metadata: Path, out: Path, measured: dict) -> list[str]:
    """Second pass: copy the joined video, normalise the narration linearly, encode AAC."""
    target = ":".join(f"{k}={v}" for k, v in LOUDNESS.items())
    loudnorm = (f"loudnorm={target}:measured_I={measured['input_i']}:measured_TP={measured['input_tp']}"
                f":measured_LRA={measured['input_lra']}:measured_thresh={measured['input_thresh']}"
                f":offset={measured['target_offset']}:linear=true")
    return [
        "-y", "-v", "error",
        "-f", "concat", "-safe", "0", "-i", str(concat_list),  # segments share codec settings: no re-encode
        "-f", "f32le", "-ar", str(AUDIO_RATE), "-ac", "1", "-i", str(mix),
        "-f", "ffmetadata", "-i", str(metadata),
        "-map", "0:v", "-map", "1:a", "-map_metadata", "2", "-map_chapters", "2",
        "-c:v", "copy",
        "-af", f"{loudnorm},aresample={AUDIO_RATE}",  # loudnorm works at 192 kHz internally
        "-c:a", "aac", "-b:a", "192k", "-ac", "2", "-ar", str(AUDIO_RATE),
        "-movflags", "+faststart",  # index up front so the file streams
        "-f", "mp4", str(out),
    ]


def assemble(segments: list[Path], narration: list[Path], slots: list[Slot], chapters: list[str],
             title: str, artist: str, out: Path, workdir: Path) -> dict:
    """Write the final MP4 at `out`; returns the loudness measured before normalising."""
    concat_list = workdir / "segments.txt"
    concat_list.write_text("".join(f"file '{_concat_quote(p)}'\n" for p in segments))
    mix = workdir / "narration.f32"
    mix_narration(narration, slots).tofile(mix)
    metadata = workdir / "metadata.txt"
    metadata.write_text(ffmetadata(title, artist, [(s.start, s.end, name) for s, name in zip(slots, chapters)]),
                        encoding="utf-8")
    measured = parse_loudnorm(run_ffmpeg(build_loudness_scan_args(mix)).stderr)
    run_ffmpeg(build_mux_args(concat_list, mix, metadata, out, measured))
    return measured


def _concat_quote(path: Path) -> str:
    # The concat demuxer reads single-quoted paths; an embedded quote is closed, escaped, reopened.
    return str(path.resolve()).replace("'", "'\\''")
