"""render_slide and fits: run a layout, add the HUD, then background, glow, vignette, scanlines."""

from __future__ import annotations

from typing import Callable

import numpy as np
from PIL import Image

from ..errors import VessayError
from ..script import Scene
from ..theme import Theme
from . import basic, chart, code, columns, equation, picture, quote
from .bidi import base_level
from .canvas import Canvas, clip_to_safe_box, paint_ops
from .effects import add_glow, background, scanlines, vignette
from .geometry import Geometry
from .lower_third import lower_third_fits
from .parts import hud

Layout = Callable[..., bool]

LAYOUTS: dict[str, Layout] = {
    "title": basic.layout_title,
    "section": basic.layout_section,
    "bullets": basic.layout_bullets,
    "credits": basic.layout_credits,
    "quote": quote.layout_quote,
    "code": code.layout_code,
    "equation": equation.layout_equation,
    "image": picture.layout_image,
    "two-column": columns.layout_two_column,
    "chart": chart.layout_chart,
}


def render_slide(scene: Scene, theme: Theme, size: tuple[int, int], *, index: int, total: int,
                 essay_title: str, part: int | None = None, reveal: int | None = None) -> Image.Image:
    """The slide for `scene` as an RGB image of exactly `size`.

    `index` is the 1-based scene number and `total` the scene count (for the HUD).
    `part`, if given, numbers a `section` card ("PART 02"); otherwise it is labelled
    "// SECTION" with the scene number. `reveal`, if given, draws only the first `reveal`
    bullets (bullets, credits, two-column: left column first), each exactly where it sits
    on the full slide.
    """
    w, h = int(size[0]), int(size[1])
    geo = Geometry(w, h)
    canvas = Canvas(mirror=w if reads_right_to_left(scene) else None)
    _layout(scene)(scene, theme, geo, canvas, index=index, part=part, reveal=reveal)
    canvas.mirror = None  # the frame around it (corners, counter, progress) stays as it is
    hud(theme, geo, canvas, index=index, total=total, essay_title=essay_title)

    back = background(theme, (w, h))
    shade = vignette(theme, (w, h))
    if theme.effects.get("glow") or shade is not None:
        base = back.astype(np.float32)
        if theme.effects.get("glow"):
            base = add_glow(base, canvas.ops, geo)
        if shade is not None:
            base *= shade  # under the text only: labels near the corners stay bright
        base += 0.5
        under = Image.fromarray(np.clip(base, 0, 255, out=base).astype(np.uint8))
        del base  # 30 MB of floats, no longer needed while the text is painted
    else:
        under = Image.fromarray(back)
    img = under.copy()
    paint_ops(img, canvas.ops)
    clip_to_safe_box(img, under, geo.safe)
    scan = scanlines(theme, (w, h))
    if scan is not None:
        pixels = np.array(img)
        for top in range(0, h, _BAND):  # in bands: a float copy of the whole slide would cost ~30 MB
            band = pixels[top:top + _BAND].astype(np.float32)
            band *= scan[top:top + _BAND]
            band += 0.5
            pixels[top:top + _BAND] = band  # truncated to uint8, as astype does
        img = Image.fromarray(pixels)
    return img


_BAND = 64

MIRRORED_LAYOUTS = ("title", "section", "bullets", "credits", "quote", "two-column")
"""Layouts of text alone, laid out from the right when their text reads right to left (code,
maths, charts and pictures keep their own direction)."""


def reads_right_to_left(scene: Scene) -> bool:
    """Whether the scene's text starts in a right-to-left script (its title first, else its body)."""
    if scene.layout not in MIRRORED_LAYOUTS:
        return False
    columns = [c for c in (scene.left, scene.right) if c is not None]
    texts = [scene.title, scene.quote, *scene.bullets, *(t for c in columns for t in (c.heading, *c.bullets)),
             scene.subtitle]
    return base_level(" ".join(t for t in texts if t)) == 1


def fits(scene: Scene, theme: Theme, size: tuple[int, int]) -> bool:
    """False when the scene's content cannot fit its box even at the smallest size."""
    if scene.full_frame:
        return lower_third_fits(scene, theme, size)
    geo = Geometry(int(size[0]), int(size[1]))
    return bool(_layout(scene)(scene, theme, geo, Canvas(), index=1, part=None, reveal=None))


def _layout(scene: Scene) -> Layout:
    return LAYOUTS.get(scene.layout, basic.layout_bullets)
