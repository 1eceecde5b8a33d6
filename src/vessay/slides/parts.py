"""Pieces several layouts share: underline bars, diamond markers, the slide heading, the HUD."""

from __future__ import annotations

from ..script import Scene
from ..theme import Theme
from .canvas import Canvas, Color
from .effects import mix, soft_text
from .fonts import theme_font
from .geometry import Geometry
from .text import HEADING_PX, HUD_PX, Block, ellipsize, fit


def bar_thickness(geo: Geometry) -> float:
    """Underline bars are whole pixels on a whole row: crisp at any size, never a blurry smear."""
    return float(max(1, round(geo.s(6))))


def accent_bar(theme: Theme, geo: Geometry, canvas: Canvas, x: float, y: float, *,
               length: float = 150, centered: bool = False, colors: tuple[Color, Color] | None = None) -> float:
    """Two-tone underline bar (accent + short accent2 tick). Returns its height."""
    thick = bar_thickness(geo)
    y = float(round(y))
    main, gap, tick = geo.s(length), geo.s(10), geo.s(length * 0.22)
    total = main + gap + tick
    left = x - total / 2 if centered else x
    first, second = colors or (theme.colors["accent"], theme.colors["accent2"])
    canvas.rect((left, y, left + main, y + thick), first, glow=0.85)
    canvas.rect((left + main + gap, y, left + total, y + thick), second, glow=0.85)
    return thick


def diamond(canvas: Canvas, cx: float, cy: float, r: float, color: Color, glow: float = 0.0) -> None:
    canvas.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], color, glow=glow)


class Heading:
    """A slide's title top-left, an optional subtitle and the underline bar: the bullets look."""

    TITLE_GAP, BAR_GAP, SUB_GAP = 30, 56, 22

    def __init__(self, scene: Scene, theme: Theme, geo: Geometry, width: float, max_h: float,
                 sub_max_h: float, scale: float = 1.0, subtitle: bool = True):
        self.theme, self.geo = theme, geo
        self.title: Block | None = None
        self.sub: Block | None = None
        self.ok = True
        self.height = 0.0
        if not scene.title:
            return
        largest = max(HEADING_PX[1], HEADING_PX[0] * scale)
        self.title, ok = fit(scene.title, theme, "title", 700, (largest, HEADING_PX[1]), width, max_h,
                             1.12, geo, balance=True)
        self.ok &= ok
        self.height = self.title.height
        if subtitle and scene.subtitle:
            self.sub, ok = fit(scene.subtitle, theme, "body", 500, (34, 20), width, sub_max_h, 1.2, geo)
            self.ok &= ok
            self.height += geo.s(self.SUB_GAP) + self.sub.height
        self.height += geo.s(self.TITLE_GAP) + bar_thickness(geo) + geo.s(self.BAR_GAP)

    def draw(self, canvas: Canvas, x: float, y: float) -> float:
        """Draw at (x, y) top-left; returns the y where the content below starts."""
        if self.title is None:
            return y
        theme, geo = self.theme, self.geo
        canvas.block(self.title, x, y, theme.colors["text"], glow=0.75, glow_color=theme.colors["accent"])
        y += self.title.height
        if self.sub is not None:
            y += geo.s(self.SUB_GAP)
            canvas.block(self.sub, x, y, soft_text(theme))
            y += self.sub.height
        y += geo.s(self.TITLE_GAP)
        accent_bar(theme, geo, canvas, x, y, length=120)
        return y + bar_thickness(geo) + geo.s(self.BAR_GAP)


def kicker(theme: Theme, geo: Geometry, canvas: Canvas, x: float, top: float, label: str, room: float,
           color: Color | None = None) -> float:
    """A small tracked mono label (like "// SECTION"), cut with … past `room`; returns its height."""
    font = theme_font(theme, "mono", geo.px(24), 600)
    tracking = font.px * 0.32
    label = ellipsize(label, font, room, tracking)
    canvas.text((x, top + font.asc), label, font, color or theme.colors["accent2"], tracking=tracking, glow=0.55)
    return font.asc


def hud(theme: Theme, geo: Geometry, canvas: Canvas, *, index: int, total: int, essay_title: str) -> None:
    """Corner brackets, essay title, scene counter and a progress strip, all inside the safe box."""
    x0, y0, x1, y1 = geo.safe
    muted, accent = theme.colors["muted"], theme.colors["accent"]
    arm, thick = geo.s(34), max(1.0, geo.s(3))
    bracket = mix(muted, accent, 0.35) if theme.effects.get("glow") else muted
    for cx, cy, sx, sy in ((x0, y0, 1, 1), (x1, y0, -1, 1), (x0, y1, 1, -1), (x1, y1, -1, -1)):
        canvas.polygon([(cx, cy), (cx + sx * arm, cy), (cx + sx * arm, cy + sy * thick),
                        (cx + sx * thick, cy + sy * thick), (cx + sx * thick, cy + sy * arm),
                        (cx, cy + sy * arm)], bracket, glow=0.35)

    font = theme_font(theme, "mono", geo.px(HUD_PX), 500)
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
        label = ellipsize(label, font, room, tracking)
        canvas.text((text_x, baseline), label, font, muted, tracking=tracking)

    # Progress strip: one segment per scene (a continuous bar for long essays).
    if total > 0:
        seg_h = max(1.0, geo.s(5))
        bottom = y1 - geo.s(26)
        avail = min(geo.s(420), (right - left) * 0.45)
        dim = mix(theme.colors["background"], muted, 0.45)
        done = mix(theme.colors["background"], muted, 0.9)
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
