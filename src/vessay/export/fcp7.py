"""Ducking keyframes for FCP 7 XML, which Premiere Pro and DaVinci Resolve read as audio levels.

`otio-fcp-adapter` writes no effects, but it writes a clip's `fcp_xml` metadata
as elements of its `<clipitem>`; an Audio Levels `<filter>` goes in that way.
OpenTimelineIO keeps metadata keys sorted, though, and the adapter puts them
first in the clip, so `finish` moves each filter to the end of its clip and
puts its elements in the order of the format (`<when>` before `<value>`, …).
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

LEVEL_MAX = 3.98109
"""The top audio level, +12 dB, as a gain."""
ORDER = {
    "effect": ("name", "effectid", "effectcategory", "effecttype", "mediatype", "parameter"),
    "parameter": ("parameterid", "name", "valuemin", "valuemax", "value", "keyframe"),
    "keyframe": ("when", "value"),
}
HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n'


def audio_levels(keyframes) -> dict:
    """Volume keyframes (frame → dB) as the clip metadata for an Audio Levels filter: `<keyframe>`s of a gain,
    at frames counted from the clip's start."""
    points = sorted((int(frame), 10 ** (float(db) / 20)) for frame, db in keyframes.items())
    return {"filter": [{"effect": {
        "name": "Audio Levels", "effectid": "audiolevels", "effectcategory": "audiolevels",
        "effecttype": "audiolevels", "mediatype": "audio",
        "parameter": {"@authoringApp": "PremierePro", "parameterid": "level", "name": "Level",
                      "valuemin": 0, "valuemax": LEVEL_MAX, "value": f"{points[0][1]:.5f}",
                      "keyframe": [{"when": frame, "value": f"{gain:.5f}"} for frame, gain in points]}}}]}


def finish(text: str) -> str:
    """The adapter's XML with every clip's filters last and their elements in the format's order."""
    root = ET.fromstring(text)
    for clip in root.iter("clipitem"):
        filters = clip.findall("filter")
        for element in filters:
            clip.remove(element)
            clip.append(element)
            for child in element.iter():
                order = ORDER.get(child.tag)
                if order:
                    child[:] = sorted(child, key=lambda e: order.index(e.tag) if e.tag in order else len(order))
    for element in root.iter():
        if element.text is not None and not element.text.strip():
            element.text = None
        element.tail = None
    ET.indent(root, space="    ")
    return HEADER + ET.tostring(root, encoding="unicode") + "\n"
