"""Canvas geometry shared by every layout: the safe box, the content box and the 1080p unit."""

from __future__ import annotations

Box = tuple[int, int, int, int]

SAFE_INSET = 0.10
"""Share of the canvas width (left/right) and height (top/bottom) kept free of text."""


def safe_box(size: tuple[int, int]) -> Box:
    """(left, top, right, bottom) of the region where everything readable must stay."""
    w, h = size
    dx, dy = round(w * SAFE_INSET), round(h * SAFE_INSET)
    return dx, dy, w - dx, h - dy


class Geometry:
    """Canvas size, unit and the boxes every layout shares."""

    def __init__(self, w: int, h: int):
        self.w, self.h = w, h
        self.u = min(w, h) / 1080.0
        self.safe = safe_box((w, h))
        x0, y0, x1, y1 = self.safe
        self.pad = self.s(30)                   # HUD labels and content share this left edge
        self.content = (x0 + self.pad, y0 + self.s(96), x1 - self.pad, y1 - self.s(88))
        self.portrait = (x1 - x0) < (y1 - y0)

    def s(self, v: float) -> float:
        """A length given at 1080p scale, scaled to this canvas."""
        return v * self.u

    def px(self, v: float) -> int:
        """A font size given at 1080p scale (at least 1 px)."""
        return max(1, int(round(v * self.u)))
