"""A scene's picture, frame by frame: a shot fills a yuv420p frame, overlays are drawn over it.

A *shot* is where a scene's picture comes from: a slide under a moving camera (shots.py),
a photo's focus move or a video clip (photo.py, clip.py). An *overlay* draws over the
shot's frame in place, on the rows it covers (a lower third, captions). Both say, through
`identity()`, everything that shapes their pixels: it goes into the cache key of every video
piece that shows them. `open()` loads what filling frames needs, for one piece. A shot with
inputs worth making ahead of its encode (slide images) also has `prepare()`, which the render
calls early, on a helper thread.

A shot that ffmpeg can make by itself (a clip) also has `graph()`; under overlays that never
change (each with `still()`, a Sprite), a piece of it is decoded, composited and encoded in one
ffmpeg process, and no frame passes through Python: decoding is then all a clip adds to x264.
"""

from __future__ import annotations

import tempfile
import threading
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Protocol

import numpy as np

from .motion import Encoder, encode_frames, encode_graph
from .script import VideoSpec

Fill = Callable[[float, np.ndarray], None]
"""Writes (or draws over) frame `at` of a scene (fractional frames allowed) in a flat yuv420p buffer."""


class Shot(Protocol):
    def identity(self) -> dict: ...

    def open(self) -> AbstractContextManager[Fill]: ...


Overlay = Shot
"""The same interface; its fill draws over the frame the shot filled."""


@dataclass(frozen=True)
class Still:
    """An overlay that never changes, as a raw yuva420p picture in a file (see Sprite.yuva420p), for a shot's
    ffmpeg graph to lay over its frames with its top-left corner at (x, y)."""

    path: Path
    x: int
    y: int
    size: tuple[int, int]


@dataclass(frozen=True)
class Picture:
    """What the viewer sees of one scene: its shot, then each overlay drawn over it in order."""

    shot: Shot
    overlays: tuple[Overlay, ...] = ()

    def identity(self) -> dict:
        return {"shot": self.shot.identity(), "overlays": [o.identity() for o in self.overlays]}

    def prepare(self) -> None:
        """Make the shot's expensive inputs now (shots that have none need no `prepare`)."""
        if hasattr(self.shot, "prepare"):
            self.shot.prepare()

    @contextmanager
    def open(self) -> Iterator[Fill]:
        with ExitStack() as stack:
            shot = stack.enter_context(self.shot.open())
            overlays = [stack.enter_context(o.open()) for o in self.overlays]

            def fill(at: float, dst: np.ndarray) -> None:
                shot(at, dst)
                for overlay in overlays:
                    overlay(at, dst)

            yield fill

    def encode(self, first: int, frames: int, video: VideoSpec, out: Path, encoder: Encoder,
               on_frame: Callable[[], None] | None = None, stop: threading.Event | None = None) -> None:
        """Encode scene frames `first` to `first + frames` into `out`: in one ffmpeg process where the shot has a
        graph for them and every overlay is a still, otherwise filled here and piped to x264."""
        if hasattr(self.shot, "graph") and all(hasattr(o, "still") for o in self.overlays):
            sprites = [s for s in (o.still() for o in self.overlays) if s is not None]
            raws = [sprite.yuva420p() for sprite in sprites]
            with tempfile.TemporaryDirectory(prefix="vessay-stills-") as work:
                stills = [Still(Path(work) / f"still{n}.yuv", sprite.x, sprite.y, size)
                          for n, (sprite, (_, size)) in enumerate(zip(sprites, raws))]
                graph = self.shot.graph(first, frames, stills)
                if graph is not None:
                    for still, (data, _) in zip(stills, raws):
                        still.path.write_bytes(data)
                    encode_graph(*graph, frames, out, encoder, on_frame, stop)
                    return
        with self.open() as fill:
            encode_frames(lambda k, buf: fill(first + k, buf), frames, video, out, encoder, on_frame, stop)
