"""Forced alignment of real read speech to its text with pocketsphinx."""

import sys
from pathlib import Path

import numpy as np
import pytest

from vessay.align import RATE, decode, espeak_phones, tokenize
from vessay.cleanup import read
from vessay.script import text_words

sys.path.insert(0, str(Path(__file__).parent / "speech"))
from takes import ONSETS, TEXTS, onset, speech  # noqa: E402


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
    assert abs(starts[0] - onset(name)) < 0.05


def test_every_phrase_starts_where_the_voice_does():
    """Each word after a pause starts within 50 ms of where the voice comes back (labelled by hand)."""
    errors = []
    for name, labelled in ONSETS.items():
        tokens, path = heard(name)
        first_token = {word: tokens.word_of.index(word) for word in labelled}
        found = {w.token: w.start for w in read(path, len(tokens.names)).words}
        errors += [abs(found[first_token[word]] - seconds) for word, seconds in labelled.items()]
    assert max(errors) < 0.05 and np.median(errors) < 0.025, errors


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


@pytest.mark.parametrize("name, text", [("austen-4", "sonnet-1"), ("sonnet-1", "austen-4"),
                                        ("sonnet-1", "austen-1")])
def test_the_wrong_text_is_barely_heard(name, text):
    """Aligning a recording to another text, longer or shorter, hears few of its words."""
    tokens, path = heard(name, TEXTS[text])
    said = [w for w in read(path or [], len(tokens.names)).words if not w.label]
    assert len(said) < 0.3 * len(tokens.names)


def test_a_skipped_sentence_is_missing():
    """A reading that leaves out a sentence shows that sentence's tokens as never heard."""
    text = TEXTS["austen-4"] + " " + TEXTS["austen-1"] + " " + TEXTS["austen-5"]
    take = np.concatenate([speech("austen-4"), speech("austen-5")])
    tokens = tokenize(text_words(text), {})
    reading = read(decode(pcm16(take), tokens), len(tokens.names))
    skipped = tokenize(text_words(TEXTS["austen-1"]), {})
    assert any(last - first >= len(skipped.names) - 1 for first, last in reading.missing)


def test_the_match_follows_restarts_remarks_and_skips():
    """What was heard is matched to the text through a restart, a remark, a misheard word and a
    skipped sentence."""
    from vessay import matching

    rng = np.random.default_rng(7)
    sentences = [list(rng.integers(0, 30, 8)) for _ in range(60)]
    text = [w for s in sentences for w in s]
    starts = [8 * k for k in range(60)]
    heard, after_pause, expected = [], [], []
    for k, sentence in enumerate(sentences):
        if k == 30:
            continue  # skipped
        if k == 10:  # three words, a pause, then the sentence again
            heard += sentence[:3]
            after_pause += [True, False, False]
            expected += [8 * k, 8 * k + 1, 8 * k + 2]
        if k == 20:  # a remark; the recogniser hears words of the text, here like an earlier sentence
            heard += sentences[2][:4]
            after_pause += [True, False, False, False]
            expected += [-1] * 4
        said = list(sentence)
        if k == 40:
            said[5] = 104  # misheard
        heard += said
        after_pause += [True] + [False] * 7
        expected += [8 * k + j for j in range(8)]
    sound_of = {w: w for w in range(105)}
    steps = matching.match(heard, after_pause, sound_of, text, set(starts), starts, set())
    assert [s.token for s in steps] == expected
    assert steps[expected.index(8 * 40 + 5)].kind == "substitute"


def test_the_match_keeps_its_place_through_a_long_text(monkeypatch):
    """With a window far shorter than the text, the match still follows messy readings of a text
    whose words recur often (the recogniser hears remarks as words of the text)."""
    from vessay import matching

    monkeypatch.setattr(matching, "WINDOW", 60)
    for seed in range(15):
        rng = np.random.default_rng(seed)
        sentences = [list(rng.integers(0, 25, rng.integers(3, 9))) for _ in range(80)]
        firsts = list(np.cumsum([0] + [len(s) for s in sentences[:-1]]))
        heard, after_pause, truth = [], [], []
        for first, sentence in zip(firsts, sentences):
            kind = rng.random()
            if kind < 0.1:
                continue  # skipped
            said = []
            if kind < 0.3:  # a remark
                said += [(int(w), -1) for w in rng.integers(0, 25, rng.integers(1, 6))]
            elif kind < 0.45:  # a false start
                said += [(w, first + j) for j, w in enumerate(sentence[: rng.integers(1, len(sentence))])]
            for part in (said, [(w, first + j) for j, w in enumerate(sentence)]):
                heard += [w for w, _ in part]
                after_pause += [k == 0 for k in range(len(part))]
                truth += [t for _, t in part]
        steps = matching.match(heard, after_pause, {w: w for w in range(25)}, [w for s in sentences for w in s],
                               set(firsts), firsts, set())
        right = [s.token == t for s, t in zip(steps, truth) if t >= 0]
        assert np.mean(right) > 0.97, seed
