"""`vessay export`: the essay as an editable timeline, with every file it uses in a folder beside it.

Sits above the render: the render's own stages make (or find cached) every
piece, narration clip and slide; export lays them on an OpenTimelineIO timeline
and writes it through the format's adapter.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from ..cache import atomic_output
from ..captions import to_srt
from ..errors import VessayError
from ..media import probe, write_wav
from ..assemble import mix_narration
from ..render import Job, Prepared, encode_pieces, prepare
from ..shots import slide_png
from ..script import Script
from ..theme import Theme
from ..timeline import LEAD_IN, Join
from ..voices import resolve_voice
from .cuts import JoinCut, SceneCut, plan_cuts
from .formats import FORMATS, Format, format_for
from .media import MediaFolder
from .mlt import STILLS
from .timeline import Material, V1Item, build_timeline

__all__ = ["FORMATS", "ExportResult", "export", "format_for", "media_folder_for"]

DUCK_DB = -12.0
"""How far the music bed dips under the voice, as volume keyframes."""
DUCK_ATTACK = 0.1
DUCK_RELEASE = 0.35
"""Seconds the bed takes to dip before speech and to come back after it."""


@dataclass(frozen=True)
class ExportResult:
    timeline: Path
    media: Path
    captions: Path
    duration_frames: int
    scenes: int


def media_folder_for(target: Path) -> Path:
    """`essay.otio` → `essay_media/` beside it."""
    return target.with_name(f"{target.stem}_media")


def export(script: Script, theme: Theme, job: Job, target: Path, form: Format) -> ExportResult:
    """Write the timeline at `target` in `form`, its media folder beside it and the captions as SRT."""
    ready = prepare(script, theme, job)
    handles = [p for cut in plan_cuts(ready.slots, ready.plan, True) if isinstance(cut, SceneCut) for p in cut.pieces]
    encode_pieces(ready.pieces, handles, job)
    cuts = plan_cuts(ready.slots, ready.plan, form.dissolves)
    job.progress.say(f"exporting: gathering media into {media_folder_for(target)}")
    folder = MediaFolder(media_folder_for(target))
    try:
        material = gather(script, theme, ready, cuts, form, folder)
        if form.absolute:
            def url(name: str) -> str:
                return folder.path(name).resolve().as_uri()
        else:
            def url(name: str) -> str:
                return f"{folder.final.name}/{name}"
        text = form.write(build_timeline(material, url), target)
        folder.commit()
    except BaseException:
        folder.abandon()
        raise
    captions = target.with_suffix(".srt")
    for path in (captions, form.subtitles(target) if form.subtitles else None):
        if path is not None:
            with atomic_output(path) as temp:
                temp.write_text(to_srt(ready.cues), encoding="utf-8")
    with atomic_output(target) as temp:
        temp.write_text(text, encoding="utf-8")
    return ExportResult(target, folder.final, captions, ready.slots[-1].start_frame + ready.slots[-1].frames,
                        len(script.scenes))


def gather(script: Script, theme: Theme, ready: Prepared, cuts, form: Format, folder: MediaFolder) -> Material:
    """Every file the timeline uses, placed in the media folder, and where each goes on the timeline."""
    fps = script.video.fps
    ids = [scene.id for scene in script.scenes]
    stems = [f"{index + 1:02d}-{scene_id}" for index, scene_id in enumerate(ids)]
    # The media are the same whatever the format, so one folder serves every export of the essay:
    # scene clips carry their dissolve handles, and every join is there as a rendered piece.
    handles = {cut.scene: cut for cut in plan_cuts(ready.slots, ready.plan, True) if isinstance(cut, SceneCut)}
    scene_media = {index: folder.join([ready.pieces.path(p) for p in cut.pieces], f"{stems[index]}.mp4")
                   for index, cut in handles.items()}
    v1 = []
    for cut in cuts:
        if isinstance(cut, SceneCut):
            media = handles[cut.scene]
            v1.append(V1Item(cut, scene_media[cut.scene], cut.shown_from - media.first, media.media_frames))
        elif isinstance(cut, JoinCut):
            scene = cut.piece.scene
            name = folder.link(ready.pieces.path(cut.piece), f"{stems[scene]}-to-{ids[scene + 1]}.mp4")
            v1.append(V1Item(cut, name, 0, cut.piece.frames))
        else:
            v1.append(V1Item(cut))
    for join in ready.plan:
        if isinstance(join, Join) and not (folder.scratch(f"{stems[join.scene]}-to-{ids[join.scene + 1]}.mp4")
                                           .exists()):
            folder.link(ready.pieces.path(join), f"{stems[join.scene]}-to-{ids[join.scene + 1]}.mp4")
    slides = [folder.link(slide_png(script, index, theme, ready.pieces.cache), f"{stems[index]}.png")
              for index in range(len(ids))]
    narration = []
    lead_frames = math.floor(LEAD_IN * fps)
    for index, (audio, slot) in enumerate(zip(ready.audios, ready.slots)):
        lead = LEAD_IN - lead_frames / fps
        frames = min(slot.frames - lead_frames, math.ceil((lead + audio.duration) * fps))
        narration.append((folder.narration(audio.wav, lead, frames, fps, f"{stems[index]}.wav"),
                          slot.start_frame + lead_frames, frames))
    sources = [_source(scene, index, stems[index], fps, folder) for index, scene in enumerate(script.scenes)]
    bed, ducking = _bed(script, ready, form, folder)
    chapter_starts = {round(start * fps): title for start, _, title in ready.chapters}
    chapters = [(index, chapter_starts[slot.start_frame]) for index, slot in enumerate(ready.slots)
                if slot.start_frame in chapter_starts]
    return Material(script.title, fps, (script.video.width, script.video.height), ids, v1,
                    [(slot.start_frame, slot.frames) for slot in ready.slots], slides, narration, sources, bed,
                    ducking, chapters, caption_frames(ready.cues, fps), caption_language(script))


def caption_language(script: Script) -> str:
    """The captions' language tag, as the Piper voice's config gives it (`en_US` → `en-US`); English when none does."""
    try:
        _, config = resolve_voice(script.voice.model, script.base_dir)
        code = json.loads(config.read_text(encoding="utf-8")).get("language", {}).get("code")
    except (VessayError, OSError, ValueError, AttributeError):
        code = None
    return code.replace("_", "-") if isinstance(code, str) and code else "en"


def caption_frames(cues, fps: int) -> list[tuple[int, int, str]]:
    """Caption cues on the frame grid: from the first frame a player shows each (the first at or after its SRT
    time, in whole milliseconds) to the first it no longer does."""
    def frame(seconds: float) -> int:
        return -(-round(seconds * 1000) * fps // 1000)
    return [(frame(cue.start), max(frame(cue.start) + 1, frame(cue.end)), cue.text) for cue in cues]


def _source(scene, index: int, stem: str, fps: int, folder: MediaFolder):
    """The scene's own picture or footage to re-cut from — an image, a photo, a clip with its trim — or None.

    A source is a path (a still, or footage used from its start) or has `file` and optional `start`/`end`
    seconds (footage with its trim).
    """
    for key in ("clip", "photo", "image"):
        value = getattr(scene, key, None)
        file = value if isinstance(value, (str, Path)) else getattr(value, "file", None)
        if file is None or not Path(file).is_file():
            continue
        file = Path(file)
        name = folder.link(file, f"{stem}-{key}{file.suffix.lower()}")
        if file.suffix.lower() in STILLS:
            return index, name, 0, None
        length = math.floor(probe(file).duration * fps)
        start = round((getattr(value, "start", None) or 0.0) * fps)
        return index, name, min(start, max(0, length - 1)), length
    return None


def _bed(script: Script, ready: Prepared, form: Format, folder: MediaFolder):
    """The music bed's media name and its ducking keyframes (None when baked in or not wanted)."""
    music = script.music
    if music is None:
        return None, None
    seconds = ready.slots[-1].end
    if not music.duck:
        return folder.bed(music, seconds, "music.wav"), None
    # Both beds, whatever the format: the folder is the same for every export of the essay.
    plain = folder.bed(music, seconds, "music.wav")
    voice = folder.scratch(".narration.wav")
    write_wav(voice, mix_narration([a.wav for a in ready.audios], ready.slots))
    try:
        ducked = folder.bed(music, seconds, "music-ducked.wav", ducked_under=voice)
    finally:
        voice.unlink(missing_ok=True)
    return (plain, ducking_keyframes(ready, script.video.fps)) if form.keyframes else (ducked, None)


def ducking_keyframes(ready: Prepared, fps: int) -> dict[int, float]:
    """Volume keyframes (frame → dB) that dip the bed under every stretch of speech."""
    spans = []
    for audio, slot in zip(ready.audios, ready.slots):
        words = audio.words or ()
        start = slot.voice_start + (words[0].start if words else 0.0)
        end = slot.voice_start + (words[-1].end if words else audio.duration)
        if spans and start - spans[-1][1] < DUCK_ATTACK + DUCK_RELEASE:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    keys = {0: 0.0}
    for start, end in spans:
        keys[max(0, round((start - DUCK_ATTACK) * fps))] = 0.0
        keys[max(0, round(start * fps))] = DUCK_DB
        keys[round(end * fps)] = DUCK_DB
        keys[round((end + DUCK_RELEASE) * fps)] = 0.0
    return keys


TIMECODE_RATES = (24, 25, 30, 48, 50, 60)
"""Frame rates SMPTE timecode counts, which EDL and both Final Cut XMLs are written in."""


def check_target(script: Script, target: Path, form: Format | None, name: str | None) -> Format:
    """The format to write, or a located error for what the format cannot hold."""
    if form is None:
        known = ", ".join(f.suffix for f in FORMATS.values())
        if name:
            raise VessayError(f"unknown export format '{name}'; choose one of {', '.join(FORMATS)}")
        raise VessayError(f"cannot tell the export format from '{target.name}'; end the name in one of {known} "
                          "or pass --format")
    if form.absolute or form.name == "edl":
        fps = script.video.fps
        if fps not in TIMECODE_RATES:
            what = {"edl": "an EDL", "xml": "FCP 7 XML", "fcpxml": "FCPXML"}[form.name]
            raise VessayError(f"{what} needs a timecode frame rate ({', '.join(map(str, TIMECODE_RATES))} fps), "
                              f"this essay is {fps} fps; change video.fps or export .otio, .kdenlive or .mlt",
                              script.path, _line_of(script.path, "fps"))
    return form


def _line_of(path: Path, key: str) -> int | None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if f"{key}:" in line:
            return number
    return None
