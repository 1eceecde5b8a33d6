"""The storyboard as the page sees it: one card per scene, a timeline, and the problems found.

Plain JSON-ready dicts built from the render's own pieces (slots, chapters, word timings,
check findings), so what the page shows is what a render makes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

from ..errors import VessayError, VessayErrors
from ..motion import resolve_preset
from ..narration import SceneAudio
from ..publish import chapter_list, scene_title
from ..script import Scene, Script
from ..timeline import Body, Slot, plan_pieces
from .files import Roots

EXCERPT = 2
"""Lines shown above and below a problem's line."""


def flatten(err: VessayError) -> list[VessayError]:
    return list(err.problems) if isinstance(err, VessayErrors) else [err]


def scene_spans(script: Script) -> list[tuple[str, int, int]]:
    """(scene id, first line, last line) of each scene in the script file."""
    starts = [s.line for s in script.scenes]
    total = len(script.path.read_text(encoding="utf-8").splitlines())
    ends = [max(a, b - 1) for a, b in zip(starts, starts[1:])] + [max(total, starts[-1] if starts else 1)]
    return [(s.id, start, end) for s, start, end in zip(script.scenes, starts, ends)]


def problem(err: VessayError, level: str, script_path: Path, spans: list[tuple[str, int, int]],
            project: Path) -> dict:
    """One finding for the page: where it is (with the lines around it), what it says, which scene."""
    scene = None
    if err.file is not None and err.line is not None and _same_file(err.file, script_path):
        scene = next((sid for sid, first, last in spans if first <= err.line <= last), None)
    return {"level": level, "message": err.message.removeprefix("warning: "), "scene": scene,
            "file": shown(err.file, project) if err.file else None, "line": err.line, "col": err.col,
            "excerpt": _excerpt(err.file, err.line) if err.file and err.line else []}


def note(message: str) -> dict:
    """A problem that belongs to no file or line."""
    return {"level": "error", "message": message, "scene": None, "file": None, "line": None, "col": None,
            "excerpt": []}


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def shown(path: Path, project: Path) -> str:
    """A path as the user typed it, more or less: relative to the project when inside it."""
    resolved = path.resolve()
    return str(resolved.relative_to(project)) if resolved.is_relative_to(project) else str(path)


def _excerpt(path: Path, line: int) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    first, last = max(1, line - EXCERPT), min(len(lines), line + EXCERPT)
    return [{"n": n, "text": lines[n - 1]} for n in range(first, last + 1)]


def card(script: Script, index: int, picture: dict | None, audio: dict | None, findings: list[dict]) -> dict:
    """Everything the page shows for one scene; `audio` is None while it is still being narrated."""
    scene = script.scenes[index]
    body = {"id": scene.id, "index": index, "line": scene.line, "layout": scene.layout,
            "title": scene_title(scene), "narration": scene.narration, "reveals": list(scene.reveals),
            "motion": resolve_preset(scene.motion, index), "transition": dataclasses.asdict(scene.transition),
            "recorded": scene.audio is not None or script.take is not None,
            "picture": picture, "audio": audio, "findings": [f for f in findings if f["scene"] == scene.id]}
    body["rev"] = hashlib.sha1(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return body


def audio_card(audio: SceneAudio, roots: Roots) -> dict:
    """A scene's narration for the page: where to fetch it, how long it is, when each word is said."""
    return {"url": roots.url(audio.wav) if audio.source != "none" else None, "duration": round(audio.duration, 3),
            "source": {"tts": "voice"}.get(audio.source, audio.source),
            "words": [[w.text, round(w.start, 3), round(w.end, 3)] for w in audio.words],
            "cuts": cuts(audio)}


def cuts(audio: SceneAudio) -> list[dict]:
    """What cleanup took out of a recording (retakes, fillers, long pauses), when the narration says."""
    found = []
    for cut in getattr(audio, "cuts", None) or ():
        get = cut.get if isinstance(cut, dict) else lambda key, c=cut: getattr(c, key, None)
        try:
            start, end = float(get("start")), float(get("end"))
        except (TypeError, ValueError):
            continue
        found.append({"start": round(start, 3), "end": round(end, 3), "reason": str(get("reason") or "cut")})
    return found


def identity(script: Script, scene: Scene) -> str:
    """What a scene's narration depends on: equal identities mean the same audio and timings."""
    spec = {"narration": scene.narration, "audio": str(scene.audio), "voice": dataclasses.asdict(script.voice),
            "lexicon": script.lexicon, "take": dataclasses.asdict(script.take) if script.take else None}
    return hashlib.sha1(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()


def timeline(script: Script, slots: list[Slot]) -> dict:
    """Scenes to scale, the transitions between them, chapters and the music bed."""
    fps = script.video.fps
    pieces = plan_pieces(slots, [(s.transition.type, s.transition.duration) for s in script.scenes])
    joins = [{"at": round(slots[p.scene + 1].start, 3), "start": round(slots[p.scene].start + p.out_from / fps, 3),
              "duration": round(p.frames / fps, 3), "kind": p.kind}
             for p in pieces if not isinstance(p, Body)]
    music = script.music
    return {"duration": round(slots[-1].end, 3),
            "scenes": [{"id": s.id, "layout": s.layout, "start": round(slot.start, 3), "end": round(slot.end, 3),
                        "voice": round(slot.voice_start, 3)} for s, slot in zip(script.scenes, slots)],
            "joins": joins,
            "chapters": [{"start": round(a, 3), "end": round(b, 3), "title": title}
                         for a, b, title in chapter_list(script, slots)],
            "clips": [{"id": s.id, "start": round(slot.start, 3), "end": round(slot.end, 3)}
                      for s, slot in zip(script.scenes, slots) if getattr(s, "clip", None) is not None],
            "music": None if music is None else {"name": music.file.name, "volume": music.volume,
                                                 "duck": music.duck}}


def referenced_files(script: Script) -> set[Path]:
    """Every file the script points at (recordings, images, music, labels, a voice model, and any
    picture source a layout adds), so saving one of them re-renders what uses it."""
    found = {script.path.resolve()}

    def collect(value) -> None:
        if isinstance(value, Path):
            found.add(value.resolve())
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                collect(getattr(value, f.name))
        elif isinstance(value, (tuple, list)):
            for item in value:
                collect(item)

    for part in (*script.scenes, script.take, script.music):
        collect(part)
    model = Path(script.voice.model)
    if model.suffix == ".onnx":
        found |= {model.resolve(), model.with_suffix(".onnx.json").resolve(), model.with_suffix(".json").resolve()}
    return found
