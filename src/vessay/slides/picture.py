"""The `image` layout: a picture, `contain`ed or `cover`ing its frame, with an optional caption."""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import Image, ImageOps

from ..errors import VessayError
from ..script import Scene
from ..theme import Theme
from .canvas import Canvas
from .effects import mix, soft_text
from .geometry import Geometry
from .parts import Heading
from .text import fit


@functools.lru_cache(maxsize=16)
def _load(path: str, stamp: tuple[int, int]) -> Image.Image:
    """The picture upright (EXIF orientation applied), as RGBA; `stamp` (mtime, size) busts the cache."""
    try:
        with Image.open(path) as raw:
            raw.load()
            img = ImageOps.exif_transpose(raw)
            return img.convert("RGBA")
    except (OSError, ValueError) as err:
        raise VessayError(f"cannot read image '{path}' ({err})") from None


def load_picture(path: Path) -> Image.Image:
    try:
        st = path.stat()
    except OSError:
        raise VessayError(f"image '{path}' not found") from None
    return _load(str(path), (st.st_mtime_ns, st.st_size))


@functools.lru_cache(maxsize=32)
def _scaled(path: str, stamp: tuple[int, int], size: tuple[int, int],
            crop: tuple[float, float, float, float]) -> Image.Image:
    src = _load(path, stamp)
    return src.resize(size, Image.LANCZOS, box=crop, reducing_gap=3.0)


def placement(src_size: tuple[int, int], frame: tuple[float, float, float, float], mode: str):
    """(paste box in canvas pixels, crop box in source pixels) for `contain` or `cover`."""
    iw, ih = src_size
    fx0, fy0, fx1, fy1 = frame
    fw, fh = fx1 - fx0, fy1 - fy0
    if mode == "cover":
        scale = max(fw / iw, fh / ih)
        cw, ch = fw / scale, fh / scale  # the part of the source that shows
        sx, sy = max(0.0, (iw - cw) / 2), max(0.0, (ih - ch) / 2)
        box = (round(fx0), round(fy0), round(fx1), round(fy1))
        return box, (sx, sy, min(float(iw), sx + cw), min(float(ih), sy + ch))
    scale = min(fw / iw, fh / ih)
    w, h = max(1, round(iw * scale)), max(1, round(ih * scale))
    left, top = round(fx0 + (fw - w) / 2), round(fy0 + (fh - h) / 2)
    return (left, top, left + w, top + h), (0.0, 0.0, float(iw), float(ih))


def layout_image(scene: Scene, theme: Theme, geo: Geometry, canvas: Canvas, *, index: int,
                 part: int | None, reveal: int | None = None) -> bool:
    """Optional heading; the picture in a hairline frame with accent corner ticks; caption below."""
    cx0, cy0, cx1, cy1 = geo.content
    cw, ch = cx1 - cx0, cy1 - cy0
    heading = Heading(scene, theme, geo, cw, ch * 0.22, ch * 0.1, scale=0.74)
    ok = heading.ok
    caption = None
    cap_gap = geo.s(30)
    if scene.caption:
        caption, ok_cap = fit(scene.caption, theme, "body", 500, (34, 20), cw, ch * 0.18, 1.2, geo, balance=True)
        ok &= ok_cap
    y = heading.draw(canvas, cx0, cy0)
    if scene.image is None:
        return False
    tick = geo.s(12)  # room for the corner ticks outside the picture
    bottom = cy1 - (caption.height + cap_gap if caption else 0.0)
    frame = (cx0 + tick, y + tick, cx1 - tick, bottom - tick)
    if frame[2] - frame[0] < 4 or frame[3] - frame[1] < 4:
        return False
    src = load_picture(scene.image)
    box, crop = placement(src.size, frame, scene.fit)
    if scene.fit == "contain":
        # Picture and caption move as one group: centred without a heading, higher up under one.
        group_h = (box[3] - box[1]) + 2 * tick + (cap_gap + caption.height if caption else 0.0)
        group_top = y + max(0.0, cy1 - y - group_h) * (0.35 if scene.title else 0.5)
        shift = round(group_top + tick - box[1])
        box = (box[0], box[1] + shift, box[2], box[3] + shift)
    stamp = (scene.image.stat().st_mtime_ns, scene.image.stat().st_size)
    size = (box[2] - box[0], box[3] - box[1])
    picture = _scaled(str(scene.image), stamp, size, crop)
    bg = theme.colors["background"]
    line = max(1.0, geo.s(2))
    hairline = mix(bg, theme.colors["muted"], 0.6)
    canvas.round_rect((box[0] - line, box[1] - line, box[2] + line, box[3] + line), 0, hairline, width=line)
    canvas.picture((box[0], box[1]), picture)
    _ticks(theme, geo, canvas, box, tick)
    if caption:
        canvas.block(caption, (box[0] + box[2]) / 2, box[3] + tick + cap_gap, soft_text(theme), align="m")
    return ok


def _ticks(theme: Theme, geo: Geometry, canvas: Canvas, box: tuple[int, int, int, int], gap: float) -> None:
    """L-shaped corner ticks just outside the picture: accent, glowing in neon themes."""
    x0, y0, x1, y1 = box[0] - gap, box[1] - gap, box[2] + gap, box[3] + gap
    arm, thick = geo.s(30), max(1.0, geo.s(4))
    for cx, cy, sx, sy in ((x0, y0, 1, 1), (x1, y0, -1, 1), (x0, y1, 1, -1), (x1, y1, -1, -1)):
        canvas.polygon([(cx, cy), (cx + sx * arm, cy), (cx + sx * arm, cy + sy * thick),
                        (cx + sx * thick, cy + sy * thick), (cx + sx * thick, cy + sy * arm),
                        (cx, cy + sy * arm)], theme.colors["accent"], glow=0.7)
