"""Render one scene as a themed slide image.

Slides are drawn OVERSIZE (about 1.1x the video frame) because the Ken Burns camera
pans and zooms over them. So backgrounds and effects fill the whole canvas, while
everything that must be read (text, HUD labels, corner brackets) stays inside the
central safe box (see `safe_box`). The image is warped every frame with bilinear
interpolation, so nothing here is a 1-pixel hard line or a high-frequency pattern:
grid lines are soft Gaussian profiles, scanlines are a smooth low-contrast sinusoid.

Every dimension is scaled from the canvas: `u = min(w, h) / 1080`, so a 320x180 render
is a faithful miniature and portrait canvases reflow text inside the same safe box.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .script import Scene
from .theme import Theme

Color = tuple[int, int, int]
Box = tuple[int, int, int, int]

SAFE_INSET = 0.10
"""Share of the canvas width (left/right) and height (top/bottom) kept free of text."""

# Text sizes in px at 1080p scale: (largest, smallest). Fitting steps down between them.
TITLE_PX = (104, 38)
SECTION_PX = (100, 36)
HEADING_PX = (72, 32)
SUBTITLE_PX = (44, 24)
BULLET_PX = (54, 26)
CREDIT_PX = (44, 22)
HUD_PX = 19

_ENTRY_SPLIT = re.compile(r"\s+[—–]\s+|\s+-{1,2}\s+")


# --------------------------------------------------------------------------- public API

def safe_box(size: tuple[int, int]) -> Box:
    """(left, top, right, bottom) of the region where everything readable must stay."""
    w, h = size
    dx, dy = round(w * SAFE_INSET), round(h * SAFE_INSET)
    return dx, dy, w - dx, h - dy


def render_slide(scene: Scene, theme: Theme, size: tuple[int, int], *, index: int, total: int,
                 essay_title: str, part: int | None = None) -> Image.Image:
    """The slide for `scene` as an RGB image of exactly `size`.

    `index` is the 1-based scene number and `total` the scene count (for the HUD).
    `part`, if given, numbers a `section` card ("PART 02"); otherwise it is labelled
    "// SECTION" with the scene number.
    """
    w, h = int(size[0]), int(size[1])
    geo = _Geometry(w, h)
    canvas = _Canvas()
    _LAYOUTS.get(scene.layout, _layout_bullets)(scene, theme, geo, canvas, index=index, part=part)
    _hud(theme, geo, canvas, index=index, total=total, essay_title=essay_title)

    background = _background(theme, (w, h))
    vignette = _vignette(theme, (w, h))
    if theme.effects.get("glow") or vignette is not None:
        base = background.astype(np.float32)
        if theme.effects.get("glow"):
            base = _add_glow(base, canvas.ops, geo)
        if vignette is not None:
            base *= vignette  # under the text only: labels near the corners stay bright
        under = Image.fromarray(np.clip(base + 0.5, 0, 255).astype(np.uint8))
    else:
        under = Image.fromarray(background)
    img = under.copy()
    _paint(img, canvas.ops)
    _clip_to_safe_box(img, under, geo.safe)
    scan = _scanlines(theme, (w, h))
    if scan is not None:
        out = np.asarray(img, dtype=np.float32) * scan
        img = Image.fromarray((out + 0.5).astype(np.uint8))
    return img


def fits(scene: Scene, theme: Theme, size: tuple[int, int]) -> bool:
    """False when the scene's text cannot fit its box even at the smallest font size."""
    geo = _Geometry(int(size[0]), int(size[1]))
    layout = _LAYOUTS.get(scene.layout, _layout_bullets)
    return layout(scene, theme, geo, _Canvas(), index=1, part=None)


# --------------------------------------------------------------------------- geometry

class _Geometry:
    """Canvas size, unit and the boxes every layout shares."""

    def __init__(self, w: int, h: int):
        self.w, self.h = w, h
        self.u = min(w, h) / 1080.0
        self.safe = safe_box((w, h))
        x0, y0, x1, y1 = self.safe
        self.pad = self.s(30)                   # HUD labels and content share this left edge
        self.content = (x0 + self.pad, y0 + self.s(96), x1 - self.pad, y1 - self.s(88))
        self.portrait = (x1 - x0) < (y1 - y0)

    def s(self, v: float) -> float:
        """A length given at 1080p scale, scaled to this canvas."""
        return v * self.u

    def px(self, v: float) -> int:
        """A font size given at 1080p scale (at least 1 px)."""
        return max(1, int(round(v * self.u)))


# --------------------------------------------------------------------------- fonts and text

@functools.lru_cache(maxsize=512)
def _load_font(path: str, px: int, weight: int | None) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(path, max(1, int(px)))
    if weight is not None:
        try:
            axes = font.get_variation_axes()
        except Exception:  # static font (OSError), or FreeType built without variations
            axes = None
        if axes:
            try:
                values = []
                for axis in axes:
                    name = axis.get("name")
                    if name in (b"Weight", "Weight"):
                        values.append(min(max(weight, axis["minimum"]), axis["maximum"]))
                    else:
                        values.append(axis["default"])
                font.set_variation_by_axes(values)
            except Exception:
                pass
    return font


@functools.lru_cache(maxsize=512)
def _vmetrics(path: str, px: int, weight: int | None) -> tuple[float, float, float]:
    """(ascender ink height, descender ink depth, x-height) above/below the baseline."""
    font = _load_font(path, px, weight)
    asc = -font.getbbox("Hdlk", anchor="ls")[1]
    desc = font.getbbox("gjpqy", anchor="ls")[3]
    xh = -font.getbbox("xzvw", anchor="ls")[1]
    return float(asc), float(max(desc, 0)), float(xh)


@dataclass(frozen=True)
class _Font:
    path: str
    px: int
    weight: int | None

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        return _load_font(self.path, self.px, self.weight)

    @property
    def asc(self) -> float:
        return _vmetrics(self.path, self.px, self.weight)[0]

    @property
    def desc(self) -> float:
        return _vmetrics(self.path, self.px, self.weight)[1]

    @property
    def xh(self) -> float:
        return _vmetrics(self.path, self.px, self.weight)[2]

    def length(self, text: str, tracking: float = 0.0) -> float:
        if not tracking:
            return self.font.getlength(text)
        return sum(self.font.getlength(ch) for ch in text) + tracking * max(len(text) - 1, 0)


def _font(theme: Theme, role: str, px: int, weight: int | None) -> _Font:
    return _Font(str(theme.fonts[role]), max(1, int(px)), weight)


@functools.lru_cache(maxsize=8192)
def _word_length(path: str, px: int, weight: int | None, word: str) -> float:
    return _load_font(path, px, weight).getlength(word)


def _wrap(text: str, font: _Font, max_w: float) -> tuple[list[str], bool]:
    """Greedy word wrap; explicit newlines are kept. Second value: a word had to be broken.

    Words are measured once each (cached) and a line is the sum of its words and spaces,
    so fitting many sizes stays fast.
    """
    lines: list[str] = []
    broke = False

    def measure(word: str) -> float:
        return _word_length(font.path, font.px, font.weight, word)

    space = measure(" ")
    for paragraph in text.split("\n"):
        current: list[str] = []
        width = 0.0
        for word in paragraph.split():
            word_w = measure(word)
            if current and width + space + word_w <= max_w:
                current.append(word)
                width += space + word_w
                continue
            if current:
                lines.append(" ".join(current))
                current, width = [], 0.0
            if word_w <= max_w:
                current, width = [word], word_w
                continue
            broke = True
            piece = ""
            for ch in word:
                if piece and measure(piece + ch) > max_w:
                    lines.append(piece)
                    piece = ch
                else:
                    piece += ch
            current, width = [piece], measure(piece)
        if current:
            lines.append(" ".join(current))
    return lines, broke


@dataclass
class _Block:
    """Wrapped lines at one font size. Height runs from the top of the ink to its bottom."""
    lines: list[str]
    font: _Font
    pitch: float
    broke: bool = False

    @property
    def height(self) -> float:
        if not self.lines:
            return 0.0
        return self.font.asc + (len(self.lines) - 1) * self.pitch + self.font.desc

    @property
    def width(self) -> float:
        return max((self.font.length(line) for line in self.lines), default=0.0)


def _block(text: str, font: _Font, max_w: float, spacing: float, balance: bool = False) -> _Block:
    lines, broke = _wrap(text, font, max_w)
    if balance and len(lines) > 1 and not broke:
        # Narrowest width that keeps the same line count: evens out ragged titles.
        lo, hi = max_w * 0.4, max_w
        for _ in range(12):
            mid = (lo + hi) / 2
            trial, trial_broke = _wrap(text, font, mid)
            if len(trial) <= len(lines) and not trial_broke:
                hi = mid
            else:
                lo = mid
        lines, _ = _wrap(text, font, hi)
    return _Block(lines, font, font.px * spacing, broke)


def _trim(block: _Block, max_h: float) -> _Block:
    """Drop the lines that do not fit in max_h (keeping one), marking the cut with an ellipsis."""
    keep = len(block.lines)
    while keep > 1 and block.font.asc + (keep - 1) * block.pitch + block.font.desc > max_h:
        keep -= 1
    if keep == len(block.lines):
        return block
    lines = block.lines[:keep]
    lines[-1] = lines[-1].rstrip(" .,;:") + "…"
    return _Block(lines, block.font, block.pitch, block.broke)


def _sizes(largest: float, smallest: float) -> list[int]:
    """Font sizes to try, largest first, in steps of about 7%."""
    largest, smallest = max(1, int(round(largest))), max(1, int(round(smallest)))
    sizes = [largest]
    while sizes[-1] > smallest:
        sizes.append(max(smallest, min(sizes[-1] - 1, int(sizes[-1] * 0.93))))
    return sizes


def _fit(text: str, theme: Theme, role: str, weight: int | None, px_range: tuple[float, float],
         max_w: float, max_h: float, spacing: float, geo: _Geometry,
         balance: bool = False) -> tuple[_Block, bool]:
    """The largest size at which `text` wraps into max_w x max_h, or the smallest one (and False)."""
    block = None
    for px in _sizes(geo.s(px_range[0]), geo.s(px_range[1])):
        block = _block(text, _font(theme, role, px, weight), max_w, spacing, balance)
        if not block.broke and block.height <= max_h:
            return block, True
    assert block is not None
    return _trim(block, max_h), False


# --------------------------------------------------------------------------- drawing ops

Paint = Callable[[Image.Image, ImageDraw.ImageDraw, object], None]
"""paint(target image, ImageDraw on it, fill): draws one element with `fill` (a colour or a mask level)."""


@dataclass
class _Op:
    paint: Paint
    color: Color
    glow: float = 0.0
    """Glow strength 0..1 (used only when the theme has the glow effect)."""
    alpha: float = 1.0
    own_mask: bool = False
    """Paint through a private mask (needed for translucent or carved shapes)."""
    glow_color: Color | None = None
    """Colour of the glow (default: the op's own colour)."""


@dataclass
class _Canvas:
    """Collects what a layout draws, so glow can be built before the sharp pass."""
    ops: list[_Op] = field(default_factory=list)

    def text(self, xy: tuple[float, float], text: str, font: _Font, color: Color, *, anchor: str = "ls",
             glow: float = 0.0, tracking: float = 0.0, alpha: float = 1.0,
             glow_color: Color | None = None) -> None:
        if not text:
            return
        x, y = xy
        f = font.font
        if tracking:
            width = font.length(text, tracking)
            if anchor[0] == "m":
                x -= width / 2
            elif anchor[0] == "r":
                x -= width
            anchor = "l" + anchor[1]

            def paint(img: Image.Image, d: ImageDraw.ImageDraw, fill: object, x: float = x) -> None:
                for ch in text:
                    d.text((x, y), ch, font=f, fill=fill, anchor=anchor)
                    x += f.getlength(ch) + tracking
        else:
            def paint(img: Image.Image, d: ImageDraw.ImageDraw, fill: object) -> None:
                d.text((x, y), text, font=f, fill=fill, anchor=anchor)
        self.ops.append(_Op(paint, color, glow, alpha, alpha < 1.0, glow_color))

    def block(self, block: _Block, x: float, top: float, color: Color, *, align: str = "l",
              glow: float = 0.0, glow_color: Color | None = None) -> None:
        """Draw wrapped lines; x is the left edge, centre or right edge per `align`."""
        baseline = top + block.font.asc
        for line in block.lines:
            self.text((x, baseline), line, block.font, color, anchor=align + "s", glow=glow,
                      glow_color=glow_color)
            baseline += block.pitch

    def rect(self, box: tuple[float, float, float, float], color: Color, *, glow: float = 0.0,
             alpha: float = 1.0) -> None:
        x0, y0, x1, y1 = box
        self.polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], color, glow=glow, alpha=alpha)

    def polygon(self, points: list[tuple[float, float]], color: Color, *, glow: float = 0.0,
                alpha: float = 1.0) -> None:
        """A filled polygon with antialiased, sub-pixel exact edges."""
        def paint(img: Image.Image, d: ImageDraw.ImageDraw, fill: object) -> None:
            _aa_polygon(img, points, fill)
        self.ops.append(_Op(paint, color, glow, alpha, alpha < 1.0))

    def outline_text(self, xy: tuple[float, float], text: str, font: _Font, color: Color, *,
                     stroke: int, anchor: str, alpha: float) -> None:
        """Hollow letters: the stroke of the glyphs only."""
        f = font.font

        def paint(img: Image.Image, d: ImageDraw.ImageDraw, fill: object) -> None:
            d.text(xy, text, font=f, fill=fill, anchor=anchor, stroke_width=stroke, stroke_fill=fill)
            d.text(xy, text, font=f, fill=0, anchor=anchor)
        self.ops.append(_Op(paint, color, 0.0, alpha, True))


_SUPERSAMPLE = 4


def _aa_polygon(target: Image.Image, points: list[tuple[float, float]], fill: object) -> None:
    """ImageDraw.polygon is aliased: draw a supersampled coverage mask and paste through it."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    left, top = max(0, int(min(xs))), max(0, int(min(ys)))
    right, bottom = min(target.width, int(max(xs)) + 2), min(target.height, int(max(ys)) + 2)
    if right <= left or bottom <= top:
        return
    k = _SUPERSAMPLE
    mask = Image.new("L", ((right - left) * k, (bottom - top) * k), 0)
    ImageDraw.Draw(mask).polygon([((x - left) * k, (y - top) * k) for x, y in points], fill=255)
    mask = mask.reduce(k)
    if isinstance(fill, int):
        level = fill
        mask = mask.point(lambda v: v * level // 255)
        fill = 255
    target.paste(fill, (left, top, right, bottom), mask)


def _paint(img: Image.Image, ops: list[_Op]) -> None:
    draw = ImageDraw.Draw(img)
    for op in ops:
        if not op.own_mask:
            op.paint(img, draw, op.color)
            continue
        mask = Image.new("L", img.size, 0)
        op.paint(mask, ImageDraw.Draw(mask), int(round(255 * op.alpha)))
        bbox = mask.getbbox()
        if bbox:
            img.paste(op.color, bbox, mask.crop(bbox))


def _clip_to_safe_box(img: Image.Image, under: Image.Image, safe: Box) -> None:
    """Restore everything outside the safe box from the picture before the sharp pass."""
    w, h = img.size
    x0, y0, x1, y1 = safe
    for box in ((0, 0, w, y0), (0, y1, w, h), (0, y0, x0, y1), (x1, y0, w, y1)):
        if box[2] > box[0] and box[3] > box[1]:
            img.paste(under.crop(box), box)


# --------------------------------------------------------------------------- colour helpers

def _mix(a: Color, b: Color, t: float) -> Color:
    return tuple(int(round(a[i] * (1 - t) + b[i] * t)) for i in range(3))  # type: ignore[return-value]


def _luma(c: Color) -> float:
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]


def _soft_text(theme: Theme) -> Color:
    """Secondary text: between text and muted."""
    return _mix(theme.colors["text"], theme.colors["muted"], 0.4)


# --------------------------------------------------------------------------- background, glow, post

def _smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def _theme_key(theme: Theme) -> tuple:
    return (tuple(sorted(theme.colors.items())), tuple(sorted(theme.effects.items())))


def _background(theme: Theme, size: tuple[int, int]) -> np.ndarray:
    return _background_cached(_theme_key(theme), size)


def _smooth_field(size: tuple[int, int], fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """A slowly varying field fn(x, y) (coordinates in 0..1), computed coarse and upscaled."""
    w, h = size
    cw, ch = max(2, w // 8), max(2, h // 8)
    ys = ((np.arange(ch, dtype=np.float32) + 0.5) / ch)[:, None]
    xs = ((np.arange(cw, dtype=np.float32) + 0.5) / cw)[None, :]
    coarse = np.asarray(fn(xs, ys) * np.ones((ch, cw), np.float32), np.float32)
    return np.asarray(Image.fromarray(coarse).resize((w, h), Image.BILINEAR), np.float32)


@functools.lru_cache(maxsize=16)
def _background_cached(key: tuple, size: tuple[int, int]) -> np.ndarray:
    colors, effects = dict(key[0]), dict(key[1])
    w, h = size
    u = min(w, h) / 1080.0
    bg = np.array(colors["background"], np.float32)
    to_accent = np.array(colors["accent"], np.float32) - bg
    to_accent2 = np.array(colors["accent2"], np.float32) - bg
    weight_a = np.zeros((h, w), np.float32)
    weight_b = None
    aspect = w / h
    if any(effects.values()) and _luma(colors["background"]) < 90:
        # Soft coloured haze: accent from the upper left, accent2 from the lower right.
        def haze(cx: float, cy: float, radius: float, strength: float) -> Callable:
            spread = radius * radius * max(aspect, 1 / aspect)
            return lambda x, y: np.exp(-(((x - cx) * aspect) ** 2 + (y - cy) ** 2) / spread) * strength
        weight_a += _smooth_field(size, haze(0.28, 0.22, 0.55, 0.075))
        weight_b = _smooth_field(size, haze(0.78, 0.86, 0.50, 0.060))
    if effects.get("grid"):
        spacing = max(8.0, 64.0 * u)
        sigma = max(0.6, 1.15 * u)

        def profile(n: int) -> np.ndarray:
            pos = np.arange(n, dtype=np.float32) + 0.5 - n / 2
            dist = np.abs(((pos + spacing / 2) % spacing) - spacing / 2)
            return np.exp(-0.5 * (dist / sigma) ** 2).astype(np.float32)

        gx, gy = profile(w), profile(h)
        # Thumbnails clamp the line width; dim them so the grid keeps the same weight.
        strength = min(1.0, 1.15 * u / sigma)
        # Lines, plus tiny brighter nodes where they cross; faded behind the text.
        grid = np.maximum(gx[None, :] * (0.085 * strength), gy[:, None] * (0.085 * strength))
        grid += (gy[:, None] * (0.08 * strength)) * gx[None, :]

        def fade(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            r = np.sqrt((x - 0.5) ** 2 + (y - 0.5) ** 2) / np.sqrt(0.5)
            return 0.45 + 0.55 * _smoothstep(0.15, 0.85, r)
        grid *= _smooth_field(size, fade)
        weight_a += grid
    img = np.empty((h, w, 3), np.float32)
    for c in range(3):
        channel = bg[c] + weight_a * to_accent[c]
        if weight_b is not None:
            channel += weight_b * to_accent2[c]
        img[..., c] = channel
    out = np.clip(img + 0.5, 0, 255).astype(np.uint8)
    out.setflags(write=False)  # shared by every slide of this theme and size
    return out


def _vignette(theme: Theme, size: tuple[int, int]) -> np.ndarray | None:
    """Multiplicative (h, w, 1) map darkening the corners smoothly, or None."""
    if not theme.effects.get("vignette"):
        return None
    return _vignette_cached(size)


@functools.lru_cache(maxsize=8)
def _vignette_cached(size: tuple[int, int]) -> np.ndarray:
    def shade(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        nx, ny = x * 2 - 1, y * 2 - 1
        r = np.sqrt(nx * nx * 0.9 + ny * ny * 1.1) / np.sqrt(2)
        return 1.0 - 0.62 * _smoothstep(0.38, 1.02, r)
    return _smooth_field(size, shade)[..., None]


def _scanlines(theme: Theme, size: tuple[int, int]) -> np.ndarray | None:
    """Multiplicative (h, 1, 1) soft sinusoidal scanlines, or None.

    The period is 7 px at 1080p scale; below 3 px (thumbnails) the stripes would alias,
    so they are left out there.
    """
    w, h = size
    period = 7.0 * min(w, h) / 1080.0
    if not theme.effects.get("scanlines") or period < 3.0:
        return None
    y = np.arange(h, dtype=np.float32)
    col = 1.0 - 0.06 * (0.5 - 0.5 * np.cos(2 * np.pi * y / period))
    return col.astype(np.float32)[:, None, None]


def _blur(mask: Image.Image, radius: float) -> Image.Image:
    """Gaussian blur, done at reduced resolution for wide radii (much faster, same look)."""
    factor = int(max(1, radius // 3))
    if factor > 1 and min(mask.size) // factor >= 4:
        small = mask.reduce(factor).filter(ImageFilter.GaussianBlur(radius / factor))
        return small.resize(mask.size, Image.BILINEAR)
    return mask.filter(ImageFilter.GaussianBlur(radius))


def _add_glow(base: np.ndarray, ops: list[_Op], geo: _Geometry) -> np.ndarray:
    """Screen-blend a blurred copy of every glowing op, in its own colour, onto the base."""
    by_color: dict[Color, list[_Op]] = {}
    for op in ops:
        if op.glow > 0:
            by_color.setdefault(op.glow_color or op.color, []).append(op)
    if not by_color:
        return base
    h, w = base.shape[:2]
    wide_r, tight_r = geo.s(16), geo.s(4.5)
    margin = int(3 * wide_r) + 2
    light = np.zeros_like(base)
    for color, group in by_color.items():
        mask = Image.new("L", (w, h), 0)
        draw = ImageDraw.Draw(mask)
        for op in group:
            op.paint(mask, draw, int(round(255 * op.glow)))
        bbox = mask.getbbox()
        if not bbox:
            continue
        x0, y0 = max(0, bbox[0] - margin), max(0, bbox[1] - margin)
        x1, y1 = min(w, bbox[2] + margin), min(h, bbox[3] + margin)
        crop = mask.crop((x0, y0, x1, y1))
        wide = np.asarray(_blur(crop, wide_r), np.float32)
        tight = np.asarray(_blur(crop, tight_r), np.float32)
        amount = (wide * 0.95 + tight * 0.55) / 255.0
        light[y0:y1, x0:x1] += amount[..., None] * np.array(color, np.float32)
    np.clip(light, 0, 255, out=light)
    return 255.0 - (255.0 - base) * (255.0 - light) / 255.0


# --------------------------------------------------------------------------- shared pieces

def _bar_thickness(geo: _Geometry) -> float:
    """Underline bars are whole pixels on a whole row: crisp at any size, never a blurry smear."""
    return float(max(1, round(geo.s(6))))


def _accent_bar(theme: Theme, geo: _Geometry, canvas: _Canvas, x: float, y: float, *,
                length: float = 150, centered: bool = False) -> float:
    """Two-tone underline bar (accent + short accent2 tick). Returns its height."""
    thick = _bar_thickness(geo)
    y = float(round(y))
    main, gap, tick = geo.s(length), geo.s(10), geo.s(length * 0.22)
    total = main + gap + tick
    left = x - total / 2 if centered else x
    canvas.rect((left, y, left + main, y + thick), theme.colors["accent"], glow=0.85)
    canvas.rect((left + main + gap, y, left + total, y + thick), theme.colors["accent2"], glow=0.85)
    return thick


def _diamond(canvas: _Canvas, cx: float, cy: float, r: float, color: Color, glow: float = 0.0) -> None:
    canvas.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], color, glow=glow)


def _hud(theme: Theme, geo: _Geometry, canvas: _Canvas, *, index: int, total: int, essay_title: str) -> None:
    """Corner brackets, essay title, scene counter and a progress strip, all inside the safe box."""
    x0, y0, x1, y1 = geo.safe
    muted, accent = theme.colors["muted"], theme.colors["accent"]
    arm, thick = geo.s(34), max(1.0, geo.s(3))
    bracket = _mix(muted, accent, 0.35) if theme.effects.get("glow") else muted
    for cx, cy, sx, sy in ((x0, y0, 1, 1), (x1, y0, -1, 1), (x0, y1, 1, -1), (x1, y1, -1, -1)):
        canvas.polygon([(cx, cy), (cx + sx * arm, cy), (cx + sx * arm, cy + sy * thick),
                        (cx + sx * thick, cy + sy * thick), (cx + sx * thick, cy + sy * arm),
                        (cx, cy + sy * arm)], bracket, glow=0.35)

    font = _font(theme, "mono", geo.px(HUD_PX), 500)
    tracking = font.px * 0.16
    baseline = y0 + geo.s(24) + font.asc
    left, right = x0 + geo.pad, x1 - geo.pad

    counter = f"{max(index, 0):02d}"
    rest = f" / {max(total, 0):02d}"
    rest_w = font.length(rest, tracking)
    canvas.text((right, baseline), rest, font, muted, anchor="rs", tracking=tracking)
    canvas.text((right - rest_w - tracking, baseline), counter, font, accent, anchor="rs",
                tracking=tracking, glow=0.5)
    counter_w = rest_w + tracking + font.length(counter, tracking)

    label = " ".join(essay_title.split()).upper()
    if label:
        dot = geo.s(8)
        cy = baseline - font.asc / 2
        canvas.rect((left, cy - dot / 2, left + dot, cy + dot / 2), accent, glow=0.7)
        text_x = left + dot + geo.s(16)
        room = min(right - counter_w - geo.s(60), left + (right - left) * 0.55) - text_x
        label = _ellipsize(label, font, room, tracking)
        canvas.text((text_x, baseline), label, font, muted, tracking=tracking)

    # Progress strip: one segment per scene (a continuous bar for long essays).
    if total > 0:
        seg_h = max(1.0, geo.s(5))
        bottom = y1 - geo.s(26)
        avail = min(geo.s(420), (right - left) * 0.45)
        dim = _mix(theme.colors["background"], muted, 0.45)
        done = _mix(theme.colors["background"], muted, 0.9)
        if total <= 30:
            gap = geo.s(6)
            seg_w = min(geo.s(26), (avail - gap * (total - 1)) / total)
            for i in range(total):
                sx = left + i * (seg_w + gap)
                color, glow = (accent, 0.8) if i + 1 == index else ((done, 0.0) if i + 1 < index else (dim, 0.0))
                canvas.rect((sx, bottom - seg_h, sx + seg_w, bottom), color, glow=glow)
        else:
            frac = min(max(index / total, 0.0), 1.0)
            canvas.rect((left, bottom - seg_h, left + avail, bottom), dim)
            canvas.rect((left, bottom - seg_h, left + avail * frac, bottom), accent, glow=0.8)


def _ellipsize(text: str, font: _Font, room: float, tracking: float) -> str:
    if font.length(text, tracking) <= room:
        return text
    while text and font.length(text + "…", tracking) > room:
        text = text[:-1]
    return (text.rstrip() + "…") if text else ""


# --------------------------------------------------------------------------- layouts

def _layout_title(scene: Scene, theme: Theme, geo: _Geometry, canvas: _Canvas, *, index: int,
                  part: int | None) -> bool:
    """Big centred title, two-tone underline bar, optional subtitle."""
    cx0, cy0, cx1, cy1 = geo.content
    cw, ch = cx1 - cx0, cy1 - cy0
    max_w = cw if geo.portrait else cw * 0.84
    ok = True
    sub = None
    sub_gap = geo.s(44)
    if scene.subtitle:
        sub, ok_sub = _fit(scene.subtitle, theme, "body", 500, SUBTITLE_PX, max_w * 0.92, ch * 0.3, 1.2, geo)
        ok &= ok_sub
    bar_gap, bar_h = geo.s(46), _bar_thickness(geo)
    extra = bar_gap + bar_h + (sub_gap + sub.height if sub else 0)
    title, ok_title = _fit(scene.title, theme, "title", 700, TITLE_PX, max_w, ch - extra, 1.14, geo,
                           balance=True)
    ok &= ok_title

    height = title.height + extra
    top = cy0 + max(0.0, (ch - height) / 2 - ch * 0.03)
    mid = (cx0 + cx1) / 2
    canvas.block(title, mid, top, theme.colors["text"], align="m", glow=1.0,
                 glow_color=theme.colors["accent"])
    y = top + title.height + bar_gap
    _accent_bar(theme, geo, canvas, mid, y, length=170, centered=True)
    if sub:
        canvas.block(sub, mid, y + bar_h + sub_gap, theme.colors["accent2"], align="m", glow=0.2)
    return ok


def _layout_section(scene: Scene, theme: Theme, geo: _Geometry, canvas: _Canvas, *, index: int,
                    part: int | None) -> bool:
    """Chapter card: mono label, big left-aligned title, glowing rail, hollow numeral.

    Landscape: the numeral stands at the right. Portrait: it sits above the text block.
    """
    cx0, cy0, cx1, cy1 = geo.content
    cw, ch = cx1 - cx0, cy1 - cy0
    number = f"{part if part is not None else index:02d}"

    num_px = int(min(ch * 0.62, cw * 0.30 / 1.6) if not geo.portrait else cw * 0.42 / 1.6)
    num_font = _font(theme, "title", max(1, num_px), 800)
    num_w = num_font.length(number)
    num_h = float(-num_font.font.getbbox(number, anchor="ls")[1])
    stroke = max(1, int(round(geo.s(2.5))))
    num_alpha = 0.30 if _luma(theme.colors["background"]) < 90 else 0.45
    num_gap = geo.s(56)

    rail_w, indent = max(1.0, geo.s(7)), geo.s(46)
    text_x = cx0 + indent
    max_w = (cx1 - text_x) if geo.portrait else (cx1 - text_x - num_w - geo.s(60))
    label = f"PART {number}" if part is not None else "// SECTION"
    label_font = _font(theme, "mono", geo.px(24), 600)
    label_tracking = label_font.px * 0.32
    label_gap, sub_gap = geo.s(34), geo.s(34)
    ok = True
    sub = None
    if scene.subtitle:
        sub, ok_sub = _fit(scene.subtitle, theme, "body", 500, (40, 22), max_w, ch * 0.3, 1.22, geo)
        ok &= ok_sub
    above = (num_h + stroke + num_gap) if geo.portrait else 0.0
    extra = label_font.asc + label_gap + (sub_gap + sub.height if sub else 0)
    title, ok_title = _fit(scene.title, theme, "title", 700, SECTION_PX, max_w, ch - extra - above, 1.1,
                           geo, balance=True)
    ok &= ok_title

    height = extra + title.height
    if geo.portrait:
        group_top = cy0 + max(0.0, (ch - above - height) / 2 - ch * 0.04)
        canvas.outline_text((cx0 + stroke, group_top + stroke + num_h), number, num_font,
                            theme.colors["accent"], stroke=stroke, anchor="ls", alpha=num_alpha)
        top = group_top + above
    else:
        canvas.outline_text((cx1 - stroke, (cy0 + cy1) / 2), number, num_font, theme.colors["accent"],
                            stroke=stroke, anchor="rm", alpha=num_alpha)
        top = cy0 + max(0.0, (ch - height) / 2 - ch * 0.02)
    canvas.rect((cx0, top, cx0 + rail_w, top + height), theme.colors["accent"], glow=0.9)
    canvas.rect((cx0, top, cx0 + rail_w, top + min(height, geo.s(40))), theme.colors["accent2"], glow=0.9)
    canvas.text((text_x, top + label_font.asc), label, label_font, theme.colors["accent2"],
                tracking=label_tracking, glow=0.55)
    y = top + label_font.asc + label_gap
    canvas.block(title, text_x, y, theme.colors["text"], glow=1.0, glow_color=theme.colors["accent"])
    if sub:
        canvas.block(sub, text_x, y + title.height + sub_gap, _soft_text(theme))
    return ok


def _layout_bullets(scene: Scene, theme: Theme, geo: _Geometry, canvas: _Canvas, *, index: int,
                    part: int | None) -> bool:
    """Title top-left with underline bar; bullets with drawn diamond markers."""
    cx0, cy0, cx1, cy1 = geo.content
    cw, ch = cx1 - cx0, cy1 - cy0
    items = [b for b in scene.bullets if b.strip()]
    title_gap, bar_gap, sub_gap = geo.s(30), geo.s(56), geo.s(22)
    bar_h = _bar_thickness(geo)

    # The title may take up to a third of the box, but gives way (gets smaller) when that
    # would squeeze the bullets well below the size they could have: readable bullets first.
    plans = []
    for title_scale in (1.0, 0.86, 0.74, 0.62):
        ok = True
        title = sub = None
        head = 0.0
        if scene.title:
            largest = max(HEADING_PX[1], HEADING_PX[0] * title_scale)
            title, ok_title = _fit(scene.title, theme, "title", 700, (largest, HEADING_PX[1]), cw, ch * 0.34,
                                   1.12, geo, balance=True)
            ok &= ok_title
            head = title.height
            if scene.subtitle:
                sub, ok_sub = _fit(scene.subtitle, theme, "body", 500, (34, 20), cw, ch * 0.14, 1.2, geo)
                ok &= ok_sub
                head += sub_gap + sub.height
            head += title_gap + bar_h + bar_gap
        blocks, gap, ok_items = _fit_bullets(items, theme, geo, cw, ch - head)
        plans.append((title, sub, head, blocks, gap, ok and ok_items))
        if not scene.title:
            break
    best_px = max((p[3][0].font.px for p in plans if p[3] and p[5]), default=None)
    plan = plans[-1]  # nothing fits: the smallest title leaves the most room
    if best_px is not None:
        plan = next(p for p in plans if p[5] and p[3][0].font.px >= 0.85 * best_px)
    title, sub, head, blocks, gap, ok = plan

    y = cy0
    if title is not None:
        canvas.block(title, cx0, y, theme.colors["text"], glow=0.75, glow_color=theme.colors["accent"])
        y += title.height
        if sub is not None:
            y += sub_gap
            canvas.block(sub, cx0, y, _soft_text(theme))
            y += sub.height
        y += title_gap
        _accent_bar(theme, geo, canvas, cx0, y, length=120)
        y += bar_h + bar_gap
    if not blocks:
        return ok
    font = blocks[0].font
    px = font.px
    total = sum(b.height for b in blocks) + gap * (len(blocks) - 1)
    top = y + max(0.0, (cy1 - y - total) * 0.3)
    r = max(1.0, px * 0.17)
    for block in blocks:
        baseline = top + font.asc
        _diamond(canvas, cx0 + px * 0.22, baseline - font.xh / 2, r, theme.colors["accent"], glow=0.9)
        canvas.block(block, cx0 + px * 1.05, top, theme.colors["text"])
        top += block.height + gap
    return ok


def _fit_bullets(items: list[str], theme: Theme, geo: _Geometry, width: float,
                 avail: float) -> tuple[list[_Block], float, bool]:
    """Bullet blocks at the largest common size that fits, else cut to fit at the smallest."""
    if not items:
        return [], 0.0, True
    blocks: list[_Block] = []
    gap = 0.0
    for px in _sizes(geo.s(BULLET_PX[0]), geo.s(BULLET_PX[1])):
        font = _font(theme, "body", px, 500)
        blocks = [_block(item, font, width - px * 1.05, 1.22) for item in items]
        gap = px * 0.9
        total = sum(b.height for b in blocks) + gap * (len(blocks) - 1)
        if total <= avail and not any(b.broke for b in blocks):
            return blocks, gap, True
    kept: list[_Block] = []
    used = 0.0
    for block in blocks:
        room = avail - used - (gap if kept else 0.0)
        if block.height <= room:
            kept.append(block)
            used += block.height + (gap if len(kept) > 1 else 0.0)
            continue
        if room >= block.font.asc + block.font.desc or not kept:
            kept.append(_trim(block, room))
        break
    return kept, gap, False


def _split_entry(entry: str) -> tuple[str, str]:
    parts = _ENTRY_SPLIT.split(entry.strip(), maxsplit=1)
    if len(parts) == 2 and parts[0] and parts[1]:
        return parts[0].strip(), parts[1].strip()
    return entry.strip(), ""


def _layout_credits(scene: Scene, theme: Theme, geo: _Geometry, canvas: _Canvas, *, index: int,
                    part: int | None) -> bool:
    """Heading and a credits list: names in accent, works in soft text (two columns when wide)."""
    cx0, cy0, cx1, cy1 = geo.content
    cw, ch = cx1 - cx0, cy1 - cy0
    mid = (cx0 + cx1) / 2
    ok = True
    heading, ok_h = _fit(scene.title or "Credits", theme, "title", 700, HEADING_PX, cw, ch * 0.25, 1.1, geo,
                        balance=True)
    ok &= ok_h
    canvas.block(heading, mid, cy0, theme.colors["text"], align="m", glow=0.8,
                 glow_color=theme.colors["accent"])
    y = cy0 + heading.height + geo.s(30)
    y += _accent_bar(theme, geo, canvas, mid, y, length=90, centered=True)
    if scene.subtitle:
        sub, ok_sub = _fit(scene.subtitle, theme, "body", 500, (32, 20), cw, ch * 0.12, 1.2, geo)
        ok &= ok_sub
        y += geo.s(30)
        canvas.block(sub, mid, y, _soft_text(theme), align="m")
        y += sub.height
    y += geo.s(52)

    entries = [_split_entry(e) for e in scene.bullets if e.strip()]
    if not entries:
        return ok
    avail = cy1 - y
    two_col = not geo.portrait
    gutter = geo.s(64)
    col_w = (cw - gutter) / 2
    rows: list[tuple[_Block, _Block | None]] = []
    fitted = False
    name_color, work_color = theme.colors["accent"], _soft_text(theme)
    largest = CREDIT_PX[0] if two_col else CREDIT_PX[0] * 1.2
    px = 1
    for px in _sizes(geo.s(largest), geo.s(CREDIT_PX[1])):
        name_font = _font(theme, "body", px, 700)
        work_font = _font(theme, "body", px if two_col else max(1, int(px * 0.82)), 400)
        rows = []
        broke = False
        for name, work in entries:
            if not work:
                nb = _block(name, work_font, cw, 1.2)
                rows.append((nb, None))
            elif two_col:
                rows.append((_block(name, name_font, col_w, 1.2), _block(work, work_font, col_w, 1.2)))
            else:
                rows.append((_block(name, name_font, cw, 1.2), _block(work, work_font, cw, 1.2)))
            broke |= any(b.broke for b in rows[-1] if b is not None)
        gap = px * (0.75 if two_col else 1.0)
        total = _credits_height(rows, two_col, px) + gap * (len(rows) - 1)
        if total <= avail and not broke:
            fitted = True
            break
    ok &= fitted
    gap = px * (0.75 if two_col else 1.0)
    while not fitted and len(rows) > 1 and _credits_height(rows, two_col, px) + gap * (len(rows) - 1) > avail:
        rows.pop()  # cannot fit even at the smallest size: cut whole entries from the end
    total = _credits_height(rows, two_col, px) + gap * (len(rows) - 1)
    top = y + max(0.0, (avail - total) * 0.4)
    for name_block, work_block in rows:
        if work_block is None:
            canvas.block(name_block, mid, top, work_color, align="m")
            top += name_block.height + gap
            continue
        if two_col:
            canvas.block(name_block, mid - gutter / 2, top, name_color, align="r", glow=0.25)
            canvas.block(work_block, mid + gutter / 2, top, work_color)
            # Align the first baselines; a muted dot sits in the gutter.
            first = top + name_block.font.asc
            _diamond(canvas, mid, first - name_block.font.xh / 2, max(1.0, px * 0.09), theme.colors["muted"])
            top += max(name_block.height, work_block.height) + gap
        else:
            canvas.block(name_block, mid, top, name_color, align="m", glow=0.25)
            wtop = top + name_block.height + px * 0.28
            canvas.block(work_block, mid, wtop, work_color, align="m")
            top = wtop + work_block.height + gap
    return ok


def _credits_height(rows: list[tuple[_Block, _Block | None]], two_col: bool, px: int) -> float:
    total = 0.0
    for name_block, work_block in rows:
        if work_block is None:
            total += name_block.height
        elif two_col:
            total += max(name_block.height, work_block.height)
        else:
            total += name_block.height + px * 0.28 + work_block.height
    return total


_LAYOUTS: dict[str, Callable[..., bool]] = {
    "title": _layout_title,
    "section": _layout_section,
    "bullets": _layout_bullets,
    "credits": _layout_credits,
}
