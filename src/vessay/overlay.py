"""Pictures with alpha laid over yuv420p frames after the shot, over only the area their ink covers.

A `Sprite` is an RGBA picture converted once to premultiplied Y, U and V planes and the
weight each frame pixel keeps, cropped to its ink; each frame then mixes that window in
place with integer arithmetic. Lower thirds, burned captions and a short's hook title are
all drawn this way.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

import cv2
import numpy as np
from PIL import Image

from .motion import YUV_FROM_RGB, rgb_to_yuv420, split_planes
from .script import Scene
from .slides.lower_third import lower_third
from .theme import Theme

_ONE = 128
"""Alpha in fixed point: 7 bits keep `frame * (1 - a) + picture * a` inside uint16."""
_PREMULTIPLIED = np.hstack([YUV_FROM_RGB, [[16.0], [128.0], [128.0]]]).astype(np.float32)
"""Premultiplied (R, G, B, alpha) to premultiplied (Y, U, V): the offsets scale with alpha too."""


def yuv_of(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """A colour as the (Y, U, V) values of our frames."""
    y, u, v = rgb_to_yuv420(Image.new("RGB", (2, 2), rgb))
    return int(y[0, 0]), int(u[0, 0]), int(v[0, 0])


@dataclass(frozen=True)
class Sprite:
    """A picture placed at (x, y) of the frame, as premultiplied planes and the frame's remaining weight."""

    x: int
    y: int
    luma: np.ndarray
    """Y * alpha * _ONE, (h, w) uint16."""
    luma_keep: np.ndarray
    """(1 - alpha) * _ONE, (h, w) uint16."""
    chroma: tuple[np.ndarray, np.ndarray]
    chroma_keep: np.ndarray

    @classmethod
    def build(cls, colour: np.ndarray, alpha: np.ndarray, x: int, y: int, frame: tuple[int, int]) -> Sprite | None:
        """A picture from premultiplied RGB (h, w, 3) and alpha (h, w), floats in [0, 1], its top-left corner
        at (x, y) of the frame; cropped to its ink and to the frame. None when nothing shows."""
        rows, cols = np.flatnonzero(alpha.max(axis=1) > 0.002), np.flatnonzero(alpha.max(axis=0) > 0.002)
        if not len(rows):
            return None
        fw, fh = frame
        # Even edges keep the 2x2 chroma blocks of picture and frame aligned.
        left, top = max(0, (x + cols[0]) // 2 * 2), max(0, (y + rows[0]) // 2 * 2)
        right = min(fw, math.ceil((x + cols[-1] + 1) / 2) * 2)
        bottom = min(fh, math.ceil((y + rows[-1] + 1) / 2) * 2)
        if right <= left or bottom <= top:
            return None
        window = (slice(top - y, bottom - y), slice(left - x, right - x))
        alpha, colour = _padded(alpha, window), _padded(colour, window)
        colour *= 255
        luma, u, v = cv2.split(cv2.transform(cv2.merge((*cv2.split(colour), alpha)), _PREMULTIPLIED))
        h, w = alpha.shape
        quarter = cv2.resize(cv2.merge((u, v, alpha)), (w // 2, h // 2), interpolation=cv2.INTER_AREA)

        def fixed(a: np.ndarray) -> np.ndarray:
            return np.rint(a * _ONE).astype(np.uint16)

        return cls(left, top, fixed(luma), fixed(1 - alpha),
                   (fixed(quarter[..., 0]), fixed(quarter[..., 1])), fixed(1 - quarter[..., 2]))

    @classmethod
    def of(cls, picture: Image.Image, frame: tuple[int, int], x: int = 0, y: int = 0) -> Sprite | None:
        """An RGBA picture with its top-left corner at (x, y) of the frame."""
        rgba = np.asarray(picture.convert("RGBA"), dtype=np.float32) / 255.0
        alpha = np.ascontiguousarray(rgba[..., 3])
        return cls.build(rgba[..., :3] * alpha[..., None], alpha, x, y, frame)

    def faded(self, opacity: float) -> Sprite:
        """The same picture, `opacity` times as opaque."""
        def weaker(a: np.ndarray) -> np.ndarray:
            return np.rint(a * opacity).astype(np.uint16)

        return Sprite(self.x, self.y, weaker(self.luma), _ONE - weaker(_ONE - self.luma_keep),
                      (weaker(self.chroma[0]), weaker(self.chroma[1])), _ONE - weaker(_ONE - self.chroma_keep))

    def scaled(self, factor: float) -> Sprite:
        """The same picture shrunk by `factor` about its centre. Premultiplied planes and the kept weight
        average like plain pixels, so each is resized on its own."""
        h, w = self.luma.shape
        sw, sh = max(2, 2 * round(w * factor / 2)), max(2, 2 * round(h * factor / 2))

        def shrink(a: np.ndarray, size: tuple[int, int]) -> np.ndarray:
            return cv2.resize(a, size, interpolation=cv2.INTER_AREA)

        half = (sw // 2, sh // 2)
        return Sprite(self.x + (w - sw) // 4 * 2, self.y + (h - sh) // 4 * 2, shrink(self.luma, (sw, sh)),
                      shrink(self.luma_keep, (sw, sh)), (shrink(self.chroma[0], half), shrink(self.chroma[1], half)),
                      shrink(self.chroma_keep, half))

    def yuva420p(self) -> tuple[bytes, tuple[int, int]]:
        """The picture as a raw yuva420p frame with straight alpha for ffmpeg's overlay filter, and its size.
        Alpha comes from the kept weight and colours are divided by it, so that ffmpeg's blend (which
        averages each 2x2 block's alpha for chroma) lands within a level of `blend`; two transparent
        pixels past the right and bottom edges keep ffmpeg from blending the last chroma column and row
        with one corner's alpha instead of the average."""
        def straight(premultiplied: np.ndarray, keep: np.ndarray, pad: int) -> np.ndarray:
            weight = (_ONE - keep).astype(np.float32)
            plane = np.clip(np.rint(premultiplied / np.maximum(weight, 1)), 0, 255).astype(np.uint8)
            return np.pad(plane, ((0, pad), (0, pad)))

        alpha = np.rint((_ONE - self.luma_keep) * (255 / _ONE)).astype(np.uint8)
        planes = [straight(self.luma, self.luma_keep, 2), *(straight(c, self.chroma_keep, 1) for c in self.chroma),
                  np.pad(alpha, ((0, 2), (0, 2)))]
        return b"".join(plane.tobytes() for plane in planes), (planes[0].shape[1], planes[0].shape[0])

    def blend(self, buf: np.ndarray, frame: tuple[int, int]) -> None:
        """Lay the picture over the flat yuv420p frame `buf`, in place."""
        y_plane, u_plane, v_plane = split_planes(buf, *frame)
        h, w = self.luma.shape
        _mix(y_plane[self.y:self.y + h, self.x:self.x + w], self.luma, self.luma_keep)
        cy, cx = self.y // 2, self.x // 2
        for plane, picture in zip((u_plane, v_plane), self.chroma):
            _mix(plane[cy:cy + h // 2, cx:cx + w // 2], picture, self.chroma_keep)


@dataclass(frozen=True)
class Veil:
    """A flat colour laid over the whole frame at one opacity, then an optional sprite over it: one scaled
    copy per plane instead of a frame-sized picture."""

    yuv: tuple[int, int, int]
    opacity: float
    sprite: Sprite | None = None

    def blend(self, buf: np.ndarray, frame: tuple[int, int]) -> None:
        for plane, level in zip(split_planes(buf, *frame), self.yuv):
            cv2.convertScaleAbs(plane, dst=plane, alpha=1.0 - self.opacity, beta=level * self.opacity)
        if self.sprite is not None:
            self.sprite.blend(buf, frame)


def _padded(a: np.ndarray, window: tuple[slice, slice]) -> np.ndarray:
    """`a[window]`, zero-filled where the window reaches past `a` (a picture's edge rounded out to even)."""
    rows, cols = window
    out = np.zeros((rows.stop - rows.start, cols.stop - cols.start) + a.shape[2:], dtype=np.float32)
    r0, c0 = max(0, rows.start), max(0, cols.start)
    r1, c1 = min(a.shape[0], rows.stop), min(a.shape[1], cols.stop)
    out[r0 - rows.start:r1 - rows.start, c0 - cols.start:c1 - cols.start] = a[r0:r1, c0:c1]
    return out


def _mix(region: np.ndarray, picture: np.ndarray, keep: np.ndarray) -> None:
    mixed = region.astype(np.uint16)
    mixed *= keep
    mixed += picture
    mixed += _ONE // 2
    mixed >>= 7
    region[:] = mixed


@dataclass(frozen=True)
class LowerThird:
    """A scene's title and caption over its footage or photo (see slides.lower_third)."""

    scene: Scene
    theme: Theme
    frame: tuple[int, int]

    def identity(self) -> dict:
        return {"lower_third": [self.scene.title, self.scene.caption], "theme": self.theme.cache_identity(),
                "frame": self.frame}

    def still(self) -> Sprite | None:
        """The lower third: the same picture on every frame (None when the scene has no title or caption)."""
        picture = lower_third(self.scene, self.theme, self.frame)
        return Sprite.of(picture, self.frame) if picture is not None else None

    @contextmanager
    def open(self) -> Iterator[Callable[[float, np.ndarray], None]]:
        sprite = self.still()

        def fill(at: float, dst: np.ndarray) -> None:
            if sprite is not None:
                sprite.blend(dst, self.frame)

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
