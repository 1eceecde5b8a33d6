"""OpenTimelineIO → MLT XML in Kdenlive's project layout: opens in Kdenlive and renders with `melt`.

The MLT adapters on PyPI fall short for an editable hand-over: `otio-mlt-adapter`
writes no markers, volume keyframes, disabled tracks or audio mixing, and cannot
read its files back; `otio-kdenlive-adapter`, deprecated by its authors, writes
no transitions. This writer covers what the exported timeline holds — clips,
gaps, dissolves, disabled tracks, volume keyframes and markers — in the layout
Kdenlive saves (a bin playlist, one tractor of two playlists per track, same-track
mixes for dissolves, guides), which Kdenlive's OpenTimelineIO adapter also reads.

A Kdenlive project's subtitle track is an `avfilter.subtitles` filter that
Kdenlive itself manages on the main tractor, reading the SRT beside the project;
`melt` renders it, so the captions are burned in as Kdenlive's own render does.
"""

from __future__ import annotations

import json
from fractions import Fraction
from math import gcd
from urllib.parse import unquote, urlparse
from xml.etree import ElementTree as ET

import opentimelineio as otio

DOC_VERSION = "1.04"
"""Kdenlive's project format before nested sequences: every Kdenlive since 22.04 opens it."""
INTERNAL = "237"
"""Kdenlive's mark on the track-compositing transitions it manages itself."""
GUIDE_TYPES = {otio.schema.MarkerColor.PURPLE: 0, otio.schema.MarkerColor.CYAN: 1, otio.schema.MarkerColor.BLUE: 2,
               otio.schema.MarkerColor.GREEN: 3, otio.schema.MarkerColor.YELLOW: 4,
               otio.schema.MarkerColor.ORANGE: 5, otio.schema.MarkerColor.RED: 6, otio.schema.MarkerColor.PINK: 7,
               otio.schema.MarkerColor.MAGENTA: 8}
STILLS = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")


def _prop(parent: ET.Element, name: str, value) -> None:
    ET.SubElement(parent, "property", name=name).text = str(value)


def _frames(time: otio.opentime.RationalTime, fps: float) -> int:
    return round(time.rescaled_to(fps).value)


def _resource(url: str) -> str:
    """A file URL or a plain (relative) path, as MLT wants it: a path, relative to the document's folder."""
    parsed = urlparse(url)
    return unquote(parsed.path) if parsed.scheme == "file" else url


class _Writer:
    def __init__(self, timeline: otio.schema.Timeline, size: tuple[int, int], subtitles: str | None):
        self.timeline = timeline
        self.subtitles = subtitles
        self.fps = float(timeline.global_start_time.rate if timeline.global_start_time else
                         timeline.duration().rate)
        self.total = _frames(timeline.duration(), self.fps)
        self.root = ET.Element("mlt", LC_NUMERIC="C", version="7.12.0", title=timeline.name)
        self.size = size
        self.producers: dict[str, ET.Element] = {}
        self.bin = ET.Element("playlist", id="main_bin")

    def document(self) -> ET.Element:
        self._profile()
        # Not marked `kdenlive:projectTractor`: Kdenlive 23.04+ would take the file for its nested-sequence
        # format (1.1) instead of converting this 1.04 one.
        main = ET.Element("tractor", id="maintractor", global_feed="1", attrib={"in": "0", "out": str(self.total - 1)})
        ET.SubElement(main, "track", producer="black_track")
        tracks = self.timeline.tracks
        # Kdenlive stacks audio tracks below video ones; within each kind, later tracks sit higher.
        ordered = ([t for t in reversed(list(tracks)) if t.kind == otio.schema.TrackKind.Audio] +
                   [t for t in tracks if t.kind != otio.schema.TrackKind.Audio])
        track_elements = [self._track(track, index) for index, track in enumerate(ordered)]
        self._bin_properties()
        self.root.append(self.bin)
        self._black()
        for track, (playlists, tractor) in zip(ordered, track_elements):
            self.root.extend([*playlists, tractor])
            hide = "video" if track.kind == otio.schema.TrackKind.Audio else ("" if track.enabled else "video")
            if track.kind == otio.schema.TrackKind.Audio and not track.enabled:
                hide = "both"
            attrs = {"producer": tractor.get("id")}
            if hide:
                attrs["hide"] = hide
            ET.SubElement(main, "track", attrs)
        for number, track in enumerate(ordered, start=1):
            self._compositing(main, number, track.kind == otio.schema.TrackKind.Audio)
        if self.subtitles:
            subtitles = ET.SubElement(main, "filter", id="subtitles")
            # A path relative to the document, as MLT resolves it; Kdenlive reads the file beside the project.
            for name, value in (("mlt_service", "avfilter.subtitles"), ("internal_added", INTERNAL),
                                ("av.filename", self.subtitles)):
                _prop(subtitles, name, value)
        self.root.append(main)
        return self.root

    def _profile(self) -> None:
        width, height = self.size
        rate = Fraction(self.fps).limit_denominator(1001)
        divisor = gcd(width, height)
        ET.SubElement(self.root, "profile", description=f"{width}x{height} {float(rate):g} fps",
                      width=str(width), height=str(height), progressive="1", sample_aspect_num="1",
                      sample_aspect_den="1", display_aspect_num=str(width // divisor),
                      display_aspect_den=str(height // divisor), frame_rate_num=str(rate.numerator),
                      frame_rate_den=str(rate.denominator), colorspace="709")

    def _bin_properties(self) -> None:
        _prop(self.bin, "kdenlive:docproperties.version", DOC_VERSION)
        _prop(self.bin, "kdenlive:docproperties.decimalPoint", ".")
        _prop(self.bin, "kdenlive:docproperties.guides", json.dumps([
            {"pos": _frames(m.marked_range.start_time, self.fps), "comment": m.name,
             "type": GUIDE_TYPES.get(m.color, 0)} for m in self.timeline.tracks.markers], ensure_ascii=False))
        _prop(self.bin, "xml_retain", 1)
        for producer in self.producers.values():
            ET.SubElement(self.bin, "entry", producer=producer.get("id"), attrib={
                "in": "0", "out": producer.get("out")})

    def _black(self) -> None:
        black = ET.Element("producer", id="black_track", attrib={"in": "0", "out": str(self.total - 1)})
        for name, value in (("length", self.total), ("eof", "continue"), ("resource", "black"),
                            ("aspect_ratio", 1), ("mlt_service", "color"), ("set.test_audio", 0)):
            _prop(black, name, value)
        self.root.append(black)

    def _producer(self, clip: otio.schema.Clip) -> ET.Element:
        reference = clip.media_reference
        resource = _resource(reference.target_url)
        if resource in self.producers:
            return self.producers[resource]
        available = reference.available_range or clip.source_range
        length = _frames(available.start_time + available.duration, self.fps)
        number = len(self.producers)
        producer = ET.Element("producer", id=f"producer{number}", attrib={"in": "0", "out": str(length - 1)})
        still = resource.lower().endswith(STILLS)
        for name, value in (("length", length), ("eof", "pause"), ("resource", resource),
                            ("mlt_service", "qimage" if still else "avformat-novalidate"),
                            ("kdenlive:clipname", clip.name), ("kdenlive:id", number + 2),
                            ("kdenlive:folderid", -1)):
            _prop(producer, name, value)
        if still:
            _prop(producer, "ttl", 25)
        self.root.append(producer)  # producers come first, before the bin and the tracks that use them
        self.producers[resource] = producer
        return producer

    def _track(self, track: otio.schema.Track, index: int) -> tuple[list[ET.Element], ET.Element]:
        """A tractor of two playlists: clips alternate between them across each same-track mix (dissolve)."""
        audio = track.kind == otio.schema.TrackKind.Audio
        lanes = [ET.Element("playlist", id=f"playlist{2 * index}"), ET.Element("playlist", id=f"playlist{2 * index + 1}")]
        ends = [0, 0]  # frame where each playlist's content ends
        tractor = ET.Element("tractor", id=f"tractor{index}", attrib={"in": "0", "out": str(self.total - 1)})
        _prop(tractor, "kdenlive:track_name", track.name)
        if audio:
            _prop(tractor, "kdenlive:audio_track", 1)
            for lane in lanes:
                _prop(lane, "kdenlive:audio_track", 1)
        lane = 0
        items = list(track)
        for position, item in enumerate(items):
            if isinstance(item, otio.schema.Transition):
                continue
            span = track.range_of_child_at_index(position)
            start, frames = _frames(span.start_time, self.fps), _frames(span.duration, self.fps)
            if isinstance(item, otio.schema.Gap) or not isinstance(item, otio.schema.Clip):
                continue
            before = items[position - 1] if position > 0 else None
            after = items[position + 1] if position + 1 < len(items) else None
            if isinstance(before, otio.schema.Transition):
                # The incoming clip of a mix starts early, overlapping the outgoing one on the other playlist.
                lane = 1 - lane
                head = _frames(before.in_offset, self.fps)
                self._mix(tractor, start - head, head + _frames(before.out_offset, self.fps), head,
                          reverse=lane == 0, audio=audio)
                start, frames = start - head, frames + head
            if isinstance(after, otio.schema.Transition):
                frames += _frames(after.out_offset, self.fps)
            source = _frames(item.source_range.start_time, self.fps) - (_frames(span.start_time, self.fps) - start)
            self._entry(lanes[lane], ends[lane], start, frames, source, item)
            ends[lane] = start + frames
        # Kdenlive reads a track's hidden state from its two playlists: "both" switches a track off.
        hide = "both" if not track.enabled else "video" if audio else "audio"
        for lane_element in lanes:
            ET.SubElement(tractor, "track", producer=lane_element.get("id"), hide=hide)
        for mix in tractor.findall("transition"):
            tractor.remove(mix)
            tractor.append(mix)  # transitions follow the tracks they join
        return lanes, tractor

    def _entry(self, lane: ET.Element, end: int, start: int, frames: int, source: int,
               clip: otio.schema.Clip) -> None:
        if start > end:
            ET.SubElement(lane, "blank", length=str(start - end))
        producer = self._producer(clip)
        entry = ET.SubElement(lane, "entry", producer=producer.get("id"),
                              attrib={"in": str(source), "out": str(source + frames - 1)})
        _prop(entry, "kdenlive:id", producer.find("property[@name='kdenlive:id']").text)
        for effect in clip.effects:
            keyframes = effect.metadata.get("keyframes")
            if effect.effect_name == "volume" and keyframes:
                volume = ET.SubElement(entry, "filter")
                _prop(volume, "mlt_service", "volume")
                _prop(volume, "kdenlive_id", "volume")
                # Keyframes count frames from the clip's first frame on the timeline, as MLT's do.
                # (OpenTimelineIO keeps metadata keys sorted as text: "10" before "8".)
                points = sorted((int(frame), value) for frame, value in keyframes.items())
                _prop(volume, "level", ";".join(f"{frame}={value}" for frame, value in points))

    def _mix(self, tractor: ET.Element, start: int, frames: int, cut: int, reverse: bool, audio: bool) -> None:
        mix = ET.SubElement(tractor, "transition", id=f"mix_{tractor.get('id')}_{start}",
                            attrib={"in": str(start), "out": str(start + frames - 1)})
        service = "mix" if audio else "luma"
        for name, value in (("a_track", 0), ("b_track", 1), ("mlt_service", service), ("kdenlive_id", service),
                            ("kdenlive:mixcut", cut), ("reverse", int(reverse)), ("start", 0) if audio else
                            ("softness", 0)):
            _prop(mix, name, value)

    def _compositing(self, main: ET.Element, number: int, audio: bool) -> None:
        """The transitions Kdenlive keeps on every track: audio summed, video composited over what is below."""
        mix = ET.SubElement(main, "transition", id=f"transition{number}")
        if audio:
            settings = (("a_track", 0), ("b_track", number), ("mlt_service", "mix"), ("kdenlive_id", "mix"),
                        ("internal_added", INTERNAL), ("always_active", 1), ("accepts_blanks", 1), ("sum", 1))
        else:
            settings = (("a_track", 0), ("b_track", number), ("version", "0.1"), ("mlt_service", "qtblend"),
                        ("kdenlive_id", "qtblend"), ("internal_added", INTERNAL), ("always_active", 1),
                        ("compositing", 0), ("distort", 0), ("rotate_center", 0))
        for name, value in settings:
            _prop(mix, name, value)


def write_to_string(timeline: otio.schema.Timeline, size: tuple[int, int] = (1920, 1080),
                    subtitles: str | None = None) -> str:
    """The timeline as a Kdenlive project (MLT XML) of frame size `size`; with `subtitles` (an SRT's path
    relative to the project), a subtitle track."""
    root = _Writer(timeline, size, subtitles).document()
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
