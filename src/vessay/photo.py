"""A photo as the whole picture, with a Ken Burns move you direct: `focus: {from: [x, y, zoom], to: [...]}`.

x and y are fractions of the photo (0..1) the view is centred on, zoom 1 shows the whole
photo (`contain`: all of it, on the theme's background; `cover`: the largest view of the
frame's shape). The views at both ends are kept on the photo, so a point near an edge
is approached as far as the photo allows, and the move glides between them.

The photo is loaded at the size the closest view needs (JPEG `draft` decodes a 24 MP
photo at a fraction of its size), converted to YUV 4:2:0 once, and kept as a pyramid of
halved copies. Each frame warps the two levels around the view's scale and blends them
(trilinear), so wide views of a big photo don't shimmer and close ones stay sharp.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator

import cv2
import numpy as np
from PIL import Image, ImageOps

from .cache import media_digest
from .errors import VessayError
from .scriptmedia import FocusSpec
from .motion import chroma_matrix, rgb_to_yuv420, split_planes
from .overlay import yuv_of

Point = tuple[float, float, float]
"""(x, y, zoom): the view's centre as fractions of the photo, and how far in (1 = the whole photo)."""


def load_upright(path: Path, longest: int | None = None) -> Image.Image:
    """The photo as RGB, EXIF orientation applied, at most `longest` px on its long side (never enlarged)."""
    try:
        with Image.open(path) as raw:
            if longest is not None:
                side = max(raw.size)
                if side > longest:
                    scale = longest / side
                    raw.draft("RGB", (max(1, round(raw.width * scale)), max(1, round(raw.height * scale))))
            image = ImageOps.exif_transpose(raw)
            image = image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as err:
        raise VessayError(f"cannot read image '{path}' ({err})") from None
    if longest is not None and max(image.size) > longest:
        scale = longest / max(image.size)
        size = (max(2, round(image.width * scale)), max(2, round(image.height * scale)))
        image = image.resize(size, Image.LANCZOS, reducing_gap=2.0)
    return image


def oriented_size(path: Path) -> tuple[int, int]:
    """The photo's size as shown (width and height swap for EXIF rotations), read without decoding it."""
    with Image.open(path) as raw:
        w, h = raw.size
        orientation = raw.getexif().get(0x0112, 1)
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)


def base_view(photo: tuple[float, float], frame: tuple[int, int], fit: str) -> tuple[float, float]:
    """The zoom-1 view's size in photo pixels: the whole photo (contain) or the largest frame-shaped part (cover)."""
    pw, ph = photo
    aspect = frame[0] / frame[1]
    wider = pw / ph > aspect
    if (fit == "cover") == wider:
        return ph * aspect, ph
    return pw, pw / aspect


def view_at(point: Point, photo: tuple[float, float], frame: tuple[int, int],
            fit: str) -> tuple[float, float, float, float]:
    """(centre x, centre y, width, height) in photo pixels of the view at `point`, kept on the photo."""
    x, y, zoom = point
    bw, bh = base_view(photo, frame, fit)
    vw, vh = bw / zoom, bh / zoom
    centre = []
    for frac, view, side in ((x, vw, photo[0]), (y, vh, photo[1])):
        c = frac * side
        centre.append(side / 2 if view >= side else min(max(c, view / 2), side - view / 2))
    return centre[0], centre[1], vw, vh


def interpolate(start: tuple[float, float, float, float], end: tuple[float, float, float, float],
                t: float) -> tuple[float, float, float, float]:
    """The view at `t` in 0..1 between two views: the centre moves linearly, the size shrinks geometrically
    (a steady push-in). Views on the photo at both ends stay on it all the way."""
    (x0, y0, w0, h0), (x1, y1, w1, h1) = start, end
    return x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, w0 * (w1 / w0) ** t, h0 * (h1 / h0) ** t


def _ease(t: float, easing: str) -> float:
    t = min(1.0, max(0.0, t))
    return 0.5 - 0.5 * math.cos(math.pi * t) if easing == "ease-in-out" else t


def yuv_planes(image: Image.Image) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BT.709 Y, U, V planes of an RGB image, converted a band at a time so big photos stay cheap."""
    w, h = image.width // 2 * 2, image.height // 2 * 2
    image = image.crop((0, 0, w, h))
    planes = [np.empty((h, w), np.uint8), np.empty((h // 2, w // 2), np.uint8), np.empty((h // 2, w // 2), np.uint8)]
    band = 256
    for top in range(0, h, band):
        bottom = min(h, top + band)
        y, u, v = rgb_to_yuv420(image.crop((0, top, w, bottom)))
        planes[0][top:bottom] = y
        planes[1][top // 2:bottom // 2] = u
        planes[2][top // 2:bottom // 2] = v
    return planes[0], planes[1], planes[2]


class PhotoCamera:
    """A photo warped to any focus point into a yuv420p frame buffer."""

    def __init__(self, path: Path, focus: FocusSpec, fit: str, frame: tuple[int, int], frames: int, easing: str,
                 background: tuple[int, int, int]):
        self.focus, self.fit, self.frame, self.frames, self.easing = focus, fit, frame, frames, easing
        full = oriented_size(path)
        closest = max(focus.start[2], focus.end[2])
        # Enough pixels that the closest view has one photo pixel per frame pixel, and no more.
        needed = frame[0] * closest / base_view(full, frame, fit)[0]
        image = load_upright(path, max(2, math.ceil(max(full) * min(1.0, needed))) + 2)
        self.size = (image.width // 2 * 2, image.height // 2 * 2)
        self.scale = self.size[0] / full[0]  # level-0 pixels per original photo pixel
        self.levels = [yuv_planes(image)]
        del image
        while min(self.levels[-1][1].shape) >= 16:
            y, u, v = self.levels[-1]
            self.levels.append(tuple(cv2.resize(p, (p.shape[1] // 2, p.shape[0] // 2), interpolation=cv2.INTER_AREA)
                                     for p in (y, u, v)))
        self.border = yuv_of(background)
        size = frame[0] * frame[1] * 3 // 2
        self.spare = np.empty(size, np.uint8)

    def view(self, index: float) -> tuple[float, float, float, float]:
        """(centre x, centre y, width, height) in level-0 pixels of the view at frame `index`."""
        start = view_at(self.focus.start, self.size, self.frame, self.fit)
        end = view_at(self.focus.end, self.size, self.frame, self.fit)
        return interpolate(start, end, _ease(index / max(1, self.frames - 1), self.easing))

    def shoot(self, index: float, dst: np.ndarray) -> np.ndarray:
        """Frame `index` of the move into `dst` (a flat yuv420p buffer); indexes outside the move hold its ends."""
        cx, cy, vw, _ = self.view(index)
        per_pixel = vw / self.frame[0]  # level-0 photo pixels per frame pixel
        level = min(len(self.levels) - 1, max(0, int(math.floor(math.log2(max(per_pixel, 1.0))))))
        between = min(1.0, max(0.0, math.log2(max(per_pixel, 1.0)) - level))
        self._warp(level, cx, cy, per_pixel, dst)
        if between > 0.01 and level + 1 < len(self.levels):
            self._warp(level + 1, cx, cy, per_pixel, self.spare)
            cv2.addWeighted(dst, 1.0 - between, self.spare, between, 0.0, dst=dst)
        return dst

    def _warp(self, level: int, cx: float, cy: float, per_pixel: float, dst: np.ndarray) -> None:
        fw, fh = self.frame
        k = 2 ** level
        s = per_pixel / k
        # Output pixel centre (x + 0.5) lands on photo position centre + (x + 0.5 - fw / 2) * per_pixel.
        luma = np.array([[s, 0, cx / k - fw / 2 * s + 0.5 * s - 0.5],
                         [0, s, cy / k - fh / 2 * s + 0.5 * s - 0.5]], dtype=np.float64)
        chroma = chroma_matrix(luma)
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        for plane, view, matrix, size, fill in zip(self.levels[level], split_planes(dst, fw, fh),
                                                   (luma, chroma, chroma), ((fw, fh), (fw // 2, fh // 2),
                                                                            (fw // 2, fh // 2)), self.border):
            cv2.warpAffine(plane, matrix, size, dst=view, flags=flags, borderMode=cv2.BORDER_CONSTANT,
                           borderValue=fill)


@dataclass(frozen=True)
class PhotoShot:
    """An `image` scene with `focus`: the photo fills the picture and the camera follows the focus move."""

    path: Path
    focus: FocusSpec
    fit: str
    frame: tuple[int, int]
    frames: int
    easing: str
    background: tuple[int, int, int]

    def identity(self) -> dict:
        return {"photo": media_digest(self.path), "focus": asdict(self.focus), "fit": self.fit, "frame": self.frame,
                "frames": self.frames, "easing": self.easing, "background": self.background}

    def prepare(self) -> None:
        return None

    @contextmanager
    def open(self) -> Iterator[Callable[[float, np.ndarray], None]]:
        camera = PhotoCamera(self.path, self.focus, self.fit, self.frame, self.frames, self.easing, self.background)
        yield camera.shoot
