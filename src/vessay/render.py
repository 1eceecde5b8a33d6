"""The pipeline: script → narration → slides → motion → assembled MP4, every artefact cached."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from .assemble import assemble, build_soundtrack
from .burned import cue_words, scene_overlays
from .captions import Cue, build_cues, heard_words
from .cache import DEFAULT_MAX_BYTES, Cache, atomic_output, content_key, file_digest, media_digest
from .errors import VessayError
from .footage import clip_sounds, footage, frames_of
from .media import AUDIO_RATE, read_wav
from .memory import keep_heap_small
from .motion import Encoder, Move, resolve_preset
from .narration import SceneAudio, Word, narrations
from .pipeline import Piece, Pieces, Scheduler
from .progress import Progress
from .publish import chapter_list, package_art, write_package, write_text
from .script import CaptionSpec, Scene, Script, VideoSpec
from .picture import Picture
from .shots import SlideShot, draw_slides, plan_reveals
from .theme import Theme
from .timeline import LEAD_IN, Slot, plan_slots


@dataclass(frozen=True)
class RenderResult:
    video: Path
    words: Path | None
    """Word timings beside the video (None for a short)."""
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
    captions: CaptionSpec | None = None
    """Captions burned into the picture in this style (None: none; the .srt and .vtt are always written)."""
    hook: str = ""
    """A title shown over the opening second (a short's hook)."""
    package: bool = True
    """Write captions, chapters, description, thumbnail and word timings beside the video."""
    cache_max_bytes: int = DEFAULT_MAX_BYTES


DRAFT_ENCODER = Encoder("ultrafast", 30)
"""Fast and rough: a draft is for checking timing."""


def draft_video(video: VideoSpec) -> VideoSpec:
    """A draft's frame: half the width and height, kept even."""
    return VideoSpec(2 * round(video.width / 4), 2 * round(video.height / 4), video.fps)


def picture(script: Script, index: int, theme: Theme, cache: Cache, audio: SceneAudio, frames: int,
            cues: list[Cue] = (), job: Job | None = None) -> Picture:
    """What scene `index` shows over its `frames` frames: its shot and any overlays drawn over it
    (with `job`, the captions it burns, from the scene's `cues`, and its hook over the first scene)."""
    scene, fps = script.scenes[index], script.video.fps
    if scene.full_frame:
        shown = footage(scene, theme, script.video, frames)
    else:
        move = Move(resolve_preset(scene.motion, script.number(index) - 1), scene.motion.amount,
                    scene.motion.easing, frames)
        shown = Picture(SlideShot(script, index, theme, cache, move, plan_reveals(scene, audio, frames, fps)))
    if job is None:
        return shown
    burned = scene_overlays(scene, cues, job.captions, "" if index else job.hook, theme, script.video)
    return dataclasses.replace(shown, overlays=shown.overlays + burned)


def draw_ahead(script: Script, theme: Theme, cache_dir: Path) -> threading.Thread | None:
    """Start drawing the opening scene's slides into the cache now, on a daemon thread.

    Called while the script is still being checked and narrated, so the first frame reaches
    x264 that much sooner. The render finds the slides in the cache (or waits on the cache
    lock for one still being drawn); a failure here is left for the render to meet and report.
    """
    if not script.scenes or script.scenes[0].full_frame:
        return None

    def draw() -> None:
        try:
            draw_slides(script, 0, theme, Cache(cache_dir))
        except Exception:
            pass

    thread = threading.Thread(target=draw, name="draw-ahead", daemon=True)
    thread.start()
    return thread


def heard(audio: SceneAudio) -> SceneAudio:
    """The narration with each word starting where it is heard (see captions.heard_words)."""
    if not audio.words:
        return audio
    return dataclasses.replace(audio, words=tuple(heard_words(audio.words, read_wav(audio.wav), AUDIO_RATE)))


def scene_cues(audio: SceneAudio, max_words: int) -> list[Cue]:
    """A scene's caption cues on its own timeline (0 s: its first frame): the burned captions' and,
    moved to where the scene sits, the caption files'."""
    return build_cues([[Word(w.text, LEAD_IN + w.start, LEAD_IN + w.end) for w in audio.words]], max_words)


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


def prepare(script: Script, theme: Theme, job: Job, audios: list[SceneAudio] | None = None) -> Prepared:
    """Narrate (unless `audios` are given: a short's, from the essay), draw, encode every piece and build the
    soundtrack (each cached): all but the final mux.

    Each scene's pieces start encoding as soon as its narration exists, while later scenes are
    still being narrated; the soundtrack is mixed while the video encodes.
    """
    keep_heap_small()
    cache, progress = Cache(job.cache_dir), job.progress
    cache.sweep_stale_temps()
    scenes, fps = script.scenes, script.video.fps
    pieces = Pieces(script, cache, job.encoder)
    transitions = [(s.transition.type, s.transition.duration) for s in scenes]
    arriving = narrations(script, cache, progress) if audios is None else iter(audios)
    audios, cues = [], []
    max_words = cue_words(job.captions or script.captions)
    with Scheduler(pieces, job.jobs, progress) as scheduler:
        for index, audio in enumerate(arriving):
            audio = heard(audio)
            audios.append(audio)
            cues.append(scene_cues(audio, max_words))
            frames = scene_length(scenes[index], audio, fps)
            scheduler.add_scene(index, frames, picture(script, index, theme, cache, audio, frames, cues[-1], job),
                                transitions)
        slots = plan_slots([a.duration for a in audios], fps, scheduler.frames)
        soundtrack_job = scheduler.aside(soundtrack, script, audios, slots, cache, scheduler.stop)
        plan = scheduler.finish()
        track, loudness_before = soundtrack_job.result()
    timeline_cues = [cue.shifted(slot.start) for scene, slot in zip(cues, slots) for cue in scene]
    chapters = chapter_list(script, slots) if job.package else []
    return Prepared(slots, plan, [pieces.path(p) for p in plan], pieces, audios, track, loudness_before,
                    _timeline_words(scenes, audios, slots), timeline_cues, chapters, scheduler.encoded)


def scene_length(scene: Scene, audio: SceneAudio, fps: int) -> int:
    """A scene's frames: its narration plus pads, or its clip's length."""
    return frames_of(scene, None if audio.source == "none" else audio.duration, fps)


def scene_slots(script: Script, audios: list[SceneAudio]) -> list[Slot]:
    """Where each scene sits, for narration already made."""
    fps = script.video.fps
    return plan_slots([a.duration for a in audios], fps,
                      [scene_length(s, a, fps) for s, a in zip(script.scenes, audios)])


def render(script: Script, theme: Theme, job: Job, audios: list[SceneAudio] | None = None) -> RenderResult:
    """Render `script` (the essay, or a short's excerpt of it over the essay's `audios`) to `job.out`, written
    atomically, with captions, chapters and `<stem>.words.json` beside it when `job.package`."""
    _check_writable(job.out.parent)
    ready = prepare(script, theme, job, audios)
    job.progress.say("assembling: joining the pieces, adding the soundtrack")
    art = None
    with tempfile.TemporaryDirectory(prefix="vessay-") as work, atomic_output(job.out) as temp, \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="mux") as mux:
        muxed = mux.submit(assemble, ready.segments, ready.soundtrack, ready.chapters, script.title, script.author,
                           temp, Path(work))
        if job.package:
            art = package_art(script, theme)  # drawn while ffmpeg muxes; written once the video is in place
        muxed.result()
    words_path, extras = None, []
    if job.package:
        words_path = write_text(job.out.with_name(f"{job.out.stem}.words.json"),
                                json.dumps(ready.timeline_words, indent=1, ensure_ascii=False))
        extras = write_package(script, theme, job.out, ready.chapters, ready.cues, art)
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
