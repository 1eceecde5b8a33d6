"""Own-voice benchmark on real read speech (the public-domain excerpts in tests/speech/).

Reports every figure the own-voice work promises, each with PASS or FAIL (exit 1 on a FAIL):
- sentence starts in recorded scenes against where the voice starts, labelled by hand
  (tests/speech/onsets.yaml): every sentence and line that follows a pause (median, p90, worst);
- word starts against an independent recogniser (pocketsphinx decoding freely with its general
  English language model, not the script): share of words within 300 ms;
- false starts and pauses longer than max_pause: how many were cut and listed as `cut:` labels;
- room noise between sentences relative to the voice, before and after `denoise`;
- a 5-minute take aligned and cleaned from a cold cache: wall seconds, and CPU seconds (its
  ffmpeg children included).

Usage: python bench/voice.py
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
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


SCENES = {**takes.SCENES, **takes.SONNET}


def sentence_starts(folder: Path) -> bool:
    """Where each kept sentence (and each line of the sonnet) starts in the messy take, by
    alignment, against where the voice starts."""
    from vessay.recordings import take_clips

    take = takes.with_sonnet(takes.messy_take())
    script = load_script(write_take(folder, take, SCENES))
    found = {}  # (scene, word index) -> start in the take
    for clip in take_clips(script, Cache(folder / "cache")):
        tokens = tokenize(text_words(clip.scene.narration), {})
        for item in read(list(clip.heard), len(tokens.names)).words:
            found.setdefault((clip.scene.id, tokens.word_of[item.token]), clip.start + item.start)
    errors = []
    for at, name, word in take.phrase_starts:
        scene = next(s for s, names in SCENES.items() if name in names)
        before = SCENES[scene][: SCENES[scene].index(name)]
        index = sum(len(text_words(takes.TEXTS[n])) for n in before) + word
        errors.append(abs(found.get((scene, index), np.inf) - at) * 1000)
    median, p90 = np.median(errors), np.percentile(errors, 90)
    return report(f"sentence starts ({len(errors)}): median / p90 / worst ms", f"{median:.0f} / {p90:.0f} / "
                  f"{max(errors):.0f}", "40 / 100", median <= 40 and p90 <= 100)


def recogniser_words(pcm: np.ndarray) -> list[tuple[str, float]]:
    """Words and starts heard by pocketsphinx with its general English model: no script involved."""
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=RATE, loglevel="FATAL")
    decoder.start_utt()
    decoder.process_raw(pcm.tobytes(), full_utt=True)
    decoder.end_utt()
    return [(re.sub(r"\(\d+\)$", "", s.word), s.start_frame / 100) for s in decoder.seg()
            if not s.word.startswith(("<", "["))]


def word_starts() -> bool:
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
    return report("word starts within 300 ms of a recogniser", f"{100 * close / total:.1f}% ({close}/{total})",
                  "95%", close >= 0.95 * total)


def cuts(folder: Path) -> bool:
    """Every false start and every pause over max_pause inside a scene: cut, and labelled."""
    from vessay.recordings import review

    take = takes.with_sonnet(takes.messy_take())
    script = load_script(write_take(folder, take, SCENES))
    spans, found = review(script, Cache(folder / "cache"))
    retakes = [(c.start, c.end) for c in found if c.reason == "retake"]
    caught = sum(any(a <= s + 0.05 and b >= e - 0.05 for a, b in retakes) for s, e in take.false_starts)
    inside = [(a, b) for a, b in take.long_pauses if any(s.start < a and b < s.end for s in spans.values())
              and not any(r0 <= a and b <= r1 + 0.3 for r0, r1 in retakes)]
    pauses = [(c.start, c.end) for c in found if c.reason.startswith("pause")]
    cut_pauses = sum(any(a <= s and e <= b for s, e in pauses) for a, b in inside)
    fillers = sum(any(c.reason == "um" and c.start <= a + 0.1 and c.end >= b - 0.1 for c in found)
                  for a, b in take.fillers)
    print("   labels: " + ", ".join(f"cut: {c.reason}" for c in found))
    return report("false starts, long pauses, fillers cut and labelled",
                  f"{caught}/{len(take.false_starts)}, {cut_pauses}/{len(inside)}, {fillers}/{len(take.fillers)}",
                  "all", caught == len(take.false_starts) and cut_pauses == len(inside) and fillers == len(take.fillers))


def noise() -> bool:
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
    return report("voice over noise between sentences, denoise off → on",
                  f"{before:.1f} → {after:.1f} dB ({after - before:+.1f})", "+12 dB", after - before >= 12)


def five_minutes(folder: Path) -> bool:
    """A 5-minute take (the messy take eight times over, 24 scenes) from a cold cache: `vessay align`
    as a user runs it (a fresh process: imports, model, decoding, cut plan), then the cleaning a
    render adds on top (denoise, cuts applied, word times) on the alignment it left in the cache."""
    from vessay.narration import narrate_all

    whole, scenes = takes.Take(), {}
    for round_ in range(8):
        part = takes.messy_take(fillers=round_ == 0)
        whole.add(part.samples)
        for scene, names in takes.SCENES.items():
            scenes[f"{scene}-{round_}"] = names
    script_path = write_take(folder, whole, scenes)
    cache_dir = folder / "cache5"
    command = [str(Path(sys.executable).parent / "vessay"), "align", str(script_path), "-o",
               str(folder / "labels.txt"), "--quiet", "--cache-dir", str(cache_dir)]
    wall, cpu = time.perf_counter(), _cpu()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    align_wall, align_cpu = time.perf_counter() - wall, _cpu() - cpu
    wall, cpu = time.perf_counter(), _cpu()
    audios = narrate_all(load_script(script_path), Cache(cache_dir), Progress(quiet=True))
    clean_wall, clean_cpu = time.perf_counter() - wall, _cpu() - cpu
    cuts = [c for a in audios for c in a.cuts]
    print(f"   {len(audios)} scenes; {sum(c.reason == 'retake' for c in cuts)} retakes, "
          f"{sum(c.reason.startswith('pause') for c in cuts)} pauses cut ({sum(c.end - c.start for c in cuts):.1f} s); "
          f"vessay align {align_wall:.1f} s ({align_cpu:.1f} s CPU), cleaning {clean_wall:.1f} s ({clean_cpu:.1f} s CPU)")
    total = align_wall + clean_wall
    return report(f"{whole.now / 60:.1f}-minute take aligned and cleaned: wall (CPU) s",
                  f"{total:.1f} ({align_cpu + clean_cpu:.1f})", "20 s", total <= 20)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (vessay align, ffmpeg)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def report(label: str, value: str, target: str, passed: bool) -> bool:
    print(f"{label:<56}{value:>22}   target {target:<10}{'PASS' if passed else 'FAIL'}", flush=True)
    return passed


def main() -> int:
    os.environ.setdefault("VESSAY_CACHE_DIR", tempfile.mkdtemp(prefix="vessay-bench-"))
    with tempfile.TemporaryDirectory(prefix="vessay-voice-") as work:
        folder = Path(work)
        results = [sentence_starts(folder), word_starts(), cuts(folder), noise(), five_minutes(folder)]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
