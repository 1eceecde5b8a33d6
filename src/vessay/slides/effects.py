"""Colours and whole-canvas effects: background haze and grid, glow, vignette, scanlines.

Slides are warped every frame with bilinear interpolation (the Ken Burns camera), so
nothing here is a 1-pixel hard line or a high-frequency pattern: grid lines are soft
Gaussian profiles, scanlines are a smooth low-contrast sinusoid.
"""

from __future__ import annotations

import functools
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ..theme import Theme
from .canvas import Color, Op
from .geometry import Geometry


def mix(a: Color, b: Color, t: float) -> Color:
    return tuple(int(round(a[i] * (1 - t) + b[i] * t)) for i in range(3))  # type: ignore[return-value]


def luma(c: Color) -> float:
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]


def soft_text(theme: Theme) -> Color:
    """Secondary text: between text and muted."""
    return mix(theme.colors["text"], theme.colors["muted"], 0.4)


def smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def theme_key(theme: Theme) -> tuple:
    return (tuple(sorted(theme.colors.items())), tuple(sorted(theme.effects.items())))


def background(theme: Theme, size: tuple[int, int]) -> np.ndarray:
    return background_cached(theme_key(theme), size)


def smooth_field(size: tuple[int, int], fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """A slowly varying field fn(x, y) (coordinates in 0..1), computed coarse and upscaled."""
    w, h = size
    cw, ch = max(2, w // 8), max(2, h // 8)
    ys = ((np.arange(ch, dtype=np.float32) + 0.5) / ch)[:, None]
    xs = ((np.arange(cw, dtype=np.float32) + 0.5) / cw)[None, :]
    coarse = np.asarray(fn(xs, ys) * np.ones((ch, cw), np.float32), np.float32)
    return np.asarray(Image.fromarray(coarse).resize((w, h), Image.BILINEAR), np.float32)


@functools.lru_cache(maxsize=16)
def background_cached(key: tuple, size: tuple[int, int]) -> np.ndarray:
    colors, effects = dict(key[0]), dict(key[1])
    w, h = size
    u = min(w, h) / 1080.0
    bg = np.array(colors["background"], np.float32)
    to_accent = np.array(colors["accent"], np.float32) - bg
    to_accent2 = np.array(colors["accent2"], np.float32) - bg
    weight_a = np.zeros((h, w), np.float32)
    weight_b = None
    aspect = w / h
    if any(effects.values()) and luma(colors["background"]) < 90:
        # Soft coloured haze: accent from the upper left, accent2 from the lower right.
        def haze(cx: float, cy: float, radius: float, strength: float) -> Callable:
            spread = radius * radius * max(aspect, 1 / aspect)
            return lambda x, y: np.exp(-(((x - cx) * aspect) ** 2 + (y - cy) ** 2) / spread) * strength
        weight_a += smooth_field(size, haze(0.28, 0.22, 0.55, 0.075))
        weight_b = smooth_field(size, haze(0.78, 0.86, 0.50, 0.060))
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
            return 0.45 + 0.55 * smoothstep(0.15, 0.85, r)
        grid *= smooth_field(size, fade)
        weight_a += grid
    out = np.empty((h, w, 3), np.uint8)
    for c in range(3):  # a channel at a time: a float copy of the whole image would cost ~30 MB more
        channel = bg[c] + weight_a * to_accent[c]
        if weight_b is not None:
            channel += weight_b * to_accent2[c]
        channel += 0.5
        out[..., c] = np.clip(channel, 0, 255, out=channel)  # stored as uint8: truncated, so rounded
    out.setflags(write=False)  # shared by every slide of this theme and size
    return out


def vignette(theme: Theme, size: tuple[int, int]) -> np.ndarray | None:
    """Multiplicative (h, w, 1) map darkening the corners smoothly, or None."""
    if not theme.effects.get("vignette"):
        return None
    return vignette_cached(size)


@functools.lru_cache(maxsize=8)
def vignette_cached(size: tuple[int, int]) -> np.ndarray:
    def shade(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        nx, ny = x * 2 - 1, y * 2 - 1
        r = np.sqrt(nx * nx * 0.9 + ny * ny * 1.1) / np.sqrt(2)
        return 1.0 - 0.62 * smoothstep(0.38, 1.02, r)
    return smooth_field(size, shade)[..., None]


def scanlines(theme: Theme, size: tuple[int, int]) -> np.ndarray | None:
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


def blur(mask: Image.Image, radius: float) -> Image.Image:
    """Gaussian blur, done at reduced resolution for wide radii (much faster, same look)."""
    factor = int(max(1, radius // 3))
    if factor > 1 and min(mask.size) // factor >= 4:
        small = mask.reduce(factor).filter(ImageFilter.GaussianBlur(radius / factor))
        return small.resize(mask.size, Image.BILINEAR)
    return mask.filter(ImageFilter.GaussianBlur(radius))


def add_glow(base: np.ndarray, ops: list[Op], geo: Geometry) -> np.ndarray:
    """Screen-blend a blurred copy of every glowing op, in its own colour, onto the base."""
    by_color: dict[Color, list[Op]] = {}
    for op in ops:
        if op.glow > 0:
            by_color.setdefault(op.glow_color or op.color, []).append(op)
    if not by_color:
        return base
    h, w = base.shape[:2]
    wide_r, tight_r = geo.s(16), geo.s(4.5)
    margin = int(3 * wide_r) + 2
    glows = []  # (box, mask cropped to it, colour) per colour
    for color, group in by_color.items():
        mask = Image.new("L", (w, h), 0)
        draw = ImageDraw.Draw(mask)
        for op in group:
            op.paint(mask, draw, int(round(255 * op.glow)))
        bbox = mask.getbbox()
        if not bbox:
            continue
        box = (max(0, bbox[0] - margin), max(0, bbox[1] - margin), min(w, bbox[2] + margin), min(h, bbox[3] + margin))
        glows.append((box, mask.crop(box), color))
    if not glows:
        return base
    # Light is zero outside the glows' joint box, where the screen blend leaves the base as it is: blend
    # only inside it, in place (full-canvas float temporaries would cost ~100 MB a slide). Each colour's
    # blur is made and added on its own, a channel at a time, so only one is ever held.
    x0, y0 = min(b[0] for b, _, _ in glows), min(b[1] for b, _, _ in glows)
    x1, y1 = max(b[2] for b, _, _ in glows), max(b[3] for b, _, _ in glows)
    light = np.zeros((y1 - y0, x1 - x0, 3), np.float32)
    for (bx0, by0, bx1, by1), crop, color in glows:
        amount = np.asarray(blur(crop, wide_r), np.float32) * 0.95
        amount += np.asarray(blur(crop, tight_r), np.float32) * 0.55
        amount /= 255.0
        area = light[by0 - y0:by1 - y0, bx0 - x0:bx1 - x0]
        for channel, level in enumerate(np.array(color, np.float32)):
            area[..., channel] += amount * level
    np.clip(light, 0, 255, out=light)
    np.subtract(255.0, light, out=light)
    region = base[y0:y1, x0:x1]
    np.subtract(255.0, region, out=region)
    region *= light
    region /= 255.0
    np.subtract(255.0, region, out=region)
    return base
