"""The `quote` layout: a big glowing quotation mark, the quote, and who said it."""

from __future__ import annotations

from ..script import Scene
from ..theme import Theme
from .canvas import Canvas
from .fonts import ink_box, theme_font
from .geometry import Geometry
from .parts import bar_thickness, kicker
from .text import fit

QUOTE_PX = (92, 30)
MARK = "\u201c"


def layout_quote(scene: Scene, theme: Theme, geo: Geometry, canvas: Canvas, *, index: int,
                 part: int | None, reveal: int | None = None) -> bool:
    """Landscape: the mark hangs left of the text. Portrait: it sits above it.

    The title, if any, is a small label over the quote; the attribution follows a short bar.
    """
    cx0, cy0, cx1, cy1 = geo.content
    cw, ch = cx1 - cx0, cy1 - cy0
    ok = True
    mark_font = theme_font(theme, "title", geo.px(230 if not geo.portrait else 190), 700)
    mx0, my0, mx1, my1 = ink_box(mark_font, MARK)
    mark_w, mark_h = mx1 - mx0, my1 - my0
    mark_gap = geo.s(40)

    if geo.portrait:
        text_x, max_w = cx0, cw
        above = mark_h + mark_gap
    else:
        text_x = cx0 + mark_w + mark_gap
        max_w = cx1 - text_x - cw * 0.04
        above = 0.0

    label_h = label_gap = 0.0
    if scene.title:
        label_h = theme_font(theme, "mono", geo.px(24), 600).asc
        label_gap = geo.s(40)
    attr = None
    attr_gap = geo.s(48)
    bar_h = bar_thickness(geo)
    if scene.attribution:
        attr, ok_attr = fit(scene.attribution.upper(), theme, "mono", 600, (28, 18), max_w - geo.s(76), ch * 0.16,
                            1.2, geo)
        ok &= ok_attr
    extra = above + label_h + label_gap + (attr_gap + attr.height if attr else 0.0)
    text, ok_text = fit(scene.quote, theme, "body", 600, QUOTE_PX, max_w, ch - extra, 1.24, geo, balance=True)
    ok &= ok_text

    height = extra + text.height
    top = cy0 + max(0.0, (ch - height) / 2 - ch * 0.03)
    if not geo.portrait:
        # Centre the whole group (mark, quote, attribution) across the box.
        group_w = max(text.width, (geo.s(76) + attr.width) if attr else 0.0)
        text_x += max(0.0, (cx1 - text_x - group_w) / 2 - cw * 0.02)
    if scene.title:
        kicker(theme, geo, canvas, text_x, top, scene.title.upper(), cx1 - text_x)
        top += label_h + label_gap
    if geo.portrait:
        mark_top = top
        top += above
    else:
        mark_top = top - (mark_h * 0.08)
    # The mark's ink, top-left at (x, mark_top).
    canvas.text((text_x - (mark_w + mark_gap if not geo.portrait else 0) - mx0, mark_top - my0), MARK, mark_font,
                theme.colors["accent"], glow=0.9)
    canvas.block(text, text_x, top, theme.colors["text"], glow=0.35, glow_color=theme.colors["accent"])
    if attr:
        y = top + text.height + attr_gap
        mid = y + attr.font.asc - attr.font.xh / 2 if len(attr.lines) == 1 else y + attr.font.asc / 2
        bar_y = round(mid - bar_h / 2)
        canvas.rect((text_x, bar_y, text_x + geo.s(52), bar_y + bar_h), theme.colors["accent2"], glow=0.8)
        canvas.block(attr, text_x + geo.s(76), y, theme.colors["accent2"], glow=0.3)
    return ok
