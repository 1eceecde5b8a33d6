"""The `two-column` layout: two headed bullet lists side by side (stacked on portrait canvases)."""

from __future__ import annotations

from ..script import Column, Scene
from ..theme import Theme
from .basic import bullet_blocks, cut_to_fit, draw_bullets, stack_height
from .canvas import Canvas
from .effects import mix
from .fonts import theme_font
from .geometry import Geometry
from .parts import Heading, bar_thickness
from .text import Block, block, sizes

COLUMN_HEAD_PX = (50, 24)
COLUMN_BULLET_PX = (46, 22)


def layout_two_column(scene: Scene, theme: Theme, geo: Geometry, canvas: Canvas, *, index: int,
                      part: int | None, reveal: int | None = None) -> bool:
    """Left column in accent, right in accent2, a hairline between them."""
    cx0, cy0, cx1, cy1 = geo.content
    cw, ch = cx1 - cx0, cy1 - cy0
    heading = Heading(scene, theme, geo, cw, ch * 0.24, ch * 0.1, scale=0.8)
    ok = heading.ok
    y = heading.draw(canvas, cx0, cy0)
    sides = [c for c in (scene.left, scene.right)]
    if not any(sides):
        return False
    cols = [c or Column(heading="") for c in sides]
    avail = cy1 - y

    gutter = geo.s(40 if geo.portrait else 110)
    col_w = cw if geo.portrait else (cw - gutter) / 2
    head_gap, bar_gap = geo.s(22), geo.s(36)
    bar_h = bar_thickness(geo)

    # Column headings: one common size, at most a quarter of the room each.
    heads: list[Block] = []
    for px in sizes(geo.s(COLUMN_HEAD_PX[0]), geo.s(COLUMN_HEAD_PX[1])):
        font = theme_font(theme, "title", px, 700)
        heads = [block(c.heading, font, col_w, 1.12, balance=True) for c in cols]
        if all(not h.broke and h.height <= avail * (0.14 if geo.portrait else 0.26) for h in heads):
            break
    else:
        ok = False

    def head_height(h: Block) -> float:
        return h.height + head_gap + bar_h + bar_gap

    if geo.portrait:
        room = [avail - sum(head_height(h) for h in heads) - gutter * 2]
    else:
        room = [avail - max(head_height(h) for h in heads)]

    fitted = False
    lists: list[list[Block]] = [[], []]
    gap = 0.0
    for px in sizes(geo.s(COLUMN_BULLET_PX[0]), geo.s(COLUMN_BULLET_PX[1])):
        lists, gap = [], 0.0
        for c in cols:
            blocks, gap = bullet_blocks(list(c.bullets), theme, px, col_w)
            lists.append(blocks)
        heights = [stack_height(b, gap) for b in lists]
        need = sum(heights) if geo.portrait else max(heights)
        if need <= room[0] and not any(b.broke for bl in lists for b in bl):
            fitted = True
            break
    if not fitted:
        ok = False
        if geo.portrait:
            first = stack_height(lists[0], gap)
            lists[0] = cut_to_fit(lists[0], gap, room[0] * 0.5 if first > room[0] * 0.5 else first)
            lists[1] = cut_to_fit(lists[1], gap, room[0] - stack_height(lists[0], gap))
        else:
            lists = [cut_to_fit(b, gap, room[0]) for b in lists]

    colors = (theme.colors["accent"], theme.colors["accent2"])
    divider = mix(theme.colors["background"], theme.colors["muted"], 0.55)
    line = max(1.0, geo.s(2))
    counts = [len(c.bullets) for c in cols]
    if geo.portrait:
        used = sum(head_height(h) for h in heads) + sum(stack_height(b, gap) for b in lists) + gutter * 2
        top = y + max(0.0, (avail - used) * 0.35)
        for i, (head, blocks, color) in enumerate(zip(heads, lists, colors)):
            if i:
                top += gutter
                canvas.rect((cx0, top - line / 2, cx0 + cw * 0.35, top + line / 2), divider)
                top += gutter
            top = _column(theme, geo, canvas, cx0, top, head, blocks, gap, color, reveal, sum(counts[:i]))
    else:
        used = max(head_height(h) for h in heads) + max(stack_height(b, gap) for b in lists)
        top = y + max(0.0, (avail - used) * 0.3)
        head_span = max(h.height for h in heads)
        xs = (cx0, cx0 + col_w + gutter)
        for i, (x, head, blocks, color) in enumerate(zip(xs, heads, lists, colors)):
            # Headings share a baseline row: a one-line heading sits at the bottom of a two-line one's.
            _column(theme, geo, canvas, x, top, head, blocks, gap, color, reveal, sum(counts[:i]),
                    head_span=head_span)
        mid = cx0 + col_w + gutter / 2
        canvas.rect((mid - line / 2, top, mid + line / 2, top + used), divider)
    return ok


def _column(theme: Theme, geo: Geometry, canvas: Canvas, x: float, top: float, head: Block, blocks: list[Block],
            gap: float, color, reveal: int | None, first: int, head_span: float | None = None) -> float:
    span = head.height if head_span is None else head_span
    canvas.block(head, x, top + span - head.height, color, glow=0.7)
    y = round(top + span + geo.s(22))
    bar_h = bar_thickness(geo)
    canvas.rect((x, y, x + geo.s(80), y + bar_h), color, glow=0.85)
    y += bar_h + geo.s(36)
    return draw_bullets(canvas, blocks, gap, x, y, color, theme.colors["text"], reveal, first)
