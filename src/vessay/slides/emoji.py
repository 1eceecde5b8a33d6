"""Emoji: where they are in a text, which fonts draw them, and how colour glyphs are pasted.

An emoji is a cluster of code points — a base, an optional variation selector, a skin
tone, tag characters, more bases joined by ZWJ; or a pair of regional indicators (a
flag); or a keycap. Each cluster is kept whole so the emoji font's ligatures can draw it
as one glyph. A base is shown as emoji when Unicode gives it emoji presentation by
default, or when VS16 (U+FE0F) asks for it; otherwise it is text, drawn by text fonts.

Colour fonts come in two kinds: outline colour (COLR), drawn at any size, and bitmap
colour (CBDT, sbix), whose glyphs exist at fixed sizes only, so they are drawn at their
own size and scaled.
"""

from __future__ import annotations

import functools

from PIL import Image, ImageDraw, ImageFont

ZWJ = "\u200d"
VS15, VS16 = "\ufe0e", "\ufe0f"
KEYCAP = "\u20e3"

# Code points below U+1F000 that are shown as emoji without VS16 (Emoji_Presentation=Yes).
_BMP_PRESENTATION = (
    (0x231A, 0x231B), (0x23E9, 0x23EC), (0x23F0, 0x23F0), (0x23F3, 0x23F3), (0x25FD, 0x25FE),
    (0x2614, 0x2615), (0x2648, 0x2653), (0x267F, 0x267F), (0x2693, 0x2693), (0x26A1, 0x26A1),
    (0x26AA, 0x26AB), (0x26BD, 0x26BE), (0x26C4, 0x26C5), (0x26CE, 0x26CE), (0x26D4, 0x26D4),
    (0x26EA, 0x26EA), (0x26F2, 0x26F3), (0x26F5, 0x26F5), (0x26FA, 0x26FA), (0x26FD, 0x26FD),
    (0x2705, 0x2705), (0x270A, 0x270B), (0x2728, 0x2728), (0x274C, 0x274C), (0x274E, 0x274E),
    (0x2753, 0x2755), (0x2757, 0x2757), (0x2795, 0x2797), (0x27B0, 0x27B0), (0x27BF, 0x27BF),
    (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55),
)


def _presents_as_emoji(cp: int) -> bool:
    if cp >= 0x1F000:
        return 0x1F000 <= cp <= 0x1FAFF
    return any(lo <= cp <= hi for lo, hi in _BMP_PRESENTATION)


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _is_modifier(ch: str) -> bool:
    return 0x1F3FB <= ord(ch) <= 0x1F3FF or 0xE0020 <= ord(ch) <= 0xE007F


def clusters(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_emoji): emoji clusters whole, everything else one character a piece.

    A VS15/VS16 or ZWJ outside an emoji cluster is dropped (it would be drawn as a box).
    """
    out: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in (ZWJ, VS15, VS16):
            i += 1
            continue
        if ch in "0123456789#*":
            end = i + 1 + (i + 1 < n and text[i + 1] == VS16)
            if end < n and text[end] == KEYCAP:
                out.append((text[i:end + 1], True))
                i = end + 1
                continue
        if _is_regional(ch) and i + 1 < n and _is_regional(text[i + 1]):
            out.append((text[i:i + 2], True))
            i += 2
            continue
        end = _element_end(text, i)
        selector = text[i + 1] if i + 1 < n else ""
        emoji = selector != VS15 and (selector == VS16 or _presents_as_emoji(ord(ch)))
        if not emoji:
            out.append((ch, False))
            i += 1
            continue
        while end + 1 < n and text[end] == ZWJ and _element_end(text, end + 1) > end + 1:
            end = _element_end(text, end + 1)
        out.append((text[i:end], True))
        i = end
    return out


def _element_end(text: str, i: int) -> int:
    """End of one emoji element starting at `i`: the base, a variation selector, modifiers and tags."""
    end = i + 1
    if end < len(text) and text[end] in (VS15, VS16):
        end += 1
    while end < len(text) and _is_modifier(text[end]):
        end += 1
    return end


@functools.lru_cache(maxsize=64)
def colour_kind(path: str) -> str | None:
    """'outline' for a COLR font, 'bitmap' for CBDT/sbix, None for a plain (monochrome) font."""
    from fontTools.ttLib import TTFont

    file, index = split_face(path)
    try:
        with TTFont(file, lazy=True, fontNumber=index) as tt:
            if "COLR" in tt:
                return "outline"
            if "CBDT" in tt or "sbix" in tt:
                return "bitmap"
    except Exception:
        return None
    return None


@functools.lru_cache(maxsize=16)
def strike_px(path: str) -> int:
    """The largest size a bitmap colour font has glyphs at."""
    from fontTools.ttLib import TTFont

    file, index = split_face(path)
    with TTFont(file, lazy=True, fontNumber=index) as tt:
        if "CBLC" in tt:
            return max(strike.bitmapSizeTable.ppemY for strike in tt["CBLC"].strikes)
        return max(tt["sbix"].strikes)


@functools.lru_cache(maxsize=64)
def is_emoji_font(path: str) -> bool:
    """Colour fonts and fonts named for emoji (Noto Emoji, the monochrome one)."""
    if colour_kind(path):
        return True
    from fontTools.ttLib import TTFont

    file, index = split_face(path)
    try:
        with TTFont(file, lazy=True, fontNumber=index) as tt:
            return "emoji" in str(tt["name"].getDebugName(1) or "").lower()
    except Exception:
        return False


def split_face(path: str) -> tuple[str, int]:
    """'fonts.ttc#2' → ('fonts.ttc', 2): one face of a font collection; plain paths are face 0."""
    file, hash_, index = path.rpartition("#")
    if hash_ and index.isdigit():
        return file, int(index)
    return path, 0


def colour_glyphs(face: ImageFont.FreeTypeFont, chunk: str, anchor: str, scale: float) -> tuple[Image.Image, int, int]:
    """`chunk` drawn in its own colours as RGBA, and where its top-left goes relative to the anchor point."""
    left, top, right, bottom = face.getbbox(chunk, anchor=anchor)
    width, height = max(1, int(right - left) + 2), max(1, int(bottom - top) + 2)
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).text((1 - left, 1 - top), chunk, font=face, anchor=anchor, embedded_color=True)
    if scale != 1.0:
        image = image.resize((max(1, round(width * scale)), max(1, round(height * scale))), Image.LANCZOS)
    return image, round((left - 1) * scale), round((top - 1) * scale)


def paste_colour(target: Image.Image, xy: tuple[float, float], chunk: str, face: ImageFont.FreeTypeFont,
                 anchor: str, scale: float, fill: object) -> None:
    """Draw a colour-font run: in its own colours on a picture, as its silhouette in a mask (mode L)."""
    image, dx, dy = colour_glyphs(face, chunk, anchor, scale)
    pos = (round(xy[0]) + dx, round(xy[1]) + dy)
    alpha = image.getchannel("A")
    if target.mode == "L":
        level = fill if isinstance(fill, int) else 255
        target.paste(level, (*pos, pos[0] + image.width, pos[1] + image.height), alpha)
    else:
        target.paste(image.convert(target.mode), pos, alpha)
