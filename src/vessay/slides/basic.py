"""The text layouts: title, section, bullets and credits.

Every layout takes (scene, theme, geometry, canvas, index, part, reveal), records its
drawing on the canvas and returns False when its text could not fit even at the smallest
size. `reveal` (bullets, credits) draws only the first N items, at the positions they
have when all are present, so revealing the next one never moves the others.
"""

from __future__ import annotations

import re

from ..script import Scene
from ..theme import Theme
from .canvas import Canvas
from .effects import luma, soft_text
from .fonts import theme_font
from .geometry import Geometry
from .parts import Heading, accent_bar, bar_thickness, diamond
from .text import BULLET_PX, CREDIT_PX, HEADING_PX, SECTION_PX, SUBTITLE_PX, TITLE_PX, Block, block, fit, sizes, trim

_ENTRY_SPLIT = re.compile(r"\s+[—–]\s+|\s+-{1,2}\s+")


def shown(i: int, reveal: int | None) -> bool:
    """Whether item i (0-based) is drawn under `reveal`."""
    return reveal is None or i < reveal


def layout_title(scene: Scene, theme: Theme, geo: Geometry, canvas: Canvas, *, index: int,
                 part: int | None, reveal: int | None = None) -> bool:
    """Big centred title, two-tone underline bar, optional subtitle."""
    cx0, cy0, cx1, cy1 = geo.content
    cw, ch = cx1 - cx0, cy1 - cy0
    max_w = cw if geo.portrait else cw * 0.84
    ok = True
    sub = None
    sub_gap = geo.s(44)
    if scene.subtitle:
        sub, ok_sub = fit(scene.subtitle, theme, "body", 500, SUBTITLE_PX, max_w * 0.92, ch * 0.3, 1.2, geo)
        ok &= ok_sub
    bar_gap, bar_h = geo.s(46), bar_thickness(geo)
    extra = bar_gap + bar_h + (sub_gap + sub.height if sub else 0)
    title, ok_title = fit(scene.title, theme, "title", 700, TITLE_PX, max_w, ch - extra, 1.14, geo,
                          balance=True)
    ok &= ok_title

    height = title.height + extra
    top = cy0 + max(0.0, (ch - height) / 2 - ch * 0.03)
    mid = (cx0 + cx1) / 2
    canvas.block(title, mid, top, theme.colors["text"], align="m", glow=1.0,
                 glow_color=theme.colors["accent"])
    y = top + title.height + bar_gap
    accent_bar(theme, geo, canvas, mid, y, length=170, centered=True)
    if sub:
        canvas.block(sub, mid, y + bar_h + sub_gap, theme.colors["accent2"], align="m", glow=0.2)
    return ok


def layout_section(scene: Scene, theme: Theme, geo: Geometry, canvas: Canvas, *, index: int,
                   part: int | None, reveal: int | None = None) -> bool:
    """Chapter card: mono label, big left-aligned title, glowing rail, hollow numeral.

    Landscape: the numeral stands at the right. Portrait: it sits above the text block.
    """
    cx0, cy0, cx1, cy1 = geo.content
    cw, ch = cx1 - cx0, cy1 - cy0
    number = f"{part if part is not None else index:02d}"

    num_px = int(min(ch * 0.62, cw * 0.30 / 1.6) if not geo.portrait else cw * 0.42 / 1.6)
    num_font = theme_font(theme, "title", max(1, num_px), 800)
    num_w = num_font.length(number)
    num_h = float(-num_font.font.getbbox(number, anchor="ls")[1])
    stroke = max(1, int(round(geo.s(2.5))))
    num_alpha = 0.30 if luma(theme.colors["background"]) < 90 else 0.45
    num_gap = geo.s(56)

    rail_w, indent = max(1.0, geo.s(7)), geo.s(46)
    text_x = cx0 + indent
    max_w = (cx1 - text_x) if geo.portrait else (cx1 - text_x - num_w - geo.s(60))
    label = f"PART {number}" if part is not None else "// SECTION"
    label_font = theme_font(theme, "mono", geo.px(24), 600)
    label_tracking = label_font.px * 0.32
    label_gap, sub_gap = geo.s(34), geo.s(34)
    ok = True
    sub = None
    if scene.subtitle:
        sub, ok_sub = fit(scene.subtitle, theme, "body", 500, (40, 22), max_w, ch * 0.3, 1.22, geo)
        ok &= ok_sub
    above = (num_h + stroke + num_gap) if geo.portrait else 0.0
    extra = label_font.asc + label_gap + (sub_gap + sub.height if sub else 0)
    title, ok_title = fit(scene.title, theme, "title", 700, SECTION_PX, max_w, ch - extra - above, 1.1,
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
        canvas.block(sub, text_x, y + title.height + sub_gap, soft_text(theme))
    return ok


def layout_bullets(scene: Scene, theme: Theme, geo: Geometry, canvas: Canvas, *, index: int,
                   part: int | None, reveal: int | None = None) -> bool:
    """Title top-left with underline bar; bullets with drawn diamond markers."""
    cx0, cy0, cx1, cy1 = geo.content
    cw, ch = cx1 - cx0, cy1 - cy0
    items = [b for b in scene.bullets if b.strip()]

    # The title may take up to a third of the box, but gives way (gets smaller) when that
    # would squeeze the bullets well below the size they could have: readable bullets first.
    plans = []
    for title_scale in (1.0, 0.86, 0.74, 0.62):
        heading = Heading(scene, theme, geo, cw, ch * 0.34, ch * 0.14, scale=title_scale)
        blocks, gap, ok_items = fit_bullets(items, theme, geo, cw, ch - heading.height)
        plans.append((heading, blocks, gap, heading.ok and ok_items))
        if not scene.title:
            break
    best_px = max((p[1][0].font.px for p in plans if p[1] and p[3]), default=None)
    plan = plans[-1]  # nothing fits: the smallest title leaves the most room
    if best_px is not None:
        plan = next(p for p in plans if p[3] and p[1][0].font.px >= 0.85 * best_px)
    heading, blocks, gap, ok = plan

    y = heading.draw(canvas, cx0, cy0)
    if not blocks:
        return ok
    total = sum(b.height for b in blocks) + gap * (len(blocks) - 1)
    top = y + max(0.0, (cy1 - y - total) * 0.3)
    draw_bullets(canvas, blocks, gap, cx0, top, theme.colors["accent"], theme.colors["text"], reveal)
    return ok


def draw_bullets(canvas: Canvas, blocks: list[Block], gap: float, x: float, top: float, marker, color,
                 reveal: int | None, first: int = 0) -> float:
    """Diamond-marked bullet blocks from `top`; item numbers start at `first` for `reveal`."""
    if not blocks:
        return top
    font = blocks[0].font
    px = font.px
    r = max(1.0, px * 0.17)
    for i, b in enumerate(blocks):
        if shown(first + i, reveal):
            baseline = top + font.asc
            diamond(canvas, x + px * 0.22, baseline - font.xh / 2, r, marker, glow=0.9)
            canvas.block(b, x + px * 1.05, top, color)
        top += b.height + gap
    return top - gap


def bullet_blocks(items: list[str], theme: Theme, px: int, width: float) -> tuple[list[Block], float]:
    font = theme_font(theme, "body", px, 500)
    return [block(item, font, width - px * 1.05, 1.22) for item in items], px * 0.9


def stack_height(blocks: list[Block], gap: float) -> float:
    return sum(b.height for b in blocks) + gap * max(len(blocks) - 1, 0)


def fit_bullets(items: list[str], theme: Theme, geo: Geometry, width: float,
                avail: float) -> tuple[list[Block], float, bool]:
    """Bullet blocks at the largest common size that fits, else cut to fit at the smallest."""
    if not items:
        return [], 0.0, True
    blocks: list[Block] = []
    gap = 0.0
    for px in sizes(geo.s(BULLET_PX[0]), geo.s(BULLET_PX[1])):
        blocks, gap = bullet_blocks(items, theme, px, width)
        if stack_height(blocks, gap) <= avail and not any(b.broke for b in blocks):
            return blocks, gap, True
    return cut_to_fit(blocks, gap, avail), gap, False


def cut_to_fit(blocks: list[Block], gap: float, avail: float) -> list[Block]:
    """The blocks that fit in `avail`, the last one trimmed with an ellipsis."""
    kept: list[Block] = []
    used = 0.0
    for b in blocks:
        room = avail - used - (gap if kept else 0.0)
        if b.height <= room:
            kept.append(b)
            used += b.height + (gap if len(kept) > 1 else 0.0)
            continue
        if room >= b.font.asc + b.font.desc or not kept:
            kept.append(trim(b, room))
        break
    return kept


def _split_entry(entry: str) -> tuple[str, str]:
    parts = _ENTRY_SPLIT.split(entry.strip(), maxsplit=1)
    if len(parts) == 2 and parts[0] and parts[1]:
        return parts[0].strip(), parts[1].strip()
    return entry.strip(), ""


def layout_credits(scene: Scene, theme: Theme, geo: Geometry, canvas: Canvas, *, index: int,
                   part: int | None, reveal: int | None = None) -> bool:
    """Heading and a credits list: names in accent, works in soft text (two columns when wide)."""
    cx0, cy0, cx1, cy1 = geo.content
    cw, ch = cx1 - cx0, cy1 - cy0
    mid = (cx0 + cx1) / 2
    ok = True
    heading, ok_h = fit(scene.title or "Credits", theme, "title", 700, HEADING_PX, cw, ch * 0.25, 1.1, geo,
                        balance=True)
    ok &= ok_h
    canvas.block(heading, mid, cy0, theme.colors["text"], align="m", glow=0.8,
                 glow_color=theme.colors["accent"])
    y = cy0 + heading.height + geo.s(30)
    y += accent_bar(theme, geo, canvas, mid, y, length=90, centered=True)
    if scene.subtitle:
        sub, ok_sub = fit(scene.subtitle, theme, "body", 500, (32, 20), cw, ch * 0.12, 1.2, geo)
        ok &= ok_sub
        y += geo.s(30)
        canvas.block(sub, mid, y, soft_text(theme), align="m")
        y += sub.height
    y += geo.s(52)

    entries = [_split_entry(e) for e in scene.bullets if e.strip()]
    if not entries:
        return ok
    avail = cy1 - y
    two_col = not geo.portrait
    gutter = geo.s(64)
    col_w = (cw - gutter) / 2
    rows: list[tuple[Block, Block | None]] = []
    fitted = False
    name_color, work_color = theme.colors["accent"], soft_text(theme)
    largest = CREDIT_PX[0] if two_col else CREDIT_PX[0] * 1.2
    px = 1
    for px in sizes(geo.s(largest), geo.s(CREDIT_PX[1])):
        name_font = theme_font(theme, "body", px, 700)
        work_font = theme_font(theme, "body", px if two_col else max(1, int(px * 0.82)), 400)
        rows = []
        broke = False
        for name, work in entries:
            if not work:
                nb = block(name, work_font, cw, 1.2)
                rows.append((nb, None))
            elif two_col:
                rows.append((block(name, name_font, col_w, 1.2), block(work, work_font, col_w, 1.2)))
            else:
                rows.append((block(name, name_font, cw, 1.2), block(work, work_font, cw, 1.2)))
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
    for i, (name_block, work_block) in enumerate(rows):
        draw = shown(i, reveal)
        if work_block is None:
            if draw:
                canvas.block(name_block, mid, top, work_color, align="m")
            top += name_block.height + gap
            continue
        if two_col:
            if draw:
                canvas.block(name_block, mid - gutter / 2, top, name_color, align="r", glow=0.25)
                canvas.block(work_block, mid + gutter / 2, top, work_color)
                # Align the first baselines; a muted dot sits in the gutter.
                first = top + name_block.font.asc
                diamond(canvas, mid, first - name_block.font.xh / 2, max(1.0, px * 0.09), theme.colors["muted"])
            top += max(name_block.height, work_block.height) + gap
        else:
            wtop = top + name_block.height + px * 0.28
            if draw:
                canvas.block(name_block, mid, top, name_color, align="m", glow=0.25)
                canvas.block(work_block, mid, wtop, work_color, align="m")
            top = wtop + work_block.height + gap
    return ok


def _credits_height(rows: list[tuple[Block, Block | None]], two_col: bool, px: int) -> float:
    total = 0.0
    for name_block, work_block in rows:
        if work_block is None:
            total += name_block.height
        elif two_col:
            total += max(name_block.height, work_block.height)
        else:
            total += name_block.height + px * 0.28 + work_block.height
    return total
