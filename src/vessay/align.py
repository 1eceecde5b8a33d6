"""Forced alignment of a recording to its text with CMU pocketsphinx's US-English acoustic model.

A recording is split at its pauses into utterances. Each is decoded with a language model built
from the text, which hears the text's words in any order, and fillers; one monotonic match of
everything heard to the text (matching.py) then says which stretch of the text each utterance
reads, where the reader started over, left a sentence out, or said something else. Last, each
utterance is force-aligned to exactly what it says, for word timings, and a word that follows a
pause starts where the waveform says the voice comes back. Every step costs time in proportion
to the recording's length.

Words missing from the CMU dictionary, numbers and symbols get their pronunciation from
espeak-ng (the phonemizer Piper carries), mapped onto the acoustic model's phones.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from .sphinx import FILLERS, RATE, Said, Sphinx

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
    """"word" (a token of the text), "filler" (um, uh, er), "other" (speech the text does not
    account for: a remark, or a word said twice), "pause" (silence) or "noise" (breath, click)."""
    start: float
    end: float
    token: int = -1
    """For words: the index of the token in the text."""
    label: str = ""
    """For a word, what the recogniser heard when it was not this word (else ""); for the rest,
    what was heard (a filler, a noise, other words)."""


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
def _cmudict():
    """A decoder holding the CMU pronouncing dictionary of the pocketsphinx wheel, for look-ups
    (pocketsphinx reads the 130,000 words in a tenth of a second; Python would take ten times that)."""
    from pocketsphinx import Decoder

    return Decoder(lm=None, loglevel="FATAL")


@lru_cache(maxsize=65536)
def dictionary_prons(word: str) -> tuple[str, ...]:
    """Every pronunciation the CMU dictionary has for `word` (lowercase), or () when it has none."""
    prons = []
    while (phones := _cmudict().lookup_word(word if not prons else f"{word}({len(prons) + 1})")) is not None:
        prons.append(phones.strip())
    return tuple(prons)


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

    names: list[str] = []
    prons: list[tuple[str, ...]] = []
    word_of: list[int] = []
    sentences, clauses = [0], []
    for index, word in enumerate(words):
        for piece in pronounce(word, lexicon).split():
            bare = re.sub(r"^[^\w]+|[^\w]+$", "", piece.casefold().replace("’", "'"))
            if not bare:
                continue
            if known := dictionary_prons(bare):
                names.append(bare)
                prons.append(known)
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


def decode(pcm: np.ndarray, tokens: Tokens) -> list[Heard] | None:
    """What the reader of `tokens` says when in `pcm` (int16 at RATE); None if nothing of it."""
    from .matching import Step, match
    from .pauses import utterances

    if not tokens.names or len(pcm) < RATE * 0.1:
        return None
    spans = utterances(pcm.astype(np.float32) / 32768, RATE)
    sphinx = _sphinx(tokens)
    said = [[s for s in sphinx.recognise(pcm[int(a * RATE): int(b * RATE)]) if _spoken(s.word)] for a, b in spans]
    heard_words = [s.word for utterance in said for s in utterance]
    after_pause = [k == 0 for utterance in said for k in range(len(utterance))]
    sounds = _sound_classes(sphinx.words)
    steps = iter(match(heard_words, after_pause, sounds, [sounds[name] for name in tokens.names],
                       set(tokens.sentence_starts) | set(tokens.clause_starts), list(tokens.sentence_starts),
                       set(FILLERS)))
    heard: list[Heard] = []
    for (a, b), utterance in zip(spans, said):
        if heard and heard[-1].end < a or not heard and a > 0:
            heard.append(Heard("pause", heard[-1].end if heard else 0.0, a))
        if not utterance:
            heard.append(Heard("noise", a, b))
            continue
        plan = [next(steps) for _ in utterance]
        words = [tokens.names[p.token] if p.kind != "insert" else s.word for p, s in zip(plan, utterance)]
        timed, complete = sphinx.align(pcm[int(a * RATE): int(b * RATE)], words)
        fit = _fit(timed) if any(_spoken(s.word) for s in timed) else -np.inf
        if complete and fit >= MIN_FIT:
            pass
        elif fit >= MIN_FIT:
            timed = utterance  # a word the aligner could not place: the recogniser's times do
        else:
            # The sound does not fit the words the text offered: it says something else.
            timed, plan = utterance, [Step("insert")] * len(utterance)
            words = [s.word if s.word in FILLERS else "" for s in utterance]
        spoken = iter(zip(plan, words, utterance))
        for item in timed:
            start, end = round(a + item.start, 3), round(a + item.end, 3)
            if not _spoken(item.word):
                heard.append(Heard("pause" if item.word in _SILENCE else "noise", start, end, label=item.word))
                continue
            step, word, said_as = next(spoken)
            if step.kind != "insert":
                heard.append(Heard("word", start, end, step.token, "" if step.kind == "match" else said_as.word))
            else:
                heard.append(Heard("filler" if word in FILLERS else "other", start, end, label=word or item.word))
    if heard and heard[-1].end < len(pcm) / RATE:
        heard.append(Heard("pause", heard[-1].end, round(len(pcm) / RATE, 3)))
    if not any(h.kind == "word" for h in heard):
        return None
    return _settle_edges(heard, pcm.astype(np.float32) / 32768)


MIN_WORD = 0.03
"""Seconds: the shortest a word can be made by moving its edges."""


def _settle_edges(heard: list[Heard], samples: np.ndarray) -> list[Heard]:
    """Words next to a pause start and end where the voice does: the aligner's edges there are
    tens of milliseconds off (its frames see 25 ms of sound, and its features 30 ms ahead), and
    in a pause it may stretch a word over the silence."""
    from .pauses import voice_onset

    out = list(heard)
    spoken = [k for k, h in enumerate(out) if h.kind in SPOKEN]
    for before, k in zip([None] + spoken, spoken):
        lo, item = (out[before].end if before is not None else 0.0), out[k]
        edge = voice_onset(samples, RATE, lo, item.start, item.end)
        if edge is not None and lo <= edge < item.end - MIN_WORD:
            out[k] = replace(item, start=round(edge, 3))
    for k, after in zip(spoken, spoken[1:] + [None]):
        item = out[k]
        hi = out[after].start if after is not None else len(samples) / RATE
        edge = voice_onset(samples, RATE, item.start, item.end, hi, backwards=True)
        if edge is not None and item.start + MIN_WORD < edge <= hi:
            out[k] = replace(item, end=round(edge, 3))
    return _pauses_between(out)


def _pauses_between(heard: list[Heard]) -> list[Heard]:
    """Pauses and noises made to fit around the spoken items once their edges moved."""
    following: list[float | None] = []
    upcoming = None
    for item in reversed(heard):
        following.append(upcoming)
        if item.kind in SPOKEN:
            upcoming = item.start
    out, previous_end = [], 0.0
    for item, next_start in zip(heard, reversed(following)):
        if item.kind in SPOKEN:
            out.append(item)
            previous_end = item.end
            continue
        start, end = max(item.start, previous_end), item.end if next_start is None else min(item.end, next_start)
        if end > start:
            out.append(replace(item, start=round(start, 3), end=round(end, 3)))
    return out


_SILENCE = ("<s>", "</s>", "<sil>")
SPOKEN = ("word", "filler", "other")
MIN_FIT = -3.0
"""An utterance whose words fit the sound worse than this (mean log-likelihood per frame, see
sphinx.Said.fit) does not say them: read speech fits its text at -1 to -2, other words at -4 and below."""


def _fit(said: list[Said]) -> float:
    """How well the spoken items of an utterance fit its sound, per frame."""
    items = [s for s in said if _spoken(s.word)]
    frames = sum(s.end - s.start for s in items)
    return sum(s.fit * (s.end - s.start) for s in items) / frames if frames else 0.0


def _spoken(word: str) -> bool:
    """A word or filler, not a pause or a noise."""
    return not word.startswith(("<", "["))


def _sphinx(tokens: Tokens) -> Sphinx:
    """Decoders for the text, its language model made of its clauses."""
    words = dict(zip(tokens.names, tokens.prons))
    cuts = sorted(set(tokens.sentence_starts) | set(tokens.clause_starts) | {0, len(tokens.names)})
    return Sphinx(words, [list(tokens.names[a:b]) for a, b in zip(cuts, cuts[1:])])


def _sound_classes(words: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """A number per word, shared by words that can sound the same ("to", "two")."""
    owner: dict[str, str] = {}
    parent: dict[str, str] = {w: w for w in words}

    def root(word: str) -> str:
        while parent[word] != word:
            parent[word] = parent[parent[word]]
            word = parent[word]
        return word

    for word, prons in words.items():
        for phones in prons:
            if phones in owner:
                parent[root(word)] = root(owner[phones])
            else:
                owner[phones] = word
    roots = sorted({root(w) for w in words})
    number = {r: k for k, r in enumerate(roots)}
    return {w: number[root(w)] for w in words}
