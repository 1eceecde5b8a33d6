"""Where a recording pauses, read off its waveform: the stretches of speech between pauses (each
decoded on its own, so the cost of a take grows with its length and no faster), and where exactly
the voice comes back after a pause."""

from __future__ import annotations

import numpy as np

from .media import levels_db

HOP = 0.01
"""Seconds per level frame."""
MIN_PAUSE = 0.25
"""A quieter stretch at least this long splits the speech; shorter ones are gaps inside words."""
EDGE = 0.2
"""Seconds of the pause kept on each side of an utterance: the decoder hears the room before and after."""
MAX_UTTERANCE = 25.0
"""Longer speech without a pause is split at its quietest moment."""
SPEECH_OVER_ROOM_DB = 10.0
SPEECH_UNDER_VOICE_DB = 35.0
"""Speech is louder than the room by at least the first, or quieter than the voice by at most the second."""


def utterances(samples: np.ndarray, rate: int) -> list[tuple[float, float]]:
    """The recording's speech as (start, end) seconds, split at pauses, each with up to EDGE seconds
    of its pauses around it (never overlapping the next)."""
    db = levels_db(samples, rate, HOP)
    if len(db) == 0:
        return []
    room, voice = np.percentile(db, 10), np.percentile(db, 95)
    loud = db > max(room + SPEECH_OVER_ROOM_DB, voice - SPEECH_UNDER_VOICE_DB)
    runs = _runs(loud)
    # Gaps shorter than a pause join the speech around them; lone blips (clicks) go.
    merged: list[list[int]] = []
    for a, b in runs:
        if merged and (a - merged[-1][1]) * HOP < MIN_PAUSE:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    spans = [(a, b) for a, b in merged if (b - a) * HOP >= 0.05]
    pieces = [piece for a, b in spans for piece in _split_long(db, a, b)]
    duration = len(samples) / rate
    out = []
    for k, (a, b) in enumerate(pieces):
        before = pieces[k - 1][1] if k else None
        after = pieces[k + 1][0] if k + 1 < len(pieces) else None
        start = a * HOP - (EDGE if before is None else min(EDGE, (a - before) * HOP / 2))
        end = b * HOP + (EDGE if after is None else min(EDGE, (after - b) * HOP / 2))
        out.append((round(max(0.0, start), 3), round(min(duration, end), 3)))
    return out


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last + 1) of each run of True."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _split_long(db: np.ndarray, a: int, b: int) -> list[tuple[int, int]]:
    """Frames a..b, split at the quietest 100 ms until no piece is longer than MAX_UTTERANCE."""
    limit = int(MAX_UTTERANCE / HOP)
    if b - a <= limit:
        return [(a, b)]
    middle = db[a + (b - a) // 4: b - (b - a) // 4]
    smooth = np.convolve(middle, np.ones(10) / 10, mode="same")
    cut = a + (b - a) // 4 + int(np.argmin(smooth))
    return _split_long(db, a, cut) + _split_long(db, cut, b)


FINE = 0.002
"""Seconds per step of the onset search."""
ONSET_WINDOW = 0.008
BAND = (500, 7000)
CLEAR_DB = 20.0
"""A voice this far above the room is certainly speaking."""
SOFT_DB = 10.0
"""A soft onset (the breath of an 'h', the hiss of an 'f') is at least this far above the quiet before it."""
SLACK = 0.15
"""Seconds the aligner's edge may be late; it may be any amount early (it can take a pause for a word)."""
GAP_FRAMES = int(0.08 / 0.002)
"""A pause is at least 80 ms quiet."""
LONG_FRAMES = int(0.2 / 0.002)
SOFT_FRAMES = int(0.3 / 0.002)
"""The soft start of a word lasts at most 300 ms."""
FLOOR_FRAMES = int(0.2 / 0.002)
DIP_FRAMES = 5
"""Frames a soft onset may dip to the floor and still go on."""


def voice_onset(samples: np.ndarray, rate: int, lo: float, aligned: float, hi: float,
                backwards: bool = False) -> float | None:
    """Where the voice of a word that the aligner put at `aligned` comes back after a pause, read
    off the waveform between `lo` (the end of the word before) and `hi` (the end of this one):
    walking back from where it is clearly voiced to where it rises out of the quiet before it.
    With `backwards`, where a word ends and fades into the pause after it (`lo` is then its
    start, `aligned` its end and `hi` the start of the next). None when no pause is there."""
    first, last = int(max(0.0, min(lo, hi)) * rate), int(min(len(samples) / rate, max(lo, hi)) * rate)
    db = _band_db(samples[first:last].astype(np.float64), rate)
    if len(db) < 2 * GAP_FRAMES:
        return None
    times = first / rate + np.arange(len(db)) * FINE + ONSET_WINDOW / 2
    if backwards:
        db, times = db[::-1], times[::-1]
    room = _quietest(db)
    quiet = db < room + SOFT_DB
    index = np.arange(len(db))
    run = index - np.maximum.accumulate(np.where(quiet, -1, index))  # quiet frames in a row, up to each
    pause_ends = np.concatenate([[0], np.cumsum(run >= GAP_FRAMES)])
    after_pause = pause_ends[index] - pause_ends[np.maximum(0, index - SOFT_FRAMES)] > 0
    # The first clearly voiced moment near the aligner's edge with a pause not long before it.
    near = int(np.searchsorted(times, aligned - SLACK) if not backwards
               else np.searchsorted(-times, -(aligned + SLACK)))
    candidates = np.flatnonzero((db > room + CLEAR_DB) & after_pause & (index >= near))
    if len(candidates) == 0:
        return None
    found = int(candidates[0])
    # Well after the aligner's edge, only a long pause counts (a word stretched over a silence);
    # a short one is the closure of a 'p', 't' or 'k' inside the word.
    if abs(times[found] - aligned) > SLACK and run[max(0, found - SOFT_FRAMES): found].max() < LONG_FRAMES:
        return None
    # The level just before the voice (room tone, or a breath) is what it rises out of.
    floor = _quietest(db[max(0, found - FLOOR_FRAMES): found + 1])
    edge, below, k = found, 0, found
    while k > 0 and below < DIP_FRAMES:
        k -= 1
        if db[k] > floor + SOFT_DB:
            edge, below = k, 0
        else:
            below += 1
    return float(times[edge] + (ONSET_WINDOW / 2 if backwards else -ONSET_WINDOW / 2))


def _quietest(db: np.ndarray) -> float:
    """The level of the quietest 10 ms."""
    width = min(len(db), 5)
    return float(np.convolve(db, np.ones(width) / width, mode="valid").min())


def _band_db(x: np.ndarray, rate: int) -> np.ndarray:
    """Level in dB between BAND[0] and BAND[1] Hz of ONSET_WINDOW-long windows every FINE seconds:
    above the rumble and hum of a room, where the breath of an 'h' and the hiss of an 'f' are."""
    size, hop = max(8, int(ONSET_WINDOW * rate)), max(1, int(FINE * rate))
    if len(x) < size:
        return np.zeros(0)
    frames = np.lib.stride_tricks.sliding_window_view(x, size)[::hop] * np.hanning(size)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    freqs = np.fft.rfftfreq(size, 1 / rate)
    band = (freqs >= BAND[0]) & (freqs <= BAND[1])
    return 10 * np.log10(power[:, band].sum(axis=1) / size + 1e-12)
