"""Track V1 as an editor sees it: one clip per scene, with dissolves or the rendered join pieces between.

A crossfade in the render is a join piece that blends the outgoing scene's
move, carried on past its slot, with the incoming one's, started before its
slot. As a dissolve in an editor, each scene clip needs exactly those frames as
handles beyond its in and out points; they are encoded as extra single-scene
pieces (cached like any other) and joined to the cached body without
re-encoding. A join without a dissolve equivalent (fade-black), or every join
in a format whose adapter writes no transitions, stays the rendered piece.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..timeline import Body, Join, Slot


@dataclass(frozen=True)
class SceneCut:
    """Scene `scene` on V1: its media holds scene frames [first, first + media_frames); frames
    [shown_from, shown_to) of the scene play on the timeline, the rest are handles."""

    scene: int
    pieces: tuple[Body, ...]
    first: int
    shown_from: int
    shown_to: int

    @property
    def media_frames(self) -> int:
        return sum(p.frames for p in self.pieces)

    @property
    def frames(self) -> int:
        return self.shown_to - self.shown_from

    @property
    def source_start(self) -> int:
        """The first shown frame, counted from the start of the media."""
        return self.shown_from - self.first


@dataclass(frozen=True)
class JoinCut:
    """A rendered transition piece between scene `piece.scene` and the next, as its own clip."""

    piece: Join


@dataclass(frozen=True)
class Dissolve:
    """A crossfade as the editor's own dissolve: `lead` frames before the cut, `trail` after."""

    lead: int
    trail: int


def plan_cuts(slots: list[Slot], plan: list[Body | Join], dissolves: bool) -> list[SceneCut | JoinCut | Dissolve]:
    """V1 in timeline order. With `dissolves`, crossfades become Dissolve items between scene clips."""
    bodies = {p.scene: p for p in plan if isinstance(p, Body)}
    joins_out = {p.scene: p for p in plan if isinstance(p, Join)}
    cuts: list[SceneCut | JoinCut | Dissolve] = []
    for index, slot in enumerate(slots):
        into, out = joins_out.get(index - 1), joins_out.get(index)
        soft_in = dissolves and into is not None and into.kind == "crossfade"
        soft_out = dissolves and out is not None and out.kind == "crossfade"
        head = into.frames - into.lead if into else 0
        tail = out.lead if out else 0
        first = -into.lead if soft_in else head
        last = slot.frames + (out.frames - out.lead) if soft_out else slot.frames - tail
        if into is not None:
            cuts.append(Dissolve(into.lead, into.frames - into.lead) if soft_in else JoinCut(into))
        cuts.append(SceneCut(index, _cover(index, first, last, bodies.get(index)), first,
                             0 if soft_in else head, slot.frames if soft_out else slot.frames - tail))
    return cuts


def _cover(scene: int, first: int, last: int, body: Body | None) -> tuple[Body, ...]:
    """Pieces covering scene frames [first, last): the render's cached body plus handles either side."""
    if body is None or body.first < first or body.last > last:
        return (Body(scene, first, last),)
    before = (Body(scene, first, body.first),) if first < body.first else ()
    after = (Body(scene, body.last, last),) if body.last < last else ()
    return (*before, body, *after)
