"""Everything an upload needs besides the video: captions, chapters, description, thumbnail."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PIL import Image

from .cache import atomic_output
from .captions import Cue, to_srt, to_vtt
from .script import Scene, Script, scene_text
from .slides import render_slide
from .theme import Theme
from .timeline import Slot

THUMBNAIL_SIZE = (1280, 720)


MIN_CHAPTER = 10.0
"""YouTube ignores chapter lists with a chapter shorter than this many seconds."""


def chapter_list(script: Script, slots: list[Slot]) -> list[tuple[float, float, str]]:
    """(start, end, title): one per section card where the script has two or more, else one per scene.

    The first chapter starts at 0:00; a start less than MIN_CHAPTER after the previous one is dropped,
    so that chapter runs on.
    """
    scenes = script.scenes
    starts = [i for i, s in enumerate(scenes) if s.layout == "section"]
    if len(starts) < 2:
        starts = list(range(len(scenes)))
    elif starts[0] != 0:
        starts.insert(0, 0)  # chapters must start at 0:00
    kept = [starts[0]]
    for index in starts[1:]:
        if slots[index].start - slots[kept[-1]].start < MIN_CHAPTER:
            continue
        kept.append(index)
    if len(kept) > 1 and slots[-1].end - slots[kept[-1]].start < MIN_CHAPTER:
        kept.pop()  # a short last chapter joins the one before it
    ends = [slots[j].start for j in kept[1:]] + [slots[-1].end]
    return [(slots[i].start, end, scene_title(scenes[i])) for i, end in zip(kept, ends)]


def scene_title(scene: Scene) -> str:
    return scene.title or scene.id.replace("-", " ").title()


def youtube_time(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def chapters_text(chapters: list[tuple[float, float, str]]) -> str:
    """YouTube's description format: `0:00 Title`, one a line, the first at 0:00."""
    return "".join(f"{youtube_time(start)} {title}\n" for start, _, title in chapters)


def description_markdown(script: Script, chapters: list[tuple[float, float, str]],
                         notices: tuple[str, ...] = ()) -> str:
    """The upload description; `notices` are credits the video's material asks for (emoji artwork)."""
    parts = [f"# {script.title}\n"]
    if script.author:
        parts.append(f"By {script.author}\n")
    parts.append("## Chapters\n\n" + chapters_text(chapters))
    credits = script.credits + notices
    if credits:
        parts.append("## Credits\n\n" + "".join(f"- {line}\n" for line in credits))
    if script.links:
        parts.append("## Links\n\n" + "".join(f"- {line}\n" for line in script.links))
    return "\n".join(parts)


def thumbnail(script: Script, theme: Theme) -> Image.Image:
    """A 1280x720 title card in the theme's style, from the script's `thumbnail:` block."""
    spec = script.thumbnail
    scenes = {s.id: s for s in script.scenes}
    base = scenes[spec.scene] if spec else script.scenes[0]
    card = dataclasses.replace(base, layout="title", title=spec.title if spec else script.title,
                               subtitle=spec.subtitle if spec else "", bullets=())
    return render_slide(card, theme, THUMBNAIL_SIZE, index=1, total=len(script.scenes), essay_title=script.title)


def _notices(script: Script, theme: Theme) -> tuple[str, ...]:
    from .slides.fonts import emoji_credit

    texts = [script.title] + [scene_text(scene) for scene in script.scenes]
    if script.thumbnail:
        texts += [script.thumbnail.title, script.thumbnail.subtitle]
    credit = emoji_credit(" ".join(texts), theme)
    return (credit,) if credit else ()


def write_text(path: Path, text: str) -> Path:
    with atomic_output(path) as temp:
        temp.write_text(text, encoding="utf-8")
    return path


def package_art(script: Script, theme: Theme) -> tuple[Image.Image, tuple[str, ...]]:
    """The thumbnail and the description's notices: the slow part of the package, which a render makes
    while the video is muxed."""
    return thumbnail(script, theme), _notices(script, theme)


def write_package(script: Script, theme: Theme, video: Path, chapters: list[tuple[float, float, str]],
                  cues: list[Cue], art: tuple[Image.Image, tuple[str, ...]] | None = None) -> list[Path]:
    """Captions, chapters, description and thumbnail (`art`, made now if not given) next to `video`;
    returns their paths."""
    image, notices = art or package_art(script, theme)
    stem = video.with_suffix("")
    written = [write_text(stem.with_suffix(".srt"), to_srt(cues)),
               write_text(stem.with_suffix(".vtt"), to_vtt(cues)),
               write_text(video.with_name(f"{video.stem}.chapters.txt"), chapters_text(chapters)),
               write_text(video.with_name(f"{video.stem}.description.md"),
                          description_markdown(script, chapters, notices))]
    jpg = stem.with_suffix(".jpg")
    with atomic_output(jpg) as temp:
        image.save(temp, format="JPEG", quality=92)
    return written + [jpg]
