"""Shorts: a few of the essay's scenes as a vertical video with big captions and a hook title.

A short is the essay's own scenes, narration and slides re-cut: its speech comes from the
narration cache (nothing is spoken twice), its slides from the slide cache when the essay's
vertical cut drew them, and its soundtrack is mixed and levelled on its own.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from .cache import Cache
from .errors import VessayError
from .narration import SceneAudio, narrate_all
from .render import Job, RenderResult, render, scene_slots
from .script import SHORT_MAX_SECONDS, CaptionSpec, ShortSpec, Script, VideoSpec
from .theme import Theme

ASPECTS = {"9:16": (1080, 1920), "1:1": (1080, 1080)}
"""Frame sizes a short is rendered at: upright for Shorts, Reels and TikTok, square for feeds."""


def short_captions(script: Script, short: ShortSpec) -> CaptionSpec:
    """The short's own style, else the script's when it is karaoke or pop, else pop; the script's options."""
    style = short.captions or (script.captions.style if script.captions.style in ("karaoke", "pop") else "pop")
    return dataclasses.replace(script.captions, style=style, burn=True)


def short_length(script: Script, spoken: dict[str, SceneAudio], short: ShortSpec) -> float:
    """Seconds the short lasts: its scenes' narration (`spoken`, by scene id) with the usual pads."""
    return scene_slots(script.excerpt(short.scenes), [spoken[i] for i in short.scenes])[-1].end


def length_problems(script: Script, audios: list[SceneAudio],
                    shorts: tuple[ShortSpec, ...] | None = None) -> list[VessayError]:
    """One error for each short (of `shorts`, default all) longer than the platforms take; `audios` are
    the narration of the script's scenes."""
    spoken = {scene.id: audio for scene, audio in zip(script.scenes, audios)}
    problems = []
    for short in script.shorts if shorts is None else shorts:
        seconds = short_length(script, spoken, short)
        if seconds > SHORT_MAX_SECONDS:
            problems.append(VessayError(
                f"short '{short.id}' lasts {seconds:.1f} s, longer than the {SHORT_MAX_SECONDS:.0f} s a short may be; "
                f"drop a scene from it or shorten their narration", script.path, short.line))
    return problems


@dataclass(frozen=True)
class ShortRender:
    """One short at one aspect: the script it renders (its scenes at its frame size) and where it goes."""

    short: ShortSpec
    aspect: str
    script: Script

    def path(self, folder: Path, stem: str) -> Path:
        suffix = "" if self.aspect == "9:16" else "-" + self.aspect.replace(":", "x")
        return folder / f"{stem}-{self.short.id}{suffix}.mp4"


def short_renders(script: Script, aspects: tuple[str, ...] = ("9:16",),
                  only: tuple[str, ...] = ()) -> list[ShortRender]:
    """Each of the script's shorts (or those in `only`) at each aspect."""
    known = [short.id for short in script.shorts]
    for name in only:
        if name not in known:
            raise VessayError(f"the script has no short '{name}'; its shorts are: {', '.join(known) or 'none'}",
                              script.path)
    return [ShortRender(short, aspect, dataclasses.replace(script.excerpt(short.scenes),
                                                           video=VideoSpec(*ASPECTS[aspect], script.video.fps)))
            for short in script.shorts if not only or short.id in only for aspect in aspects]


def render_shorts(script: Script, theme: Theme, job: Job, folder: Path,
                  wanted: list[ShortRender]) -> list[RenderResult]:
    """Render the `wanted` shorts into `folder`, from the essay's narration (of their scenes only, unless one
    take is aligned to the whole script)."""
    if not wanted:
        return []
    shorts = tuple(dict.fromkeys(short.short for short in wanted))
    needed = tuple(dict.fromkeys(i for short in shorts for i in short.scenes))
    spoken_script = script if script.take is not None else script.excerpt(needed)
    audios = narrate_all(spoken_script, Cache(job.cache_dir), job.progress)
    problems = length_problems(spoken_script, audios, shorts)
    if problems:
        raise problems[0]
    by_id = {scene.id: audio for scene, audio in zip(spoken_script.scenes, audios)}
    results = []
    for short in wanted:
        out = short.path(folder, script.stem)
        spec = short.short
        job.progress.say(f"short '{spec.id}' ({short.aspect}) → {out}")
        short_job = dataclasses.replace(job, out=out, captions=short_captions(script, spec), hook=spec.title,
                                        package=False)
        results.append(render(short.script, theme, short_job, [by_id[i] for i in spec.scenes]))
    return results
