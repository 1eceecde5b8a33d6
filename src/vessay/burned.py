"""Burned-in captions (plain, karaoke, pop) and a short's hook title, as overlays of a scene's picture.

Every state on screen (a plain cue, a karaoke cue with one word lit, a pop group) is laid
out and drawn once with the slides' text helpers (the theme's fonts with their fallbacks),
with an outline and a soft shadow so it reads on any background, and placed inside the
platforms' safe zone: above the bottom tenth on a landscape or square frame; on a portrait
one, clear of the bottom fifth and of the button column on the right (and above a lower third).

Each overlay is a list of spans of the scene's frames with the state shown on each; a state is
drawn when it first shows in a piece, and blended over only the area its ink covers.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Callable, Hashable, Iterator

import cv2
import numpy as np
from PIL import Image, ImageDraw

from .captions import Cue
from .overlay import Sprite, Veil, yuv_of
from .picture import Fill, Overlay
from .script import CaptionSpec, Scene, VideoSpec
from .slides.bidi import base_level, word_order
from .slides.canvas import Canvas
from .slides.fonts import Font, theme_font
from .slides.lower_third import lower_third_top
from .slides.text import block, sizes
from .theme import Theme

POP_WORDS = 3
"""Words a pop group holds unless `max_words` says otherwise."""
POP_CHARS = 16
"""A pop group closes once it is this long, so big text stays on a line or two."""
POP_GROW = 0.86
"""A pop group's first frame is drawn at this scale: it pops up rather than just appearing."""
CUE_PANEL = 0.75
"""Opacity of the panel behind plain and karaoke cues."""
HOOK_SECONDS = 1.0
HOOK_FADE = 0.25
"""The hook title fades out over the last this-many seconds of its second."""
HOOK_SCRIM = 0.7
"""Opacity of the theme's background laid over the whole frame behind the hook, so the slide recedes."""


@dataclass(frozen=True)
class Zone:
    """Where text may sit on a frame: a horizontal span and a vertical range, in pixels."""

    left: float
    right: float
    top: float
    bottom: float


def safe_zone(frame: tuple[int, int]) -> Zone:
    """The platforms' safe zone for text on a frame of this shape."""
    w, h = frame
    if h > w:  # 9:16: the bottom fifth and the button column on the right are the app's
        return Zone(0.15 * w, 0.85 * w, 0.12 * h, 0.78 * h)
    return Zone(0.08 * w, 0.92 * w, 0.08 * h, 0.88 * h)


@dataclass(frozen=True)
class Look:
    """A caption style resolved for one frame size and theme."""

    role: str
    px: int
    weight: int
    max_lines: int
    uppercase: bool
    anchor: str
    """bottom, middle or top of the safe zone, or 'lower' (a portrait frame's lower middle)."""


def resolve_look(spec: CaptionSpec, frame: tuple[int, int]) -> Look:
    w, h = frame
    portrait = h > w
    scale = min(w, h) * spec.size
    anchor = spec.position
    if anchor == "auto":
        anchor = "lower" if spec.style == "pop" and portrait else "bottom"
    if spec.style == "pop":
        return Look("title", round(0.085 * scale), 800, 2, spec.uppercase is not False, anchor)
    px = 0.045 * scale * (1.3 if portrait else 1.0) * (1.1 if spec.style == "karaoke" else 1.0)
    return Look("body", round(px), 700, 3 if portrait else 2, bool(spec.uppercase), anchor)


def pop_groups(words: tuple, most: int) -> list[tuple]:
    """One to `most` words at a time, closing a group early after punctuation or once it is long."""
    groups, current = [], []
    for word in words:
        current.append(word)
        if (len(current) >= most or re.search(r"[.,!?;:…—]['\")\]]*$", word.text)
                or len(" ".join(w.text for w in current)) >= POP_CHARS):
            groups.append(tuple(current))
            current = []
    if current:
        groups.append(tuple(current))
    return groups


def caption_spans(cues: list[Cue], spec: CaptionSpec, fps: int) -> list[tuple[int, int, tuple]]:
    """(first frame, end frame, state) for each caption state: a cue, a cue with word k lit, or a pop group."""
    spans = []
    for cue in cues:
        end = frame_at(cue.end, fps)
        texts = tuple(w.text for w in cue.words) or tuple(" ".join(cue.lines).split())
        if spec.style == "plain" or not cue.words:
            spans.append((frame_at(cue.start, fps), end, ("plain", texts, -1)))
        elif spec.style == "karaoke":
            starts = [frame_at(w.start, fps) for w in cue.words] + [end]
            spans += [(starts[k], min(starts[k + 1], end), ("karaoke", texts, k)) for k in range(len(texts))]
        else:
            groups = pop_groups(cue.words, spec.max_words or POP_WORDS)
            starts = [frame_at(g[0].start, fps) for g in groups] + [end]
            for group, first, until in zip(groups, starts, starts[1:]):
                text = tuple(w.text for w in group)
                spans += [(first, min(first + 1, until), ("pop", text, 0)),
                          (first + 1, min(until, end), ("pop", text, 1))]
    return spans


class CaptionArtist:
    """Draws caption states and hook titles for one theme and frame size."""

    def __init__(self, spec: CaptionSpec, theme: Theme, frame: tuple[int, int], above: float | None = None):
        self.spec, self.theme, self.frame = spec, theme, frame
        self.above = above
        """Captions end above this row (a lower third's top), wherever their position would put them."""
        self.look = resolve_look(spec, frame)
        self.zone = safe_zone(frame)
        # A karaoke cue's states differ only in the lit word: lay it out and draw its backing once.
        self._picture = functools.lru_cache(maxsize=4)(self._lay_out)
        # A pop group's first frame is its full-size sprite shrunk: keep that sprite for the frames after.
        self._drawn = functools.lru_cache(maxsize=2)(self._draw)

    def _lay_out(self, words: tuple) -> TextPicture:
        font, lines = self._fit(words, self.look.role, self.look.px, self.look.weight, self.look.max_lines)
        return TextPicture(font, lines, words, self.zone.right - self.zone.left,
                           outline=self.theme.colors["background"])

    def state(self, state: tuple) -> Sprite | None:
        kind, words, k = state
        if kind == "pop" and k == 0:
            full = self._drawn((kind, words, 1))
            return full.scaled(POP_GROW) if full is not None else None
        return self._drawn(state)

    def _draw(self, state: tuple) -> Sprite | None:
        kind, words, k = state
        if self.look.uppercase:
            words = tuple(w.upper() for w in words)
        picture = self._picture(words)
        colours = self.theme.colors
        lit = k if kind == "karaoke" else -1
        box = lit >= 0 and self.spec.highlight == "box"
        fills = [colours["accent"] if i == lit and not box else colours["background"] if i == lit else
                 colours["text"] for i in range(len(words))]
        # Cues sit on a translucent panel: slide text behind them would otherwise show through the letters.
        panel = None if kind == "pop" else (colours["background"], CUE_PANEL)
        colour, alpha = picture.render(fills, boxed=lit if box else -1, box_colour=colours["accent"], panel=panel)
        x, y = self._place(colour.shape[1], colour.shape[0], picture)
        return Sprite.build(colour, alpha, x, y, self.frame)

    def hook(self, title: str) -> Sprite:
        """The short's hook title: big, in the title font, on an accent panel near the top of the safe zone
        (the dimmed frame under it is a `Veil`)."""
        w, h = self.frame
        words = tuple(title.split())
        font, lines = self._fit(words, "title", round(0.075 * min(w, h)), 800, 3)
        picture = TextPicture(font, lines, words, self.zone.right - self.zone.left, outline=None)
        card, cover = picture.render([self.theme.colors["background"]] * len(words),
                                     panel=(self.theme.colors["accent"], 1.0))
        x = round((self.zone.left + self.zone.right - card.shape[1]) / 2)
        y = round(self.zone.top + 0.06 * h - picture.pad)
        return Sprite.build(card, cover, x, y, self.frame)

    def _fit(self, words: tuple, role: str, px: int, weight: int, max_lines: int) -> tuple[Font, list[list[int]]]:
        """The largest font size (down to 60%) at which the words wrap into the zone's width in `max_lines`."""
        text = " ".join(words)
        for size in sizes(px, px * 0.6):
            font = theme_font(self.theme, role, size, weight)
            # The outline and shadow reach past the ink: keep them in the zone too.
            # Whole words only: each line is mapped back to the cue's words by counting them.
            wrapped = block(text, font, self.zone.right - self.zone.left - 0.8 * size, 1.15, balance=True,
                            break_cjk=False)
            if len(wrapped.lines) <= max_lines and not wrapped.broke:
                break
        if wrapped.broke:  # a word wider than the zone: one word a line, cropped at the frame's edge
            return font, [[i] for i in range(len(words))]
        lines, index = [], 0
        for line in wrapped.lines:
            count = len(line.split())
            lines.append(list(range(index, index + count)))
            index += count
        return font, lines

    def _place(self, width: int, height: int, picture: "TextPicture") -> tuple[int, int]:
        zone, h = self.zone, self.frame[1]
        x = round((zone.left + zone.right - width) / 2)
        ink = picture.ink_height
        if self.look.anchor == "top":
            top = zone.top
        elif self.look.anchor == "middle":
            top = (zone.top + zone.bottom - ink) / 2
        elif self.look.anchor == "lower":
            top = 0.68 * h - ink / 2
        else:
            top = zone.bottom - ink - 2 * picture.stroke  # the outline and shadow stay in the zone too
        if self.above is not None:
            top = min(top, self.above - ink - 2 * picture.stroke - 0.02 * h)
        return x, round(top - picture.pad - (height - picture.height) / 2)


class TextPicture:
    """Centred lines of words drawn as premultiplied colour and alpha, with outline, shadow and highlights."""

    def __init__(self, font: Font, lines: list[list[int]], words: tuple, width: float,
                 outline: tuple[int, int, int] | None):
        self.font, self.lines, self.words, self.outline = font, lines, words, outline
        self.pitch = font.px * 1.15
        self.ink_height = font.asc + (len(lines) - 1) * self.pitch + font.desc
        self.stroke = max(1.0, font.px * 0.09)
        self.pad = int(font.px * 0.45 + 2)
        space = font.length(" ")
        self.line_widths = [sum(font.length(words[i]) for i in line) + space * (len(line) - 1) for line in lines]
        self.width = int(max(self.line_widths, default=0) + 2 * self.pad)
        self.height = int(self.ink_height + 2 * self.pad)
        self.places = {}  # word index -> (x, baseline)
        self.direction = base_level(" ".join(words[i] for line in lines for i in line))
        for number, line in enumerate(lines):
            x = (self.width - self.line_widths[number]) / 2
            baseline = self.pad + font.asc + number * self.pitch
            for k in word_order([words[i] for i in line], self.direction):  # right-to-left words read so
                self.places[line[k]] = (x, baseline)
                x += font.length(words[line[k]]) + space
        self._backings: dict = {}

    def _mask(self, indexes) -> np.ndarray:
        canvas = Canvas()
        for i in indexes:
            canvas.text(self.places[i], self.words[i], self.font, (255, 255, 255), base=self.direction)
        mask = Image.new("L", (self.width, self.height), 0)
        draw = ImageDraw.Draw(mask)
        for op in canvas.ops:
            op.paint(mask, draw, 255)
        return np.asarray(mask, dtype=np.float32) / 255.0

    def _word_box(self, i: int, grow: float) -> tuple[float, float, float, float]:
        x, baseline = self.places[i]
        return (x - grow, baseline - self.font.asc - grow, x + self.font.length(self.words[i]) + grow,
                baseline + self.font.desc + grow)

    def render(self, fills: list, boxed: int = -1, box_colour=(0, 0, 0),
               panel: tuple[tuple[int, int, int], float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(premultiplied RGB, alpha) of the words in `fills` colours; `boxed` sits on a box of `box_colour`,
        and `panel` (colour, opacity) puts all the text on one rounded panel."""
        if panel not in self._backings:
            self._backings[panel] = self._backing(panel)
        colour, alpha = (a.copy() for a in self._backings[panel])
        if boxed >= 0:
            _over(colour, alpha, box_colour, _round_box(alpha.shape, self._word_box(boxed, self.font.px * 0.12),
                                                        self.font.px * 0.15))
        for fill in dict.fromkeys(fills):  # one pass per colour, not per word
            _over(colour, alpha, fill, self._mask([i for i, f in enumerate(fills) if f == fill]))
        return colour, alpha

    def _backing(self, panel: tuple[tuple[int, int, int], float] | None) -> tuple[np.ndarray, np.ndarray]:
        """What lies under the words: their shadow, and the panel or their outline."""
        shape = (self.height, self.width)
        colour, alpha = np.zeros(shape + (3,), np.float32), np.zeros(shape, np.float32)
        ink = self._mask(range(len(self.words)))
        backing = self._panel(shape) if panel is not None else ink
        outline = None
        if self.outline is not None:
            size = 2 * round(self.stroke) + 1
            outline = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
        offset = max(1, round(self.font.px * 0.05))
        shadow = np.zeros(shape, np.float32)
        shadow[offset:, offset:] = cv2.GaussianBlur(outline if outline is not None else backing, (0, 0),
                                                    max(1.0, self.stroke))[:-offset, :-offset]
        # The shadow falls from whatever is outermost: the letters' outline (on a cue's panel), or the panel.
        if outline is None:
            _over(colour, alpha, (0, 0, 0), 0.6 * shadow)
        if panel is not None:
            _over(colour, alpha, panel[0], backing * panel[1])
        if outline is not None:
            _over(colour, alpha, (0, 0, 0), 0.6 * shadow)
            _over(colour, alpha, self.outline, outline)
        return colour, alpha

    def _panel(self, shape: tuple[int, int]) -> np.ndarray:
        grow = self.font.px * 0.25
        left = min(self.places[line[0]][0] for line in self.lines) - grow
        right = max(self.places[line[0]][0] + width for line, width in zip(self.lines, self.line_widths)) + grow
        return _round_box(shape, (left, self.pad - grow, right, self.pad + self.ink_height + grow), grow)


def _round_box(shape: tuple[int, int], box: tuple[float, float, float, float], radius: float) -> np.ndarray:
    mask = Image.new("L", (shape[1], shape[0]), 0)
    ImageDraw.Draw(mask).rounded_rectangle([round(v) for v in box], radius=round(radius), fill=255)
    return np.asarray(mask, dtype=np.float32) / 255.0


def _over(colour: np.ndarray, alpha: np.ndarray, rgb: tuple[int, int, int], cover: np.ndarray) -> None:
    """Paint `rgb` with coverage `cover` over the premultiplied picture, in place."""
    # colour * keep + rgb * cover is (colour - rgb) * keep + rgb; OpenCV's per-channel ops run this several
    # times faster than NumPy broadcasting one weight over three channels.
    keep = 1.0 - cover
    paint = tuple(v / 255.0 for v in rgb) + (0.0,)
    cv2.subtract(colour, paint, dst=colour)
    cv2.multiply(colour, cv2.merge((keep, keep, keep)), dst=colour)
    cv2.add(colour, paint, dst=colour)
    cv2.multiply(alpha, keep, dst=alpha)
    cv2.add(alpha, cover, dst=alpha)


def scene_overlays(scene: Scene, cues: list[Cue], spec: CaptionSpec | None, hook: str, theme: Theme,
                   video: VideoSpec) -> tuple[Overlay, ...]:
    """What a render burns over one scene: its `cues` (on the scene's own timeline) in `spec`'s style, and a
    `hook` title over its first second."""
    frame = (video.width, video.height)
    lower = lower_third_top(scene, theme, frame) if scene.full_frame else None
    artist = CaptionArtist(spec or CaptionSpec(), theme, frame, lower)
    drawn = {"theme": theme.cache_identity(), "frame": frame}
    overlays: list[Overlay] = []
    if hook:  # under the captions: the first words are spoken while it shows, and its scrim would dim them
        shown, fading = round(HOOK_SECONDS * video.fps), max(1, round(HOOK_FADE * video.fps))
        spans = [(0, shown - fading, 0)] + [(shown - fading + k, shown - fading + k + 1, k + 1)
                                             for k in range(fading)]
        card = functools.lru_cache(maxsize=1)(lambda: artist.hook(hook))
        dim = yuv_of(theme.colors["background"])

        def hook_state(k: int) -> Veil:
            strength, title = 1.0 - k / (fading + 1), card()
            return Veil(dim, HOOK_SCRIM * strength, title if title is None or k == 0 else title.faded(strength))

        overlays.append(Timed(tuple(spans), hook_state, {**drawn, "hook": hook}))
    if spec is not None and cues:
        overlays.append(Timed(tuple(caption_spans(cues, spec, video.fps)), artist.state,
                              {**drawn, "captions": asdict(spec), "above": lower}))
    return tuple(overlays)


@dataclass(frozen=True)
class Timed:
    """A picture overlay of states on spans of the scene's frames: `(first, end, state)` shows `draw(state)`
    on frames [first, end)."""

    spans: tuple[tuple[int, int, Hashable], ...]
    draw: Callable[[Hashable], Sprite | Veil | None]
    drawn: dict
    """Everything besides the states that shapes the drawing (style, theme, frame)."""

    def identity(self) -> dict:
        return {**self.drawn, "spans": self.spans}

    @contextmanager
    def open(self) -> Iterator[Fill]:
        spans = sorted((s for s in self.spans if s[1] > s[0]), key=lambda s: s[0])
        firsts = [first for first, _, _ in spans]
        current: list = [None, None]  # the state on screen and its sprite: a piece draws each state once
        frame: tuple[int, int] = self.drawn["frame"]

        def fill(at: float, dst: np.ndarray) -> None:
            k = bisect.bisect_right(firsts, at) - 1
            if k < 0 or at >= spans[k][1]:
                return
            state = spans[k][2]
            if current[0] != state:
                current[:] = [state, self.draw(state)]
            if current[1] is not None:
                current[1].blend(dst, frame)

        yield fill


def frame_at(seconds: float, fps: int) -> int:
    """The first frame shown at or after `seconds`: an overlay timed to speech never appears early."""
    return max(0, math.ceil(seconds * fps - 1e-6))


def cue_words(spec: CaptionSpec) -> int:
    """Most words a caption cue holds (0: as many as fit); pop's `max_words` sizes its groups instead."""
    return 0 if spec.style == "pop" else spec.max_words
