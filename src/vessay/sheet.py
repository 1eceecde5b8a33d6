"""Contact sheet: every slide of an essay as a labelled thumbnail in one image."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

from PIL import Image, ImageDraw

from .slides.fonts import Font, draw_text, fallback_chain
from .theme import BUNDLED_FONTS

BACKGROUND = (22, 23, 26)
CARD = (34, 35, 39)
BORDER = (58, 60, 66)
LABEL = (214, 216, 222)
NUMBER = (140, 144, 152)

THUMB = 360
"""Longest side of a thumbnail cell, in px."""
GAP = 28
LABEL_PX = 17


def contact_sheet(images: list[Image.Image], labels: list[str], columns: int = 4) -> Image.Image:
    """A grid of thumbnails with a label under each, on a dark neutral background.

    Cells share one size (fitted to the widest aspect among the images), so landscape and
    portrait slides line up; `labels` (e.g. "03  softmax") go under their thumbnails.
    """
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    columns = max(1, min(int(columns), max(1, len(images))))
    cell_w, cell_h = _cell_size(images)
    font = _label_font()
    label_h = round(LABEL_PX * 2.1)
    rows = max(1, math.ceil(len(images) / columns))
    width = GAP + columns * (cell_w + GAP)
    height = GAP + rows * (cell_h + label_h + GAP)
    sheet = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    for i, (image, label) in enumerate(zip(images, labels)):
        col, row = i % columns, i // columns
        x = GAP + col * (cell_w + GAP)
        y = GAP + row * (cell_h + label_h + GAP)
        draw.rectangle((x - 1, y - 1, x + cell_w, y + cell_h), fill=CARD, outline=BORDER)
        thumb = image.convert("RGB")
        thumb.thumbnail((cell_w, cell_h), Image.LANCZOS, reducing_gap=3.0)
        sheet.paste(thumb, (x + (cell_w - thumb.width) // 2, y + (cell_h - thumb.height) // 2))
        _label(sheet, font, (x, y + cell_h + label_h * 0.68), label, cell_w)
    return sheet


def _cell_size(images: list[Image.Image]) -> tuple[int, int]:
    if not images:
        return THUMB, round(THUMB * 9 / 16)
    aspects = [im.width / max(1, im.height) for im in images]
    wide, tall = max(aspects), min(aspects)
    if wide >= 1 and tall >= 1:
        return THUMB, max(1, round(THUMB / wide))
    if wide <= 1:
        return max(1, round(THUMB * wide)), THUMB
    return THUMB, THUMB  # landscape and portrait mixed: square cells


def _label_font() -> Font:
    package, filename = BUNDLED_FONTS["JetBrains Mono"]
    spec = importlib.util.find_spec(package)
    path = Path(spec.origin).parent / "files" / filename if spec and spec.origin else None
    if path is None or not path.is_file():
        path = Path(fallback_chain("mono")[0])
    return Font(str(path), LABEL_PX, 500, fallback_chain("mono"))


def _label(sheet: Image.Image, font: Font, xy: tuple[float, float], label: str, room: float) -> None:
    """The label on one line: a leading number in grey, the rest bright, cut with … when too long."""
    text = " ".join(label.split())
    while text and font.length(text) > room:
        text = text[:-2] + "…" if len(text) > 1 else ""
    number, gap, rest = text.partition(" ")
    x, y = xy
    if number.isdigit() and rest:
        draw_text(sheet, (x, y), number + gap, font, NUMBER)
        x += font.length(number + gap)
        text = rest
    draw_text(sheet, (x, y), text, font, LABEL)
