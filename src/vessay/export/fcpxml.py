"""What the FCPXML adapter leaves out, added to the text it writes: captions, volume keyframes, and
raw material that stays out of the picture.

`otio-fcpx-xml-adapter` writes FCPXML 1.8 with every OpenTimelineIO video track after the first as
connected clips in lanes 1, 2, … of the storyline clip playing where each starts, all of them
enabled, and audio tracks likewise in lanes -1, -2, …; it writes no effects and knows nothing of
captions. FCPXML has all three: a clip's `enabled="0"`, `adjust-volume` keyframes, and (since 1.8)
`<caption>` elements, connected to a storyline clip like any other. This pass, on the adapter's
output, switches off the clips of every disabled track, gives each clip with volume keyframes its
`adjust-volume`, and connects one SRT-role caption per cue to the storyline clip under its start,
in the lane above the highest video lane.
"""

from __future__ import annotations

from fractions import Fraction
from xml.etree import ElementTree as ET

import opentimelineio as otio

from .timeline import captions_of

CAPTIONS_SINCE = (1, 8)
"""The first FCPXML version with `<caption>`."""
CAPTION_STYLE = {"font": ".AppleSystemUIFont", "fontSize": "13", "fontFace": "Regular",
                 "fontColor": "1 1 1 1", "backgroundColor": "0 0 0 1"}
"""Final Cut's own default look for SRT captions."""
HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n\n'
TRAILING = ("marker", "chapter-marker", "rating", "keyword", "analysis-marker", "audio-channel-source",
            "filter-video", "filter-video-mask", "filter-audio", "metadata")
"""What the DTD puts after a clip's connected items: a caption goes before the first of these."""


def rational(value: str | None) -> Fraction:
    """An FCPXML time ("51/25s", "3600s") in seconds."""
    return Fraction(value[:-1]) if value else Fraction(0)


def time_text(seconds: Fraction) -> str:
    return f"{seconds.numerator}s" if seconds.denominator == 1 else f"{seconds.numerator}/{seconds.denominator}s"


def adjust_volume(keyframes, start: Fraction, rate: float) -> ET.Element:
    """Volume keyframes (frames from the clip's first → dB) as a clip's `adjust-volume`, in its own time."""
    adjust = ET.Element("adjust-volume")
    animation = ET.SubElement(ET.SubElement(adjust, "param", name="amount"), "keyframeAnimation")
    for frame, db in sorted((int(frame), float(db)) for frame, db in keyframes.items()):
        ET.SubElement(animation, "keyframe", time=time_text(start + Fraction(frame) / Fraction(rate)),
                      value=f"{db:g}dB")
    return adjust


def finish(text: str, timeline: otio.schema.Timeline) -> str:
    """The adapter's FCPXML with disabled tracks switched off and the timeline's captions added."""
    root = ET.fromstring(text)
    if tuple(int(part) for part in root.get("version", "0").split(".")) < CAPTIONS_SINCE:
        root.set("version", ".".join(map(str, CAPTIONS_SINCE)))
    video = timeline.video_tracks()
    spine = root.find(".//sequence/spine")
    off = {str(lane) for lane, track in enumerate(video) if lane and not track.enabled}
    for clip in spine.iter("clip"):
        if clip.get("lane") in off:
            clip.set("enabled", "0")
    rate = timeline.global_start_time.rate
    for lane, track in enumerate(timeline.audio_tracks(), start=1):
        for clip in track.find_clips():
            keys = next((e.metadata["keyframes"] for e in clip.effects
                         if e.effect_name == "volume" and e.metadata.get("keyframes")), None)
            for element in spine.iter("clip"):
                if keys and element.get("lane") == str(-lane) and element.get("name") == clip.name:
                    element.insert(0, adjust_volume(keys, rational(element.get("start")), rate))
    language, cues = captions_of(timeline)
    for number, (start, end, words) in enumerate(cues, start=1):
        at = Fraction(start) / Fraction(rate)
        parent = next((item for item in spine
                       if rational(item.get("offset")) <= at < rational(item.get("offset")) + rational(item.get("duration"))),
                      None)
        if parent is None:
            continue
        offset = rational(parent.get("start")) + at - rational(parent.get("offset"))
        caption = ET.Element("caption", {"lane": str(len(video)), "offset": time_text(offset),
                                         "name": words.replace("\n", " "),
                                         "duration": time_text(Fraction(end - start) / Fraction(rate)),
                                         "role": f"SRT?captionFormat=SRT.{language}"})
        block = ET.SubElement(caption, "text", placement="bottom")
        ET.SubElement(block, "text-style", ref=f"ts{number}").text = words
        ET.SubElement(ET.SubElement(caption, "text-style-def", id=f"ts{number}"), "text-style", CAPTION_STYLE)
        tags = [child.tag for child in parent]
        parent.insert(next((i for i, tag in enumerate(tags) if tag in TRAILING), len(tags)), caption)
    for element in root.iter():
        if element.text is not None and not element.text.strip():
            element.text = None
        element.tail = None
    ET.indent(root, space="    ")
    for block in root.iter("text"):  # a caption's text is mixed content: layout whitespace would show
        block.text = None
        for run in block:
            run.tail = None
    return HEADER + ET.tostring(root, encoding="unicode") + "\n"
