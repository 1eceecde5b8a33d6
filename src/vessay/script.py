"""Stage 1: load and validate a video-essay script (YAML) into typed specs."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import VessayError
from .yamlmap import Fields, load_yaml

LAYOUTS = ("title", "section", "bullets", "credits")
MOTION_PRESETS = ("auto", "zoom-in", "zoom-out", "pan-left", "pan-right", "pan-up", "pan-down", "drift", "still")
EASINGS = ("linear", "ease-in-out")
TRANSITIONS = ("crossfade", "fade-black", "cut")
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class VideoSpec:
    width: int = 1920
    height: int = 1080
    fps: int = 30


@dataclass(frozen=True)
class VoiceSpec:
    speed: float = 1.0
    """Speaking rate: 1.0 is the voice's natural pace, 1.2 is 20% faster."""
    speaker: int | None = None
    """Speaker index, for multi-speaker voice models only."""


@dataclass(frozen=True)
class MotionSpec:
    preset: str = "auto"
    amount: float = 0.06
    """How far the camera travels: 0.06 = 6% zoom, or a pan over 6% of the frame."""
    easing: str = "ease-in-out"


@dataclass(frozen=True)
class TransitionSpec:
    """How a scene is entered from the one before it."""

    type: str = "crossfade"
    duration: float = 0.4


@dataclass(frozen=True)
class Scene:
    id: str
    layout: str
    line: int
    """Line of the scene in the script, for messages about it."""
    title: str = ""
    subtitle: str = ""
    bullets: tuple[str, ...] = ()
    narration: str = ""
    audio: Path | None = None
    motion: MotionSpec = MotionSpec()
    transition: TransitionSpec = TransitionSpec()


@dataclass(frozen=True)
class Script:
    path: Path
    title: str
    theme: str
    scenes: tuple[Scene, ...]
    voice: VoiceSpec = VoiceSpec()
    video: VideoSpec = VideoSpec()
    author: str = ""
    base_dir: Path = field(default=Path("."))
    """Folder that relative paths in the script are resolved against."""

    @property
    def stem(self) -> str:
        return self.path.stem


def load_script(path: Path | str) -> Script:
    """Read and validate a script; raise VessayError pointing at the bad line."""
    path = Path(path)
    root = Fields(path, load_yaml(path), "the script")
    base_dir = path.resolve().parent
    title = root.get("title", str, required=True)
    theme = root.get("theme", str, "neon-cyberdeck")
    author = root.get("author", str, "")
    voice = _voice(root.sub("voice"))
    video = _video(root.sub("video"))
    default_motion = _motion(root.sub("motion"), MotionSpec())
    default_transition = _transition(root.sub("transition"), TransitionSpec())
    scene_nodes = root.items("scenes")
    root.reject_unknown()
    if not scene_nodes:
        raise root.error("scenes", "the script has no scenes; add a 'scenes:' list")
    scenes: list[Scene] = []
    seen: dict[str, int] = {}
    for node in scene_nodes:
        scene = _scene(Fields(path, node, "a scene"), base_dir, default_motion, default_transition)
        if scene.id in seen:
            raise VessayError(f"duplicate scene id '{scene.id}' (first used on line {seen[scene.id]})",
                              path, scene.line)
        seen[scene.id] = scene.line
        scenes.append(scene)
    return Script(path=path, title=title, theme=theme, scenes=tuple(scenes), voice=voice,
                  video=video, author=author, base_dir=base_dir)


def _voice(fields: Fields | None) -> VoiceSpec:
    if fields is None:
        return VoiceSpec()
    spec = VoiceSpec(speed=fields.number("speed", float, 1.0, 0.25, 4.0),
                     speaker=fields.get("speaker", int, None))
    fields.reject_unknown()
    return spec


def _video(fields: Fields | None) -> VideoSpec:
    if fields is None:
        return VideoSpec()
    spec = VideoSpec(width=fields.number("width", int, 1920, 64, 7680),
                     height=fields.number("height", int, 1080, 64, 7680),
                     fps=fields.number("fps", int, 30, 1, 120))
    fields.reject_unknown()
    if spec.width % 2 or spec.height % 2:
        raise fields.error("width" if spec.width % 2 else "height",
                           "width and height must be even numbers (H.264 needs it)")
    return spec


def _motion(fields: Fields | None, default: MotionSpec) -> MotionSpec:
    if fields is None:
        return default
    spec = MotionSpec(preset=_choice(fields, "preset", MOTION_PRESETS, default.preset),
                      amount=fields.number("amount", float, default.amount, 0.0, 0.3),
                      easing=_choice(fields, "easing", EASINGS, default.easing))
    fields.reject_unknown()
    return spec


def _transition(fields: Fields | None, default: TransitionSpec) -> TransitionSpec:
    if fields is None:
        return default
    spec = TransitionSpec(type=_choice(fields, "type", TRANSITIONS, default.type),
                          duration=fields.number("duration", float, default.duration, 0.0, 3.0))
    fields.reject_unknown()
    return spec


def _choice(fields: Fields, key: str, allowed: tuple[str, ...], default: str) -> str:
    value = fields.get(key, str, default)
    if value not in allowed:
        hint = difflib.get_close_matches(value, allowed, n=1)
        tip = f"did you mean '{hint[0]}'?" if hint else f"use one of: {', '.join(allowed)}"
        raise fields.error(key, f"unknown {key} '{value}'; {tip}")
    return value


def _scene(fields: Fields, base_dir: Path, default_motion: MotionSpec,
           default_transition: TransitionSpec) -> Scene:
    scene_id = str(fields.get("id", (str, int), required=True))
    if not _ID_PATTERN.match(scene_id):
        raise fields.error("id", f"scene id '{scene_id}' may use only letters, digits, '-' and '_'")
    layout = _choice(fields, "layout", LAYOUTS, "bullets")
    title = fields.get("title", str, "")
    subtitle = fields.get("subtitle", str, "")
    bullets = tuple(fields.strings("bullets"))
    narration = " ".join(fields.get("narration", str, "").split())
    audio_name = fields.get("audio", str, None)
    motion = _motion(fields.sub("motion"), default_motion)
    transition = _transition(fields.sub("transition"), default_transition)
    fields.reject_unknown()
    audio = None
    if audio_name is not None:
        audio = (base_dir / audio_name).resolve()
        if not audio.is_file():
            raise fields.error("audio", f"audio file '{audio_name}' not found (paths are relative to the script)")
    if not narration and audio is None:
        raise fields.error(None, f"scene '{scene_id}' has no 'narration' text and no 'audio' file; add one")
    if layout == "bullets" and not bullets:
        raise fields.error(None, f"scene '{scene_id}' uses layout 'bullets' but has no 'bullets' list")
    if layout in ("title", "section") and not title:
        raise fields.error(None, f"scene '{scene_id}' uses layout '{layout}' but has no 'title'")
    return Scene(id=scene_id, layout=layout, line=fields.node.line, title=title, subtitle=subtitle,
                 bullets=bullets, narration=narration, audio=audio, motion=motion,
                 transition=transition)
