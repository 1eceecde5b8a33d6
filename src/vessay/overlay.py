"""Overlays composited onto yuv420p frames after the shot, over only the rows they cover.

An RGBA picture (a lower third, say) is converted once to Y, U, V planes and alpha
weights for its band of rows; each frame then mixes that band in place.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

import cv2
import numpy as np
from PIL import Image

from .motion import rgb_to_yuv420, split_planes
from .script import Scene
from .slides.lower_third import lower_third
from .theme import Theme


def yuv_of(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """A colour as the (Y, U, V) values of our frames."""
    y, u, v = rgb_to_yuv420(Image.new("RGB", (2, 2), rgb))
    return int(y[0, 0]), int(u[0, 0]), int(v[0, 0])


class Overlay:
    """An RGBA picture of the frame's size, ready to lay over any number of frames."""

    def __init__(self, picture: Image.Image):
        self.frame = picture.size
        box = picture.getchannel("A").getbbox()
        if box is None:
            self.top = self.bottom = 0
            return
        # Whole chroma rows: the band starts and ends on even luma rows.
        self.top, self.bottom = box[1] // 2 * 2, min(picture.height, (box[3] + 1) // 2 * 2)
        band = picture.crop((0, self.top, picture.width, self.bottom))
        self.planes = rgb_to_yuv420(band.convert("RGB"))
        alpha = np.asarray(band.getchannel("A"), dtype=np.float32) / 255.0
        chroma_alpha = cv2.resize(alpha, (alpha.shape[1] // 2, alpha.shape[0] // 2), interpolation=cv2.INTER_AREA)
        self.weights = [(a, np.ascontiguousarray(1.0 - a)) for a in (alpha, chroma_alpha, chroma_alpha)]

    def apply(self, dst: np.ndarray) -> np.ndarray:
        """Lay the overlay over `dst`, a flat yuv420p frame buffer, in place."""
        if self.bottom <= self.top:
            return dst
        w, h = self.frame
        for k, (view, plane, (alpha, rest)) in enumerate(zip(split_planes(dst, w, h), self.planes, self.weights)):
            top, bottom = (self.top, self.bottom) if k == 0 else (self.top // 2, self.bottom // 2)
            rows = view[top:bottom]
            rows[:] = cv2.blendLinear(plane, rows, alpha, rest)
        return dst


@dataclass(frozen=True)
class LowerThird:
    """A scene's title and caption over its footage or photo (see slides.lower_third)."""

    scene: Scene
    theme: Theme
    frame: tuple[int, int]

    def identity(self) -> dict:
        return {"lower_third": [self.scene.title, self.scene.caption], "theme": self.theme.cache_identity(),
                "frame": self.frame}

    @contextmanager
    def open(self) -> Iterator[Callable[[float, np.ndarray], None]]:
        picture = lower_third(self.scene, self.theme, self.frame)
        overlay = Overlay(picture) if picture is not None else None

        def fill(at: float, dst: np.ndarray) -> None:
            if overlay is not None:
                overlay.apply(dst)

        yield fill


def yuv420_to_rgb(buf: np.ndarray, width: int, height: int) -> Image.Image:
    """A BT.709 limited-range yuv420p frame as an RGB picture (the inverse of motion.rgb_to_yuv420)."""
    luma = width * height
    y = (buf[:luma].reshape(height, width).astype(np.float32) - 16) / 219
    u = buf[luma:luma + luma // 4].reshape(height // 2, width // 2).astype(np.float32)
    v = buf[luma + luma // 4:].reshape(height // 2, width // 2).astype(np.float32)
    u = (np.repeat(np.repeat(u, 2, 0), 2, 1) - 128) / 224
    v = (np.repeat(np.repeat(v, 2, 0), 2, 1) - 128) / 224
    r = y + 1.5748 * v
    b = y + 1.8556 * u
    g = (y - 0.2126 * r - 0.0722 * b) / 0.7152
    return Image.fromarray(np.clip(np.stack([r, g, b], axis=-1) * 255 + 0.5, 0, 255).astype(np.uint8))
