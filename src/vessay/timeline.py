"""Where every scene and transition sits in the final video, in whole frames.

A scene's slot is its narration plus pads. A transition into a scene straddles
the join: it takes the last frames of the outgoing slot and the first frames
of the incoming one, so transitions never change the total length or the audio
timeline. The video is cut into pieces — scene bodies and joins — each encoded
and cached on its own, then concatenated without re-encoding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LEAD_IN = 0.35
"""Seconds of picture before a scene's narration starts."""
TAIL = 0.65
"""Seconds of picture after it ends, so slides don't cut away mid-breath."""


@dataclass(frozen=True)
class Slot:
    """Where one scene sits in the final video."""

    start_frame: int
    frames: int
    fps: int

    @property
    def start(self) -> float:
        return self.start_frame / self.fps

    @property
    def end(self) -> float:
        return (self.start_frame + self.frames) / self.fps

    @property
    def voice_start(self) -> float:
        return self.start + LEAD_IN


def scene_frames(seconds: float, fps: int) -> int:
    """Frames of a scene whose narration lasts `seconds`: a whole number, long enough for it plus pads."""
    return max(1, math.ceil((LEAD_IN + seconds + TAIL) * fps))


def plan_slots(durations: list[float], fps: int, lengths: list[int] | None = None) -> list[Slot]:
    """Scene slots, each a whole number of frames long enough for its narration plus pads
    (or `lengths[i]` frames, where a scene's length is known otherwise)."""
    slots, start = [], 0
    for index, seconds in enumerate(durations):
        frames = lengths[index] if lengths else scene_frames(seconds, fps)
        slots.append(Slot(start, frames, fps))
        start += frames
    return slots


@dataclass(frozen=True)
class Body:
    """Frames [first, last) of scene `scene`'s own move, shown alone."""

    scene: int
    first: int
    last: int

    @property
    def frames(self) -> int:
        return self.last - self.first


@dataclass(frozen=True)
class Join:
    """A transition from scene `scene` to scene `scene + 1`, `frames` long.

    Frame k shows the outgoing scene at its frame `out_from + k` and the incoming
    scene at its frame `k - lead`, where `lead` frames fall before the cut.
    """

    scene: int
    kind: str
    frames: int
    lead: int
    out_from: int


def plan_pieces(slots: list[Slot], transitions: list[tuple[str, float]]) -> list[Body | Join]:
    """Bodies and joins covering every frame once. `transitions[i]` leads into scene i."""
    lengths = []  # (lead, trail) frames of the transition into each scene
    for index, (kind, seconds) in enumerate(transitions):
        if index == 0 or kind == "cut":
            lengths.append((0, 0))
            continue
        wanted = max(2, round(seconds * slots[index].fps))
        # Never take more than a third of either scene.
        lead = min(wanted // 2, slots[index - 1].frames // 3)
        trail = min(wanted - wanted // 2, slots[index].frames // 3)
        lengths.append((lead, trail))
    pieces: list[Body | Join] = []
    for index, slot in enumerate(slots):
        head = lengths[index][1]
        tail = lengths[index + 1][0] if index + 1 < len(slots) else 0
        if slot.frames - head - tail > 0:
            pieces.append(Body(index, head, slot.frames - tail))
        if index + 1 < len(slots):
            lead, trail = lengths[index + 1]
            if lead + trail:
                pieces.append(Join(index, transitions[index + 1][0], lead + trail, lead, slot.frames - lead))
    return pieces
