"""Forced alignment of real read speech to its text with pocketsphinx."""

import sys
from pathlib import Path

import numpy as np
import pytest

from vessay.align import RATE, decode, espeak_phones, tokenize
from vessay.cleanup import read
from vessay.script import text_words

sys.path.insert(0, str(Path(__file__).parent / "speech"))
from takes import TEXTS, onset, speech  # noqa: E402


def pcm16(samples: np.ndarray) -> np.ndarray:
    """48 kHz float → the aligner's 16 kHz int16."""
    from vessay.media import resample

    return np.round(resample(samples, 48000, RATE) * 32767).astype("<i2")


def heard(name: str, text: str | None = None):
    tokens = tokenize(text_words(text or TEXTS[name]), {})
    return tokens, decode(pcm16(speech(name)), tokens)


def test_words_missing_from_the_dictionary_are_said_as_espeak_would():
    """Numbers, symbols and unknown words get CMU phones from espeak-ng; lexicon respellings apply."""
    assert espeak_phones("softmax") == "S AO F T M AE K S"
    assert espeak_phones("0.7").split()[:4] == ["Z", "IY", "AH", "R"]
    tokens = tokenize(["Softmax,", "then", "O(n²).", "Done."], {"O(n²)": "O of n squared"})
    assert tokens.names[1:] == ("then", "o", "of", "n", "squared", "done")
    assert tokens.names[0].startswith("_") and tokens.prons[0] == ("S AO F T M AE K S",)
    assert tokens.word_of == (0, 1, 2, 2, 2, 2, 3)
    assert tokens.sentence_starts == (0, 6) and tokens.clause_starts == (1,)


@pytest.mark.parametrize("name", ["austen-1", "austen-4", "sonnet-1"])
def test_read_speech_aligns_word_by_word(name):
    """Every word of a real reading is heard in order, the first where the voice starts."""
    tokens, path = heard(name)
    reading = read(path, len(tokens.names))
    assert [w.token for w in reading.words] == list(range(len(tokens.names)))
    assert not reading.missing
    starts = [w.start for w in reading.words]
    assert starts == sorted(starts)
    assert abs(starts[0] - onset(speech(name))) < 0.12


def test_a_false_start_is_heard_as_a_step_back():
    """"Had he married a— (pause) Had he married a more amiable woman" reads the start twice."""
    clip = speech("austen-4")
    take = np.concatenate([clip[: int(1.05 * 48000)], np.zeros(int(0.7 * 48000), np.float32), clip])
    tokens = tokenize(text_words(TEXTS["austen-4"]), {})
    reading = read(decode(pcm16(take), tokens), len(tokens.names))
    assert len(reading.retakes) == 1
    start, end = reading.retakes[0]
    assert start < 0.35 and 0.9 < end < 1.2
    assert reading.words[0].start > 1.7  # the kept reading is the second one


def test_the_wrong_text_is_barely_heard():
    """Aligning a recording to another text finds few of its words, or no path at all."""
    tokens, path = heard("austen-4", TEXTS["sonnet-1"])
    assert path is None or len(read(path, len(tokens.names)).words) < 0.4 * len(tokens.names)


def test_a_skipped_sentence_is_missing():
    """A reading that leaves out a sentence shows that sentence's tokens as never heard."""
    text = TEXTS["austen-4"] + " " + TEXTS["austen-1"] + " " + TEXTS["austen-5"]
    take = np.concatenate([speech("austen-4"), speech("austen-5")])
    tokens = tokenize(text_words(text), {})
    reading = read(decode(pcm16(take), tokens), len(tokens.names))
    skipped = tokenize(text_words(TEXTS["austen-1"]), {})
    assert any(last - first >= len(skipped.names) - 1 for first, last in reading.missing)
