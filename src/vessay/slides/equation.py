"""The `equation` layout: LaTeX-style maths drawn by matplotlib's mathtext (no TeX install).

Mathtext rasterises the formula to a coverage mask; the slide fills it with the theme's
text colour (glowing in the accent colour in glowing themes), scaled to fit its box and
framed by corner brackets. `parse_problem` parses once, cheaply, so a script's equations
are checked when it is loaded.
"""

from __future__ import annotations

import functools
import re
import threading

import numpy as np
from PIL import Image

from ..script import Scene
from ..theme import Theme
from .canvas import Canvas
from .effects import soft_text
from .geometry import Geometry
from .parts import Heading
from .text import fit

EQUATION_PX = (128, 34)
"""Mathtext font size range in px at 1080p: a short formula is shown big, a long one shrinks."""
_REFERENCE_PX = 100
_LOCK = threading.Lock()  # mathtext's parser is not thread-safe


def _math(equation: str) -> str:
    return equation if equation.lstrip().startswith("$") else f"${equation}$"


@functools.lru_cache(maxsize=1)
def _parser():
    from matplotlib.mathtext import MathTextParser

    return MathTextParser("agg")


def _parse(equation: str, fontset: str, px: float):
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=px, math_fontfamily=fontset)
    with _LOCK:
        return _parser().parse(_math(equation), dpi=72, prop=prop)


def parse_problem(equation: str) -> str | None:
    """None when mathtext can parse `equation`, else matplotlib's reason, made short."""
    try:
        _parse(equation, "dejavusans", 20)
    except ValueError as err:
        return _short_reason(str(err))
    except Exception as err:  # a font or layout error deeper in mathtext
        return _short_reason(str(err)) or type(err).__name__
    return None


def _short_reason(message: str) -> str:
    """'Expected \\frac{num}{den}, found '{' (column 6)' from pyparsing's multi-line report."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    reason = lines[-1] if lines else message.strip()
    reason = re.sub(r"^\w*(Exception|Error):\s*", "", reason)
    where = re.search(r"\s*\(at char \d+\),\s*\(line:\d+, col:(\d+)\)\s*$", reason)
    column = None
    if where:
        column = int(where.group(1))
        reason = reason[:where.start()]
    expected = re.match(r"Expected (.*), found (.*)$", reason)
    if expected and (len(expected.group(1)) > 60 or "|" in expected.group(1)):
        reason = f"expected a symbol or group, found {expected.group(2)}"
    return reason.strip() + (f" (column {column})" if column else "")


@functools.lru_cache(maxsize=128)
def _raster(equation: str, fontset: str, px: int) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """The formula's coverage mask at `px`, and the bounding box of its ink."""
    result = _parse(equation, fontset, px)
    mask = Image.fromarray(np.ascontiguousarray(np.asarray(result.image, dtype=np.uint8)))
    bbox = mask.getbbox() or (0, 0, max(1, mask.width), max(1, mask.height))
    return mask, bbox


def _ink_size(equation: str, fontset: str) -> tuple[float, float]:
    _, (x0, y0, x1, y1) = _raster(equation, fontset, _REFERENCE_PX)
    return float(x1 - x0), float(y1 - y0)


def layout_equation(scene: Scene, theme: Theme, geo: Geometry, canvas: Canvas, *, index: int,
                    part: int | None, reveal: int | None = None) -> bool:
    """Optional heading; the formula centred in bracket corners; the subtitle as a note below."""
    cx0, cy0, cx1, cy1 = geo.content
    cw, ch = cx1 - cx0, cy1 - cy0
    # The subtitle is not under the heading here: it is the note under the formula.
    heading = Heading(scene, theme, geo, cw, ch * 0.24, 0.0, scale=0.8, subtitle=False)
    ok = heading.ok
    note = None
    note_gap = geo.s(56)
    if scene.subtitle:
        note, ok_note = fit(scene.subtitle, theme, "body", 500, (38, 22), cw * (1.0 if geo.portrait else 0.8),
                            ch * 0.22, 1.22, geo, balance=True)
        ok &= ok_note
    y = heading.draw(canvas, cx0, cy0)
    if not scene.equation.strip():
        return False

    frame_pad = geo.s(44)
    box_w = cw * (1.0 if geo.portrait else 0.9) - 2 * frame_pad
    box_h = (cy1 - y) - (note.height + note_gap if note else 0.0) - 2 * frame_pad
    fontset = theme.math
    ink_w, ink_h = _ink_size(scene.equation, fontset)
    px = _REFERENCE_PX * min(box_w / max(ink_w, 1.0), box_h / max(ink_h, 1.0))
    largest, smallest = geo.s(EQUATION_PX[0]), geo.s(EQUATION_PX[1])
    if px < smallest:
        ok = False
    px = max(1, int(min(px, largest)))
    mask, (mx0, my0, mx1, my1) = _raster(scene.equation, fontset, px)
    mask = mask.crop((mx0, my0, mx1, my1))
    if mask.width > box_w or mask.height > box_h:  # too long even at the smallest size: clip it
        ok = False
        mask = mask.crop((0, 0, int(min(mask.width, box_w)), int(min(mask.height, box_h))))

    group_h = mask.height + 2 * frame_pad + (note_gap + note.height if note else 0.0)
    top = y + max(0.0, (cy1 - y - group_h) * (0.35 if scene.title else 0.5))
    mid = (cx0 + cx1) / 2
    left = round(mid - mask.width / 2)
    eq_top = round(top + frame_pad)
    canvas.mask((left, eq_top), mask, theme.colors["text"], glow=0.8, glow_color=theme.colors["accent"])
    _corners(theme, geo, canvas, (left - frame_pad, eq_top - frame_pad,
                                  left + mask.width + frame_pad, eq_top + mask.height + frame_pad))
    if note:
        canvas.block(note, mid, eq_top + mask.height + frame_pad + note_gap, soft_text(theme), align="m")
    return ok


def _corners(theme: Theme, geo: Geometry, canvas: Canvas, box: tuple[float, float, float, float]) -> None:
    """Bracket corners around the formula: accent top-left and bottom-right, accent2 the others."""
    x0, y0, x1, y1 = box
    arm, thick = geo.s(28), max(1.0, geo.s(4))
    corners = ((x0, y0, 1, 1, "accent"), (x1, y0, -1, 1, "accent2"), (x0, y1, 1, -1, "accent2"),
               (x1, y1, -1, -1, "accent"))
    for cx, cy, sx, sy, role in corners:
        canvas.polygon([(cx, cy), (cx + sx * arm, cy), (cx + sx * arm, cy + sy * thick),
                        (cx + sx * thick, cy + sy * thick), (cx + sx * thick, cy + sy * arm),
                        (cx, cy + sy * arm)], theme.colors[role], glow=0.7)
