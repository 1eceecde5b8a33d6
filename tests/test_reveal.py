"""Bullet reveals: `[>]` in the narration shows the next bullet as its word is spoken."""

import json

import numpy as np
import pytest

from vessay.cli import main
from vessay.errors import VessayError
from vessay.media import decode_frame
from vessay.script import load_script, split_reveals

from conftest import TINY_VIDEO, write_script


def test_split_reveals_marks_the_following_word():
    """Markers are removed and each points at the index of the next word."""
    text, reveals = split_reveals("Three ideas. [>] Vectors first, [>] then matrices.")
    assert text == "Three ideas. Vectors first, then matrices."
    assert reveals == (2, 4)


def test_more_markers_than_bullets_is_an_error(tmp_path):
    """A marker with nothing left to reveal is reported at the narration line."""
    script = write_script(tmp_path, "title: x\nscenes:\n  - id: a\n    layout: bullets\n    bullets: [one]\n"
                                    "    narration: \"[>] One. [>] Two.\"\n")
    with pytest.raises(VessayError) as caught:
        load_script(script)
    assert caught.value.line == 6 and "2 '[>]' markers but only 1" in str(caught.value)


def test_bullets_appear_when_their_words_are_spoken(tmp_path):
    """Before the first marked word no bullet shows; after the last, all do; markers are never spoken or shown."""
    script = write_script(tmp_path, f"""\
title: Reveal
{TINY_VIDEO}
theme: paper
motion: {{preset: still}}
scenes:
  - id: list
    layout: bullets
    title: Three things
    bullets: [Vectors and dot products, Matrices move space, Shapes must match]
    narration: "Here are three things to learn, slowly. [>] Vectors. [>] Matrices. [>] Shapes."
""")
    out = tmp_path / "reveal.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet"]) == 0
    scene = json.loads(out.with_name("reveal.words.json").read_text())[0]
    texts = [w["text"] for w in scene["words"]]
    assert "[>]" not in texts and texts[-3:] == ["Vectors.", "Matrices.", "Shapes."]
    assert "[>]" not in out.with_suffix(".srt").read_text()

    def ink(at: float) -> int:
        """Dark text pixels in the lower two thirds of the paper slide, where bullets sit."""
        frame = decode_frame(out, at, (320, 180)).astype(int)
        return int((frame[70:150, 40:280].mean(axis=2) < 120).sum())

    vectors_at = scene["words"][-3]["start"]
    shapes_at = scene["words"][-1]["start"]
    before, middle, after = ink(vectors_at - 0.3), ink((vectors_at + shapes_at) / 2 + 0.1), ink(scene["end"] - 0.2)
    assert before < middle < after, (before, middle, after)
    assert before < 0.3 * after


def test_reveal_states_are_cached_as_planes_only(tmp_path, isolated_cache):
    """Each reveal state is cached as the YUV planes the camera takes (its own drawing, converted), with no
    PNG: only the whole slide, which previews show, is also kept as a picture."""
    from vessay.cache import Cache
    from vessay.motion import canvas_size, rgb_to_yuv420
    from vessay.shots import draw_slides, slide_planes, slide_png
    from vessay.slides import render_slide
    from vessay.theme import load_theme

    script = load_script(write_script(tmp_path, f"""\
title: Reveal
{TINY_VIDEO}
scenes:
  - id: list
    layout: bullets
    title: Two things
    bullets: [first, second]
    narration: Look at [>] the first and [>] the second.
"""))
    theme, cache = load_theme(script.theme), Cache(isolated_cache)
    draw_slides(script, 0, theme, cache)
    assert not list((isolated_cache / "slide").glob("*.png"))
    assert len(list((isolated_cache / "plane").glob("*.yuv"))) == 3
    for visible in (0, 1, 2):
        drawn = render_slide(script.scenes[0], theme, canvas_size(script.video), index=1, total=1,
                             essay_title=script.title, reveal=visible)
        for cached, expected in zip(slide_planes(script, 0, theme, cache, visible), rgb_to_yuv420(drawn)):
            assert np.array_equal(cached, expected)
    first, last = slide_planes(script, 0, theme, cache, 0)[0], slide_planes(script, 0, theme, cache, 2)[0]
    assert np.abs(first.astype(int) - last).sum() > 0  # the states differ: the bullets show
    slide_png(script, 0, theme, cache)
    assert len(list((isolated_cache / "slide").glob("*.png"))) == 1
