"""Right-to-left text: which way each stretch of a line runs, and the order the stretches appear in.

A line is drawn as runs, one per font. Mixing Arabic or Hebrew with Latin words or digits needs
the Unicode Bidirectional Algorithm: it gives each character an embedding level (odd: right to
left) from the paragraph's direction and its neighbours, and runs are then shown in the order
its rule L2 gives. Levels come from python-bidi's implementation of the algorithm; each run is
then shaped in its own direction by Pillow's Raqm layout (which also mirrors brackets).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")
"""Blocks of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko, ...): text without any
is left to right throughout, and skips the algorithm."""


def has_rtl(text: str) -> bool:
    return _RIGHT_TO_LEFT.search(text) is not None


def base_level(text: str) -> int:
    """The paragraph's direction from its first letter with one (rules P2, P3): 1 right to left, else 0."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return 0
        if kind in ("R", "AL"):
            return 1
    return 0


@functools.lru_cache(maxsize=4096)
def levels(text: str, base: int | None = None) -> tuple[int, ...]:
    """Each character's resolved embedding level in a line of `text` (base: the paragraph's direction,
    default: the line's own)."""
    from bidi.algorithm import (explicit_embed_and_overrides, get_embedding_levels, get_empty_storage,
                                resolve_implicit_levels, resolve_neutral_types, resolve_weak_types)

    base = base_level(text) if base is None else base
    if not has_rtl(text) and base == 0:
        return (0,) * len(text)
    storage = get_empty_storage()
    storage["base_level"], storage["base_dir"] = base, "LR"[base]
    get_embedding_levels(text, storage)
    explicit_embed_and_overrides(storage)
    resolve_weak_types(storage)
    resolve_neutral_types(storage, False)
    resolve_implicit_levels(storage, False)
    resolved = [char["level"] for char in storage["chars"]]
    end = len(text)
    while end and text[end - 1].isspace():  # rule L1: trailing spaces take the paragraph's direction
        end -= 1
        resolved[end] = base
    return tuple(resolved)


def visual_order(item_levels: Sequence[int]) -> list[int]:
    """Indices of items (runs, words) at these levels, left to right as shown (rule L2: from the highest
    level down to the lowest odd one, reverse every stretch at that level or above)."""
    order = list(range(len(item_levels)))
    if not item_levels:
        return order
    lowest_odd = min(item_levels) | 1
    for level in range(max(item_levels), lowest_odd - 1, -1):
        start = None
        for position in range(len(order) + 1):
            inside = position < len(order) and item_levels[order[position]] >= level
            if inside and start is None:
                start = position
            elif not inside and start is not None:
                order[start:position] = order[start:position][::-1]
                start = None
    return order


def split_by_level(runs: Sequence[tuple[str, str]], text_levels: Sequence[int]) -> list[tuple[str, str, int]]:
    """(font, text) runs that together spell a line, cut where the level changes: (font, text, level)."""
    pieces: list[tuple[str, str, int]] = []
    at = 0
    for path, chunk in runs:
        start = 0
        for k in range(1, len(chunk) + 1):
            if k == len(chunk) or text_levels[at + k] != text_levels[at + start]:
                pieces.append((path, chunk[start:k], text_levels[at + start]))
                start = k
        at += len(chunk)
    return pieces


def word_order(words: Sequence[str], base: int | None = None) -> list[int]:
    """Indices of a line's words, left to right as shown when they are joined by spaces."""
    line = " ".join(words)
    if not has_rtl(line) and not base:
        return list(range(len(words)))
    line_levels = levels(line, base)
    word_levels, at = [], 0
    for word in words:
        own = line_levels[at: at + len(word)] or (0,)
        strong = [lv for ch, lv in zip(word, own) if unicodedata.bidirectional(ch) in ("L", "R", "AL")]
        word_levels.append(strong[0] if strong else min(own))
        at += len(word) + 1
    return visual_order(word_levels)
