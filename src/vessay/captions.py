"""Captions from word timings: short readable cues, split at sentences and phrases.

Cues never start before their first word is spoken, hold at most two lines of
42 characters, and last between one and six seconds where the speech allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .narration import Word

MAX_LINE = 42
MAX_LINES = 2
MIN_SECONDS = 1.0
MAX_SECONDS = 6.0
HOLD = 0.3
"""Seconds a cue stays up after its last word, unless the next cue needs the screen."""


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def build_cues(scenes: list[list[Word]]) -> list[Cue]:
    """Cues for every scene's words; a cue never spans two scenes."""
    groups: list[list[Word]] = []
    for words in scenes:
        groups.extend(_group(words))
    cues = []
    for index, group in enumerate(groups):
        next_start = groups[index + 1][0].start if index + 1 < len(groups) else float("inf")
        end = min(max(group[-1].end + HOLD, group[0].start + MIN_SECONDS), next_start)
        cues.append(Cue(group[0].start, max(end, group[-1].end), tuple(wrap(" ".join(w.text for w in group)))))
    return cues


def _group(words: list[Word]) -> list[list[Word]]:
    """Greedy grouping: close a cue at a sentence end, at a phrase end once it's long, or when full."""
    groups: list[list[Word]] = []
    current: list[Word] = []
    for word in words:
        if current and not _fits(current + [word]):
            groups.append(current)
            current = []
        current.append(word)
        length = len(" ".join(w.text for w in current))
        if re.search(r"[.!?…][\"')\]]*$", word.text) or (re.search(r"[,;:—]$", word.text) and length > 45):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return _merge_orphans(groups)


def _fits(words: list[Word]) -> bool:
    text = " ".join(w.text for w in words)
    return len(wrap(text)) <= MAX_LINES and words[-1].end - words[0].start <= MAX_SECONDS


def _merge_orphans(groups: list[list[Word]]) -> list[list[Word]]:
    """Fold a lone short word into the cue before it when that still fits."""
    merged: list[list[Word]] = []
    for group in groups:
        if merged and len(group) == 1 and len(group[0].text) < 8 and _fits(merged[-1] + group):
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
