"""Narration from one long take: which span of it belongs to which scene.

Spans come from an Audacity label track (`start<TAB>end<TAB>scene-id`) or, with
no labels, from aligning the take against the script text (see takealign.py).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .cache import Cache, atomic_output, content_key, file_digest
from .errors import VessayError
from .media import AUDIO_RATE, decode_audio
from .script import Script


@dataclass(frozen=True)
class Span:
    start: float
    end: float
    line: int = 0
    """Line in the label file, for messages (0 when found by alignment)."""


def parse_labels(path: Path, scene_ids: list[str]) -> dict[str, Span]:
    """Read an Audacity label file; every label must name a scene, once, without overlaps."""
    spans: dict[str, Span] = {}
    previous: tuple[str, Span] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not raw.strip() or raw.startswith("\\"):  # "\" lines hold Audacity's frequency ranges
            continue
        parts = raw.split("\t")
        if len(parts) != 3:
            raise VessayError("expected 'start<TAB>end<TAB>scene-id' (export labels from Audacity)", path, number)
        try:
            start, end = float(parts[0]), float(parts[1])
        except ValueError:
            raise VessayError(f"start and end must be seconds, got '{parts[0]}' and '{parts[1]}'",
                              path, number) from None
        scene_id = parts[2].strip()
        if scene_id not in scene_ids:
            hint = difflib.get_close_matches(scene_id, scene_ids, n=1)
            tip = f"did you mean '{hint[0]}'?" if hint else "label each span with a scene id from the script"
            raise VessayError(f"label '{scene_id}' is not a scene in the script; {tip}", path, number)
        if scene_id in spans:
            raise VessayError(f"scene '{scene_id}' is labelled twice (also on line {spans[scene_id].line})",
                              path, number)
        if end <= start:
            raise VessayError(f"span of '{scene_id}' ends ({end:g} s) before it starts ({start:g} s)", path, number)
        span = Span(start, end, number)
        if previous and start < previous[1].end:
            raise VessayError(f"span of '{scene_id}' overlaps '{previous[0]}' (which ends at "
                              f"{previous[1].end:g} s)", path, number)
        spans[scene_id] = span
        previous = (scene_id, span)
    if not spans:
        raise VessayError("no labels found; export a label track from Audacity", path)
    return spans


def write_labels(spans: dict[str, Span], path: Path) -> None:
    """Write spans as an Audacity label file (importable with File → Import → Labels)."""
    with atomic_output(path) as temp:
        temp.write_text("".join(f"{s.start:.6f}\t{s.end:.6f}\t{scene_id}\n" for scene_id, s in spans.items()),
                        encoding="utf-8")


def find_spans(script: Script, take: np.ndarray, synthesize, cache: Cache) -> dict[str, Span]:
    """Scene spans inside the take: from its labels, or by aligning it to the script (cached)."""
    assert script.take is not None
    ids = [s.id for s in script.scenes]
    duration = len(take) / AUDIO_RATE
    if script.take.labels is not None:
        spans = parse_labels(script.take.labels, ids)
        for scene_id, span in spans.items():
            if span.end > duration + 0.05:
                raise VessayError(f"span of '{scene_id}' ends at {span.end:g} s but the recording is only "
                                  f"{duration:.2f} s long", script.take.labels, span.line)
        return spans
    from .takealign import align_take

    scenes = [s for s in script.scenes if s.audio is None]
    missing = [s.id for s in scenes if not s.narration]
    if missing:
        raise VessayError(f"scene '{missing[0]}' has no narration text to align the recording against; "
                          "add its text, or give narration_audio a 'labels' file", script.path)
    key = content_key("takealign", {"take": file_digest(script.take.file), "texts": [s.narration for s in scenes]})
    with cache.lock("takealign", key):
        found = cache.get("takealign", key, "json")
        if found is not None:
            return {k: Span(*v) for k, v in json.loads(found.read_text()).items()}
        spans = align_take(take, [s.narration for s in scenes], synthesize, AUDIO_RATE)
        result = {scene.id: Span(float(a), float(b)) for scene, (a, b) in zip(scenes, spans)}
        with cache.put("takealign", key, "json") as temp:
            temp.write_text(json.dumps({k: [v.start, v.end] for k, v in result.items()}))
        return result


def load_take(script: Script) -> np.ndarray:
    assert script.take is not None
    samples = decode_audio(script.take.file)
    if len(samples) < AUDIO_RATE * 0.1:
        raise VessayError("recording is empty or shorter than 0.1 s", script.take.file)
    return samples
