"""A scene's picture, frame by frame: a shot fills a yuv420p frame, overlays are drawn over it.

A *shot* is where a scene's picture comes from: a slide under a moving camera (shots.py),
a photo's focus move or a video clip (photo.py, clip.py). An *overlay* draws over the
shot's frame in place, on the rows it covers (a lower third, captions). Both say, through
`identity()`, everything that shapes their pixels: it goes into the cache key of every video
piece that shows them. `open()` loads what filling frames needs, for one piece. A shot with
inputs worth making ahead of its encode (slide images) also has `prepare()`, which the render
calls early, on a helper thread.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Protocol

import numpy as np

Fill = Callable[[float, np.ndarray], None]
"""Writes (or draws over) frame `at` of a scene (fractional frames allowed) in a flat yuv420p buffer."""


class Shot(Protocol):
    def identity(self) -> dict: ...

    def open(self) -> AbstractContextManager[Fill]: ...


Overlay = Shot
"""The same interface; its fill draws over the frame the shot filled."""


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
