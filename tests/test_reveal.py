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
