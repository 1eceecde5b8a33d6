"""Split one unlabelled narration take into scenes by aligning it with Piper speech of the script.

Each scene's text is synthesised (so its boundaries in the synthetic audio are exact), the take is
aligned to that reference by dynamic time warping on normalised MFCC-like features, the reference
boundaries are carried through the warping path, and each is finally snapped to the pause nearby.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

HOP = 0.02
"""Feature hop in seconds: coarse enough for a 5-minute take, fine enough before snapping."""
WINDOW = 0.025
REF_GAP = 0.25
"""Silence placed between scenes in the reference, so pauses in the take have something to match."""
MARGIN = 0.05
"""Seconds kept around speech on both sides, as trim_silence does for recordings."""
SNAP = 0.3
"""How far (seconds) a boundary may move from the DTW estimate while looking for a pause."""
MIN_PAUSE = 0.12
"""Quiet runs shorter than this are stop closures inside words, not pauses."""
LEVEL_HOP = 0.01
"""Resolution (seconds) of the loudness used to find speech edges and pauses."""
MAX_CELLS = 2e8


def align_take(take: np.ndarray, scene_texts: list[str], synthesize: Callable[[str], np.ndarray],
               rate: int = 48000) -> list[tuple[float, float]]:
    """Per scene (start, end) seconds of its speech inside `take` (mono float32 at `rate`)."""
    take = np.asarray(take, dtype=np.float32).reshape(-1)
    count = len(scene_texts)
    if count == 0:
        return []
    total = len(take) / rate
    loud = _loud_frames(take, rate)
    if not loud.any():
        return [(0.0, 0.0)] * count  # nothing spoken: no span can be placed honestly

    clips = [_speech(np.asarray(synthesize(t), dtype=np.float32).reshape(-1), rate) if t.strip()
             else np.zeros(0, np.float32) for t in scene_texts]
    ref, ref_spans = _reference(clips, rate)

    first = np.flatnonzero(loud)[0] * LEVEL_HOP
    last = (np.flatnonzero(loud)[-1] + 1) * LEVEL_HOP
    spoken = take[int(first * rate): int(last * rate)]
    pauses = _quiet_runs(loud)

    rough = None
    if len(ref) and ref_spans[-1][1] > 0:
        path = _dtw_path(_features(spoken, rate), _features(ref, rate))
        if path is not None:
            rough = _through_path(path, ref_spans, first)
    if rough is None:
        rough = _proportional(ref_spans, first, last)
        window = max(SNAP, 0.25 * (last - first) / count)  # no DTW guidance: search wider
    else:
        window = SNAP
    return _finish(_snap(rough, pauses, first, last, window), total)


def carry_spans(recording: np.ndarray, reference: np.ndarray, spans: list[tuple[float, float]],
                rate: int = 48000) -> list[tuple[float, float]] | None:
    """Map (start, end) seconds in `reference` onto `recording` of the same words; None if they don't align."""
    path = _dtw_path(_features(np.asarray(recording, np.float32), rate),
                     _features(np.asarray(reference, np.float32), rate))
    if path is None:
        return None
    last = len(recording) / rate
    return [(min(a, last), min(max(a, b), last)) for a, b in _through_path(path, spans, 0.0)]


# --- levels and pauses -------------------------------------------------------------------------

def _frame_rms(samples: np.ndarray, rate: int) -> np.ndarray:
    window = max(1, int(rate * LEVEL_HOP))
    frames = samples[: len(samples) // window * window].reshape(-1, window)
    return np.sqrt(np.einsum("ij,ij->i", frames, frames).astype(np.float64) / window + 1e-12)


def _loud_frames(samples: np.ndarray, rate: int) -> np.ndarray:
    """10 ms frames that hold speech, judged against the clip's own peak and noise floor."""
    rms = _frame_rms(samples, rate)
    if rms.size == 0:
        return np.zeros(0, dtype=bool)
    # Peak-relative like trim_silence, but never below a noisy room's floor.
    floor = np.percentile(rms, 5)
    threshold = max(1e-4, rms.max() * 10 ** (-40 / 20), floor * 10 ** (6 / 20))
    return rms > threshold


def _speech(clip: np.ndarray, rate: int) -> np.ndarray:
    """The clip without its leading and trailing silence (no margin: boundaries must be exact)."""
    loud = _loud_frames(clip, rate)
    if not loud.any():
        return clip[:0]
    hop = int(rate * LEVEL_HOP)
    idx = np.flatnonzero(loud)
    return clip[idx[0] * hop: (idx[-1] + 1) * hop]


def _quiet_runs(loud: np.ndarray) -> np.ndarray:
    """(start, end) seconds of every quiet stretch long enough to be a pause, ends included."""
    padded = np.concatenate([[True], loud, [True]]).astype(np.int8)
    edges = np.diff(padded)
    starts, ends = np.flatnonzero(edges == -1), np.flatnonzero(edges == 1)
    runs = np.stack([starts, ends], axis=1).astype(float) * LEVEL_HOP
    return runs[runs[:, 1] - runs[:, 0] >= MIN_PAUSE - 1e-9]


# --- reference -------------------------------------------------------------------------------

def _reference(clips: list[np.ndarray], rate: int) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Scene clips joined by short gaps, with each scene's exact (start, end) in seconds."""
    gap = np.zeros(int(REF_GAP * rate), dtype=np.float32)
    pieces, spans, at = [], [], 0
    for clip in clips:
        if len(clip) and pieces:
            pieces.append(gap)
            at += len(gap)
        spans.append((at / rate, (at + len(clip)) / rate))
        pieces.append(clip)
        at += len(clip)
    return (np.concatenate(pieces) if pieces else np.zeros(0, np.float32)), spans


# --- features ----------------------------------------------------------------------------------

def _mel_bank(rate: int, nfft: int, bands: int = 40) -> np.ndarray:
    top = min(7600.0, rate / 2)  # speech identity lives below ~8 kHz; above is mostly mic colour
    mel = np.linspace(_hz_to_mel(60.0), _hz_to_mel(top), bands + 2)
    hz = 700.0 * (10 ** (mel / 2595.0) - 1)
    bins = np.fft.rfftfreq(nfft, 1 / rate)
    bank = np.zeros((bands, len(bins)))
    for b in range(bands):
        lo, mid, hi = hz[b], hz[b + 1], hz[b + 2]
        bank[b] = np.clip(np.minimum((bins - lo) / (mid - lo), (hi - bins) / (hi - mid)), 0, None)
    return bank


def _hz_to_mel(hz: float) -> float:
    return 2595.0 * np.log10(1 + hz / 700.0)


def _features(samples: np.ndarray, rate: int, coeffs: int = 13) -> np.ndarray:
    """Mean/variance-normalised MFCCs per HOP, so voice, level and mic differences mostly cancel."""
    win, hop = int(WINDOW * rate), int(HOP * rate)
    if len(samples) < win:
        samples = np.pad(samples, (0, win - len(samples)))
    nfft = 1 << (win - 1).bit_length()
    frames = np.lib.stride_tricks.sliding_window_view(samples, win)[::hop]
    bank = _mel_bank(rate, nfft)
    taper = np.hanning(win).astype(np.float32)
    energies = np.empty((len(frames), bank.shape[0]))
    for i in range(0, len(frames), 2048):  # chunked: a full 5-minute spectrogram would be ~250 MB
        spectrum = np.abs(np.fft.rfft(frames[i: i + 2048] * taper, nfft)) ** 2
        energies[i: i + 2048] = spectrum @ bank.T
    # A floor relative to the loud frames makes digital silence (TTS) and room tone (mic) look alike.
    floor = np.percentile(energies.sum(axis=1), 95) / bank.shape[0] * 10 ** (-50 / 10) + 1e-20
    logmel = np.log(energies + floor)
    n = np.arange(bank.shape[0])
    dct = np.cos(np.pi / bank.shape[0] * (n + 0.5)[None, :] * np.arange(coeffs)[:, None])
    ceps = logmel @ dct.T
    return (ceps - ceps.mean(axis=0)) / (ceps.std(axis=0) + 1e-8)


# --- DTW -------------------------------------------------------------------------------------

def _dtw_path(take: np.ndarray, ref: np.ndarray, band: float = 0.15) -> np.ndarray | None:
    """For every take frame, the reference frame it matches; None if no path fits the band.

    Each take frame advances the reference by 0, 1 or 2 frames: pauses of any length in the take
    fit, and the take may be up to twice as fast as the TTS. Because every step consumes exactly one
    take frame, a row depends only on the previous row and the band vectorises.
    """
    n, m = len(take), len(ref)
    if n < 2 or m < 2 or not (m / 2 <= n <= 8 * m):
        return None
    # Sakoe-Chiba band around the length-ratio diagonal, wide enough for pauses that drift off it,
    # but capped so the int8 back-pointers of a long take stay within MAX_CELLS bytes.
    half = int(max(2.0 / HOP, min(band * m, MAX_CELLS / n / 2)))
    centre = np.arange(n) * (m - 1) / (n - 1)
    lows = np.clip(np.floor(centre - half).astype(int), 0, m - 1)
    highs = np.clip(np.ceil(centre + half).astype(int) + 1, 1, m)
    width = int((highs - lows).max())
    moves = np.empty((n, width), dtype=np.int8)  # 0: ref stays, 1: +1, 2: +2
    stay_penalty, skip_penalty = 0.05, 0.3  # nudge towards the diagonal when frames are alike
    ref_sq = np.sum(ref**2, axis=1)
    cost = np.full(m + 2, np.inf)  # two leading infs stand for j-1, j-2 before column 0
    cost[2] = np.sqrt(max(0.0, ref_sq[0] + take[0] @ take[0] - 2 * ref[0] @ take[0]))
    for i in range(1, n):
        lo, hi = lows[i], highs[i]
        dist = np.sqrt(np.maximum(ref_sq[lo:hi] + take[i] @ take[i] - 2 * (ref[lo:hi] @ take[i]), 0.0))
        options = np.stack([cost[2 + lo: 2 + hi] + stay_penalty, cost[1 + lo: 1 + hi],
                            cost[lo: hi] + skip_penalty])
        best = np.argmin(options, axis=0)
        row = np.full(m + 2, np.inf)
        row[2 + lo: 2 + hi] = options[best, np.arange(hi - lo)] + dist
        moves[i, : hi - lo] = best
        cost = row
    if not np.isfinite(cost[2 + m - 1]):
        return None
    path = np.empty(n, dtype=int)
    j = m - 1
    for i in range(n - 1, 0, -1):
        path[i] = j
        j -= int(moves[i, j - lows[i]])
    path[0] = j
    return path if j == 0 else None


def _through_path(path: np.ndarray, ref_spans: list[tuple[float, float]],
                  offset: float) -> list[tuple[float, float]]:
    """Carry each reference span onto the take: first take frame reaching its start, last before its end."""
    out = []
    for start, end in ref_spans:
        a = int(np.searchsorted(path, start / HOP, side="left"))
        b = int(np.searchsorted(path, end / HOP - 1, side="right"))
        out.append((offset + a * HOP, offset + max(a, b) * HOP))
    return out


def _proportional(ref_spans: list[tuple[float, float]], first: float, last: float) -> list[tuple[float, float]]:
    """Fallback guess: the take's speech shares the reference's proportions."""
    length = ref_spans[-1][1]
    if length <= 0:  # no reference speech at all: equal shares
        k = len(ref_spans)
        return [(first + (last - first) * i / k, first + (last - first) * (i + 1) / k) for i in range(k)]
    scale = (last - first) / length
    return [(first + s * scale, first + e * scale) for s, e in ref_spans]


# --- refinement ------------------------------------------------------------------------------

def _snap(rough: list[tuple[float, float]], pauses: np.ndarray, first: float, last: float,
          window: float) -> list[tuple[float, float]]:
    """Move each scene-to-scene boundary onto the pause that best fits the DTW estimate."""
    starts = [s for s, _ in rough]
    ends = [e for _, e in rough]
    starts[0], ends[-1] = first, last  # the take's own speech onset/offset are exact
    for k in range(len(rough) - 1):
        end, start = ends[k], starts[k + 1]
        lo, hi = min(end, start) - window, max(end, start) + window
        near = pauses[(pauses[:, 1] > lo) & (pauses[:, 0] < hi)] if len(pauses) else pauses
        if not len(near):
            mid = (end + start) / 2
            ends[k], starts[k + 1] = min(end, mid), max(start, mid)
            continue
        # Prefer long pauses close to (ideally overlapping) the estimated gap between the scenes.
        gap_lo, gap_hi = min(end, start), max(end, start)
        distance = np.maximum(0, np.maximum(near[:, 0] - gap_hi, gap_lo - near[:, 1]))
        length = np.minimum(near[:, 1] - near[:, 0], 2.0)
        pick = near[np.argmax(length - 2 * distance)]
        ends[k], starts[k + 1] = pick[0], pick[1]
    return list(zip(starts, ends))


def _finish(spans: list[tuple[float, float]], total: float) -> list[tuple[float, float]]:
    """Add the margin, then force spans ordered, non-overlapping and inside the take."""
    out: list[tuple[float, float]] = []
    previous_end = 0.0
    for k, (start, end) in enumerate(spans):
        nxt = spans[k + 1][0] if k + 1 < len(spans) else total
        start = min(max(start - MARGIN, previous_end, 0.0), total)
        # Share a pause shorter than two margins rather than overlap the next scene.
        end = min(max(end + MARGIN, start), max((end + nxt) / 2, start), total)
        out.append((float(start), float(end)))
        previous_end = end
    return out
