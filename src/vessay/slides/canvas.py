"""Drawing ops: layouts record what they draw, so glow can be built before the sharp pass."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from PIL import Image, ImageDraw

from .bidi import base_level
from .fonts import Font, draw_runs, place_runs
from .geometry import Box
from .text import Block

Color = tuple[int, int, int]

Paint = Callable[[Image.Image, ImageDraw.ImageDraw, object], None]
"""paint(target image, ImageDraw on it, fill): draws one element with `fill` (a colour or a mask level)."""


@dataclass
class Op:
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
class Canvas:
    """Collects what a layout draws, so glow can be built before the sharp pass.

    With `mirror` (the slide's width), everything drawn is placed mirrored left to right, for a
    layout that reads right to left; text and pictures move, they are not flipped."""
    ops: list[Op] = field(default_factory=list)
    mirror: float | None = None

    def _x(self, x: float) -> float:
        return x if self.mirror is None else self.mirror - x

    def _anchor(self, anchor: str) -> str:
        if self.mirror is None:
            return anchor
        return {"l": "r", "r": "l"}.get(anchor[0], anchor[0]) + anchor[1:]

    def _left(self, x: float, width: float) -> float:
        """Where something `width` wide whose left edge is at `x` starts once mirrored."""
        return x if self.mirror is None else self.mirror - x - width

    def _box(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = box
        return box if self.mirror is None else (self.mirror - x1, y0, self.mirror - x0, y1)

    def text(self, xy: tuple[float, float], text: str, font: Font, color: Color, *, anchor: str = "ls",
             glow: float = 0.0, tracking: float = 0.0, alpha: float = 1.0,
             glow_color: Color | None = None, base: int | None = None) -> None:
        """One line of text. Characters the theme font lacks are drawn with a fallback font; emoji in colour.
        Right-to-left runs read right to left, in the paragraph's direction `base` (default: the line's)."""
        if not text:
            return
        anchor = self._anchor(anchor)
        if base is None and self.mirror is not None:
            base = 1  # a layout that reads right to left: so does each of its lines
        placed = place_runs(font, text, self._x(xy[0]), anchor, tracking, base)
        if not placed:
            return
        y = xy[1]

        def paint(img: Image.Image, d: ImageDraw.ImageDraw, fill: object) -> None:
            draw_runs(img, d, font, placed, y, fill, anchor[1])
        self.ops.append(Op(paint, color, glow, alpha, alpha < 1.0, glow_color))

    def block(self, block: Block, x: float, top: float, color: Color, *, align: str = "l",
              glow: float = 0.0, glow_color: Color | None = None) -> None:
        """Draw wrapped lines; x is the left edge, centre or right edge per `align`."""
        baseline = top + block.font.asc
        # The paragraph's direction, not each line's: a wrapped line may start with a Latin word.
        direction = 1 if self.mirror is not None else base_level(" ".join(block.lines))
        for line in block.lines:
            self.text((x, baseline), line, block.font, color, anchor=align + "s", glow=glow,
                      glow_color=glow_color, base=direction)
            baseline += block.pitch

    def rect(self, box: tuple[float, float, float, float], color: Color, *, glow: float = 0.0,
             alpha: float = 1.0) -> None:
        x0, y0, x1, y1 = box
        self.polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], color, glow=glow, alpha=alpha)

    def polygon(self, points: list[tuple[float, float]], color: Color, *, glow: float = 0.0,
                alpha: float = 1.0) -> None:
        """A filled polygon with antialiased, sub-pixel exact edges."""
        points = [(self._x(x), y) for x, y in points]

        def paint(img: Image.Image, d: ImageDraw.ImageDraw, fill: object) -> None:
            aa_polygon(img, points, fill)
        self.ops.append(Op(paint, color, glow, alpha, alpha < 1.0))

    def round_rect(self, box: tuple[float, float, float, float], radius: float, color: Color, *,
                   width: float | None = None, glow: float = 0.0, alpha: float = 1.0) -> None:
        """An antialiased rounded rectangle: filled, or only its outline `width` thick."""
        box = self._box(box)

        def paint(img: Image.Image, d: ImageDraw.ImageDraw, fill: object) -> None:
            aa_round_rect(img, box, radius, width, fill)
        self.ops.append(Op(paint, color, glow, alpha, alpha < 1.0))

    def outline_text(self, xy: tuple[float, float], text: str, font: Font, color: Color, *,
                     stroke: int, anchor: str, alpha: float) -> None:
        """Hollow letters: the stroke of the glyphs only."""
        f = font.font
        xy, anchor = (self._x(xy[0]), xy[1]), self._anchor(anchor)

        def paint(img: Image.Image, d: ImageDraw.ImageDraw, fill: object) -> None:
            d.text(xy, text, font=f, fill=fill, anchor=anchor, stroke_width=stroke, stroke_fill=fill)
            d.text(xy, text, font=f, fill=0, anchor=anchor)
        self.ops.append(Op(paint, color, 0.0, alpha, True))

    def mask(self, xy: tuple[int, int], coverage: Image.Image, color: Color, *, glow: float = 0.0,
             glow_color: Color | None = None, alpha: float = 1.0) -> None:
        """Fill `color` through a coverage mask ("L") whose top-left corner goes at `xy`."""
        xy = (self._left(xy[0], coverage.width), xy[1])

        def paint(img: Image.Image, d: ImageDraw.ImageDraw, fill: object) -> None:
            img.paste(fill, (int(xy[0]), int(xy[1])), coverage)
        self.ops.append(Op(paint, color, glow, alpha, alpha < 1.0, glow_color))

    def picture(self, xy: tuple[int, int], picture: Image.Image, *, glow: float = 0.0,
                glow_color: Color = (0, 0, 0)) -> None:
        """Paste an RGB(A) picture; in a mask pass (glow) it counts as its alpha."""
        alpha = picture.getchannel("A") if picture.mode == "RGBA" else None
        rgb = picture.convert("RGB")
        pos = (int(self._left(xy[0], rgb.width)), int(xy[1]))

        def paint(img: Image.Image, d: ImageDraw.ImageDraw, fill: object) -> None:
            if img.mode == "RGB":
                img.paste(rgb, pos, alpha)
            else:
                img.paste(fill, (*pos, pos[0] + rgb.width, pos[1] + rgb.height), alpha)
        self.ops.append(Op(paint, glow_color, glow, 1.0, False, glow_color))


_SUPERSAMPLE = 4


def _paste_supersampled(target: Image.Image, bounds: tuple[float, float, float, float],
                        draw: Callable[[ImageDraw.ImageDraw, int, int, int], None], fill: object) -> None:
    """Draw a shape at 4x into a coverage mask, reduce it, and paste `fill` through it."""
    left, top = max(0, int(bounds[0])), max(0, int(bounds[1]))
    right, bottom = min(target.width, int(bounds[2]) + 2), min(target.height, int(bounds[3]) + 2)
    if right <= left or bottom <= top:
        return
    k = _SUPERSAMPLE
    mask = Image.new("L", ((right - left) * k, (bottom - top) * k), 0)
    draw(ImageDraw.Draw(mask), left, top, k)
    mask = mask.reduce(k)
    if isinstance(fill, int):
        level = fill
        mask = mask.point(lambda v: v * level // 255)
        fill = 255
    target.paste(fill, (left, top, right, bottom), mask)


def aa_polygon(target: Image.Image, points: list[tuple[float, float]], fill: object) -> None:
    """ImageDraw.polygon is aliased: draw a supersampled coverage mask and paste through it."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]

    def draw(d: ImageDraw.ImageDraw, left: int, top: int, k: int) -> None:
        d.polygon([((x - left) * k, (y - top) * k) for x, y in points], fill=255)
    _paste_supersampled(target, (min(xs), min(ys), max(xs), max(ys)), draw, fill)


def aa_round_rect(target: Image.Image, box: tuple[float, float, float, float], radius: float,
                  width: float | None, fill: object) -> None:
    x0, y0, x1, y1 = box

    def draw(d: ImageDraw.ImageDraw, left: int, top: int, k: int) -> None:
        shape = [(x0 - left) * k, (y0 - top) * k, (x1 - left) * k, (y1 - top) * k]
        r = max(0, int(round(radius * k)))
        if width is None:
            d.rounded_rectangle(shape, r, fill=255)
        else:
            d.rounded_rectangle(shape, r, outline=255, width=max(1, int(round(width * k))))
    _paste_supersampled(target, box, draw, fill)


def paint_ops(img: Image.Image, ops: list[Op]) -> None:
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


def clip_to_safe_box(img: Image.Image, under: Image.Image, safe: Box) -> None:
    """Restore everything outside the safe box from the picture before the sharp pass."""
    w, h = img.size
    x0, y0, x1, y1 = safe
    for box in ((0, 0, w, y0), (0, y1, w, h), (0, y0, x0, y1), (x1, y0, w, y1)):
        if box[2] > box[0] and box[3] > box[1]:
            img.paste(under.crop(box), box)
