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


def _wanted(index: int, transitions: list[tuple[str, float]], fps: int) -> int:
    """Frames the transition into scene `index` asks for (none into the first scene, or for a cut)."""
    kind, seconds = transitions[index]
    return 0 if index == 0 or kind == "cut" else max(2, round(seconds * fps))


def _lead(index: int, frames: list[int], transitions: list[tuple[str, float]], fps: int) -> int:
    """Frames the transition into scene `index` takes from the scene before (at most a third of it)."""
    return min(_wanted(index, transitions, fps) // 2, frames[index - 1] // 3) if index > 0 else 0


def _trail(index: int, frames: list[int], transitions: list[tuple[str, float]], fps: int) -> int:
    """Frames the transition into scene `index` takes from that scene (at most a third of it)."""
    wanted = _wanted(index, transitions, fps)
    return min(wanted - wanted // 2, frames[index] // 3)


def body_piece(index: int, frames: list[int], transitions: list[tuple[str, float]], fps: int) -> Body | None:
    """Scene `index` alone, between its transitions: needs only that scene's length."""
    head = _trail(index, frames, transitions, fps)
    tail = _lead(index + 1, frames, transitions, fps) if index + 1 < len(transitions) else 0
    return Body(index, head, frames[index] - tail) if frames[index] - head - tail > 0 else None


def join_piece(index: int, frames: list[int], transitions: list[tuple[str, float]], fps: int) -> Join | None:
    """The transition from scene `index` to the next: needs both scenes' lengths."""
    lead, trail = _lead(index + 1, frames, transitions, fps), _trail(index + 1, frames, transitions, fps)
    if not lead + trail:
        return None
    return Join(index, transitions[index + 1][0], lead + trail, lead, frames[index] - lead)


def plan_pieces(slots: list[Slot], transitions: list[tuple[str, float]]) -> list[Body | Join]:
    """Bodies and joins covering every frame once. `transitions[i]` leads into scene i."""
    frames = [slot.frames for slot in slots]
    fps = slots[0].fps
    pieces: list[Body | Join] = []
    for index in range(len(slots)):
        pieces.append(body_piece(index, frames, transitions, fps))
        if index + 1 < len(slots):
            pieces.append(join_piece(index, frames, transitions, fps))
    return [piece for piece in pieces if piece is not None]
