"""Captions: readable cues that follow the spoken words."""

import re

from vessay.captions import MAX_LINE, build_cues, to_srt, to_vtt, wrap
from vessay.narration import Word


def words_of(text: str, start: float = 0.0, per_word: float = 0.35) -> list[Word]:
    return [Word(w, start + i * per_word, start + (i + 1) * per_word - 0.05) for i, w in enumerate(text.split())]


def test_cues_are_short_readable_and_never_early():
    """Every cue: ≤ 2 lines of ≤ 42 chars, 1–6 s, starting at its first word, not overlapping the next."""
    text = ("Linear algebra is the base everything else rests on, and it's the one people most often skip. "
            "You want vectors, and dot products, which tell you how much two vectors point the same way. Yes.")
    words = words_of(text)
    cues = build_cues([words])
    starts = {w.start for w in words}
    for cue, following in zip(cues, cues[1:] + [None]):
        assert len(cue.lines) <= 2 and all(len(line) <= MAX_LINE for line in cue.lines)
        assert cue.start in starts
        assert 1.0 - 1e-9 <= cue.end - cue.start <= 6.0 + 0.3
        if following:
            assert cue.end <= following.start
    assert " ".join(" ".join(c.lines) for c in cues) == text


def test_sentence_end_closes_a_cue():
    """A new sentence starts a new cue."""
    cues = build_cues([words_of("First short sentence. Second one here.")])
    assert [c.text for c in cues] == ["First short sentence.", "Second one here."]


def test_cues_never_span_scenes():
    """Words from two scenes go to separate cues."""
    cues = build_cues([words_of("Scene one words", 0.0), words_of("scene two words", 5.0)])
    assert [c.text for c in cues] == ["Scene one words", "scene two words"]


def test_wrap_balances_two_lines():
    """Two lines are balanced rather than a full line and a stub."""
    lines = wrap("Operating models needs almost no advanced math at all")
    assert len(lines) == 2 and abs(len(lines[0]) - len(lines[1])) < 12


def test_srt_and_vtt_format():
    """SRT numbers cues with comma milliseconds; VTT has its header and dot milliseconds."""
    cues = build_cues([words_of("Hello there.", 61.5)])
    srt, vtt = to_srt(cues), to_vtt(cues)
    assert srt.startswith("1\n00:01:01,500 --> 00:01:02,")
    assert vtt.startswith("WEBVTT\n\n00:01:01.500 --> ")
    assert re.search(r"Hello there\.\n\n$", srt)
