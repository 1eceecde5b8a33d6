"""The `code` layout: syntax-highlighted source on a subtle panel, in the theme's mono font.

Pygments splits the code into tokens; each token class gets a theme colour (keywords in
accent, strings in accent2, comments muted, the rest in text or tints of it). Code never
wraps: the font shrinks until the widest line fits, and below the smallest size lines are
cut with an ellipsis (and `fits` is False).
"""

from __future__ import annotations

import difflib
import functools

from ..script import Scene
from ..theme import Theme
from .canvas import Canvas, Color
from .effects import luma, mix
from .fonts import Font, theme_font
from .geometry import Geometry
from .parts import Heading
from .text import ellipsize, sizes

CODE_PX = (42, 15)
LINE_PITCH = 1.5


def lexer_problem(language: str) -> str | None:
    """None when Pygments knows `language`, else a message with the nearest known name."""
    from pygments.lexers import get_all_lexers, get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        get_lexer_by_name(language)
        return None
    except ClassNotFound:
        aliases = sorted({alias for _, names, _, _ in get_all_lexers() for alias in names})
        hint = difflib.get_close_matches(language.lower(), aliases, n=1)
        tip = (f"did you mean '{hint[0]}'?" if hint
               else "use a Pygments name such as python, javascript, rust, bash or text")
        return f"unknown language '{language}'; {tip}"


@functools.lru_cache(maxsize=64)
def _tokens(code: str, language: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Lines of (token kind, text) pairs; kind is the Pygments token type as a dotted string."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False, tabsize=4)
    except ClassNotFound:
        lexer = get_lexer_by_name("text")
    lines: list[list[tuple[str, str]]] = [[]]
    for kind, value in lexer.get_tokens(code):
        name = str(kind)
        parts = value.split("\n")
        for i, part in enumerate(parts):
            if i:
                lines.append([])
            if part:
                lines[-1].append((name, part))
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    return tuple(tuple(line) for line in lines)


def token_color(theme: Theme, kind: str) -> Color:
    """A theme colour for a Pygments token type ("Token.Keyword.Constant", ...)."""
    c = theme.colors
    text, accent, accent2, muted = c["text"], c["accent"], c["accent2"], c["muted"]
    parts = kind.split(".")[1:]
    head = parts[0] if parts else ""
    sub = parts[1] if len(parts) > 1 else ""
    if head == "Comment":
        return muted
    if head == "Keyword":
        return accent
    if head == "Literal":
        if sub == "String":
            return accent2
        return mix(accent2, text, 0.45)  # numbers, constants
    if head == "Name":
        if sub in ("Builtin", "Exception"):
            return accent
        if sub in ("Function", "Class", "Decorator", "Namespace"):
            return mix(text, accent, 0.45)
        return text
    if head == "Operator" and sub == "Word":  # and, or, not, in, is
        return accent
    if head in ("Operator", "Punctuation"):
        return mix(text, muted, 0.45)
    if head == "Generic" and sub in ("Inserted",):
        return accent
    if head == "Generic" and sub in ("Deleted", "Error"):
        return accent2
    return text


def _panel_fill(theme: Theme) -> Color:
    bg, text = theme.colors["background"], theme.colors["text"]
    return mix(bg, text, 0.065 if luma(bg) < 90 else 0.055)


def layout_code(scene: Scene, theme: Theme, geo: Geometry, canvas: Canvas, *, index: int,
                part: int | None, reveal: int | None = None) -> bool:
    """Optional heading; a rounded panel with a header (three dots, language) and numbered code."""
    cx0, cy0, cx1, cy1 = geo.content
    cw, ch = cx1 - cx0, cy1 - cy0
    heading = Heading(scene, theme, geo, cw, ch * 0.24, ch * 0.1, scale=0.8)
    lines = _tokens(scene.code, scene.language) if scene.code.strip() else ()
    ok = heading.ok

    pad = geo.s(34)
    radius = geo.s(18)
    label_font = theme_font(theme, "mono", geo.px(18), 600)
    header_h = label_font.asc + geo.s(26)
    numbered = len(lines) >= 3
    digits = len(str(len(lines)))

    avail_h = ch - heading.height
    inner_h = avail_h - header_h - 2 * pad
    texts = ["".join(t for _, t in line) for line in lines]

    def gutter(font: Font) -> float:
        return font.length("0" * digits) + geo.s(30) if numbered else 0.0

    font = None
    fitted = False
    for px in sizes(geo.s(CODE_PX[0]), geo.s(CODE_PX[1])):
        font = theme_font(theme, "mono", px, 500)
        inner_w = cw - 2 * pad - gutter(font)
        widest = max((font.length(t) for t in texts), default=0.0)
        height = _code_height(font, len(lines))
        if widest <= inner_w and height <= inner_h:
            fitted = True
            break
    assert font is not None
    ok &= fitted or not lines
    pitch = font.px * LINE_PITCH
    inner_w = cw - 2 * pad - gutter(font)
    shown = len(lines)
    while shown > 1 and _code_height(font, shown) > inner_h:
        shown -= 1

    code_h = _code_height(font, shown) if shown else font.asc
    panel_h = header_h + 2 * pad + code_h
    y = heading.draw(canvas, cx0, cy0)
    slack = max(0.0, cy1 - y - panel_h)
    top = y + (slack * 0.25 if scene.title else slack * 0.5)
    box = (cx0, top, cx1, top + panel_h)

    bg, accent, muted = theme.colors["background"], theme.colors["accent"], theme.colors["muted"]
    canvas.round_rect(box, radius, _panel_fill(theme))
    canvas.round_rect(box, radius, mix(bg, accent, 0.5), width=max(1.0, geo.s(2)), glow=0.35)
    # Header: three dots and the language, over a hairline.
    dot_r = geo.s(7)
    dot_y = top + header_h / 2 + geo.s(4)
    for i, color in enumerate((accent, theme.colors["accent2"], muted)):
        cx = cx0 + pad + dot_r + i * dot_r * 3.2
        canvas.round_rect((cx - dot_r, dot_y - dot_r, cx + dot_r, dot_y + dot_r), dot_r, color, glow=0.4)
    label = (scene.language or "text").upper()
    canvas.text((cx1 - pad, dot_y + label_font.asc / 2), label, label_font, muted, anchor="rs",
                tracking=label_font.px * 0.3)
    rule_y = top + header_h + geo.s(6)
    canvas.rect((cx0 + geo.s(2), rule_y, cx1 - geo.s(2), rule_y + max(1.0, geo.s(1.5))), mix(bg, muted, 0.35))

    x_code = cx0 + pad + gutter(font)
    baseline = top + header_h + pad + font.asc
    number_color = mix(_panel_fill(theme), muted, 0.8)
    space_w = font.length(" ")
    for n in range(shown):
        if numbered:
            canvas.text((x_code - geo.s(30), baseline), str(n + 1), font, number_color, anchor="rs")
        if n == shown - 1 and shown < len(lines):
            canvas.text((x_code, baseline), "…", font, muted)  # more lines than fit
            break
        _draw_line(canvas, theme, lines[n], font, x_code, baseline, inner_w, space_w)
        baseline += pitch
    return ok


def _code_height(font: Font, n: int) -> float:
    return font.asc + max(n - 1, 0) * font.px * LINE_PITCH + font.desc


def _draw_line(canvas: Canvas, theme: Theme, tokens: tuple[tuple[str, str], ...], font: Font, x: float,
               baseline: float, room: float, space_w: float) -> None:
    """One line of tokens from x; past `room` the line ends in an ellipsis."""
    used = 0.0
    merged: list[tuple[Color, str]] = []
    for kind, value in tokens:
        color = token_color(theme, kind)
        if merged and (merged[-1][0] == color or not value.strip()):
            merged[-1] = (merged[-1][0], merged[-1][1] + value)
        else:
            merged.append((color, value))
    for color, value in merged:
        width = font.length(value)
        if used + width > room:
            canvas.text((x + used, baseline), ellipsize(value, font, room - used), font, color)
            return
        lead = len(value) - len(value.lstrip(" "))
        body = value.lstrip(" ")
        if body:
            canvas.text((x + used + lead * space_w, baseline), body, font, color)
        used += width
