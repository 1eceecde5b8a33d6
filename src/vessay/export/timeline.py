"""The exported essay as one OpenTimelineIO timeline, in whole frames of the essay's rate.

Tracks, bottom to top as editors stack them: V1 the rendered scenes, V2 the
raw material (disabled), A1 narration per scene, A2 the music bed. Markers
mark every scene's start; those that open a chapter carry its title.

OpenTimelineIO has no subtitle track, so the captions ride in the timeline's
metadata (`vessay.captions`, whole frames), for the formats that have one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import opentimelineio as otio

from .cuts import Dissolve, JoinCut, SceneCut

SCENE_MARKER = otio.schema.MarkerColor.BLUE
CHAPTER_MARKER = otio.schema.MarkerColor.RED


@dataclass(frozen=True)
class V1Item:
    """A V1 item with its media: the shown frames start `source_start` frames into a file of `media_frames`."""

    cut: SceneCut | JoinCut | Dissolve
    media: str | None = None
    source_start: int = 0
    media_frames: int = 0


@dataclass
class Material:
    """What the timeline places, by media name (relative to the media folder) and whole frames."""

    title: str
    fps: int
    size: tuple[int, int]
    scene_ids: list[str]
    v1: list[V1Item]
    slots: list[tuple[int, int]]
    """(start frame, frames) of each scene."""
    slides: list[str]
    narration: list[tuple[str, int, int]]
    """(media name, start frame, frames) per scene."""
    sources: list[tuple[int, str, int, int | None] | None] = field(default_factory=list)
    """Per scene, its own picture or footage: (scene, media name, first frame used, media frames or None for a
    still), or None."""
    bed: str | None = None
    ducking: dict[int, float] | None = None
    """Volume keyframes for the bed (frame → dB) where the format plays them; else the bed comes ducked."""
    chapters: list[tuple[int, str]] = field(default_factory=list)
    """(scene index, title) where each chapter starts."""
    captions: list[tuple[int, int, str]] = field(default_factory=list)
    """(first frame, end frame, text) of each caption cue."""
    language: str = "en"
    """The captions' language tag (`en-US`)."""


def _rt(frames: int, fps: int) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, fps)


def _range(start: int, frames: int, fps: int) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_rt(start, fps), _rt(frames, fps))


def _clip(name: str, url: str, start: int, frames: int, media_frames: int, fps: int,
          metadata: dict | None = None) -> otio.schema.Clip:
    reference = otio.schema.ExternalReference(target_url=url, available_range=_range(0, media_frames, fps))
    return otio.schema.Clip(name=name, media_reference=reference, source_range=_range(start, frames, fps),
                            metadata={"vessay": metadata or {}})


def build_timeline(material: Material, url) -> otio.schema.Timeline:
    """The timeline; `url(name)` turns a media name into the reference the format wants."""
    fps = material.fps
    ids = material.scene_ids
    timeline = otio.schema.Timeline(name=material.title, global_start_time=_rt(0, fps))
    timeline.metadata["vessay"] = {"width": material.size[0], "height": material.size[1], "fps": fps,
                                   "language": material.language,
                                   "captions": [{"start": start, "end": end, "text": text}
                                                for start, end, text in material.captions]}
    v1 = otio.schema.Track(name="V1 scenes", kind=otio.schema.TrackKind.Video)
    for placed in material.v1:
        item, name = placed.cut, placed.media
        if isinstance(item, Dissolve):
            v1.append(otio.schema.Transition(name="crossfade", transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                                             in_offset=_rt(item.lead, fps), out_offset=_rt(item.trail, fps)))
        elif isinstance(item, SceneCut):
            v1.append(_clip(ids[item.scene], url(name), placed.source_start, item.frames, placed.media_frames, fps,
                            {"scene": ids[item.scene], "role": "scene"}))
        else:
            join = item.piece
            v1.append(_clip(f"{ids[join.scene]} > {ids[join.scene + 1]} ({join.kind})", url(name), 0, join.frames,
                            join.frames, fps, {"role": "transition", "kind": join.kind}))
    timeline.tracks.append(v1)
    timeline.tracks.append(_still_track("V2 slides", material.slides, material, url))
    if any(material.sources):
        timeline.tracks.append(_sources_track(material, url))
    a1 = otio.schema.Track(name="A1 narration", kind=otio.schema.TrackKind.Audio)
    _lay(a1, [(start, _clip(ids[i], url(name), 0, frames, frames, fps, {"scene": ids[i], "role": "narration"}))
              for i, (name, start, frames) in enumerate(material.narration)], fps)
    timeline.tracks.append(a1)
    if material.bed is not None:
        last_start, last_frames = material.slots[-1]
        total = last_start + last_frames
        a2 = otio.schema.Track(name="A2 music", kind=otio.schema.TrackKind.Audio)
        bed = _clip("music", url(material.bed), 0, total, total, fps, {"role": "music"})
        if material.ducking:
            # The same shape Kdenlive's OpenTimelineIO adapter gives volume keyframes.
            bed.effects.append(otio.schema.Effect(name="ducking", effect_name="volume", metadata={
                "keyframes": {str(frame): f"{db:.2f}" for frame, db in sorted(material.ducking.items())}}))
        a2.append(bed)
        timeline.tracks.append(a2)
    timeline.tracks.markers.extend(scene_markers(material))
    return timeline


def size_of(timeline: otio.schema.Timeline) -> tuple[int, int]:
    """The essay's frame size, as the timeline carries it."""
    meta = timeline.metadata["vessay"]
    return int(meta["width"]), int(meta["height"])


def captions_of(timeline: otio.schema.Timeline) -> tuple[str, list[tuple[int, int, str]]]:
    """The captions' language tag and the cues the timeline carries: (first frame, end frame, text)."""
    meta = timeline.metadata.get("vessay", {})
    return (str(meta.get("language", "en")),
            [(int(cue["start"]), int(cue["end"]), str(cue["text"])) for cue in meta.get("captions", [])])


def scene_markers(material: Material) -> list[otio.schema.Marker]:
    """A marker at every scene's start, named by scene id; a chapter's first scene's by the chapter title."""
    chapters = dict(material.chapters)
    markers = []
    for index, (start, _) in enumerate(material.slots):
        scene_id = material.scene_ids[index]
        title = chapters.get(index)
        markers.append(otio.schema.Marker(
            name=title if title is not None else scene_id, marked_range=_range(start, 0, material.fps),
            color=CHAPTER_MARKER if title is not None else SCENE_MARKER,
            comment=f"chapter: {title} (scene {scene_id})" if title is not None else f"scene {scene_id}",
            metadata={"vessay": {"scene": scene_id, "chapter": title or ""}}))
    return markers


def _still_track(name: str, stills: list[str], material: Material, url) -> otio.schema.Track:
    track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Video)
    track.enabled = False  # raw material to re-cut from: on the timeline, out of the picture
    for index, (still, (_, frames)) in enumerate(zip(stills, material.slots)):
        scene_id = material.scene_ids[index]
        track.append(_clip(scene_id, url(still), 0, frames, frames, material.fps, {"scene": scene_id, "role": "slide"}))
    return track


def _sources_track(material: Material, url) -> otio.schema.Track:
    """V3: each scene's own image, photo or footage (with its trim) under its slot; gaps elsewhere."""
    track = otio.schema.Track(name="V3 sources", kind=otio.schema.TrackKind.Video)
    track.enabled = False
    placed = []
    for source, (start, frames) in zip(material.sources, material.slots):
        if source is None:
            continue
        scene, name, first, media_frames = source
        scene_id = material.scene_ids[scene]
        shown = frames if media_frames is None else min(frames, media_frames - first)
        placed.append((start, _clip(scene_id, url(name), first, shown, media_frames or frames, material.fps,
                                    {"scene": scene_id, "role": "source"})))
    _lay(track, placed, material.fps)
    return track


def _lay(track: otio.schema.Track, placed: list[tuple[int, otio.schema.Clip]], fps: int) -> None:
    """Clips at their start frames, with gaps between."""
    at = 0
    for start, clip in placed:
        if start > at:
            track.append(otio.schema.Gap(source_range=_range(0, start - at, fps)))
        track.append(clip)
        at = start + clip.source_range.duration.to_frames()
