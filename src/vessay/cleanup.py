"""Cleanup of a recording once it is aligned: what to cut (retakes, fillers, long pauses), how to
cut it without clicks, and steady room noise taken out using the noise heard in the pauses."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from .align import Heard
from .media import levels_db

XFADE = 0.012
"""Seconds of crossfade at every cut: long enough to hide a step, short enough to stay inside a gap."""
LEAD = 0.12
"""Seconds kept before the first word (soft onsets like 'h' start before the aligner's edge)."""
TAIL = 0.18
"""Seconds kept after the last word, for its decay."""
MIN_CUT = 0.05
MIN_RETAKE = 0.3
"""Seconds: a shorter abandoned reading of a single word is decoder noise, not a false start."""
MIN_FILLER = 0.12
MIN_REMARK = 0.4
"""Seconds: unscripted speech shorter than this is left in (a misheard word, a breath)."""
BREATH = 0.8
"""At most this much sound just before a kept sentence is treated as its breath and kept."""


@dataclass(frozen=True)
class Cut:
    """A stretch cleanup removed, in seconds of the original recording."""

    start: float
    end: float
    reason: str
    """"retake", "um", "uh", "er", or "pause 3.2 s"."""


@dataclass(frozen=True)
class Reading:
    """The outcome of matching a recording's decoded path to its text."""

    words: tuple[Heard, ...]
    """The kept reading of each token that was heard, in order."""
    retakes: tuple[tuple[float, float], ...]
    """Stretches read again later (start of the abandoned reading, end of what was said before the
    new one), and speech the text does not account for."""
    fillers: tuple[Heard, ...]
    missing: tuple[tuple[int, int], ...]
    """Runs of tokens (first, last+1) never heard."""


def read(heard: list[Heard], count: int) -> Reading:
    """Keep the last complete reading: a step back in the text abandons what was read since."""
    kept: list[Heard] = []
    retakes = []
    said_until = 0.0
    for item in heard:
        if item.kind == "other":
            said_until = item.end
            continue
        if item.kind != "word":
            continue
        if kept and item.token <= kept[-1].token:
            first = None
            while kept and kept[-1].token >= item.token:
                first = kept.pop()
            # A lone blip read "again" (a breath taken for a short word) is no retake worth a cut.
            if said_until - first.start >= MIN_RETAKE:
                retakes.append((first.start, said_until))
        kept.append(item)
        said_until = item.end
    retakes += _unscripted([h for h in heard if h.kind == "other" and not any(a <= h.start < b for a, b in retakes)],
                           kept, count)
    tokens = [w.token for w in kept]
    missing, expected = [], 0
    for token in tokens + [count]:
        if token > expected:
            missing.append((expected, token))
        expected = token + 1
    fillers = tuple(h for h in heard if h.kind == "filler" and h.end - h.start >= MIN_FILLER)
    return Reading(tuple(kept), tuple(sorted(retakes)), fillers, tuple(missing))


def _unscripted(others: list[Heard], kept: list[Heard], count: int) -> list[tuple[float, float]]:
    """Runs of speech the text does not have, long enough to be a remark rather than a word heard
    twice, where the reading around them is whole: next to a gap in the reading, such speech is
    more likely the missing words said unclearly, and stays."""
    starts = [w.start for w in kept]
    tokens = [-1] + [w.token for w in kept] + [count]
    runs: list[list] = []
    for item in others:
        between = bisect.bisect_left(starts, item.start)
        if runs and runs[-1][2] == between:
            runs[-1][1] = item.end
        else:
            runs.append([item.start, item.end, between])
    return [(a, b) for a, b, k in runs if b - a >= MIN_REMARK and tokens[k + 1] == tokens[k] + 1]


@dataclass(frozen=True)
class Plan:
    keep: tuple[float, float]
    """The clip's speech, from just before its first word to just after its last."""
    cuts: tuple[Cut, ...]


def plan_cuts(reading: Reading, samples: np.ndarray, rate: int, *, retakes: bool, fillers: bool,
              max_pause: float) -> Plan:
    """Where to cut, each cut placed in the quiet between kept words (times in `samples`)."""
    duration = len(samples) / rate
    words = reading.words
    if not words:
        return Plan((0.0, duration), ())
    level = _Levels(samples, rate)
    marks = [(a, b, "retake") for a, b in reading.retakes] if retakes else []
    marks += [(f.start, f.end, f.label) for f in reading.fillers] if fillers else []
    first = max(0.0, words[0].start - LEAD)
    last = min(duration, words[-1].end + TAIL)
    cuts = []
    bounds = [(0.0, 0.0)] + [(w.start, w.end) for w in words] + [(duration, duration)]
    for number, ((_, gap_start), (gap_end, _)) in enumerate(zip(bounds, bounds[1:])):
        inside = [(a, b, r) for a, b, r in marks if gap_start - 0.02 <= a < gap_end]
        if number == 0 or number == len(words):
            # Before the first word or after the last, everything goes with the trim; a retake or
            # filler there is still reported, so a review shows it.
            if inside:
                cuts.append(Cut(round(max(0.0, min(a for a, _, _ in inside) - 0.05), 3) if number == 0
                                else round(last, 3),
                                round(first, 3) if number == 0 else round(min(duration, max(b for _, b, _ in inside) + 0.05), 3),
                                "retake" if any(r == "retake" for _, _, r in inside) else inside[0][2]))
            continue
        cut = _gap_cut(gap_start, gap_end, inside, max_pause, level)
        if cut is not None:
            cuts.append(cut)
    return Plan((first, last), tuple(c for c in cuts if c.end - c.start >= MIN_CUT))


def _gap_cut(start: float, end: float, inside: list, max_pause: float, level) -> Cut | None:
    """The cut for the gap between two kept words, or None when it stays as it is."""
    length = end - start
    if not inside and length <= max_pause:
        return None
    if inside:
        head = max(0.0, min(a for a, _, _ in inside) - start)
        tail = max(0.0, end - max(b for _, b, _ in inside))
        budget = min(max_pause, head + tail)
        reasons = [r for _, _, r in inside]
        reason = "retake" if "retake" in reasons else reasons[0]
    else:
        head = tail = length
        budget = max_pause
        reason = f"pause {length:.1f} s"
    keep_tail = min(tail, max(0.6 * budget, _breath(level, end - min(tail, BREATH), end)))
    keep_tail = min(keep_tail, budget) if not inside else keep_tail
    keep_head = max(0.0, min(head, budget - keep_tail))
    cut_start, cut_end = start + keep_head, end - keep_tail
    if cut_end - cut_start < MIN_CUT:
        return None
    cut_start, cut_end = level.quietest(cut_start, 0.03), level.quietest(cut_end, 0.03)
    return Cut(round(cut_start, 3), round(cut_end, 3), reason) if cut_end - cut_start >= MIN_CUT else None


def _breath(level, start: float, end: float) -> float:
    """How long before `end` sound (a breath) runs without a break, within [start, end]."""
    return level.sound_before(start, end)


class _Levels:
    """10 ms RMS of a clip, and what counts as quiet in it."""

    HOP = 0.01

    def __init__(self, samples: np.ndarray, rate: int):
        self.db = levels_db(samples, rate, self.HOP)
        if not len(self.db):  # shorter than one frame: silence
            self.db = np.full(1, -120.0)
        floor = np.percentile(self.db, 10)
        self.quiet = self.db < floor + 6

    def _frame(self, t: float) -> int:
        return int(np.clip(round(t / self.HOP), 0, len(self.db) - 1))

    def quietest(self, t: float, radius: float) -> float:
        lo, hi = self._frame(t - radius), self._frame(t + radius)
        return (lo + int(np.argmin(self.db[lo: hi + 1]))) * self.HOP + self.HOP / 2 if hi > lo else t

    def sound_before(self, start: float, end: float) -> float:
        lo, hi = self._frame(start), self._frame(end)
        run = 0
        for k in range(hi - 1, lo - 1, -1):
            if self.quiet[k]:
                break
            run += 1
        return run * self.HOP


def apply_cuts(samples: np.ndarray, rate: int, plan: Plan, cuts: tuple[Cut, ...] | None = None
               ) -> tuple[np.ndarray, "TimeMap"]:
    """The clip trimmed to its speech with `cuts` (default: the plan's) taken out, crossfaded."""
    cuts = plan.cuts if cuts is None else cuts
    first, last = plan.keep
    pieces: list[tuple[float, float]] = []
    at = first
    for cut in sorted(cuts, key=lambda c: c.start):
        if cut.end <= at or cut.start >= last:
            if cut.start < first and cut.end > at:
                at = min(last, cut.end)
            continue
        if cut.start > at:
            pieces.append((at, cut.start))
        at = max(at, cut.end)
    if at < last:
        pieces.append((at, last))
    fade = int(XFADE * rate)
    out = np.zeros(0, dtype=np.float32)
    starts = []
    ramp = np.sin(np.linspace(0, np.pi / 2, fade, dtype=np.float32)) ** 2
    for a, b in pieces:
        chunk = samples[int(round(a * rate)): int(round(b * rate))].astype(np.float32)
        if len(out) >= fade and len(chunk) >= fade:
            out[-fade:] = out[-fade:] * ramp[::-1] + chunk[:fade] * ramp
            starts.append(len(out) - fade)
            out = np.concatenate([out, chunk[fade:]])
        else:
            starts.append(len(out))
            out = np.concatenate([out, chunk])
    return out, TimeMap(tuple(pieces), tuple(s / rate for s in starts))


@dataclass(frozen=True)
class TimeMap:
    """Where a moment of the original clip lands in the cleaned one."""

    pieces: tuple[tuple[float, float], ...]
    starts: tuple[float, ...]

    def __call__(self, t: float) -> float:
        for (a, b), s in zip(self.pieces, self.starts):
            if t < b:
                return s + max(0.0, t - a)
        if not self.pieces:
            return 0.0
        (a, b), s = self.pieces[-1], self.starts[-1]
        return s + (b - a)


# --- room noise ---------------------------------------------------------------------------------

NOISE_FLOOR_DB = -62.0
"""In `auto`, pauses quieter than this (dBFS) count as clean: the recording is left alone."""
CLEAN_SNR_DB = 45.0
"""In `auto`, voice this far above the pauses counts as clean too."""
REDUCTION_DB = 24.0
"""How far steady noise is pushed down."""
_FFT, _HOP = 1024, 256


def noise_level(samples: np.ndarray, rate: int, pauses: list[tuple[float, float]]) -> tuple[float, float]:
    """(noise in the pauses, voice level) in dBFS: the median 10 ms level of the pauses, and the
    95th percentile of the whole clip."""
    levels = _Levels(samples, rate)
    quiet = _pause_frames(levels, pauses)
    noise = float(np.median(levels.db[quiet])) if quiet.any() else float(np.percentile(levels.db, 10))
    return noise, float(np.percentile(levels.db, 95))


def _pause_frames(levels: _Levels, pauses: list[tuple[float, float]]) -> np.ndarray:
    """10 ms frames well inside a pause (30 ms away from the speech on either side)."""
    mask = np.zeros(len(levels.db), dtype=bool)
    for a, b in pauses:
        lo, hi = levels._frame(a + 0.03), levels._frame(b - 0.03)
        if hi > lo:
            mask[lo:hi] = True
    return mask


def denoise(samples: np.ndarray, rate: int, pauses: list[tuple[float, float]], mode: str) -> np.ndarray:
    """Steady noise (hiss, hum, fan) taken out with a Wiener-style gain per frequency, its spectrum
    learnt from the recording's own pauses. In `auto`, a clean recording is returned untouched."""
    if mode == "off" or len(samples) < _FFT * 4:
        return samples
    noise_db, voice_db = noise_level(samples, rate, pauses)
    if mode == "auto" and (noise_db < NOISE_FLOOR_DB or voice_db - noise_db > CLEAN_SNR_DB):
        return samples
    window = np.hanning(_FFT + 1)[:-1].astype(np.float32)
    padded = np.concatenate([np.zeros(_FFT, np.float32), samples.astype(np.float32), np.zeros(_FFT, np.float32)])
    count = (len(padded) - _FFT) // _HOP + 1
    frames_at = np.arange(count) * _HOP
    # Noise spectrum: the frames that lie in pauses (or, with none, the quietest tenth).
    centre = (frames_at + _FFT / 2 - _FFT) / rate
    in_pause = np.zeros(count, dtype=bool)
    for a, b in pauses:
        in_pause |= (centre > a + 0.03) & (centre < b - 0.03)
    spectra = _stft(padded, window, frames_at)
    power = np.abs(spectra) ** 2
    if in_pause.sum() < 8:
        loudness = power.sum(axis=1)
        in_pause = loudness <= np.percentile(loudness, 10)
    noise = np.mean(power[in_pause], axis=0)
    floor = 10 ** (-REDUCTION_DB / 20)
    gain = np.clip(1.0 - 2.0 * noise / np.maximum(power, 1e-20), 0.0, 1.0)
    gain = np.sqrt(gain)
    # Smooth the gain across neighbouring bins and frames: isolated bins that flicker open are
    # what makes "musical" noise.
    padded_gain = np.pad(gain, ((0, 0), (2, 2)))
    gain = sum(padded_gain[:, k: k + gain.shape[1]] for k in range(5)) / 5
    for k in range(1, len(gain)):
        gain[k] = np.maximum(gain[k], 0.6 * gain[k - 1])
    gain = np.maximum(gain, floor)
    out = _istft(spectra * gain, window, frames_at, len(padded))
    return out[_FFT: _FFT + len(samples)].astype(np.float32)


def _stft(padded: np.ndarray, window: np.ndarray, frames_at: np.ndarray) -> np.ndarray:
    view = np.lib.stride_tricks.sliding_window_view(padded, _FFT)[:: _HOP][: len(frames_at)]
    return np.fft.rfft(view * window, axis=1).astype(np.complex64)


def _istft(spectra: np.ndarray, window: np.ndarray, frames_at: np.ndarray, length: int) -> np.ndarray:
    """Overlap-add of the frames (which start every _HOP samples), a quarter frame at a time."""
    frames = np.fft.irfft(spectra, n=_FFT, axis=1).astype(np.float32) * window
    count = len(frames)
    out = np.zeros(length + _FFT, np.float32)
    norm = np.zeros(length + _FFT, np.float32)
    for part in range(_FFT // _HOP):
        at = slice(part * _HOP, part * _HOP + count * _HOP)
        out[at] += frames[:, part * _HOP: (part + 1) * _HOP].reshape(-1)
        norm[at] += np.tile(window[part * _HOP: (part + 1) * _HOP] ** 2, count)
    return out[:length] / np.maximum(norm[:length], 1e-6)
