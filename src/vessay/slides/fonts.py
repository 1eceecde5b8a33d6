"""Fonts: cached loading, vertical metrics, and per-run fallback for glyphs a theme font lacks.

A theme font (Orbitron, say) covers Latin only. Text is split into runs, each drawn with
the first font that has its glyphs: the theme font, then Noto Sans (Greek, Cyrillic,
accented Latin, at the same weight), then DejaVu Sans and STIX (maths, arrows, symbols,
a few monochrome emoticons), which come with matplotlib. Coverage is read from each
font's cmap table, so nothing is ever drawn as the .notdef "tofu" box: a character no
font has raises `MissingGlyph`, which the renderer turns into a clear error.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

from ..theme import Theme

_IGNORABLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufe00-\ufe0f\ufeff]")
"""Invisible format characters (soft hyphen, zero-width joiners, variation selectors): dropped."""


class MissingGlyph(Exception):
    """No theme or fallback font can draw `char`."""

    def __init__(self, char: str, font_path: str):
        super().__init__(char)
        self.char = char
        self.font_path = font_path

    def describe(self) -> str:
        name = unicodedata.name(self.char, "")
        code = f"U+{ord(self.char):04X}" + (f" {name}" if name else "")
        return (f"the character '{self.char}' ({code}) is in neither the theme font "
                f"{Path(self.font_path).name} nor any bundled fallback font (Noto Sans, DejaVu Sans, STIX), "
                f"so it would show as an empty box; colour emoji and CJK are not bundled: "
                f"remove it or set a theme font file (.ttf/.otf) that has it")


@functools.lru_cache(maxsize=1024)
def load_font(path: str, px: int, weight: int | None) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(path, max(1, int(px)))
    if weight is not None:
        try:
            axes = font.get_variation_axes()
        except Exception:  # static font (OSError), or FreeType built without variations
            axes = None
        if axes:
            try:
                values = []
                for axis in axes:
                    name = axis.get("name")
                    if name in (b"Weight", "Weight"):
                        values.append(min(max(weight, axis["minimum"]), axis["maximum"]))
                    else:
                        values.append(axis["default"])
                font.set_variation_by_axes(values)
            except Exception:
                pass
    return font


@functools.lru_cache(maxsize=512)
def _vmetrics(path: str, px: int, weight: int | None) -> tuple[float, float, float]:
    """(ascender ink height, descender ink depth, x-height) above/below the baseline."""
    font = load_font(path, px, weight)
    asc = -font.getbbox("Hdlk", anchor="ls")[1]
    desc = font.getbbox("gjpqy", anchor="ls")[3]
    xh = -font.getbbox("xzvw", anchor="ls")[1]
    return float(asc), float(max(desc, 0)), float(xh)


@functools.lru_cache(maxsize=64)
def coverage(path: str) -> frozenset[int] | None:
    """Code points the font maps to a real glyph (its cmap), or None if it cannot be read."""
    try:
        from fontTools.ttLib import TTFont

        with TTFont(path, lazy=True, fontNumber=0) as tt:
            return frozenset(tt.getBestCmap() or {})
    except Exception:
        return None


def covers(path: str, cp: int) -> bool:
    cmap = coverage(path)
    return cmap is None or cp in cmap


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


@functools.lru_cache(maxsize=None)
def fallback_chain(role: str) -> tuple[str, ...]:
    """Fallback font files for a theme font role, best match first (missing ones skipped)."""
    noto = _package_dir("fontpkg_noto_sans")
    mpl = _package_dir("matplotlib")
    mpl_ttf = mpl / "mpl-data" / "fonts" / "ttf" if mpl else None
    candidates = [
        noto / "files" / "NotoSans[wdth,wght].ttf" if noto else None,
        mpl_ttf / "DejaVuSans.ttf" if mpl_ttf else None,
        mpl_ttf / "STIXGeneral.ttf" if mpl_ttf else None,
    ]
    if role == "mono" and mpl_ttf:
        candidates.insert(0, mpl_ttf / "DejaVuSansMono.ttf")
    return tuple(str(p) for p in candidates if p is not None and p.is_file())


@dataclass(frozen=True)
class Font:
    """A theme font at one pixel size and weight, with its fallbacks."""
    path: str
    px: int
    weight: int | None
    fallbacks: tuple[str, ...] = ()

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        return load_font(self.path, self.px, self.weight)

    def face(self, path: str) -> ImageFont.FreeTypeFont:
        """The font for a run: the theme font, or a fallback matched to its x-height and weight."""
        if path == self.path:
            return self.font
        scale, weight = _fallback_match(self.path, path, self.weight)
        return load_font(path, max(1, round(self.px * scale)), weight)

    @property
    def asc(self) -> float:
        return _vmetrics(self.path, self.px, self.weight)[0]

    @property
    def desc(self) -> float:
        return _vmetrics(self.path, self.px, self.weight)[1]

    @property
    def xh(self) -> float:
        return _vmetrics(self.path, self.px, self.weight)[2]

    def runs(self, text: str) -> tuple[tuple[str, str], ...]:
        """(font path, text) runs covering `text`; raises MissingGlyph when no font has a character."""
        return _runs(self.path, self.fallbacks, text)

    def length(self, text: str, tracking: float = 0.0) -> float:
        runs = self.runs(text)
        if not tracking:
            return sum(self.face(path).getlength(chunk) for path, chunk in runs)
        chars = [(self.face(path), ch) for path, chunk in runs for ch in chunk]
        return sum(f.getlength(ch) for f, ch in chars) + tracking * max(len(chars) - 1, 0)


@functools.lru_cache(maxsize=64)
def _weight_class(path: str) -> int | None:
    """A static font's weight (OS/2 usWeightClass); None for variable fonts or unreadable ones."""
    try:
        from fontTools.ttLib import TTFont

        with TTFont(path, lazy=True, fontNumber=0) as tt:
            if "fvar" in tt:
                return None
            return int(tt["OS/2"].usWeightClass)
    except Exception:
        return None


@functools.lru_cache(maxsize=64)
def _fallback_match(primary: str, fallback: str, weight: int | None) -> tuple[float, int | None]:
    """(size factor, weight) that make `fallback` sit beside `primary`: same x-height, same weight."""
    ref = 200
    xh_primary = _vmetrics(primary, ref, weight)[2]
    xh_fallback = _vmetrics(fallback, ref, weight)[2]
    scale = xh_primary / xh_fallback if xh_primary > 0 and xh_fallback > 0 else 1.0
    static = _weight_class(primary)
    return min(max(scale, 0.8), 1.2), (static if static is not None else weight)


def clean(text: str) -> str:
    """NFC-composed, without invisible format and control characters."""
    text = unicodedata.normalize("NFC", _IGNORABLE.sub("", text))
    return "".join(ch for ch in text if ch == " " or unicodedata.category(ch) != "Cc")


@functools.lru_cache(maxsize=16384)
def _runs(primary: str, fallbacks: tuple[str, ...], text: str) -> tuple[tuple[str, str], ...]:
    text = clean(text)
    cmap = coverage(primary)
    if cmap is None or all(ord(ch) in cmap for ch in text):
        return ((primary, text),) if text else ()
    chain = (primary,) + fallbacks
    runs: list[list[str]] = []
    for ch in text:
        cp = ord(ch)
        current = runs[-1][0] if runs else None
        # Spaces and combining marks stay in the run they belong to, when that font has them.
        if current and (ch.isspace() or unicodedata.combining(ch)) and covers(current, cp):
            path = current
        else:
            path = next((p for p in chain if covers(p, cp)), None)
            if path is None:
                if ch.isspace():
                    path = current or primary
                    ch = " "
                else:
                    raise MissingGlyph(ch, primary)
        if runs and runs[-1][0] == path:
            runs[-1][1] += ch
        else:
            runs.append([path, ch])
    return tuple((p, t) for p, t in runs)


def theme_font(theme: Theme, role: str, px: int, weight: int | None) -> Font:
    return Font(str(theme.fonts[role]), max(1, int(px)), weight, fallback_chain("mono" if role == "mono" else "sans"))


@functools.lru_cache(maxsize=16384)
def word_length(font: Font, word: str) -> float:
    return font.length(word)


@functools.lru_cache(maxsize=256)
def ink_box(font: Font, text: str) -> tuple[int, int, int, int]:
    """The box of the ink of `text` relative to its left baseline point (Pillow's getbbox is line-based)."""
    from PIL import Image, ImageDraw

    f = font.font
    l, t, r, b = f.getbbox(text, anchor="ls")
    pad = font.px
    w, h = int(r - l) + 2 * pad, int(b - t) + 2 * pad
    mask = Image.new("L", (max(1, w), max(1, h)), 0)
    origin = (pad - l, pad - t)
    ImageDraw.Draw(mask).text(origin, text, font=f, fill=255, anchor="ls")
    box = mask.getbbox()
    if box is None:
        return 0, 0, 0, 0
    return box[0] - origin[0], box[1] - origin[1], box[2] - origin[0], box[3] - origin[1]
