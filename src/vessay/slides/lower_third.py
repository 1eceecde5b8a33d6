"""The lower third: a scene's title and caption over footage or a photo, in the theme's style.

A translucent panel of the theme's background with an accent rail, the title in the title
font and the caption under it in the body font, at the lower left of the frame, above the
bottom fifth; burned captions rise above it while it shows.
"""

from __future__ import annotations

from PIL import Image

from ..script import Scene
from ..theme import Theme
from .bidi import base_level
from .canvas import aa_round_rect
from .effects import soft_text
from .fonts import draw_text
from .geometry import Geometry, safe_box
from .text import Block, fit

PANEL_ALPHA = 0.78


def _blocks(scene: Scene, theme: Theme, geo: Geometry, width: float) -> tuple[Block | None, Block | None, bool]:
    ok = True
    title = caption = None
    if scene.title:
        title, fitted = fit(scene.title, theme, "title", 700, (46, 26), width, geo.h * 0.16, 1.12, geo)
        ok &= fitted
    if scene.caption:
        caption, fitted = fit(scene.caption, theme, "body", 500, (32, 20), width, geo.h * 0.14, 1.2, geo)
        ok &= fitted
    return title, caption, ok


def _text_width(geo: Geometry) -> float:
    x0, _, x1, _ = safe_box((geo.w, geo.h))
    return (x1 - x0) * (0.86 if geo.portrait else 0.56)


def lower_third_fits(scene: Scene, theme: Theme, size: tuple[int, int]) -> bool:
    """False when the title or caption cannot fit the lower third even at the smallest size."""
    geo = Geometry(*size)
    return _blocks(scene, theme, geo, _text_width(geo))[2]


def _layout(scene: Scene, theme: Theme, geo: Geometry) -> tuple[Block | None, Block | None, float]:
    """The title and caption blocks, and the panel's top row."""
    title, caption, _ = _blocks(scene, theme, geo, _text_width(geo))
    heights = [b.height for b in (title, caption) if b is not None]
    text_h = sum(heights) + geo.s(12) * (len(heights) - 1)
    return title, caption, geo.h * 0.8 - text_h - 2 * geo.s(26)


def lower_third_top(scene: Scene, theme: Theme, size: tuple[int, int]) -> float | None:
    """The top row of the scene's lower third (None without one): burned captions stay above it."""
    if not (scene.title or scene.caption):
        return None
    return _layout(scene, theme, Geometry(*size))[2]


def lower_third(scene: Scene, theme: Theme, size: tuple[int, int]) -> Image.Image | None:
    """The lower third as an RGBA image of the frame's size (transparent elsewhere), or None without text."""
    if not (scene.title or scene.caption):
        return None
    geo = Geometry(*size)
    title, caption, top = _layout(scene, theme, geo)
    pad, gap, rail = geo.s(26), geo.s(12), max(2.0, geo.s(7))
    text_w = max(b.width for b in (title, caption) if b is not None)
    width = rail + text_w + 2 * pad
    rtl = base_level(scene.title or scene.caption) == 1  # read from the right: the panel sits at the lower right
    edge = safe_box(size)[2] if rtl else safe_box(size)[0]
    x0, x1 = (edge - width, edge) if rtl else (edge, edge + width)
    bottom = geo.h * 0.8
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    panel = Image.new("L", size, 0)
    aa_round_rect(panel, (x0, top, x1, bottom), geo.s(6), None, round(255 * PANEL_ALPHA))
    image.paste((*theme.colors["background"], 255), (0, 0), panel)
    image.putalpha(panel)
    rail_x = x1 - rail if rtl else x0
    aa_round_rect(image, (rail_x, top, rail_x + rail, bottom), 0, None, (*theme.colors["accent"], 255))
    x, y = (x1 - rail - pad if rtl else x0 + rail + pad), top + pad
    for block, colour in ((title, theme.colors["text"]), (caption, soft_text(theme))):
        if block is None:
            continue
        baseline = y + block.font.asc
        for line in block.lines:
            draw_text(image, (x, baseline), line, block.font, (*colour, 255), anchor="rs" if rtl else "ls",
                      base=1 if rtl else None)
            baseline += block.pitch
        y += block.height + gap
    return image
