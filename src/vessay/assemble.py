"""Stage 5: assembly — join scene segments, lay the narration on one timeline,
normalise loudness, and mux the final MP4 with chapters and metadata."""

from __future__ import annotations

import math
import re
import threading
from pathlib import Path

import numpy as np

from .clipaudio import ClipSound, clip_track, heard_clips
from .media import AUDIO_RATE, read_wav, run_ffmpeg
from .script import MusicSpec
from .timeline import Slot

LOUDNESS = {"I": -14.0, "TP": -1.0}
"""Target: -14 LUFS integrated, true peak at most -1 dBTP."""
PEAK_LIMIT = 10 ** (-2.5 / 20)
"""Sample-peak ceiling: 1.5 dB under the true-peak target leaves room for inter-sample and AAC overs
and for the final trim."""


def mix_narration(wavs: list[Path], slots: list[Slot]) -> np.ndarray:
    """All narration clips placed at their scene's voice start, as one mono float track."""
    track = np.zeros(round(slots[-1].end * AUDIO_RATE), dtype=np.float32)
    for at, clip in _placed(wavs, slots):
        track[at: at + len(clip)] += clip
    return track


def write_narration(wavs: list[Path], slots: list[Slot], path: Path) -> None:
    """`mix_narration` written to `path` as raw floats, one clip in memory at a time (the whole track of a
    long essay is ~70 MB)."""
    with path.open("wb") as out:
        out.truncate(round(slots[-1].end * AUDIO_RATE) * 4)
    with path.open("r+b") as out:
        for at, clip in _placed(wavs, slots):
            out.seek(at * 4)
            under = np.fromfile(out, np.float32, len(clip))  # silence, unless two clips overlap
            out.seek(at * 4)
            (under + clip).tofile(out)


def _placed(wavs: list[Path], slots: list[Slot]):
    """(first sample, samples) of each narration clip on the timeline, its edges softened."""
    total = round(slots[-1].end * AUDIO_RATE)
    for wav, slot in zip(wavs, slots):
        at = round(slot.voice_start * AUDIO_RATE)
        yield at, _soften_edges(read_wav(wav))[: max(0, total - at)]


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


DUCKING = "sidechaincompress=threshold=0.015:ratio=10:attack=15:release=350:makeup=1"
"""The voice keys a compressor on the music: the bed dips while anyone speaks."""


def bed_filter(music: MusicSpec, duration: float) -> str:
    """Filter chain for the looped music input: stereo float, cut to `duration`, at its volume, faded."""
    fade_out = max(0.0, duration - 3.0)
    return (f"aformat=sample_fmts=fltp:sample_rates={AUDIO_RATE}:channel_layouts=stereo,"
            f"atrim=0:{duration:.3f},asetpts=N/SR/TB,volume={music.volume},"
            f"afade=t=in:d={min(2.0, duration / 4):.3f},afade=t=out:st={fade_out:.3f}:d={min(3.0, duration):.3f}")


def audio_graph(music: MusicSpec | None, duration: float, clips: bool = False) -> str:
    """filter_complex text turning the narration (input 0), the optional music (next input) and the clips'
    own sound (last input, already ducked) into [mix]."""
    voice = f"[0:a]aformat=sample_fmts=fltp:sample_rates={AUDIO_RATE}:channel_layouts=stereo"
    parts, mixed = [], ["[v]"]
    if clips:
        parts.append(f"[{2 if music else 1}:a]aformat=sample_fmts=fltp:channel_layouts=stereo[clips]")
        mixed.append("[clips]")
    if music is None:
        parts.insert(0, f"{voice}[v]")
    else:
        bed = f"[1:a]{bed_filter(music, duration)}"
        if music.duck:
            parts[:0] = [f"{voice},asplit=2[v][key]", f"{bed}[bed]", f"[bed][key]{DUCKING}[music]"]
        else:
            parts[:0] = [f"{voice}[v]", f"{bed}[music]"]
        mixed.append("[music]")
    if len(mixed) == 1:
        return f"{voice}[mix]"
    return ";".join(parts) + f";{''.join(mixed)}amix=inputs={len(mixed)}:duration=first:normalize=0[mix]"


_RAW = ["-f", "f32le", "-ar", str(AUDIO_RATE)]
"""How our intermediate audio files are read: raw float samples at AUDIO_RATE."""


def build_mix_args(narration: Path, music: MusicSpec | None, duration: float, mixed: Path,
                   clips: Path | None = None) -> list[str]:
    """Narration plus the optional music bed, ducked, and the clips' sound, as one stereo float file; its
    loudness is measured on the way (see `loudness_in`)."""
    args = ["-y", "-v", "info", "-nostats", *_RAW, "-ac", "1", "-i", str(narration)]
    if music is not None:
        args += ["-stream_loop", "-1", "-i", str(music.file)]  # loop a short bed; atrim cuts it to length
    if clips is not None:
        args += [*_RAW, "-ac", "2", "-i", str(clips)]
    graph = audio_graph(music, duration, clips is not None) + ";[mix]ebur128=framelog=quiet[measured]"
    return [*args, "-filter_complex", graph, "-map", "[measured]", *_RAW, str(mixed)]


def limiter(gain_db: float) -> str:
    """Gain towards the target, then a brickwall on peaks.

    Speech peaks sit far above its loudness (Piper's by ~17 dB), so plain gain to -14 LUFS
    would break the true-peak ceiling; limiting keeps peaks at PEAK_LIMIT, and a trim of a
    fraction of a dB afterwards lands the loudness exactly. This is the linear normalisation
    loudnorm would do, without its 192 kHz passes.
    """
    return f"volume={gain_db:.2f}dB,alimiter=limit={PEAK_LIMIT:.4f}:attack=3:release=60:level=false"


def loudness_in(log: bytes) -> float:
    """The integrated loudness in the summary an ebur128 filter wrote to ffmpeg's log."""
    text = log.decode("utf-8", "replace")
    found = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", text[text.rfind("Summary:"):])
    return float(found.group(1)) if found else float("-inf")


MAX_TRIM = 1.0
"""dB a trim may add after the limiter: peaks then stay under the true-peak target."""
MAX_CUT = 1.5
"""dB a trim may take off: a gain aimed that much too high only limits peaks a little harder."""


def level(mixed: Path, before: float, levelled: Path, stop: threading.Event | None = None) -> tuple[Path, float]:
    """The mix, `before` LUFS loud, raised and limited into `levelled`, and the trim (dB) that then brings it
    to the target loudness exactly.

    Limiting eats part of any gain added. The gain is aimed from an estimate of how much (see
    `limiting_loss`) and the limited mix is measured as it is written, so one pass usually does;
    an estimate too far off for a trim to mend costs another.
    """
    target = LOUDNESS["I"]
    if not before > -70:
        return mixed, 0.0  # silence: nothing to normalise
    peaks, powers = block_levels(mixed)
    gain = target - before
    for _ in range(3):  # the loss grows with the gain: settle on a gain that makes up for its own loss
        gain = target - before + limiting_loss(peaks, powers, gain)
    for _ in range(4):
        proc = run_ffmpeg(["-y", "-v", "info", *_RAW, "-ac", "2", "-i", str(mixed),
                           "-af", f"{limiter(gain)},ebur128=framelog=quiet", *_RAW, str(levelled)], stop=stop)
        trim = target - loudness_in(proc.stderr)
        if -MAX_CUT <= trim <= MAX_TRIM:
            break
        gain += trim * 1.3
    return levelled, min(trim, MAX_TRIM)


BLOCK = AUDIO_RATE // 100
"""Samples per block (10 ms) in the estimate of what limiting takes off."""


def block_levels(mixed: Path) -> tuple[np.ndarray, np.ndarray]:
    """Peak and mean square of each 10 ms block of a stereo float file, read ten seconds at a time (it runs
    beside the encoders: a minute's samples and their temporaries would add ~70 MB to the render's peak)."""
    size = 2 * BLOCK
    peaks, powers = [], []
    with mixed.open("rb") as raw:
        while (chunk := np.fromfile(raw, np.float32, 1000 * size)).size >= size:
            blocks = chunk[: chunk.size // size * size].reshape(-1, size)
            peaks.append(np.abs(blocks).max(axis=1))
            powers.append(np.square(blocks).mean(axis=1))
    return (np.concatenate(peaks), np.concatenate(powers)) if peaks else (np.zeros(1), np.zeros(1))


def limiting_loss(peaks: np.ndarray, powers: np.ndarray, gain_db: float) -> float:
    """Roughly how many dB limiting at PEAK_LIMIT takes off the loudness of a mix raised by `gain_db`.

    Each block is turned down as far as its own peak or a neighbour's needs (the limiter looks
    ahead and releases over a few blocks); the loss is the energy-weighted mean turn-down. On
    speech, with or without music, this came within 0.3 dB of the measured loss, erring high, so
    the gain aimed with it lands a little loud and the trim takes it down.
    """
    turn_down = np.minimum(1.0, PEAK_LIMIT / np.maximum(10 ** (gain_db / 20) * peaks, 1e-12))
    held = turn_down.copy()
    held[1:] = np.minimum(held[1:], turn_down[:-1])
    held[:-1] = np.minimum(held[:-1], turn_down[1:])
    total = float(np.sum(powers))
    return 0.0 if total == 0 else -10 * math.log10(max(float(np.sum(powers * held ** 2)) / total, 1e-12))


def build_audio_args(levelled: Path, trim_db: float, out: Path) -> list[str]:
    """Trim the levelled mix and encode it: the finished soundtrack, ready to be copied into the MP4."""
    # The fast coder is ~25% quicker than the default two-loop search, inaudibly so at 192 kb/s; without
    # the mid/side search (-aac_ms 0) it takes a third of the time, coding left and right at 96 kb/s each.
    return ["-y", "-v", "error", *_RAW, "-ac", "2", "-i", str(levelled), "-af", f"volume={trim_db:.2f}dB",
            "-c:a", "aac", "-aac_coder", "fast", "-aac_ms", "0", "-b:a", "192k", "-ac", "2", "-ar", str(AUDIO_RATE),
            "-f", "mp4", str(out)]


def build_soundtrack(narration: list[Path], slots: list[Slot], music: MusicSpec | None, out: Path,
                     workdir: Path, stop: threading.Event | None = None, clips: list[ClipSound] = ()) -> float:
    """Narration on its timeline, plus music and the clips' own sound, levelled and AAC-encoded into `out`;
    returns the loudness (LUFS) of the mix before levelling. Setting `stop` ends it early (raising media.Stopped)."""
    narration_track, clips_track, mixed = workdir / "narration.f32", workdir / "clips.f32", workdir / "mix.f32"
    write_narration(narration, slots, narration_track)
    has_clips = bool(heard_clips(list(clips)))
    if has_clips:  # ducked under the voice, so the voice is needed whole
        clip_track(list(clips), np.fromfile(narration_track, np.float32)).tofile(clips_track)
    before = loudness_in(run_ffmpeg(build_mix_args(narration_track, music, slots[-1].end, mixed,
                                                   clips_track if has_clips else None), stop=stop).stderr)
    levelled, trim = level(mixed, before, workdir / "levelled.f32", stop)
    run_ffmpeg(build_audio_args(levelled, trim, out), stop=stop)
    return before


def build_mux_args(concat_list: Path, soundtrack: Path, metadata: Path, out: Path) -> list[str]:
    """Join the video pieces and add the soundtrack, both copied."""
    return [
        "-y", "-v", "error",
        "-f", "concat", "-safe", "0", "-i", str(concat_list),  # pieces share codec settings: no re-encode
        "-i", str(soundtrack),
        "-f", "ffmetadata", "-i", str(metadata),
        "-map", "0:v", "-map", "1:a", "-map_metadata", "2", "-map_chapters", "2",
        "-c:v", "copy", "-c:a", "copy",
        "-movflags", "+faststart",  # index up front so the file streams
        "-f", "mp4", str(out),
    ]


def assemble(segments: list[Path], soundtrack: Path, chapters: list[tuple[float, float, str]], title: str,
             artist: str, out: Path, workdir: Path) -> None:
    """Write the final MP4 at `out` from the video pieces and the finished soundtrack."""
    listing = workdir / "segments.txt"
    listing.write_text(concat_list(segments))
    metadata = workdir / "metadata.txt"
    metadata.write_text(ffmetadata(title, artist, chapters), encoding="utf-8")
    run_ffmpeg(build_mux_args(listing, soundtrack, metadata, out))


def concat_list(paths: list[Path]) -> str:
    """A list file for ffmpeg's concat demuxer."""
    # Paths are single-quoted; an embedded quote is closed, escaped, reopened.
    return "".join("file '" + str(p.resolve()).replace("'", "'\\''") + "'\n" for p in paths)
