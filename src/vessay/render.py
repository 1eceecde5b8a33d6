"""The pipeline: script → narration → slides → motion → assembled MP4, every artefact cached."""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from PIL import Image

from .assemble import assemble, plan_timeline
from .cache import Cache, atomic_output, content_key
from .errors import VessayError
from .motion import Encoder, canvas_size, render_motion, resolve_preset
from .narration import Narrator, SceneAudio, narrate_scene
from .progress import Progress
from .script import Scene, Script
from .slides import render_slide
from .theme import Theme


@dataclass(frozen=True)
class RenderResult:
    video: Path
    words: Path
    duration: float
    encoded_segments: int
    """How many scene segments had to be encoded (the rest came from the cache)."""
    loudness_before: float


def _slide_spec(script: Script, index: int, theme: Theme, size: tuple[int, int]) -> dict:
    """Everything that shapes a scene's slide image."""
    scene = script.scenes[index]
    return {"layout": scene.layout, "title": scene.title, "subtitle": scene.subtitle, "bullets": scene.bullets,
            "theme": theme.cache_identity(), "size": size, "index": index + 1, "total": len(script.scenes),
            "essay": script.title}


def slide_image(script: Script, index: int, theme: Theme, size: tuple[int, int], cache: Cache) -> Image.Image:
    """The scene's slide at `size`, from the cache when nothing that shapes it changed."""
    scene = script.scenes[index]
    key = content_key("slide", _slide_spec(script, index, theme, size))
    png = cache.path("slide", key, "png")
    if png.is_file():
        return Image.open(png).convert("RGB")
    image = render_slide(scene, theme, size, index=index + 1, total=len(script.scenes), essay_title=script.title)
    with atomic_output(png) as temp:
        image.save(temp, format="PNG")
    return image


def scene_segment(script: Script, index: int, theme: Theme, frames: int, cache: Cache, encoder: Encoder,
                  progress: Progress) -> tuple[Path, bool]:
    """The scene's encoded video segment; returns (path, whether it had to be encoded)."""
    scene = script.scenes[index]
    size = canvas_size(script.video)
    preset = resolve_preset(scene.motion, index)
    key = content_key("segment", {"slide": _slide_spec(script, index, theme, size), "preset": preset, "motion": asdict(scene.motion),
                                  "frames": frames, "video": asdict(script.video), "encoder": asdict(encoder)})
    segment = cache.path("segment", key, "mp4")
    if segment.is_file():
        return segment, False
    slide = slide_image(script, index, theme, size, cache)
    with progress.bar(frames, f"  frames {scene.id}", "frame", keep=False) as bar, atomic_output(segment) as temp:
        render_motion(slide, scene.motion, preset, frames, script.video, temp, encoder, on_frame=bar.update)
    return segment, True


def render(script: Script, theme: Theme, out: Path, *, cache_dir: Path, progress: Progress,
           encoder: Encoder = Encoder()) -> RenderResult:
    """Render the whole essay to `out` (written atomically), plus `<stem>.words.json` beside it."""
    _check_writable(out.parent)
    cache = Cache(cache_dir)
    narrator = Narrator()
    scenes = script.scenes
    audios: list[SceneAudio] = []
    with progress.bar(len(scenes), "narration", "scene") as bar:
        for scene in scenes:
            bar.set_postfix_str(scene.id)
            audios.append(narrate_scene(scene, script.voice, narrator, cache))
            bar.update()
    slots = plan_timeline([a.duration for a in audios], script.video.fps)
    segments, encoded = [], 0
    with progress.bar(len(scenes), "scenes", "scene") as bar:
        for index, slot in enumerate(slots):
            bar.set_postfix_str(scenes[index].id)
            path, fresh = scene_segment(script, index, theme, slot.frames, cache, encoder, progress)
            segments.append(path)
            encoded += fresh
            bar.update()
    progress.say("assembling: joining segments, normalising loudness")
    with tempfile.TemporaryDirectory(prefix="vessay-") as work, atomic_output(out) as temp:
        measured = assemble(segments, [a.wav for a in audios], slots, [_chapter_name(s) for s in scenes],
                            script.title, script.author, temp, Path(work))
    words_path = out.with_name(f"{out.stem}.words.json")
    with atomic_output(words_path) as temp:
        temp.write_text(json.dumps(_timeline_words(scenes, audios, slots), indent=1, ensure_ascii=False),
                        encoding="utf-8")
    return RenderResult(out, words_path, slots[-1].end, encoded, float(measured["input_i"]))


def _chapter_name(scene: Scene) -> str:
    return scene.title or scene.id.replace("-", " ").title()


def _timeline_words(scenes, audios, slots) -> list[dict]:
    """Word timings shifted onto the final video's timeline."""
    return [{"scene": scene.id, "start": round(slot.start, 3), "end": round(slot.end, 3),
             "source": audio.source,
             "words": [{"text": w.text, "start": round(slot.voice_start + w.start, 3),
                        "end": round(slot.voice_start + w.end, 3)} for w in audio.words]}
            for scene, audio, slot in zip(scenes, audios, slots)]


def _check_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise VessayError(f"cannot write to output folder '{folder}' ({err.strerror}); choose another with -o")

