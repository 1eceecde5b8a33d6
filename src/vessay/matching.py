"""Which word of the text each recognised word is: a monotonic alignment of what the recogniser
heard to the text, that also lets a reader start over (a step back: the stretch is read again),
leave words or whole sentences out, and say things the text does not have (fillers, remarks,
misheard words).

A Viterbi search over "how much of the text has been read", one step per recognised word, kept
to a window of the text around the best position so its cost grows with the recording's length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SUBSTITUTE = 1.0
"""A word heard where the text has another (the recogniser misheard it)."""
INSERT = 1.0
"""A word the text does not have here."""
FILLER = 0.1
"""An um, uh or er between words."""
FILLER_FOR_WORD = 0.6
"""An um, uh or er heard where the text has a word (a short word like "a" or "and", misheard)."""
DELETE = 1.0
"""A word of the text not heard, per word."""
SKIP, SKIP_PER_WORD = 4.0, 0.05
"""Leaving out everything up to the start of a later sentence: a reader skips whole sentences."""
RESTART_AFTER_PAUSE, RESTART_ANYWHERE = 0.8, 2.5
"""Going back to an earlier start of a clause or sentence, after a pause or in mid-flow."""
OFF_START = 0.5
"""Extra cost of going back to a word that starts no clause or sentence."""
WINDOW = 600
"""Text positions considered at each step: two thirds ahead of the best, one third behind."""


@dataclass(frozen=True)
class Step:
    """What one recognised word is: "match" or "substitute" (token is the text's word it stands
    for) or "insert" (no word of the text; token -1)."""

    kind: str
    token: int = -1


def match(heard: list[str], after_pause: list[bool], sound_of: dict[str, int], text: list[int],
          starts: set[int], sentences: list[int], fillers: set[str]) -> list[Step]:
    """The best account of `heard` (recognised words, in order; `after_pause` marks the first of
    each utterance) as a reading of `text` (a sound class per word, from `sound_of`, so that
    homophones match); `starts` are the positions where clauses and sentences begin,
    `sentences` where sentences begin."""
    n = len(text)
    if not heard:
        return []
    width = min(n + 1, WINDOW)
    text_sound = np.array(text + [-1], dtype=np.int64)
    restart_extra = np.full(n + 1, OFF_START)
    restart_extra[sorted(s for s in starts if s <= n)] = 0.0
    is_sentence = np.zeros(n + 1, dtype=bool)
    is_sentence[[s for s in sentences if s <= n]] = True
    cost = np.full(width, np.inf)
    cost[0] = 0.0
    low = ahead = 0
    trail = []  # per word: (low, came_from after the jumps, consumed-by-insert flags)
    for index, word in enumerate(heard):
        positions = np.arange(low, low + width)
        jumped, came_from = _jumps(cost, positions, after_pause[index], restart_extra[low: low + width],
                                   is_sentence[low: low + width])
        sound = sound_of.get(word, -2)
        same = text_sound[low: low + width] == sound
        if word in fillers:
            step_cost = np.full(width, FILLER_FOR_WORD)
            insert_cost = FILLER
        else:
            step_cost = np.where(same, 0.0, SUBSTITUTE)
            insert_cost = INSERT
        advance = np.full(width, np.inf)
        advance[1:] = jumped[:-1] + step_cost[:-1]
        stay = jumped + insert_cost
        inserted = stay <= advance
        new = np.where(inserted, stay, advance)
        trail.append((low, came_from.astype(np.int32), inserted, same))
        # The window follows the furthest position about as good as the best, and never moves
        # back: words the text does not have can make an earlier place look best for a while.
        ahead = max(ahead, low + int(np.flatnonzero(new <= new.min() + RESTART_ANYWHERE)[-1]))
        new_low = int(np.clip(ahead - width // 3, 0, n + 1 - width))
        cost = _shift(new, new_low - low)
        low = new_low
    # The text left unread after the last word.
    positions = np.arange(low, low + width)
    left = n - positions
    ending = cost + np.minimum(DELETE * left, np.where(left > 0, SKIP + SKIP_PER_WORD * left, 0.0))
    state = low + int(np.argmin(ending))
    steps: list[Step] = []
    for index in range(len(heard) - 1, -1, -1):
        low, came_from, inserted, same = trail[index]
        at = state - low
        if inserted[at]:
            steps.append(Step("insert"))
            before = state
        else:
            steps.append(Step("match" if same[at - 1] else "substitute", state - 1))
            before = state - 1
        state = int(came_from[before - low])
    return steps[::-1]


def _jumps(cost: np.ndarray, positions: np.ndarray, after_pause: bool, restart_extra: np.ndarray,
           is_sentence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Costs after the moves that read no word (leaving words out, skipping to a sentence,
    starting over), and where each position came from."""
    best, came_from = cost.copy(), positions.copy()
    # Leaving words out: from any earlier position, DELETE per word.
    value, origin = _prefix_min(cost - DELETE * positions, positions)
    candidate = value + DELETE * positions
    better = candidate < best
    best, came_from = np.where(better, candidate, best), np.where(better, origin, came_from)
    # Skipping to the start of a sentence.
    value, origin = _prefix_min(cost - SKIP_PER_WORD * positions, positions)
    candidate = np.full(len(cost), np.inf)
    candidate[1:] = value[:-1] + SKIP_PER_WORD * positions[1:] + SKIP
    candidate[~is_sentence] = np.inf
    better = candidate < best
    best = np.where(better, candidate, best)
    came_from = np.where(better, np.concatenate([[0], origin[:-1]]), came_from)
    # Starting over from an earlier position.
    value, origin = _prefix_min(cost[::-1], positions[::-1])
    value, origin = value[::-1], origin[::-1]
    candidate = np.full(len(cost), np.inf)
    candidate[:-1] = value[1:] + (RESTART_AFTER_PAUSE if after_pause else RESTART_ANYWHERE) + restart_extra[:-1]
    better = candidate < best
    best = np.where(better, candidate, best)
    came_from = np.where(better, np.concatenate([origin[1:], [0]]), came_from)
    return best, came_from


def _prefix_min(values: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Running minimum of `values` and the position where each was reached."""
    running = np.minimum.accumulate(values)
    where = np.maximum.accumulate(np.where(values <= running, np.arange(len(values)), 0))
    return running, positions[where]


def _shift(cost: np.ndarray, by: int) -> np.ndarray:
    """The cost window moved `by` positions along the text (positions off its end are unreachable)."""
    if by == 0:
        return cost
    out = np.full(len(cost), np.inf)
    if by > 0:
        out[: len(cost) - by] = cost[by:]
    else:
        out[-by:] = cost[: len(cost) + by]
    return out
