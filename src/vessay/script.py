"""Stage 1: load and validate a video-essay script (YAML) into typed specs."""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import VessayError, VessayErrors
from .scriptmedia import ChartSpec, ClipSpec, FocusSpec, choice, parse_chart, parse_clip, parse_focus
from .yamlmap import Fields, load_yaml

LAYOUTS = ("title", "section", "bullets", "credits", "quote", "code", "equation", "image", "two-column", "clip",
           "chart")
FIT_MODES = ("contain", "cover")
MOTION_PRESETS = ("auto", "zoom-in", "zoom-out", "pan-left", "pan-right", "pan-up", "pan-down", "drift", "still")
EASINGS = ("linear", "ease-in-out")
TRANSITIONS = ("crossfade", "fade-black", "cut")
CAPTION_STYLES = ("plain", "karaoke", "pop")
CAPTION_POSITIONS = ("auto", "bottom", "middle", "top")
SHORT_MAX_SECONDS = 60.0
"""Platforms take vertical shorts of at most a minute."""
REVEAL_MARKER = "[>]"
"""In narration: show the slide's next list item when the following word is spoken."""
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class VideoSpec:
    width: int = 1920
    height: int = 1080
    fps: int = 30


@dataclass(frozen=True)
class VoiceSpec:
    model: str = "joe-us"
    """An installed voice name (see `vessay voices`) or a path to a Piper .onnx model."""
    speed: float = 1.0
    """Speaking rate: 1.0 is the voice's natural pace, 1.2 is 20% faster."""
    speaker: int | None = None
    """Speaker index, for multi-speaker voice models only."""
    sentence_pause: float = 0.3
    """Seconds of silence between sentences."""
    line: int = 0
    """Line of the voice block, for messages about the model."""


@dataclass(frozen=True)
class TakeSpec:
    """One recording of the whole narration, split into scenes by labels or by alignment."""

    file: Path
    labels: Path | None
    line: int


@dataclass(frozen=True)
class RecordingSpec:
    """How recordings of the narration are cleaned up."""

    retakes: bool = True
    """Cut speech read again later (keeping the last complete reading)."""
    fillers: bool = True
    """Cut um, uh and er."""
    max_pause: float = 1.0
    """Longer silences inside a scene are shortened to this many seconds."""
    denoise: str = "auto"
    """"auto" (only when the pauses hold steady noise), "on" or "off"."""


@dataclass(frozen=True)
class MusicSpec:
    """A music bed under the narration."""

    file: Path
    volume: float = 0.2
    duck: bool = True
    """Lower the music while the narrator speaks."""


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
class ThumbnailSpec:
    title: str
    subtitle: str = ""
    scene: str = ""
    """Id of the scene whose layout and look the thumbnail borrows (default: the first)."""


@dataclass(frozen=True)
class CaptionSpec:
    """How captions are drawn into the picture."""

    style: str = "plain"
    """plain (two-line cues), karaoke (the spoken word lit in the accent) or pop (a few big words at a time)."""
    position: str = "auto"
    """bottom, middle or top of the platform's safe zone; auto: bottom, or middle for pop on a portrait frame."""
    size: float = 1.0
    """Text size relative to the style's own (1.0)."""
    max_words: int = 0
    """Most words on screen at once (0: the style's own: a two-line cue, or three words for pop)."""
    uppercase: bool | None = None
    """Capitals only (default: for pop)."""
    highlight: str = "color"
    """karaoke: the spoken word in the accent colour, or on an accent 'box'."""
    burn: bool = False
    """Drawn into the essay itself (shorts and vertical cuts always have them)."""


@dataclass(frozen=True)
class ShortSpec:
    """A vertical short cut from some of the essay's scenes."""

    id: str
    scenes: tuple[str, ...]
    title: str
    """The hook shown over the short's opening second."""
    captions: str = ""
    """karaoke or pop (default: the script's style when it is one of those, else pop)."""
    line: int = 0


@dataclass(frozen=True)
class Column:
    """One side of a `two-column` scene."""

    heading: str
    bullets: tuple[str, ...] = ()


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
    quote: str = ""
    attribution: str = ""
    code: str = ""
    language: str = "python"
    """A Pygments lexer name for `code`."""
    equation: str = ""
    """LaTeX-style maths (matplotlib mathtext), without the surrounding $...$."""
    image: Path | None = None
    caption: str = ""
    fit: str = "contain"
    """How `image` or `clip` fills its frame: contain (all of it shows) or cover (fills, cropped)."""
    focus: FocusSpec | None = None
    """A directed move over the photo, which then fills the whole picture."""
    clip: ClipSpec | None = None
    chart: ChartSpec | None = None
    left: Column | None = None
    right: Column | None = None
    reveals: tuple[int, ...] = ()
    """For each reveal marker in the narration, the index of the word it precedes."""

    @property
    def revealable(self) -> int:
        """How many list items the slide can reveal one by one."""
        if self.layout in ("bullets", "credits"):
            return len(self.bullets)
        if self.layout == "two-column":
            return sum(len(c.bullets) for c in (self.left, self.right) if c is not None)
        if self.layout == "chart" and self.chart is not None:
            return self.chart.revealable
        return 0

    @property
    def full_frame(self) -> bool:
        """The scene's picture is footage or a photo filling the frame, not a slide."""
        return self.layout == "clip" or (self.layout == "image" and self.focus is not None)


@dataclass(frozen=True)
class Script:
    path: Path
    title: str
    theme: str
    scenes: tuple[Scene, ...]
    voice: VoiceSpec = VoiceSpec()
    video: VideoSpec = VideoSpec()
    author: str = ""
    lexicon: dict[str, str] = field(default_factory=dict)
    """Word → how to say it; changes the speech only, never on-screen text or captions."""
    take: TakeSpec | None = None
    recording: RecordingSpec = RecordingSpec()
    music: MusicSpec | None = None
    credits: tuple[str, ...] = ()
    """Lines for the upload description's credits."""
    links: tuple[str, ...] = ()
    thumbnail: ThumbnailSpec | None = None
    captions: CaptionSpec = CaptionSpec()
    shorts: tuple[ShortSpec, ...] = ()
    base_dir: Path = field(default=Path("."))
    """Folder that relative paths in the script are resolved against."""
    numbers: tuple[int, ...] = ()
    """An excerpt's scenes' numbers in the whole essay (1-based); empty: the whole essay."""
    total: int = 0
    """How many scenes the whole essay has (0: this script's own count)."""

    @property
    def stem(self) -> str:
        return self.path.stem

    def number(self, index: int) -> int:
        """The 1-based number of scene `index` in the whole essay (a short keeps the essay's numbering)."""
        return self.numbers[index] if self.numbers else index + 1

    @property
    def scene_count(self) -> int:
        return self.total or len(self.scenes)

    def excerpt(self, scene_ids: tuple[str, ...]) -> "Script":
        """These scenes alone, in this order, numbered as in the whole essay (so their slides are shared)."""
        where = {scene.id: index for index, scene in enumerate(self.scenes)}
        picked = [where[i] for i in scene_ids]
        return replace(self, scenes=tuple(self.scenes[i] for i in picked), shorts=(),
                       numbers=tuple(self.number(i) for i in picked), total=self.scene_count)


def missing_script(path: Path) -> VessayError:
    return VessayError(f"file not found; check the path, or start a new essay with `vessay new {path}`", path)


def load_script(path: Path | str) -> Script:
    """Read and validate a script; raise VessayError (VessayErrors for several) at the bad lines.

    Validation carries on past a bad block or scene, so one run reports every problem.
    """
    path = Path(path)
    if not path.exists():
        raise missing_script(path)
    problems: list[VessayError] = []

    def attempt(read, *args, default=None):
        try:
            return read(*args)
        except VessayErrors as errs:
            problems.extend(errs.problems)
        except VessayError as err:
            problems.append(err)
        return default

    root = Fields(path, load_yaml(path), "the script")
    base_dir = path.resolve().parent
    title = attempt(lambda: root.get("title", str, required=True), default="")
    theme = attempt(root.get, "theme", str, "neon-cyberdeck", default="neon-cyberdeck")
    author = attempt(root.get, "author", str, "", default="")
    voice = attempt(lambda: _voice(root.sub("voice"), base_dir), default=VoiceSpec())
    video = attempt(lambda: _video(root.sub("video")), default=VideoSpec())
    lexicon = attempt(lambda: _lexicon(root.sub("lexicon")), default={})
    take = attempt(lambda: _take(root.sub("narration_audio"), base_dir))
    recording = attempt(lambda: _recording(root.sub("recording")), default=RecordingSpec())
    music = attempt(lambda: _music(root.sub("music"), base_dir))
    credits = tuple(attempt(root.strings, "credits", default=[]))
    links = tuple(attempt(root.strings, "links", default=[]))
    thumbnail_node = attempt(root.sub, "thumbnail")
    default_motion = attempt(lambda: _motion(root.sub("motion"), MotionSpec()), default=MotionSpec())
    default_transition = attempt(lambda: _transition(root.sub("transition"), TransitionSpec()),
                                 default=TransitionSpec())
    captions = attempt(lambda: _captions(root.sub("captions")), default=CaptionSpec())
    short_nodes = attempt(root.items, "shorts", default=[])
    scene_nodes = attempt(root.items, "scenes", default=[])
    attempt(root.reject_unknown)
    if not scene_nodes and not problems:
        raise root.error("scenes", "the script has no scenes; add a 'scenes:' list")
    scenes: list[Scene] = []
    seen: dict[str, int] = {}
    for node in scene_nodes:
        scene = attempt(lambda: _scene(Fields(path, node, "a scene"), base_dir, default_motion, default_transition,
                                       has_take=take is not None))
        if scene is None:
            continue
        if scene.id in seen:
            problems.append(VessayError(f"duplicate scene id '{scene.id}' (first used on line {seen[scene.id]})",
                                        path, scene.line))
        seen[scene.id] = scene.line
        scenes.append(scene)
    thumbnail = attempt(_thumbnail, thumbnail_node, title, list(seen)) if seen else None
    shorts = []
    for node in short_nodes:
        short = attempt(lambda: _short(Fields(path, node, "a short"), scenes))
        if short is None:
            continue
        if any(s.id == short.id for s in shorts):
            problems.append(VessayError(f"duplicate short id '{short.id}'", path, short.line))
        shorts.append(short)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise VessayErrors(sorted(problems, key=lambda p: (p.line or 0, p.col or 0)))
    return Script(path=path, title=title, theme=theme, scenes=tuple(scenes), voice=voice,
                  video=video, author=author, lexicon=lexicon, take=take, recording=recording, music=music,
                  credits=credits, links=links, thumbnail=thumbnail, captions=captions, shorts=tuple(shorts),
                  base_dir=base_dir)


def _thumbnail(fields: Fields | None, title: str, scene_ids: list[str]) -> ThumbnailSpec | None:
    if fields is None:
        return None
    spec = ThumbnailSpec(title=fields.get("title", str, title), subtitle=fields.get("subtitle", str, ""),
                         scene=fields.get("scene", str, scene_ids[0]))
    fields.reject_unknown()
    if spec.scene not in scene_ids:
        hint = difflib.get_close_matches(spec.scene, scene_ids, n=1)
        tip = f"did you mean '{hint[0]}'?" if hint else "use a scene id from the script"
        raise fields.error("scene", f"thumbnail scene '{spec.scene}' is not in the script; {tip}")
    return spec


def _captions(fields: Fields | None) -> CaptionSpec:
    if fields is None:
        return CaptionSpec()
    spec = CaptionSpec(style=choice(fields, "style", CAPTION_STYLES, "plain"),
                       position=choice(fields, "position", CAPTION_POSITIONS, "auto"),
                       size=fields.number("size", float, 1.0, 0.5, 2.0),
                       max_words=fields.number("max_words", int, 0, 0, 20),
                       uppercase=fields.get("uppercase", bool, None),
                       highlight=choice(fields, "highlight", ("color", "box"), "color"),
                       burn=fields.get("burn", bool, True))
    fields.reject_unknown()
    return spec


def _short(fields: Fields, scenes: list[Scene]) -> ShortSpec:
    short_id = str(fields.get("id", (str, int), required=True))
    if not _ID_PATTERN.match(short_id):
        raise fields.error("id", f"short id '{short_id}' may use only letters, digits, '-' and '_'")
    picked = tuple(str(s) for s in fields.strings("scenes"))
    if not picked:
        raise fields.error("scenes" if fields.has("scenes") else None,
                           f"short '{short_id}' has no 'scenes' list; name the scenes it is cut from")
    known = {scene.id: scene for scene in scenes}
    for scene_id in picked:
        if scene_id not in known:
            hint = difflib.get_close_matches(scene_id, list(known), n=1)
            tip = f"did you mean '{hint[0]}'?" if hint else "use a scene id from the script"
            raise fields.error("scenes", f"short '{short_id}' uses scene '{scene_id}', which is not in the script; "
                                         f"{tip}")
    first = known[picked[0]]
    title = " ".join(fields.get("title", str, first.title or first.id.replace("-", " ").title()).split())
    captions = fields.get("captions", str, "")
    if captions and captions not in ("karaoke", "pop"):
        raise fields.error("captions", f"a short's captions are 'karaoke' or 'pop', not '{captions}'")
    spec = ShortSpec(id=short_id, scenes=picked, title=title, captions=captions, line=fields.node.line)
    fields.reject_unknown()
    return spec


def _voice(fields: Fields | None, base_dir: Path) -> VoiceSpec:
    from .voices import resolve_voice

    if fields is None:
        return VoiceSpec()
    spec = VoiceSpec(model=fields.get("model", str, VoiceSpec.model),
                     speed=fields.number("speed", float, 1.0, 0.25, 4.0),
                     speaker=fields.get("speaker", int, None),
                     sentence_pause=fields.number("sentence_pause", float, 0.3, 0.0, 5.0),
                     line=fields.node.line)
    fields.reject_unknown()
    try:
        model, _ = resolve_voice(spec.model, base_dir)
    except VessayError as err:
        raise fields.error("model", err.message) from None
    return replace(spec, model=str(model))


def _lexicon(fields: Fields | None) -> dict[str, str]:
    if fields is None:
        return {}
    lexicon = {}
    for word in list(fields.node.value):
        lexicon[word] = fields.get(word, str, required=True)
    return lexicon


def _existing_file(fields: Fields, key: str, base_dir: Path, what: str, required: bool = True) -> Path | None:
    name = fields.get(key, str, None, required=required)
    if name is None:
        return None
    path = (base_dir / Path(name).expanduser()).resolve()
    if not path.is_file():
        raise fields.error(key, f"{what} '{name}' not found (paths are relative to the script)")
    if path.stat().st_size == 0:
        raise fields.error(key, f"{what} '{name}' is empty (0 bytes)")
    return path


def _take(fields: Fields | None, base_dir: Path) -> TakeSpec | None:
    if fields is None:
        return None
    spec = TakeSpec(file=_existing_file(fields, "file", base_dir, "recording"),
                    labels=_existing_file(fields, "labels", base_dir, "label file", required=False),
                    line=fields.node.line)
    fields.reject_unknown()
    return spec


def _recording(fields: Fields | None) -> RecordingSpec:
    if fields is None:
        return RecordingSpec()
    keep_or_cut = ("cut", "keep")
    denoise = fields.get("denoise", (bool, str), "auto")
    if denoise not in (True, False, "auto"):
        raise fields.error("denoise", f"denoise must be true, false or auto, got '{denoise}'")
    spec = RecordingSpec(retakes=choice(fields, "retakes", keep_or_cut, "cut") == "cut",
                         fillers=choice(fields, "fillers", keep_or_cut, "cut") == "cut",
                         max_pause=fields.number("max_pause", float, 1.0, 0.2, 10.0),
                         denoise={True: "on", False: "off"}.get(denoise, "auto"))
    fields.reject_unknown()
    return spec


def _music(fields: Fields | None, base_dir: Path) -> MusicSpec | None:
    if fields is None:
        return None
    spec = MusicSpec(file=_existing_file(fields, "file", base_dir, "music file"),
                     volume=fields.number("volume", float, 0.2, 0.0, 1.0),
                     duck=fields.get("duck", bool, True))
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
    spec = MotionSpec(preset=choice(fields, "preset", MOTION_PRESETS, default.preset),
                      amount=fields.number("amount", float, default.amount, 0.0, 0.3),
                      easing=choice(fields, "easing", EASINGS, default.easing))
    fields.reject_unknown()
    return spec


def _transition(fields: Fields | None, default: TransitionSpec) -> TransitionSpec:
    if fields is None:
        return default
    spec = TransitionSpec(type=choice(fields, "type", TRANSITIONS, default.type),
                          duration=fields.number("duration", float, default.duration, 0.0, 3.0))
    fields.reject_unknown()
    return spec


def _scene(fields: Fields, base_dir: Path, default_motion: MotionSpec,
           default_transition: TransitionSpec, has_take: bool) -> Scene:
    scene_id = str(fields.get("id", (str, int), required=True))
    if not _ID_PATTERN.match(scene_id):
        raise fields.error("id", f"scene id '{scene_id}' may use only letters, digits, '-' and '_'")
    layout = choice(fields, "layout", LAYOUTS, "bullets")
    title = fields.get("title", str, "")
    subtitle = fields.get("subtitle", str, "")
    bullets = tuple(fields.strings("bullets"))
    narration, reveals = split_reveals(" ".join(fields.get("narration", str, "").split()))
    audio_name = fields.get("audio", str, None)
    motion = _motion(fields.sub("motion"), default_motion)
    transition = _transition(fields.sub("transition"), default_transition)
    content = _layout_content(fields, layout, scene_id, base_dir)
    fields.reject_unknown()
    audio = _existing_file(fields, "audio", base_dir, "audio file", required=False) if audio_name else None
    if not narration and audio is None and not has_take and layout != "clip":
        raise fields.error(None, f"scene '{scene_id}' has no 'narration' text and no 'audio' file; add one")
    if layout == "bullets" and not bullets:
        raise fields.error(None, f"scene '{scene_id}' uses layout 'bullets' but has no 'bullets' list")
    if layout in ("title", "section") and not title:
        raise fields.error(None, f"scene '{scene_id}' uses layout '{layout}' but has no 'title'")
    scene = Scene(id=scene_id, layout=layout, line=fields.node.line, title=title, subtitle=subtitle,
                  bullets=bullets, narration=narration, audio=audio, motion=motion,
                  transition=transition, reveals=reveals, **content)
    if reveals and not scene.revealable:
        raise fields.error("narration", f"'{REVEAL_MARKER}' reveals list items, but layout '{layout}' has none; "
                                        "use it on bullets, credits, two-column or chart scenes")
    if len(reveals) > scene.revealable:
        raise fields.error("narration", f"{len(reveals)} '{REVEAL_MARKER}' markers but only "
                                        f"{scene.revealable} items to reveal")
    return scene


def text_words(text: str) -> list[str]:
    """The words of a narration as shown on screen (punctuation-only tokens dropped)."""
    return [w for w in text.split() if re.search(r"\w", w)]


def split_reveals(narration: str) -> tuple[str, tuple[int, ...]]:
    """Narration without its reveal markers, and for each marker the index of the word it precedes."""
    parts = narration.split(REVEAL_MARKER)
    reveals, words_before = [], 0
    for part in parts[:-1]:
        words_before += len(text_words(part))
        reveals.append(words_before)
    return " ".join(" ".join(parts).split()), tuple(reveals)


_LAYOUT_KEYS = {"quote": ("quote",), "attribution": ("quote",), "code": ("code",), "language": ("code",),
                "equation": ("equation",), "image": ("image",), "caption": ("image", "clip"),
                "fit": ("image", "clip"), "focus": ("image",), "left": ("two-column",), "right": ("two-column",),
                "clip": ("clip",), "trim": ("clip",), "clip_audio": ("clip",), "speed": ("clip",), "hold": ("clip",),
                "chart": ("chart",)}
"""Scene keys that belong to some layouts only."""


def _layout_content(fields: Fields, layout: str, scene_id: str, base_dir: Path) -> dict:
    """The layout's own scene fields, validated (paths exist, maths parses, language is known)."""
    for key, owners in _LAYOUT_KEYS.items():
        if layout not in owners and fields.has(key):
            raise fields.error(key, f"'{key}' is for layout {' or '.join(repr(o) for o in owners)}, but scene "
                                    f"'{scene_id}' uses layout '{layout}'")
    for key, owners in _LAYOUT_KEYS.items():
        if layout in owners:
            fields.raw(key)
    fields.reject_unknown()  # a misspelt key ('quoet') is reported as such, not as a missing one

    def required(key: str, what: str = "") -> str:
        value = fields.get(key, str, "")
        if not value.strip():
            where = key if fields.has(key) else None
            raise fields.error(where, f"scene '{scene_id}' uses layout '{layout}' but has no '{key}'{what}")
        return value

    if layout == "quote":
        return {"quote": " ".join(required("quote").split()),
                "attribution": " ".join(fields.get("attribution", str, "").split())}
    if layout == "code":
        import textwrap

        code = textwrap.dedent(required("code", " (a multi-line string: use 'code: |')").expandtabs(4))
        code = "\n".join(line.rstrip() for line in code.strip("\n").split("\n"))
        language = fields.get("language", str, "python").strip()
        from .slides.code import lexer_problem

        problem = lexer_problem(language)
        if problem:
            raise fields.error("language", problem)
        return {"code": code, "language": language}
    if layout == "equation":
        equation = required("equation").strip()
        from .slides.equation import parse_problem

        problem = parse_problem(equation)
        if problem:
            raise fields.error("equation", f"equation does not parse: {problem}")
        return {"equation": equation}
    if layout == "image":
        required("image")
        fit = choice(fields, "fit", FIT_MODES, "contain")
        image = _existing_file(fields, "image", base_dir, "image")
        from PIL import Image

        try:
            with Image.open(image) as probe:
                probe.verify()
        except Exception:
            raise fields.error("image", f"image '{fields.get('image', str)}' is not a picture Pillow can read "
                                        f"(use PNG, JPEG or WebP)") from None
        return {"image": image, "caption": " ".join(fields.get("caption", str, "").split()),
                "fit": fit, "focus": parse_focus(fields)}
    if layout == "clip":
        return {**parse_clip(fields, base_dir, _existing_file), "fit": choice(fields, "fit", FIT_MODES, "contain"),
                "caption": " ".join(fields.get("caption", str, "").split())}
    if layout == "chart":
        return {"chart": parse_chart(fields, base_dir)}
    if layout == "two-column":
        return {side: _column(fields, side, scene_id) for side in ("left", "right")}
    return {}


def _column(fields: Fields, side: str, scene_id: str) -> Column:
    node = fields.sub(side)
    if node is None:
        raise fields.error(None, f"scene '{scene_id}' uses layout 'two-column' but has no '{side}' "
                                 f"(a mapping: {{heading: ..., bullets: [...]}})")
    heading = node.get("heading", str, "")
    if not heading.strip():
        raise node.error("heading" if node.has("heading") else None,
                         f"'{side}' of scene '{scene_id}' has no 'heading'")
    bullets = tuple(b for b in node.strings("bullets") if b.strip())
    node.reject_unknown()
    if not bullets:
        raise node.error("bullets" if node.has("bullets") else None,
                         f"'{side}' of scene '{scene_id}' has no 'bullets' list")
    return Column(heading=" ".join(heading.split()), bullets=bullets)


def scene_names(scenes: list[Scene]) -> str:
    """"scene 'a'" or "scenes 'a', 'b'", for messages about them."""
    return f"{'scene' if len(scenes) == 1 else 'scenes'} {', '.join(repr(s.id) for s in scenes)}"


def scene_text(scene: Scene) -> str:
    """Every piece of text a scene holds (what its slide, captions and lower thirds may draw), joined."""
    return " ".join(_strings(scene))


def _strings(value) -> list[str]:
    """The strings inside a value: itself, or those of a tuple's items or a dataclass's fields."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple):
        return [s for item in value for s in _strings(item)]
    if dataclasses.is_dataclass(value):
        return [s for f in dataclasses.fields(value) for s in _strings(getattr(value, f.name))]
    return []
