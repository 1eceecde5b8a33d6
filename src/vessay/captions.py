"""Captions from word timings: short readable cues, split at sentences and phrases.

One list of cues drives the SRT and VTT files and every burned-in style. A cue starts
when its first word is heard (never earlier), holds at most two lines of 42
characters, lasts one to six seconds where the speech allows, stays at most
MAX_LINGER after its last word, and ends before the next cue starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from .media import levels_db
from .narration import Word

MAX_LINE = 42
MAX_LINES = 2
MIN_SECONDS = 1.0
MAX_SECONDS = 6.0
HOLD = 0.3
"""Seconds a cue stays up after its last word, unless the next cue needs the screen."""
MAX_LINGER = 0.5
"""A cue is gone at most this long after its last word ends, even when that makes it shorter than MIN_SECONDS."""
MAX_LEAD = 0.1
"""The most a cue may start before its first word is heard."""


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]
    words: tuple[Word, ...] = ()
    """The cue's words with their timings (on the same timeline as start and end)."""

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def shifted(self, seconds: float) -> Cue:
        """The same cue `seconds` later."""
        return Cue(self.start + seconds, self.end + seconds, self.lines,
                   tuple(replace(w, start=w.start + seconds, end=w.end + seconds) for w in self.words))


def build_cues(scenes: list[list[Word]], max_words: int = 0) -> list[Cue]:
    """Cues for every scene's words (at most `max_words` each, if set); a cue never spans two scenes."""
    groups: list[list[Word]] = []
    for words in scenes:
        groups.extend(_group(words, max_words))
    cues = []
    for index, group in enumerate(groups):
        next_start = groups[index + 1][0].start if index + 1 < len(groups) else float("inf")
        last = group[-1].end
        end = min(max(last + HOLD, group[0].start + MIN_SECONDS), last + MAX_LINGER, next_start)
        cues.append(Cue(group[0].start, max(end, min(last, next_start)),
                        tuple(wrap(" ".join(w.text for w in group))), tuple(group)))
    return cues


def _group(words: list[Word], max_words: int = 0) -> list[list[Word]]:
    """Greedy grouping: close a cue at a sentence end, at a phrase end once it's long, or when full."""
    groups: list[list[Word]] = []
    current: list[Word] = []
    for word in words:
        if current and (not _fits(current + [word]) or len(current) == max_words):
            groups.append(current)
            current = []
        current.append(word)
        length = len(" ".join(w.text for w in current))
        if re.search(r"[.!?…][\"')\]]*$", word.text) or (re.search(r"[,;:—]$", word.text) and length > 45):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return _merge_orphans(groups, max_words)


def _fits(words: list[Word]) -> bool:
    text = " ".join(w.text for w in words)
    return len(wrap(text)) <= MAX_LINES and words[-1].end - words[0].start <= MAX_SECONDS


def _merge_orphans(groups: list[list[Word]], max_words: int = 0) -> list[list[Word]]:
    """Fold a lone short word into the cue before it when that still fits."""
    merged: list[list[Word]] = []
    for group in groups:
        if (merged and len(group) == 1 and len(group[0].text) < 8 and _fits(merged[-1] + group)
                and (not max_words or len(merged[-1]) < max_words)):
            merged[-1] = merged[-1] + group
        else:
            merged.append(group)
    return merged


def wrap(text: str, width: int = MAX_LINE) -> list[str]:
    """Break into lines of at most `width`, balancing two lines rather than filling the first."""
    if len(text) <= width:
        return [text]
    words = text.split()
    best: list[str] | None = None
    for split in range(1, len(words)):
        first, second = " ".join(words[:split]), " ".join(words[split:])
        if len(first) <= width and len(second) <= width:
            if best is None or abs(len(first) - len(second)) < abs(len(best[0]) - len(best[1])):
                best = [first, second]
    if best:
        return best
    lines, line = [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + [line]


def heard_words(words: tuple[Word, ...] | list[Word], samples: np.ndarray, rate: int) -> list[Word]:
    """`words` with each start moved up to where its sound begins, when the aligner put it in silence.

    An aligner may place a word's start in the pause before it (a sentence break, a breath); a
    caption shown then runs ahead of the voice. A start already inside sound is left alone.
    """
    window = max(1, int(rate * 0.01))  # samples per level frame, as levels_db counts them
    db = levels_db(samples, rate, 0.01)
    if not len(db) or not words:
        return list(words)
    quiet = db < db.max() - 35
    out = []
    for word in words:
        first = int(word.start * rate) // window
        span = quiet[first: int(word.end * rate) // window]
        if len(span) and span[0] and not span.all():
            onset = (first + int(np.argmin(span))) * window / rate  # the first window with sound
            word = replace(word, start=min(onset, word.end))
        out.append(word)
    return out


def _stamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def to_srt(cues: list[Cue]) -> str:
    return "".join(f"{i}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n{c.text}\n\n"
                   for i, c in enumerate(cues, start=1))


def to_vtt(cues: list[Cue]) -> str:
    return "WEBVTT\n\n" + "".join(f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}\n{c.text}\n\n" for c in cues)
