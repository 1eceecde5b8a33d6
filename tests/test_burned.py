"""Burned-in captions: karaoke, pop and plain drawn into decoded frames, in the safe zone, timed to the words."""

import json

import numpy as np
import pytest

from vessay.burned import CaptionArtist, caption_spans, frame_at, scene_overlays
from vessay.captions import build_cues
from vessay.cli import main
from vessay.media import decode_frame
from vessay.narration import Word
from vessay.overlay import Sprite
from vessay.script import CaptionSpec, Scene, VideoSpec
from vessay.theme import load_theme

from conftest import write_script

SIZE = (480, 270)
SCRIPT = """\
title: Burn
video: {width: 480, height: 270, fps: 25}
motion: {preset: still}
transition: {type: cut}
captions: {style: STYLE, size: 1.6, max_words: MAX}
scenes:
  - {id: a, layout: title, title: Top, narration: "One two three four five six."}
  - {id: b, layout: title, title: Next, narration: "Seven eight nine."}
"""


def render(tmp_path, style: str, max_words: int = 0) -> tuple:
    """Render the two-scene script with burned captions; returns (video, words per scene)."""
    script = write_script(tmp_path, SCRIPT.replace("STYLE", style).replace("MAX", str(max_words)))
    out = tmp_path / "out" / f"{style}.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet"]) == 0
    scenes = json.loads(out.with_name(f"{style}.words.json").read_text())
    return out, [[Word(w["text"], w["start"], w["end"]) for w in s["words"]] for s in scenes]


def band(video, at: float) -> np.ndarray:
    """The middle of the caption band (no slide text or HUD there), as RGB ints."""
    frame = decode_frame(video, at, SIZE).astype(int)
    return frame[int(0.72 * SIZE[1]):int(0.9 * SIZE[1]), int(0.1 * SIZE[0]):int(0.9 * SIZE[0])]


def accent_pixels(pixels: np.ndarray) -> np.ndarray:
    """Where the neon theme's accent (#00f0ff) shows: strong green and blue, little red."""
    return (pixels[..., 0] < 110) & (pixels[..., 1] > 150) & (pixels[..., 2] > 150)


def text_pixels(pixels: np.ndarray) -> np.ndarray:
    return pixels.min(axis=2) > 170


ROUNDING = 0.0005
"""words.json keeps milliseconds: a word's true start is this close to the one it gives."""


def first_frame(seconds: float, side: int) -> int:
    """The earliest (side -1) or latest (side 1) frame a word rounded to `seconds` can first show on."""
    return frame_at(seconds + side * ROUNDING, 25)


def middle(word: Word, following: Word | None) -> float:
    """The time of a frame halfway through the word's time on screen (decoding at a frame's own
    timestamp returns exactly that frame)."""
    until = following.start if following else word.end
    return (first_frame(word.start, 1) + first_frame(until, -1)) // 2 / 25


@pytest.fixture
def karaoke(tmp_path):
    return render(tmp_path, "karaoke")


def test_karaoke_accent_word_moves_along_the_line_in_speaking_order(karaoke):
    """Decoded frames: the accent-coloured word sits further right at each word's time, one word at a time."""
    video, scenes = karaoke
    words = scenes[0]
    centres = []
    for word, following in zip(words, words[1:] + [None]):
        lit = accent_pixels(band(video, middle(word, following)))
        assert lit.sum() > 20, word.text
        centres.append(np.nonzero(lit)[1].mean())
    assert all(b > a + 8 for a, b in zip(centres, centres[1:])), centres


def test_caption_band_is_empty_during_silence(karaoke):
    """Between scenes, once the last cue has gone, the band holds no caption text; while speaking it does."""
    video, scenes = karaoke
    last, following = scenes[0][-1], scenes[1][0]
    quiet = last.end + 0.6
    assert quiet < following.start - 0.1
    assert text_pixels(band(video, quiet)).sum() == 0
    assert text_pixels(band(video, middle(following, scenes[1][1]))).sum() > 50


def test_pop_caption_changes_at_word_starts(tmp_path):
    """Pop with one word a group: the band's text changes on the word's first frame and holds until the next."""
    video, scenes = render(tmp_path, "pop", max_words=1)
    words = scenes[0]
    for word, following in zip(words, words[1:] + [None]):
        before = text_pixels(band(video, (first_frame(word.start, -1) - 1) / 25))
        settled_at = first_frame(word.start, 1) + 1  # after the one frame that pops up
        settled = text_pixels(band(video, settled_at / 25))
        assert settled.sum() > 50 and _overlap(before, settled) < 0.6, word.text
        if following is not None and first_frame(following.start, -1) - 1 > settled_at:
            before_next = text_pixels(band(video, (first_frame(following.start, -1) - 1) / 25))
            assert _overlap(settled, before_next) > 0.8, word.text


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    return (a & b).sum() / max(1, (a | b).sum())


def test_captions_stay_in_the_platform_safe_zone():
    """Every style, long cues included: clear of the bottom fifth and button column on 9:16, of the bottom
    tenth on 16:9."""
    theme = load_theme("neon-cyberdeck")
    words = [Word(w, i * 0.3, i * 0.3 + 0.25) for i, w in enumerate(
        "An unusually long caption line that must wrap across several lines of text without leaving the zone".split())]
    cues = build_cues([words])
    for frame in ((1080, 1920), (1920, 1080)):
        w, h = frame
        bottom, right = (0.8 * h, 0.85 * w) if h > w else (0.9 * h, w)
        for style in ("plain", "karaoke", "pop"):
            spec = CaptionSpec(style=style, size=1.5)
            artist = CaptionArtist(spec, theme, frame)
            for _, _, state in caption_spans(cues, spec, 30):
                sprite = artist.state(state)
                height, width = sprite.luma_keep.shape
                assert sprite.y + height <= bottom and sprite.x + width <= right and sprite.x >= 0, (style, frame)


def test_captions_rise_above_a_lower_third():
    """Over a photo scene with a lower third, every style's caption ends above the lower third's top."""
    from vessay.scriptmedia import FocusSpec
    from vessay.slides.lower_third import lower_third_top

    theme = load_theme("neon-cyberdeck")
    scene = Scene("p", "image", 1, title="A quiet evening", caption="Made for this test", focus=FocusSpec())
    cues = build_cues([[Word(w, 0.5 + i * 0.3, 0.7 + i * 0.3) for i, w in enumerate("words over a photo".split())]])
    for w, h in ((640, 360), (360, 640)):
        top = lower_third_top(scene, theme, (w, h))
        for style in ("plain", "karaoke", "pop"):
            (captions,) = scene_overlays(scene, cues, CaptionSpec(style=style), "", theme, VideoSpec(w, h, 10))
            frame = np.full(w * h * 3 // 2, 128, np.uint8)
            with captions.open() as fill:
                fill(12, frame)
            rows = np.flatnonzero((frame[:w * h].reshape(h, w) != 128).any(axis=1))
            assert len(rows) and rows[-1] < top, (style, (w, h), rows[-1], top)


def test_burned_states_never_start_before_their_words():
    """Karaoke word states and pop groups begin on the first frame at or after the word's start."""
    words = [Word(w, 0.31 + i * 0.29, 0.31 + i * 0.29 + 0.2) for i, w in enumerate("alpha beta gamma delta".split())]
    cues = build_cues([words])
    karaoke = caption_spans(cues, CaptionSpec(style="karaoke"), 30)
    pop = [span for span in caption_spans(cues, CaptionSpec(style="pop", max_words=1), 30) if span[2][2] == 0]
    for spans in (karaoke, pop):
        assert len(spans) == len(words)
        for word, (first, _, _) in zip(words, spans):
            assert word.start <= first / 30 < word.start + 1 / 30


def test_sprite_blend_matches_alpha_compositing():
    """A half-transparent white square over mid grey lands halfway between them in Y; U and V stay neutral."""
    width, height = 8, 4
    buf = np.concatenate([np.full(width * height, 100, np.uint8), np.full(width * height // 2, 128, np.uint8)])
    colour = np.full((2, 4, 3), 0.5, np.float32)  # white at 50%: premultiplied
    sprite = Sprite.build(colour, np.full((2, 4), 0.5, np.float32), 2, 2, (width, height))
    sprite.blend(buf, (width, height))
    luma = buf[:width * height].reshape(height, width)
    assert abs(int(luma[2, 3]) - (100 + 235) / 2) <= 1 and luma[0, 0] == 100 and luma[3, 7] == 100
    assert np.all(np.abs(buf[width * height:].astype(int) - 128) <= 1)


def test_overlay_identity_names_what_a_scene_shows():
    """A scene's caption identity (part of its pieces' cache keys) changes with the style and the words."""
    theme = load_theme("neon-cyberdeck")
    video, scene = VideoSpec(320, 180, 10), Scene("a", "title", 1)
    cues = build_cues([[Word("hello", 1.0, 1.4), Word("there", 1.5, 1.9)]])
    other = build_cues([[Word("hello", 1.0, 1.4), Word("world", 1.5, 1.9)]])

    def identity(cues, style):
        return [o.identity() for o in scene_overlays(scene, cues, CaptionSpec(style=style), "", theme, video)]

    assert identity(cues, "karaoke") == identity(list(cues), "karaoke")
    assert identity(cues, "karaoke") != identity(other, "karaoke")
    assert identity(cues, "karaoke") != identity(cues, "pop")
    assert scene_overlays(scene, cues, None, "", theme, video) == ()
