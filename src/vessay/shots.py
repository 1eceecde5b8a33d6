"""Slide shots: a scene's slide under a Ken Burns camera, its list items revealed as they are spoken.

Slides are drawn once into the cache (`slide_planes`, as YUV planes) and read back per piece;
`blend` mixes two frames for a reveal or a transition.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np
from PIL import Image

from .cache import Cache, content_key
from .footage import poster
from .memory import return_freed_memory
from .motion import Move, SlideCamera, canvas_size, rgb_to_yuv420, split_planes
from .narration import SceneAudio
from .picture import Fill
from .script import Scene, Script
from .slides import release_caches, render_slide, slide_identity
from .theme import Theme
from .timeline import LEAD_IN


REVEAL_FADE = 0.25
"""Seconds a revealed list item takes to fade in."""


def slide_spec(script: Script, index: int, theme: Theme, reveal: int | None = None) -> dict:
    """Everything that shapes a scene's slide image (with `reveal` list items showing, or all)."""
    return {"content": slide_identity(script.scenes[index]), "theme": theme.cache_identity(),
            "size": canvas_size(script.video), "index": script.number(index), "total": script.scene_count,
            "essay": script.title, "reveal": reveal}


def slide_png(script: Script, index: int, theme: Theme, cache: Cache, reveal: int | None = None) -> Path:
    """The cached PNG of the scene's oversize slide (a full-frame scene's first frame), drawn only when
    nothing that shapes it is cached: what previews, the studio and exports show."""
    return _cached_picture(script, index, theme, cache, reveal)[0]


def _cached_picture(script: Script, index: int, theme: Theme, cache: Cache,
                    reveal: int | None) -> tuple[Path, Image.Image | None]:
    """`slide_png`, and the picture when it had to be drawn just now (so it need not be read back)."""
    key = content_key("slide", slide_spec(script, index, theme, reveal))
    with cache.lock("slide", key):
        png = cache.get("slide", key, "png")
        if png is not None:
            return png, None
        image = _draw(script, index, theme, reveal)
        with cache.put("slide", key, "png") as temp:
            image.save(temp, format="PNG", compress_level=1)
        return cache.path("slide", key, "png"), image


def _draw(script: Script, index: int, theme: Theme, reveal: int | None) -> Image.Image:
    scene = script.scenes[index]
    if scene.full_frame:
        return poster(scene, theme, canvas_size(script.video))
    return render_slide(scene, theme, canvas_size(script.video), index=script.number(index),
                        total=script.scene_count, essay_title=script.title, reveal=reveal)


def slide_planes(script: Script, index: int, theme: Theme, cache: Cache,
                 reveal: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The slide as the camera takes it: its BT.709 Y, U and V planes (see `planes_file`)."""
    return split_planes(np.fromfile(planes_file(script, index, theme, cache, reveal), np.uint8),
                        *canvas_size(script.video))


def planes_file(script: Script, index: int, theme: Theme, cache: Cache, reveal: int | None = None) -> Path:
    """The slide's Y, U and V planes, raw, in the cache; drawn only when nothing that shapes them is cached.

    Reading a PNG back and converting it cost ~70 ms each time a piece showed the slide; the raw
    planes load in a few. The PNG is still made for the whole slide, which previews show, but
    not for the in-between states of a reveal, which only the camera sees.
    """
    key = content_key("plane", slide_spec(script, index, theme, reveal))
    with cache.lock("plane", key):
        raw = cache.get("plane", key, "yuv")
        if raw is None:
            if reveal is None:
                png, image = _cached_picture(script, index, theme, cache, reveal)
                image = image or _read_rgb(png)
            else:
                image = _draw(script, index, theme, reveal)
            with cache.put("plane", key, "yuv") as temp, temp.open("wb") as out:
                for plane in rgb_to_yuv420(image):
                    plane.tofile(out)
            raw = cache.path("plane", key, "yuv")
        return raw


def draw_slides(script: Script, index: int, theme: Theme, cache: Cache,
                states: tuple[int | None, ...] | None = None) -> None:
    """Make sure every state of the scene's slide (`states`, default all it shows) is in the cache."""
    for visible in reveal_states(script.scenes[index]) if states is None else states:
        planes_file(script, index, theme, cache, visible)
    # Glyph caches of one scene's fonts would otherwise pile up across scenes.
    release_caches()
    return_freed_memory()


def slide_image(script: Script, index: int, theme: Theme, cache: Cache, reveal: int | None = None) -> Image.Image:
    return _read_rgb(slide_png(script, index, theme, cache, reveal))


def _read_rgb(png: Path) -> Image.Image:
    with Image.open(png) as image:
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


def reveal_states(scene: Scene) -> tuple[int | None, ...]:
    """The slide states a scene shows in turn: how many list items are visible (None: all)."""
    if not scene.reveals:
        return (None,)
    count = len(scene.reveals)
    first = scene.revealable - count  # items without a marker show from the start
    return tuple(first + k for k in range(count + 1))


def plan_reveals(scene: Scene, audio: SceneAudio, frames: int, fps: int) -> Reveals:
    """When each `[>]` marker's item appears: as its word is spoken (or spread evenly without timings)."""
    if not scene.reveals:
        return Reveals()
    times = []
    for k, word_index in enumerate(scene.reveals):
        if word_index < len(audio.words):
            times.append(audio.words[word_index].start)
        else:
            times.append(audio.duration * (k + 1) / (len(scene.reveals) + 1))
    starts = [0] + [min(frames - 1, round((LEAD_IN + t) * fps)) for t in times]
    return Reveals(tuple(starts), reveal_states(scene))


@dataclass(frozen=True)
class SlideShot:
    """A slide under a Ken Burns camera, its list items fading in as they are revealed."""

    script: Script
    index: int
    theme: Theme
    cache: Cache
    move: Move
    reveals: Reveals = field(default_factory=Reveals)

    @property
    def fade(self) -> int:
        return max(1, round(REVEAL_FADE * self.script.video.fps))

    def identity(self) -> dict:
        return {"slides": [slide_spec(self.script, self.index, self.theme, v) for v in self.reveals.visible],
                "move": asdict(self.move), "reveals": asdict(self.reveals), "fade": self.fade}

    def prepare(self) -> None:
        draw_slides(self.script, self.index, self.theme, self.cache, self.reveals.visible)

    @contextmanager
    def open(self) -> Iterator[Fill]:
        video = self.script.video
        frame = (video.width, video.height)
        # Slides come from the cache per piece, and a piece holds only the (at most two) states it shows at
        # once: states come in order, so each is read once.
        cameras: dict[int | None, SlideCamera] = {}
        spare = np.empty(video.width * video.height * 3 // 2, dtype=np.uint8)

        def camera(visible: int | None) -> SlideCamera:
            if visible not in cameras:
                cameras[visible] = SlideCamera(slide_planes(self.script, self.index, self.theme, self.cache, visible),
                                               frame)
            return cameras[visible]

        def fill(at: float, dst: np.ndarray) -> None:
            position = self.move.at(at)
            shown, arriving, progress = self.reveals.at(at, self.fade)
            for passed in [v for v in cameras if v != shown and (arriving is None or v != arriving)]:
                del cameras[passed]
            camera(shown).shoot(*position, dst)
            if arriving is not None:
                camera(arriving).shoot(*position, spare)
                blend("crossfade", progress, dst, spare, frame)
                dst[:] = spare

        yield fill


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
