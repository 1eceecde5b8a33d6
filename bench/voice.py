"""Own-voice benchmark on real read speech (the public-domain excerpts in tests/speech/).

Reports every figure the own-voice work promises:
- sentence starts in recorded scenes against where the voice starts (median, p90, worst);
- word starts against an independent recogniser (pocketsphinx decoding freely with its general
  English language model, not the script): share of words within 300 ms;
- false starts and pauses longer than max_pause: how many were cut and listed as `cut:` labels;
- room noise between sentences relative to the voice, before and after `denoise`;
- a 5-minute take aligned and cleaned from a cold cache: wall and CPU seconds.

Usage: python bench/voice.py
"""

from __future__ import annotations

import difflib
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "speech"))
import takes  # noqa: E402

from vessay.align import RATE, decode, tokenize  # noqa: E402
from vessay.cache import Cache  # noqa: E402
from vessay.cleanup import denoise, read  # noqa: E402
from vessay.media import resample, write_wav  # noqa: E402
from vessay.progress import Progress  # noqa: E402
from vessay.script import load_script, text_words  # noqa: E402


def pcm16(samples: np.ndarray) -> np.ndarray:
    return np.round(np.clip(resample(samples, 48000, RATE), -1, 1) * 32767).astype("<i2")


def write_take(folder: Path, take: takes.Take, scenes: dict[str, list[str]], extra: str = "") -> Path:
    write_wav(folder / "take.wav", take.samples)
    lines = ["title: Bench", "video: {width: 320, height: 180, fps: 10}", "scenes:"]
    for scene, names in scenes.items():
        text = " ".join(takes.TEXTS[n] for n in names)
        lines.append(f"  - {{id: {scene}, layout: title, title: T, narration: \"{text}\"}}")
    script = folder / "essay.yaml"
    script.write_text("\n".join(lines) + f"\nnarration_audio: {{file: take.wav}}\n{extra}", encoding="utf-8")
    return script


def sentence_starts(folder: Path) -> None:
    """Where each kept sentence starts in the messy take, by alignment, against the truth."""
    from vessay.recordings import take_clips

    take = takes.messy_take()
    script = load_script(write_take(folder, take, takes.SCENES))
    cache = Cache(folder / "cache")
    found = []
    for clip in take_clips(script, cache):
        tokens = tokenize(text_words(clip.scene.narration), {})
        reading = read(list(clip.heard), len(tokens.names))
        words = text_words(clip.scene.narration)
        firsts = [0] + [i + 1 for i, w in enumerate(words[:-1]) if re.search(r"[.!?,]$", w)]
        for item in reading.words:
            if tokens.word_of[item.token] in firsts and (item.token == 0 or tokens.word_of[item.token - 1]
                                                          != tokens.word_of[item.token]):
                found.append(clip.start + item.start)
    truth = take.sentence_starts
    errors = np.array([min(abs(f - t) for f in found) for t in truth]) * 1000
    print(f"sentence starts ({len(truth)} sentences): median {np.median(errors):.0f} ms, "
          f"p90 {np.percentile(errors, 90):.0f} ms, worst {errors.max():.0f} ms   (target: 40 / 100 ms)")


def recogniser_words(pcm: np.ndarray) -> list[tuple[str, float]]:
    """Words and starts heard by pocketsphinx with its general English model: no script involved."""
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=RATE, loglevel="FATAL")
    decoder.start_utt()
    decoder.process_raw(pcm.tobytes(), full_utt=True)
    decoder.end_utt()
    return [(re.sub(r"\(\d+\)$", "", s.word), s.start_frame / 100) for s in decoder.seg()
            if not s.word.startswith(("<", "["))]


def word_starts() -> None:
    """Our word starts on each recording against the independent recogniser's, where both heard a word."""
    close = total = 0
    for name, text in takes.TEXTS.items():
        pcm = pcm16(takes.speech(name))
        tokens = tokenize(text_words(text), {})
        ours = [(tokens.names[w.token], w.start) for w in read(decode(pcm, tokens), len(tokens.names)).words]
        theirs = recogniser_words(pcm)
        matcher = difflib.SequenceMatcher(a=[w for w, _ in ours], b=[w for w, _ in theirs], autojunk=False)
        for block in matcher.get_matching_blocks():
            for k in range(block.size):
                total += 1
                close += abs(ours[block.a + k][1] - theirs[block.b + k][1]) <= 0.3
    print(f"word starts within 300 ms of the independent recogniser: {close}/{total} = {100 * close / total:.1f}% "
          "(target: 95%)")


def cuts(folder: Path) -> None:
    """Every false start and every pause over max_pause inside a scene: cut, and labelled."""
    from vessay.recordings import review

    take = takes.messy_take()
    script = load_script(write_take(folder, take, takes.SCENES))
    spans, found = review(script, Cache(folder / "cache"))
    retakes = [(c.start, c.end) for c in found if c.reason == "retake"]
    caught = sum(any(a <= s + 0.05 and b >= e - 0.05 for a, b in retakes) for s, e in take.false_starts)
    inside = [(a, b) for a, b in take.long_pauses
              if any(s.start < a and b < s.end for s in spans.values())]
    pauses = [(c.start, c.end) for c in found if c.reason.startswith("pause")]
    cut_pauses = sum(any(a <= s and e <= b for s, e in pauses) for a, b in inside)
    fillers = sum(any(c.reason == "um" and c.start <= a + 0.1 and c.end >= b - 0.1 for c in found)
                  for a, b in take.fillers)
    print(f"false starts cut and labelled: {caught}/{len(take.false_starts)}; pauses over max_pause inside scenes: "
          f"{cut_pauses}/{len(inside)}; fillers: {fillers}/{len(take.fillers)}; labels: "
          + ", ".join(f"cut: {c.reason}" for c in found))


def noise() -> None:
    """Noise between sentences relative to the voice, with hiss and hum added, before and after denoise."""
    take = takes.messy_take(fillers=False)
    rng = np.random.default_rng(3)
    t = np.arange(len(take.samples)) / 48000
    noisy = take.samples + (0.01 * rng.standard_normal(len(t)) + 0.006 * np.sin(2 * np.pi * 60 * t)).astype(np.float32)
    said = sorted(take.speech + take.false_starts)
    gaps = [(a + 0.1, b - 0.1) for (_, a), (b, _) in zip(said, said[1:]) if b - a > 0.4]

    def level(x, spans):
        return 10 * np.log10(np.mean(np.concatenate([x[int(a * 48000): int(b * 48000)] for a, b in spans]) ** 2))

    before = level(noisy, take.speech) - level(noisy, gaps)
    after_ = denoise(noisy, 48000, [(a - 0.05, b + 0.05) for a, b in gaps], "on")
    after = level(after_, take.speech) - level(after_, gaps)
    print(f"voice over noise between sentences: {before:.1f} dB before denoise, {after:.1f} dB after "
          f"({after - before:+.1f} dB; target: +12 dB)")


def five_minutes(folder: Path) -> None:
    """A 5-minute take (the messy take eight times over, 24 scenes) aligned and cleaned, cold cache."""
    from vessay.narration import narrate_all

    whole, scenes = takes.Take(), {}
    for round_ in range(8):
        part = takes.messy_take(fillers=round_ == 0)
        whole.add(part.samples)
        for scene, names in takes.SCENES.items():
            scenes[f"{scene}-{round_}"] = names
    script = load_script(write_take(folder, whole, scenes))
    cache = Cache(folder / "cache5")
    wall, cpu = time.perf_counter(), time.process_time()
    audios = narrate_all(script, cache, Progress(quiet=True))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    cut = sum(c.end - c.start for a in audios for c in a.cuts)
    print(f"{whole.now / 60:.1f}-minute take aligned and cleaned: {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"({len(audios)} scenes, {cut:.1f} s cut; target: 20 s)")


def main() -> None:
    os.environ.setdefault("VESSAY_CACHE_DIR", tempfile.mkdtemp(prefix="vessay-bench-"))
    with tempfile.TemporaryDirectory(prefix="vessay-voice-") as work:
        folder = Path(work)
        sentence_starts(folder)
        word_starts()
        cuts(folder)
        noise()
        five_minutes(folder)


if __name__ == "__main__":
    main()
