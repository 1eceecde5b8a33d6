"""Text fitting: greedy wrapping, balanced lines, and the largest size that fits a box."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..theme import Theme
from .fonts import Font, theme_font, word_length
from .geometry import Geometry

# Text sizes in px at 1080p scale: (largest, smallest). Fitting steps down between them.
TITLE_PX = (104, 38)
SECTION_PX = (100, 36)
HEADING_PX = (72, 32)
SUBTITLE_PX = (44, 24)
BULLET_PX = (54, 26)
CREDIT_PX = (44, 22)
HUD_PX = 19


_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CLOSING = "\u3001\u3002\u300d\u300f\u3011\u3009\u300b\uff09\uff0c\uff0e\uff1a\uff1b\uff01\uff1f\u30fc\u2026"
_OPENING = "\u300c\u300e\u3010\u3008\u300a\uff08"
_UNIT = re.compile(f"[{_OPENING}]*(?:[{_CJK}]|[^{_CJK}{_OPENING}{_CLOSING}]+)[{_CLOSING}]*|.", re.S)
"""Where a word may break: between Chinese and Japanese characters (their text has no spaces), with
closing punctuation kept after its character and opening punctuation before, as line-breaking rules
ask; a stretch of other letters (a Latin name) stays whole."""


_HAS_CJK = re.compile(f"[{_CJK}]")


def _units(paragraph: str, break_cjk: bool) -> list[tuple[str, bool]]:
    """(unit, space before it) for each piece a line may break before."""
    if not (break_cjk and _HAS_CJK.search(paragraph)):  # spaced text, the common case: its words
        return [(word, True) for word in paragraph.split()]
    units = []
    for word in paragraph.split():
        pieces = _UNIT.findall(word) if _HAS_CJK.search(word) else [word]
        units += [(piece, k == 0) for k, piece in enumerate(pieces)]
    return units


def wrap(text: str, font: Font, max_w: float, break_cjk: bool = True) -> tuple[list[str], bool]:
    """Greedy word wrap; explicit newlines are kept; with `break_cjk`, Chinese and Japanese break between
    characters. Second value: a word had to be broken.

    Words are measured once each (cached) and a line is the sum of its words and spaces,
    so fitting many sizes stays fast.
    """
    lines: list[str] = []
    broke = False

    def measure(word: str) -> float:
        return word_length(font, word)

    space = measure(" ")
    for paragraph in text.split("\n"):
        current = ""
        width = 0.0
        for word, spaced in _units(paragraph, break_cjk):
            word_w = measure(word)
            gap = space if spaced else 0.0
            if current and width + gap + word_w <= max_w:
                current += (" " if spaced else "") + word
                width += gap + word_w
                continue
            if current:
                lines.append(current)
                current, width = "", 0.0
            if word_w <= max_w:
                current, width = word, word_w
                continue
            broke = True
            piece = ""
            for ch in word:
                if piece and measure(piece + ch) > max_w:
                    lines.append(piece)
                    piece = ch
                else:
                    piece += ch
            current, width = piece, measure(piece)
        if current:
            lines.append(current)
    return lines, broke


@dataclass
class Block:
    """Wrapped lines at one font size. Height runs from the top of the ink to its bottom."""
    lines: list[str]
    font: Font
    pitch: float
    broke: bool = False

    @property
    def height(self) -> float:
        if not self.lines:
            return 0.0
        return self.font.asc + (len(self.lines) - 1) * self.pitch + self.font.desc

    @property
    def width(self) -> float:
        return max((self.font.length(line) for line in self.lines), default=0.0)


def block(text: str, font: Font, max_w: float, spacing: float, balance: bool = False,
          break_cjk: bool = True) -> Block:
    lines, broke = wrap(text, font, max_w, break_cjk)
    if balance and len(lines) > 1 and not broke:
        # Narrowest width that keeps the same line count: evens out ragged titles.
        lo, hi = max_w * 0.4, max_w
        for _ in range(12):
            mid = (lo + hi) / 2
            trial, trial_broke = wrap(text, font, mid, break_cjk)
            if len(trial) <= len(lines) and not trial_broke:
                hi = mid
            else:
                lo = mid
        lines, _ = wrap(text, font, hi, break_cjk)
    return Block(lines, font, font.px * spacing, broke)


def trim(b: Block, max_h: float) -> Block:
    """Drop the lines that do not fit in max_h (keeping one), marking the cut with an ellipsis."""
    keep = len(b.lines)
    while keep > 1 and b.font.asc + (keep - 1) * b.pitch + b.font.desc > max_h:
        keep -= 1
    if keep == len(b.lines):
        return b
    lines = b.lines[:keep]
    lines[-1] = lines[-1].rstrip(" .,;:") + "…"
    return Block(lines, b.font, b.pitch, b.broke)


def sizes(largest: float, smallest: float) -> list[int]:
    """Font sizes to try, largest first, in steps of about 7%."""
    largest, smallest = max(1, int(round(largest))), max(1, int(round(smallest)))
    out = [largest]
    while out[-1] > smallest:
        out.append(max(smallest, min(out[-1] - 1, int(out[-1] * 0.93))))
    return out


def fit(text: str, theme: Theme, role: str, weight: int | None, px_range: tuple[float, float],
        max_w: float, max_h: float, spacing: float, geo: Geometry,
        balance: bool = False) -> tuple[Block, bool]:
    """The largest size at which `text` wraps into max_w x max_h, or the smallest one (and False)."""
    b = None
    for px in sizes(geo.s(px_range[0]), geo.s(px_range[1])):
        b = block(text, theme_font(theme, role, px, weight), max_w, spacing, balance)
        if not b.broke and b.height <= max_h:
            return b, True
    assert b is not None
    return trim(b, max_h), False


def ellipsize(text: str, font: Font, room: float, tracking: float = 0.0) -> str:
    """`text`, or its longest prefix that fits `room` with an ellipsis (binary search: long text stays fast)."""
    if font.length(text, tracking) <= room:
        return text
    lo, hi = 0, len(text)  # the prefix of length lo fits, hi does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if font.length(text[:mid] + "…", tracking) <= room:
            lo = mid
        else:
            hi = mid
    prefix = text[:lo].rstrip()
    return (prefix + "…") if prefix else ""
