"""The pipeline: script → narration → slides → motion → assembled MP4, every artefact cached."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from .assemble import Burn, assemble, build_soundtrack
from .captions import to_srt
from .cache import DEFAULT_MAX_BYTES, Cache, atomic_output, content_key, file_digest, media_digest
from .errors import VessayError
from .footage import clip_sounds, footage, frames_of
from .memory import return_freed_memory
from .motion import Encoder, Move, resolve_preset
from .narration import SceneAudio, narrations
from .pipeline import Piece, Pieces, Scheduler
from .progress import Progress
from .publish import caption_cues, chapter_list, write_package, write_text
from .script import Scene, Script, VideoSpec
from .picture import Picture
from .shots import SlideShot, plan_reveals
from .theme import Theme
from .timeline import Slot, plan_slots


@dataclass(frozen=True)
class RenderResult:
    video: Path
    words: Path
    duration: float
    encoded_pieces: int
    """How many video pieces (scene bodies and transitions) had to be encoded; the rest were cached."""
    total_pieces: int
    loudness_before: float
    extras: tuple[Path, ...] = ()
    """Captions, chapters, description and thumbnail written beside the video."""


@dataclass(frozen=True)
class Job:
    """Everything a render needs besides the script: where things go and how hard to work."""

    out: Path
    cache_dir: Path
    progress: Progress
    encoder: Encoder = Encoder()
    jobs: int = os.cpu_count() or 1
    burn_captions: bool = False
    cache_max_bytes: int = DEFAULT_MAX_BYTES


DRAFT_ENCODER = Encoder("ultrafast", 30)
"""Fast and rough: a draft is for checking timing."""


def draft_video(video: VideoSpec) -> VideoSpec:
    """A draft's frame: half the width and height, kept even."""
    return VideoSpec(2 * round(video.width / 4), 2 * round(video.height / 4), video.fps)


def picture(script: Script, index: int, theme: Theme, cache: Cache, audio: SceneAudio, frames: int) -> Picture:
    """What scene `index` shows over its `frames` frames: its shot and any overlays drawn over it."""
    scene, fps = script.scenes[index], script.video.fps
    if scene.full_frame:
        return footage(scene, theme, script.video, frames)
    move = Move(resolve_preset(scene.motion, index), scene.motion.amount, scene.motion.easing, frames)
    return Picture(SlideShot(script, index, theme, cache, move, plan_reveals(scene, audio, frames, fps)))


@dataclass(frozen=True)
class Prepared:
    """Every artefact of a render up to the final mux, all in the cache: what `export` lays on a timeline."""

    slots: list[Slot]
    plan: list[Piece]
    segments: list[Path]
    """The cached MP4 of each piece of `plan`, in order."""
    pieces: Pieces
    audios: list[SceneAudio]
    soundtrack: Path
    loudness_before: float
    timeline_words: list[dict]
    cues: list
    chapters: list[tuple[float, float, str]]
    encoded: int
    """How many pieces had to be encoded; the rest were cached."""


def prepare(script: Script, theme: Theme, job: Job) -> Prepared:
    """Narrate, draw, encode every piece and build the soundtrack (each cached): all but the final mux.

    Each scene's pieces start encoding as soon as its narration exists, while later scenes are
    still being narrated; the soundtrack is mixed while the video encodes.
    """
    cache, progress = Cache(job.cache_dir), job.progress
    cache.sweep_stale_temps()
    scenes, fps = script.scenes, script.video.fps
    pieces = Pieces(script, cache, job.encoder)
    transitions = [(s.transition.type, s.transition.duration) for s in scenes]
    audios: list[SceneAudio] = []
    with Scheduler(pieces, job.jobs, progress) as scheduler:
        for index, audio in enumerate(narrations(script, cache, progress)):
            audios.append(audio)
            frames = scene_length(scenes[index], audio, fps)
            scheduler.add_scene(index, frames, picture(script, index, theme, cache, audio, frames), transitions)
        return_freed_memory()  # the voice model is gone; its heap need not stay with us while video encodes
        slots = plan_slots([a.duration for a in audios], fps, scheduler.frames)
        soundtrack_job = scheduler.aside(soundtrack, script, audios, slots, cache, scheduler.stop)
        plan = scheduler.finish()
        track, loudness_before = soundtrack_job.result()
    timeline_words = _timeline_words(scenes, audios, slots)
    return Prepared(slots, plan, [pieces.path(p) for p in plan], pieces, audios, track, loudness_before,
                    timeline_words, caption_cues(timeline_words), chapter_list(script, slots), scheduler.encoded)


def scene_length(scene: Scene, audio: SceneAudio, fps: int) -> int:
    """A scene's frames: its narration plus pads, or its clip's length."""
    return frames_of(scene, None if audio.source == "none" else audio.duration, fps)


def scene_slots(script: Script, audios: list[SceneAudio]) -> list[Slot]:
    """Where each scene sits, for narration already made."""
    fps = script.video.fps
    return plan_slots([a.duration for a in audios], fps,
                      [scene_length(s, a, fps) for s, a in zip(script.scenes, audios)])


def render(script: Script, theme: Theme, job: Job) -> RenderResult:
    """Render the whole essay to `job.out` (written atomically), plus `<stem>.words.json` beside it."""
    _check_writable(job.out.parent)
    ready = prepare(script, theme, job)
    job.progress.say("assembling: joining the pieces, adding the soundtrack")
    with tempfile.TemporaryDirectory(prefix="vessay-") as work, atomic_output(job.out) as temp:
        burn = _burn(Path(work), theme, ready.cues, job.encoder) if job.burn_captions else None
        assemble(ready.segments, ready.soundtrack, ready.chapters, script.title, script.author, temp, Path(work),
                 burn, (script.video.width, script.video.height))
    words_path = write_text(job.out.with_name(f"{job.out.stem}.words.json"),
                            json.dumps(ready.timeline_words, indent=1, ensure_ascii=False))
    extras = write_package(script, theme, job.out, ready.chapters, ready.cues)
    Cache(job.cache_dir).trim(job.cache_max_bytes)
    return RenderResult(job.out, words_path, ready.slots[-1].end, ready.encoded, len(ready.plan),
                        ready.loudness_before, tuple(extras))


def encode_pieces(pieces: Pieces, wanted: list[Piece], job: Job) -> int:
    """Make sure every wanted piece is cached (drawing the slides the missing ones need), encoding
    `job.jobs` at a time; returns how many were encoded."""
    with Scheduler(pieces, job.jobs, job.progress) as scheduler:
        for piece in wanted:
            scheduler.queue(piece)
        scheduler.finish()
    return scheduler.encoded


def soundtrack(script: Script, audios: list[SceneAudio], slots: list[Slot], cache: Cache,
               stop: threading.Event) -> tuple[Path, float]:
    """The finished AAC soundtrack (cached), and the mix's loudness before levelling."""
    music = script.music
    sounds = clip_sounds(script.scenes, slots)
    key = content_key("soundtrack", {
        "clips": [a.wav.name for a in audios],  # narration files are named by their content
        "at": [s.voice_start for s in slots], "end": slots[-1].end,
        "music": None if music is None else [file_digest(music.file), music.volume, music.duck],
        "clip_sound": [[media_digest(c.clip.file), asdict(c.clip), c.at, c.length] for c in sounds]})
    with cache.lock("soundtrack", key):
        track, meta = cache.get("soundtrack", key, "m4a"), cache.get("soundtrack", key, "json")
        if track is not None and meta is not None:
            return track, json.loads(meta.read_text())["loudness_before"]
        with tempfile.TemporaryDirectory(prefix="vessay-audio-") as work, \
                cache.put("soundtrack", key, "m4a") as temp:
            before = build_soundtrack([a.wav for a in audios], slots, music, temp, Path(work), stop, sounds)
        with cache.put("soundtrack", key, "json") as temp:
            temp.write_text(json.dumps({"loudness_before": before}))
        return cache.path("soundtrack", key, "m4a"), before


def _burn(work: Path, theme: Theme, cues, encoder: Encoder) -> Burn:
    """Captions file and font copied into the work folder, where libass can read them by plain paths."""
    srt = work / "captions.srt"
    srt.write_text(to_srt(cues), encoding="utf-8")
    fonts = work / "fonts"
    fonts.mkdir()
    font = fonts / theme.fonts["body"].name.replace("[", "").replace("]", "")
    shutil.copyfile(theme.fonts["body"], font)
    return Burn(srt, font, theme.colors["text"], theme.colors["background"], encoder)


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
