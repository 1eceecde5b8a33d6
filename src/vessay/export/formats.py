"""Each export format: which OpenTimelineIO adapter writes it, and what the format can hold.

Where an adapter has a way in for what the format supports, it is used: FCP 7
XML takes per-element metadata (a disabled track, a clip's audio-level
keyframes), the EDL writer drops disabled tracks and writes clip markers as
locators. FCPXML's adapter writes markers only on clips, so timeline markers
move onto the V1 clip under them; what it lacks besides (captions, volume
keyframes, clips left out of the picture) is added to its output by
`fcpxml.finish`, and FCP 7 XML's filters are put in the format's order by
`fcp7.finish`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import opentimelineio as otio

from . import fcp7, fcpxml, mlt
from .timeline import size_of


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    editors: str
    dissolves: bool
    """Crossfades become the editor's own dissolves (else the rendered join pieces are clips)."""
    keyframes: bool
    """The music bed's ducking becomes volume keyframes (else the bed comes already ducked)."""
    absolute: bool
    """Media are referenced by absolute file URLs (the format has no relative ones)."""
    write: Callable[[otio.schema.Timeline, Path], str]
    """The timeline as the format's text, for a file at the given path."""
    subtitles: Callable[[Path], Path] | None = None
    """Where the editor looks for its own subtitle track (SRT) beside a timeline at the given path."""


def kdenlive_subtitles(target: Path) -> Path:
    """Kdenlive keeps a project's subtitle track beside it: `essay.kdenlive` → `essay.kdenlive.srt`."""
    return target.with_name(f"{target.name}.srt")


def _otio(timeline: otio.schema.Timeline, target: Path) -> str:
    return otio.adapters.write_to_string(timeline, adapter_name="otio_json")


def _fcp7(timeline: otio.schema.Timeline, target: Path) -> str:
    timeline = timeline.deepcopy()
    for track in timeline.tracks:
        if not track.enabled:
            track.metadata["fcp_xml"] = {"enabled": "FALSE"}
    for clip in timeline.find_clips():
        for effect in clip.effects:
            if effect.effect_name == "volume" and effect.metadata.get("keyframes"):
                clip.metadata["fcp_xml"] = fcp7.audio_levels(effect.metadata["keyframes"])
    return fcp7.finish(otio.adapters.write_to_string(timeline, adapter_name="fcp_xml"))


def _fcpx(timeline: otio.schema.Timeline, target: Path) -> str:
    text = otio.adapters.write_to_string(markers_on_clips(timeline), adapter_name="fcpx_xml")
    return fcpxml.finish(text, timeline)


def _edl(timeline: otio.schema.Timeline, target: Path) -> str:
    return otio.adapters.write_to_string(markers_on_clips(timeline), adapter_name="cmx_3600",
                                         rate=timeline.global_start_time.rate, style="avid")


def markers_on_clips(timeline: otio.schema.Timeline) -> otio.schema.Timeline:
    """A copy with each timeline marker moved onto the V1 clip playing at its time (in the clip's own time)."""
    timeline = timeline.deepcopy()
    v1 = timeline.video_tracks()[0]
    clips = [(v1.range_of_child(clip), clip) for clip in v1.find_clips(shallow_search=True)]
    for marker in list(timeline.tracks.markers):
        at = marker.marked_range.start_time
        for placed, clip in clips:
            if placed.start_time <= at < placed.end_time_exclusive():
                offset = at - placed.start_time + clip.source_range.start_time
                clip.markers.append(otio.schema.Marker(
                    name=marker.name, marked_range=otio.opentime.TimeRange(offset, marker.marked_range.duration),
                    color=marker.color, comment=marker.comment, metadata=marker.metadata))
                break
    timeline.tracks.markers.clear()
    return timeline


def _mlt(timeline: otio.schema.Timeline, target: Path) -> str:
    return mlt.write_to_string(timeline, size_of(timeline))


def _kdenlive(timeline: otio.schema.Timeline, target: Path) -> str:
    return mlt.write_to_string(timeline, size_of(timeline), subtitles=kdenlive_subtitles(target).name)


FORMATS = {form.name: form for form in (
    Format("otio", ".otio", "Kdenlive 25.04+, DaVinci Resolve, any OpenTimelineIO tool", True, False, False, _otio),
    Format("fcpxml", ".fcpxml", "Final Cut Pro, DaVinci Resolve", False, True, True, _fcpx),
    Format("xml", ".xml", "Premiere Pro, DaVinci Resolve, Final Cut Pro 7", True, True, True, _fcp7),
    Format("edl", ".edl", "any editor (V1 only)", True, False, False, _edl),
    Format("kdenlive", ".kdenlive", "Kdenlive", True, True, False, _kdenlive, kdenlive_subtitles),
    Format("mlt", ".mlt", "melt, Shotcut, Kdenlive", True, True, False, _mlt),
)}


def format_for(path: Path, name: str | None) -> Format | None:
    """The format named, else the one the path's extension gives; None when neither says."""
    if name:
        return FORMATS.get(name.lower().lstrip("."))
    return next((form for form in FORMATS.values() if form.suffix == path.suffix.lower()), None)
