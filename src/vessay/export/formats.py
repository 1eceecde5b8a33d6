"""Each export format: which OpenTimelineIO adapter writes it, and what the format can hold.

Where an adapter has a way in for what the format supports, it is used: FCP 7
XML takes per-element metadata (a disabled track), the EDL writer drops disabled
tracks and writes clip markers as locators. FCPXML's adapter writes markers
only on clips, so timeline markers move onto the V1 clip under them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import opentimelineio as otio

from . import mlt


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
    write: Callable[[otio.schema.Timeline, tuple[int, int]], str]


def _otio(timeline: otio.schema.Timeline, size: tuple[int, int]) -> str:
    return otio.adapters.write_to_string(timeline, adapter_name="otio_json")


def _fcp7(timeline: otio.schema.Timeline, size: tuple[int, int]) -> str:
    timeline = timeline.deepcopy()
    for track in timeline.tracks:
        if not track.enabled:
            track.metadata["fcp_xml"] = {"enabled": "FALSE"}
    return otio.adapters.write_to_string(timeline, adapter_name="fcp_xml")


def _fcpx(timeline: otio.schema.Timeline, size: tuple[int, int]) -> str:
    return otio.adapters.write_to_string(markers_on_clips(timeline), adapter_name="fcpx_xml")


def _edl(timeline: otio.schema.Timeline, size: tuple[int, int]) -> str:
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


def _mlt(timeline: otio.schema.Timeline, size: tuple[int, int]) -> str:
    return mlt.write_to_string(timeline, size)


FORMATS = {form.name: form for form in (
    Format("otio", ".otio", "Kdenlive 25.04+, DaVinci Resolve, any OpenTimelineIO tool", True, False, False, _otio),
    Format("fcpxml", ".fcpxml", "Final Cut Pro, DaVinci Resolve", False, False, True, _fcpx),
    Format("xml", ".xml", "Premiere Pro, DaVinci Resolve, Final Cut Pro 7", True, False, True, _fcp7),
    Format("edl", ".edl", "any editor (V1 only)", True, False, False, _edl),
    Format("kdenlive", ".kdenlive", "Kdenlive", True, True, False, _mlt),
    Format("mlt", ".mlt", "melt, Shotcut, Kdenlive", True, True, False, _mlt),
)}


def format_for(path: Path, name: str | None) -> Format | None:
    """The format named, else the one the path's extension gives; None when neither says."""
    if name:
        return FORMATS.get(name.lower().lstrip("."))
    return next((form for form in FORMATS.values() if form.suffix == path.suffix.lower()), None)
