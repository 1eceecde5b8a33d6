"""CMU pocketsphinx set up for one text: a pronouncing dictionary of only the text's words (loading
its whole 130,000-word dictionary costs seconds per decoder), a trigram language model built from
the text, to hear what a stretch of a recording says, and forced alignment, to time a known
word sequence exactly."""

from __future__ import annotations

import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FILLERS = {"um": "AH M", "uh": "AH", "er": "ER"}
FILLER_COUNT = 2
"""How often the language model counts each filler as a sentence of its own: often enough to be
heard between words, not so often that short words are heard as fillers."""
RATE = 16000
FRAME = 0.01
RECOGNISER = {"fwdflat": False, "bestpath": False, "ds": 2}
"""The first pass only needs which words were said: one search pass, acoustic scores every other
frame (the timings come from the alignment after it)."""


@dataclass(frozen=True)
class Said:
    """One word (or filler, or pause) a decoder heard, in seconds of the audio it was given."""

    word: str
    start: float
    end: float
    fit: float = 0.0
    """How well the sound fits the word: the acoustic log-likelihood per frame, relative to the
    best-scoring sound of the model in each frame (0 is a perfect fit; a wrong word is far below)."""


class Sphinx:
    """Decoders for one text: `recognise` hears words of the text (and fillers) in any order,
    `align` times a given word sequence."""

    def __init__(self, words: dict[str, tuple[str, ...]], sentences: list[list[str]]):
        from pocketsphinx import Decoder
        from pocketsphinx.lm import ArpaBoLM

        self.words = dict(words)
        for filler, phones in FILLERS.items():
            self.words.setdefault(filler, (phones,))
        lines = [" ".join(s) for s in sentences if s] + [f for f in FILLERS for _ in range(FILLER_COUNT)]
        model = ArpaBoLM(text="\n".join(lines), add_start=True)
        model.compute()
        with tempfile.TemporaryDirectory(prefix="vessay-sphinx-") as folder:
            dictionary, arpa = Path(folder) / "words.dict", Path(folder) / "text.arpa"
            dictionary.write_text("".join(
                f"{word}{'' if k == 0 else f'({k + 1})'} {phones}\n"
                for word, prons in sorted(self.words.items()) for k, phones in enumerate(prons)), encoding="utf-8")
            with open(arpa, "w", encoding="utf-8") as handle:
                model.write(handle)
            self._recogniser = Decoder(samprate=RATE, dict=str(dictionary), lm=str(arpa), loglevel="FATAL",
                                       **RECOGNISER)
            self._aligner = Decoder(samprate=RATE, dict=str(dictionary), lm=None, loglevel="FATAL")

    def recognise(self, pcm: np.ndarray) -> list[Said]:
        """What `pcm` (int16 at RATE) says, as words of the text, fillers and pauses."""
        return _run(self._recogniser, pcm)

    def align(self, pcm: np.ndarray, words: list[str]) -> tuple[list[Said], bool]:
        """When each of `words` (all in the dictionary) is said in `pcm`, with the pauses between,
        and whether all of them were: when the audio cannot hold them all, the aligner gives the
        words it could place (or none)."""
        self._aligner.set_align_text(" ".join(words))
        said = _run(self._aligner, pcm)
        return said, sum(not _is_filler(s.word) for s in said) == len(words)


def _run(decoder, pcm: np.ndarray) -> list[Said]:
    decoder.start_utt()
    decoder.process_raw(np.ascontiguousarray(pcm, dtype="<i2").tobytes(), full_utt=True)
    decoder.end_utt()
    if decoder.hyp() is None:
        return []
    return [Said(re.sub(r"\(\d+\)$", "", s.word), s.start_frame * FRAME, (s.end_frame + 1) * FRAME,
                 math.log(max(s.ascore, 1e-300)) / (s.end_frame - s.start_frame + 1)) for s in decoder.seg()]


def _is_filler(word: str) -> bool:
    """Pauses and the acoustic model's noises: <s>, </s>, <sil>, [NOISE], [SPEECH]."""
    return word.startswith(("<", "["))
