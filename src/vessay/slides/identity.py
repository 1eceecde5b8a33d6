"""What about a scene shapes its slide: for cache keys."""

from __future__ import annotations

import dataclasses

from ..cache import media_digest
from ..script import Scene

_NOT_ON_SLIDE = ("id", "line", "narration", "audio", "motion", "transition", "reveals")


def slide_identity(scene: Scene) -> dict:
    """Every scene field drawn on its slide (JSON-friendly), with the image file's content hash.

    Use it in a cache key so that editing a quote, code, equation, image or clip file, chart
    data or column re-renders the slide.
    """
    out = {}
    for f in dataclasses.fields(scene):
        if f.name in _NOT_ON_SLIDE:
            continue
        value = getattr(scene, f.name)
        if dataclasses.is_dataclass(value):
            value = dataclasses.asdict(value)
        elif isinstance(value, tuple):
            value = list(value)
        if f.name == "image" and value is not None:
            try:
                value = [str(value), media_digest(value)]  # the picture's content, not its timestamp
            except OSError:
                value = [str(value)]
        if f.name == "clip" and value is not None:
            value["digest"] = media_digest(scene.clip.file)
        out[f.name] = value
    return out
