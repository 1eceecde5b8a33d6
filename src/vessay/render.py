"""The pipeline: script → narration → slides → motion → assembled MP4, every artefact cached."""

from __future__ import annotations

import ctypes
import gc
import json
import os
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from .assemble import Burn, assemble, build_soundtrack
from .captions import to_srt
from .cache import DEFAULT_MAX_BYTES, Cache, atomic_output, content_key, file_digest
from .errors import VessayError
from .footage import Footage, clip_sounds, frames_of, poster
from .motion import Encoder, Move, SlideCamera, canvas_size, encode_frames, resolve_preset, split_planes
from .narration import SceneAudio, narrate_all
from .progress import Progress
from .publish import caption_cues, chapter_list, write_package, write_text
from .script import Scene, Script, VideoSpec
from .slides import release_caches, render_slide, slide_identity
from .theme import Theme
from .timeline import LEAD_IN, Body, Join, Slot, plan_pieces, plan_slots


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


REVEAL_FADE = 0.25
"""Seconds a revealed list item takes to fade in."""


def slide_spec(script: Script, index: int, theme: Theme, reveal: int | None = None) -> dict:
    """Everything that shapes a scene's slide image (with `reveal` list items showing, or all)."""
    return {"content": slide_identity(script.scenes[index]), "theme": theme.cache_identity(),
            "size": canvas_size(script.video), "index": index + 1, "total": len(script.scenes),
            "essay": script.title, "reveal": reveal}


def slide_png(script: Script, index: int, theme: Theme, cache: Cache, reveal: int | None = None) -> Path:
    """The cached PNG of the scene's oversize slide, drawn only when nothing that shapes it is cached."""
    key = content_key("slide", slide_spec(script, index, theme, reveal))
    with cache.lock("slide", key):
        png = cache.get("slide", key, "png")
        if png is None:
            scene = script.scenes[index]
            if scene.full_frame:
                image = poster(scene, theme, canvas_size(script.video))
            else:
                image = render_slide(scene, theme, canvas_size(script.video), index=index + 1,
                                     total=len(script.scenes), essay_title=script.title, reveal=reveal)
            with cache.put("slide", key, "png") as temp:
                image.save(temp, format="PNG")
            png = cache.path("slide", key, "png")
        return png


def slide_image(script: Script, index: int, theme: Theme, cache: Cache, reveal: int | None = None) -> Image.Image:
    with Image.open(slide_png(script, index, theme, cache, reveal)) as image:
        return image.convert("RGB")


@dataclass(frozen=True)
class Reveals:
    """A scene's slide states: from frame `starts[k]` on, `visible[k]` list items show (None: all)."""

    starts: tuple[int, ...] = (0,)
    visible: tuple[int | None, ...] = (None,)

    def at(self, frame: float, fade: int) -> tuple[int | None, int | None, float]:
        """(state shown, state fading in, how far it has faded in) at `frame`."""
        k = max(0, int(np.searchsorted(self.starts, frame, side="right")) - 1)
        into = frame - self.starts[k]
        if k > 0 and into < fade:
            return self.visible[k - 1], self.visible[k], (into + 1) / (fade + 1)
        return self.visible[k], None, 0.0


def plan_reveals(scene: Scene, audio: SceneAudio, slot: Slot) -> Reveals:
    """When each `[>]` marker's item appears: as its word is spoken (or spread evenly without timings)."""
    if not scene.reveals:
        return Reveals()
    count = len(scene.reveals)
    first = scene.revealable - count  # items without a marker show from the start
    times = []
    for k, word_index in enumerate(scene.reveals):
        if word_index < len(audio.words):
            times.append(audio.words[word_index].start)
        else:
            times.append(audio.duration * (k + 1) / (count + 1))
    starts = [0] + [min(slot.frames - 1, round((LEAD_IN + t) * slot.fps)) for t in times]
    return Reveals(tuple(starts), tuple(first + k for k in range(count + 1)))


class Pieces:
    """Encodes the bodies and joins of the video, each cached as its own segment."""

    def __init__(self, script: Script, theme: Theme, slots: list[Slot], reveals: list[Reveals], cache: Cache,
                 encoder: Encoder):
        self.script, self.theme, self.cache, self.encoder = script, theme, cache, encoder
        self.moves = [Move(resolve_preset(scene.motion, i), scene.motion.amount, scene.motion.easing, slot.frames)
                      for i, (scene, slot) in enumerate(zip(script.scenes, slots))]
        self.reveals = reveals
        self.fade = max(1, round(REVEAL_FADE * script.video.fps))
        self.footage = {i: Footage(scene, theme, script.video, slot.frames)
                        for i, (scene, slot) in enumerate(zip(script.scenes, slots)) if scene.full_frame}

    def _shot(self, index: int) -> dict:
        if index in self.footage:
            return self.footage[index].identity()
        return {"slides": [slide_spec(self.script, index, self.theme, v) for v in self.reveals[index].visible],
                "move": asdict(self.moves[index]), "reveals": asdict(self.reveals[index]), "fade": self.fade}

    def key(self, piece: Body | Join) -> str:
        spec = {"piece": asdict(piece), "video": asdict(self.script.video), "encoder": asdict(self.encoder)}
        if isinstance(piece, Body):
            spec["shot"] = self._shot(piece.scene)
        else:
            spec["shots"] = [self._shot(piece.scene), self._shot(piece.scene + 1)]
        return content_key("segment", spec)

    def cached(self, piece: Body | Join) -> Path | None:
        return self.cache.get("segment", self.key(piece), "mp4")

    def path(self, piece: Body | Join) -> Path:
        return self.cache.path("segment", self.key(piece), "mp4")

    def slides_needed(self, piece: Body | Join) -> list[tuple[int, int | None]]:
        scenes = [piece.scene] if isinstance(piece, Body) else [piece.scene, piece.scene + 1]
        return [(i, visible) for i in scenes if i not in self.footage for visible in self.reveals[i].visible]

    def encode(self, piece: Body | Join, target: Path, on_frame, stop: threading.Event) -> None:
        video = self.script.video
        frame = (video.width, video.height)
        # Slides come from the cache per piece: holding every slide state of a long essay would cost GBs.
        cameras = {(i, visible): SlideCamera(slide_image(self.script, i, self.theme, self.cache, visible), frame)
                   for i, visible in self.slides_needed(piece)}
        size = video.width * video.height * 3 // 2
        scratch = [np.empty(size, dtype=np.uint8) for _ in range(2)]
        scenes = [piece.scene] if isinstance(piece, Body) else [piece.scene, piece.scene + 1]
        footage = ExitStack()
        fills = {i: footage.enter_context(self.footage[i].open()) for i in scenes if i in self.footage}

        def shoot(scene: int, at: float, dst: np.ndarray, spare: np.ndarray) -> None:
            """Scene `scene` at its frame `at`, with any item that is being revealed fading in."""
            if scene in fills:
                fills[scene](at, dst)
                return
            camera_at = self.moves[scene].at(at)
            shown, arriving, progress = self.reveals[scene].at(at, self.fade)
            cameras[(scene, shown)].shoot(*camera_at, dst)
            if arriving is not None:
                cameras[(scene, arriving)].shoot(*camera_at, spare)
                blend("crossfade", progress, dst, spare, frame)
                dst[:] = spare

        if isinstance(piece, Body):
            def fill(k: int, buf: np.ndarray) -> None:
                shoot(piece.scene, piece.first + k, buf, scratch[0])
        else:
            def fill(k: int, buf: np.ndarray) -> None:
                shoot(piece.scene, piece.out_from + k, scratch[0], scratch[1])
                shoot(piece.scene + 1, k - piece.lead, buf, scratch[1])
                blend(piece.kind, (k + 0.5) / piece.frames, scratch[0], buf, frame)

        with footage:
            encode_frames(fill, piece.frames, video, target, self.encoder, on_frame, stop)


def blend(kind: str, progress: float, outgoing: np.ndarray, incoming: np.ndarray, frame: tuple[int, int]) -> None:
    """Mix two yuv420p frames into `incoming`: a crossfade, or a dip through black."""
    if kind == "crossfade":
        cv2.addWeighted(outgoing, 1.0 - progress, incoming, progress, 0.0, dst=incoming)
        return
    source = outgoing if progress < 0.5 else incoming
    level = abs(1.0 - 2.0 * progress)
    for plane_src, plane_dst, neutral in zip(split_planes(source, *frame), split_planes(incoming, *frame),
                                             (16, 128, 128)):
        # Fading towards black in YUV means fading towards (16, 128, 128), not zero.
        cv2.addWeighted(plane_src, level, plane_src, 0.0, neutral * (1.0 - level), dst=plane_dst)


@dataclass(frozen=True)
class Prepared:
    """Every artefact of a render up to the final mux, all in the cache: what `export` lays on a timeline."""

    slots: list[Slot]
    plan: list[Body | Join]
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
    """Narrate, draw, encode every piece and build the soundtrack (each cached): all but the final mux."""
    cache, progress = Cache(job.cache_dir), job.progress
    cache.sweep_stale_temps()
    scenes = script.scenes
    audios = narrate_all(script, cache, progress)
    return_freed_memory()  # the voice model is gone; its heap need not stay with us while video encodes
    fps = script.video.fps
    slots = plan_slots([a.duration for a in audios], fps,
                       [frames_of(s, None if a.source == "none" else a.duration, fps) for s, a in zip(scenes, audios)])
    plan = plan_pieces(slots, [(s.transition.type, s.transition.duration) for s in scenes])
    reveals = [plan_reveals(scene, audio, slot) for scene, audio, slot in zip(scenes, audios, slots)]
    pieces = Pieces(script, theme, slots, reveals, cache, job.encoder)
    # The soundtrack needs only the narration, so it is mixed and encoded while the video encodes.
    stop_audio = threading.Event()
    audio_worker = ThreadPoolExecutor(max_workers=1)
    soundtrack_job = audio_worker.submit(soundtrack, script, audios, slots, cache, stop_audio)
    try:
        encoded = encode_pieces(pieces, plan, job)
        track, loudness_before = soundtrack_job.result()
    except BaseException:
        stop_audio.set()
        raise
    finally:
        audio_worker.shutdown(wait=True)
    timeline_words = _timeline_words(scenes, audios, slots)
    return Prepared(slots, plan, [pieces.path(p) for p in plan], pieces, audios, track, loudness_before,
                    timeline_words, caption_cues(timeline_words), chapter_list(script, slots), encoded)


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


def _draw_slides(pieces: Pieces, todo: list[Body | Join], progress: Progress) -> None:
    script, theme, cache = pieces.script, pieces.theme, pieces.cache
    needed = sorted({state for p in todo for state in pieces.slides_needed(p)}, key=lambda s: (s[0], s[1] or 0))
    with progress.bar(len(needed), "slides", "slide") as bar:
        for number, (index, visible) in enumerate(needed):
            slide_png(script, index, theme, cache, visible)
            bar.update()
            if number + 1 == len(needed) or needed[number + 1][0] != index:
                # Glyph caches of one scene's fonts would otherwise pile up across scenes.
                release_caches()
                return_freed_memory()


def soundtrack(script: Script, audios: list[SceneAudio], slots: list[Slot], cache: Cache,
               stop: threading.Event) -> tuple[Path, float]:
    """The finished AAC soundtrack (cached), and the mix's loudness before levelling."""
    music = script.music
    sounds = clip_sounds(script.scenes, slots)
    key = content_key("soundtrack", {
        "clips": [a.wav.name for a in audios],  # narration files are named by their content
        "at": [s.voice_start for s in slots], "end": slots[-1].end,
        "music": None if music is None else [file_digest(music.file), music.volume, music.duck],
        "clip_sound": [[file_digest(c.clip.file), asdict(c.clip), c.at, c.length] for c in sounds]})
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


def return_freed_memory() -> None:
    """Give freed heap back to the OS (glibc keeps it otherwise), so peak RSS tracks what is in use."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def encode_pieces(pieces: Pieces, wanted: list[Body | Join], job: Job) -> int:
    """Make sure every wanted piece is cached: draw the slides the missing ones need, then encode them,
    `job.jobs` at a time, with one bar for pieces and one for frames. Returns how many were encoded.

    On Ctrl-C or SIGTERM (raised in this thread) every encode stops within a frame; pieces
    already finished stay cached, so the next run resumes from them.
    """
    todo = [p for p in wanted if pieces.cached(p) is None]
    _draw_slides(pieces, todo, job.progress)
    frames = sum(p.frames for p in todo)
    stop = threading.Event()
    with job.progress.bar(len(todo), "video", "piece") as piece_bar, \
            job.progress.bar(frames, "frames", "frame", keep=False) as frame_bar:
        def work(piece: Body | Join) -> None:
            if stop.is_set():
                return
            key = pieces.key(piece)
            with pieces.cache.lock("segment", key):
                if pieces.cached(piece) is None:  # another render may have made it meanwhile
                    with pieces.cache.put("segment", key, "mp4") as temp:
                        pieces.encode(piece, temp, frame_bar.update, stop)
            piece_bar.update()

        pool = ThreadPoolExecutor(max_workers=max(1, job.jobs))
        futures = [pool.submit(work, piece) for piece in todo]
        try:
            for future in futures:
                future.result()
        except BaseException:
            stop.set()
            for future in futures:
                future.cancel()
            raise
        finally:
            pool.shutdown(wait=True)
    return len(todo)


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
