"""Captions: readable cues that follow the spoken words."""

import re

import numpy as np

from vessay.captions import MAX_LEAD, MAX_LINE, MAX_LINGER, build_cues, heard_words, to_srt, to_vtt, wrap
from vessay.media import AUDIO_RATE
from vessay.narration import Narrator, Word
from vessay.script import VoiceSpec


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
        assert cue.end - cue.start <= 6.0 + 0.3
        assert cue.end - cue.start >= 1.0 - 1e-9 or cue.end == cue.words[-1].end + MAX_LINGER
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


def test_a_short_cue_lingers_at_most_half_a_second():
    """A one-word cue is not stretched to a second: it leaves 0.5 s after its word."""
    cues = build_cues([[Word("Yes.", 1.0, 1.2)], [Word("Next", 4.0, 4.3)]])
    assert cues[0].end - cues[0].words[-1].end <= MAX_LINGER + 1e-9


def test_max_words_caps_each_cue():
    """max_words splits cues so none holds more words than asked."""
    cues = build_cues([words_of("one two three four five six seven eight nine ten")], max_words=4)
    assert [len(c.words) for c in cues] == [4, 4, 2]


def test_word_start_in_silence_moves_to_the_sound():
    """A start the aligner put in a pause moves to where the sound begins; one inside sound stays."""
    samples = np.zeros(2 * AUDIO_RATE, dtype=np.float32)
    samples[AUDIO_RATE:] = 0.3 * np.sin(np.arange(AUDIO_RATE) * 0.05)
    early, inside = heard_words([Word("late", 0.6, 1.4), Word("fine", 1.5, 1.9)], samples, AUDIO_RATE)
    assert abs(early.start - 1.0) <= 0.011 and inside.start == 1.5


def test_cues_follow_piper_word_alignments():
    """Against Piper's own alignments: no cue starts > 100 ms before its first word, none lingers > 0.5 s
    after its last, none overlaps the next; the SRT carries exactly these times."""
    text = ("Here is a first sentence, which runs on for a while before it stops. Short one. "
            "Then, after a pause, a third sentence closes the test, and it has a clause or two.")
    samples, words = Narrator().synthesize(text, VoiceSpec())
    cues = build_cues([heard_words(words, samples, AUDIO_RATE)])
    assert len(cues) >= 3
    position = 0
    stamps = re.findall(r"(\d+):(\d+):(\d+),(\d+) --> (\d+):(\d+):(\d+),(\d+)", to_srt(cues))
    for cue, following, stamp in zip(cues, cues[1:] + [None], stamps):
        spoken = words[position:position + len(cue.words)]
        position += len(cue.words)
        assert [w.text for w in spoken] == [w.text for w in cue.words]
        assert cue.start >= spoken[0].start - MAX_LEAD
        assert cue.end <= spoken[-1].end + MAX_LINGER + 1e-9
        if following:
            assert cue.end <= following.start
        h, m, sec, ms, *_ = map(int, stamp)
        assert abs(h * 3600 + m * 60 + sec + ms / 1000 - cue.start) < 0.001
    assert position == len(words)
