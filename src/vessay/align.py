"""Forced alignment of a recording to its text with CMU pocketsphinx's US-English acoustic model.

The text becomes a finite-state grammar that a reader's habits fit into: the words in order,
plus a way back to a few words earlier or to the start of a clause or sentence (a restart),
um/uh/er between any two words, a free phone loop between sentences (remarks that are not in
the script), and a costly way past a sentence (one the reader skipped). Each word of the grammar
has a dictionary entry of its own, so the decoder's word sequence says exactly which word of the
text was heard when, and a step backwards is a retake.

Words missing from the CMU dictionary, numbers and symbols get their pronunciation from
espeak-ng (the phonemizer Piper carries), mapped onto the acoustic model's phones.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

RATE = 16000
"""The acoustic model's sample rate."""
FRAME = 0.01
"""Seconds per decoder frame."""
FILLERS = ("um", "uh", "er")
BACK = 6
"""A restart may go back this many words, or to the start of the clause or of the sentence before."""
PAUSE_PROB = 1e-2
RESTART_PROB = 1e-5
FILLER_PROB = 1e-4
SKIP_PROB = 1e-5
GARBAGE_PROB = 1e-6
BEAMS = ({"beam": 1e-40, "pbeam": 1e-40, "wbeam": 1e-25}, {})
"""Narrower beams than the defaults first (a grammar this tight rarely needs more), then the defaults."""

# espeak-ng's IPA (as Piper phonemizes English) → the CMU phone set; longest symbols first.
_IPA = {
    "aɪə": "AY ER", "aʊ": "AW", "aɪ": "AY", "eɪ": "EY", "oʊ": "OW", "ɔɪ": "OY", "əʊ": "OW", "tʃ": "CH",
    "dʒ": "JH", "ɑː": "AA", "ɔː": "AO", "ɜː": "ER", "iː": "IY", "uː": "UW", "ɪə": "IH R", "eə": "EH R",
    "ʊə": "UH R", "oː": "AO", "ɛɹ": "EH R", "ɚ": "ER", "ɝ": "ER", "ɐ": "AH", "ə": "AH", "ʌ": "AH",
    "æ": "AE", "ɑ": "AA", "ɒ": "AA", "ɔ": "AO", "ɛ": "EH", "e": "EH", "ɪ": "IH", "ᵻ": "IH", "i": "IY",
    "ʊ": "UH", "u": "UW", "o": "OW", "a": "AE", "b": "B", "d": "D", "ð": "DH", "f": "F", "ɡ": "G",
    "g": "G", "h": "HH", "j": "Y", "k": "K", "l": "L", "m": "M", "n": "N", "ŋ": "NG", "p": "P",
    "ɹ": "R", "r": "R", "ɾ": "D", "s": "S", "ʃ": "SH", "t": "T", "θ": "TH", "v": "V", "w": "W",
    "z": "Z", "ʒ": "ZH", "x": "K", "ʔ": "", "ç": "HH", "ɬ": "L", "y": "UW", "ø": "ER", "œ": "ER",
}
_IPA_KEYS = sorted(_IPA, key=len, reverse=True)
_MODEL_PHONES = ("AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH "
                 "UH UW V W Y Z ZH").split()


@dataclass(frozen=True)
class Heard:
    """One stretch of the decoder's path through a recording."""

    kind: str
    """"word" (a token of the text), "filler" (um, uh, er), "pause" (silence) or "noise"
    (breath, click, room)."""
    start: float
    end: float
    token: int = -1
    """For words: the index of the token in the text."""
    label: str = ""


@dataclass(frozen=True)
class Tokens:
    """The text as the decoder hears it: dictionary words, each tied to a word of the text."""

    names: tuple[str, ...]
    """Dictionary spelling of each token (lowercase, or a pseudo-word for espeak pronunciations)."""
    prons: tuple[tuple[str, ...], ...]
    """Every pronunciation of each token, as space-separated CMU phones."""
    word_of: tuple[int, ...]
    """For each token, the index of the text word it belongs to."""
    sentence_starts: tuple[int, ...]
    """Token indices where a sentence begins (ascending, 0 first)."""
    clause_starts: tuple[int, ...]
    """Token indices after a comma, colon, semicolon or dash."""


@lru_cache(maxsize=1)
def _dictionary() -> dict[str, tuple[str, ...]]:
    """The CMU pronouncing dictionary in the pocketsphinx wheel: word → pronunciations."""
    import os

    from pocketsphinx import get_model_path

    found: dict[str, list[str]] = {}
    with open(os.path.join(get_model_path(), "en-us", "cmudict-en-us.dict"), encoding="utf-8") as handle:
        for line in handle:
            word, _, phones = line.strip().partition(" ")
            found.setdefault(re.sub(r"\(\d+\)$", "", word), []).append(phones.strip())
    return {word: tuple(prons) for word, prons in found.items()}


@lru_cache(maxsize=1)
def _espeak():
    from piper.phonemize_espeak import EspeakPhonemizer

    return EspeakPhonemizer()


@lru_cache(maxsize=4096)
def espeak_phones(text: str) -> str:
    """What espeak-ng would say for `text` (a number, symbol or unknown word), in CMU phones."""
    ipa = "".join("".join(sentence) for sentence in _espeak().phonemize("en-us", text))
    ipa = unicodedata.normalize("NFC", re.sub(r"[ˈˌ.,!?;:\-\s]", "", ipa)).replace("ː", "ː")
    phones, at = [], 0
    while at < len(ipa):
        for key in _IPA_KEYS:
            if ipa.startswith(key, at):
                phones.extend(_IPA[key].split())
                at += len(key)
                break
        else:
            at += 1  # stress, length and tie marks carry no phone
    return " ".join(p for p in phones if p in _MODEL_PHONES)


def tokenize(words: list[str], lexicon: dict[str, str]) -> Tokens:
    """Tokens for the text `words` (as on screen), each said as `lexicon` respells it."""
    from .narration import pronounce

    dictionary = _dictionary()
    names: list[str] = []
    prons: list[tuple[str, ...]] = []
    word_of: list[int] = []
    sentences, clauses = [0], []
    for index, word in enumerate(words):
        for piece in pronounce(word, lexicon).split():
            bare = re.sub(r"^[^\w]+|[^\w]+$", "", piece.casefold().replace("’", "'"))
            if not bare:
                continue
            if bare in dictionary:
                names.append(bare)
                prons.append(dictionary[bare])
            else:
                phones = espeak_phones(bare)
                if not phones:
                    continue
                names.append("_" + re.sub(r"\W", "", bare)[:20])
                prons.append((phones,))
            word_of.append(index)
        if names and len(names) != sentences[-1]:
            if re.search(r"[.!?…][\"'”’)\]]*$", word):
                sentences.append(len(names))
            elif re.search(r"[,;:—–][\"'”’)\]]*$", word):
                clauses.append(len(names))
    if sentences[-1] == len(names) and len(sentences) > 1:
        sentences.pop()
    return Tokens(tuple(names), tuple(prons), tuple(word_of), tuple(sentences), tuple(clauses))


def _grammar(tokens: Tokens) -> list[tuple]:
    """FSG transitions. State j (0..n) is "before token j", n the end; n+1+j enters token j after
    a restart; 2n+2+j is a pause after state j, from which a reader may say um or start over."""
    n = len(tokens.names)
    restart, pause = n + 1, 2 * n + 2
    starts = set(tokens.sentence_starts) | set(tokens.clause_starts)
    sentence_of = np.searchsorted(tokens.sentence_starts, np.arange(n + 1), side="right") - 1
    arcs = []
    for j in range(n):
        arcs.append((j, j + 1, 1.0, f"w{j}"))
        arcs.append((restart + j, j + 1, 1.0, f"w{j}"))
    for j in range(n + 1):
        # Restarts and fillers only after a pause: a reader stops before starting over or saying
        # um, and the decoder stays fast because these paths open only where there is silence.
        arcs.append((j, pause + j, PAUSE_PROB, "+sil"))
        for filler in FILLERS:
            arcs.append((pause + j, j, FILLER_PROB, filler))
        if j == 0:
            continue
        # Back to a recent word, or to where this clause, this sentence or the one before began.
        earliest = tokens.sentence_starts[max(0, sentence_of[min(j, n - 1)] - 1)]
        targets = set(range(max(0, j - BACK), j)) | {k for k in starts if earliest <= k < j}
        for k in sorted(targets):
            arcs.append((pause + j, restart + k, RESTART_PROB))
    for number, s in enumerate(tokens.sentence_starts):
        after = tokens.sentence_starts[number + 1] if number + 1 < len(tokens.sentence_starts) else n
        arcs.append((s, after, SKIP_PROB))
    return arcs


def decode(pcm: np.ndarray, tokens: Tokens) -> list[Heard] | None:
    """The decoder's path through `pcm` (int16 at RATE) against `tokens`; None if none fits."""
    from pocketsphinx import Decoder

    if not tokens.names or len(pcm) < RATE * 0.1:
        return None
    raw = np.ascontiguousarray(pcm, dtype="<i2").tobytes()
    for beams in BEAMS:
        decoder = Decoder(samprate=RATE, lm=None, loglevel="FATAL", **beams)
        for j, prons in enumerate(tokens.prons):
            for variant, phones in enumerate(prons):
                decoder.add_word(f"w{j}" + (f"({variant + 1})" if variant else ""), phones, False)
        decoder.add_word("+sil", "SIL", True)
        decoder.add_fsg("text", decoder.create_fsg("text", 0, len(tokens.names), _grammar(tokens)))
        decoder.activate_search("text")
        decoder.start_utt()
        decoder.process_raw(raw, full_utt=True)
        decoder.end_utt()
        if decoder.hyp() is not None:
            return [_heard(s.word, s.start_frame, s.end_frame) for s in decoder.seg()]
    return None


def _heard(word: str, first: int, last: int) -> Heard:
    start, end = first * FRAME, (last + 1) * FRAME
    word = re.sub(r"\(\d+\)$", "", word)
    if word.startswith("w") and word[1:].isdigit():
        return Heard("word", start, end, int(word[1:]))
    if word in FILLERS:
        return Heard("filler", start, end, label=word)
    if word in ("<sil>", "<s>", "</s>", "+sil"):
        return Heard("pause", start, end)
    return Heard("noise", start, end, label=word)
