"""Own-voice narration: each recording aligned to its text, cleaned up, and cut into scenes.

A scene's recording is its own `audio:` file, its labelled span of one long take, or, with no
labels, its stretch of the take found by aligning the whole take against the whole script.
Audacity label files carry scene spans (`start<TAB>end<TAB>scene-id`) and cleanup's cuts
(`cut: retake`, `cut: um`, `cut: pause 3.2 s`); deleting a cut label keeps that stretch.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .align import RATE as ALIGN_RATE, Heard, Tokens, decode, tokenize
from .cache import Cache, atomic_output, content_key, media_digest
from .cleanup import Cut, Reading, apply_cuts, denoise, plan_cuts, read
from .errors import VessayError
from .media import AUDIO_RATE, decode_audio
from .script import Scene, Script, scene_names, text_words

CUT_PREFIX = "cut:"
MIN_HEARD = 0.4
"""Below this share of its words heard, a recording is not of its scene's text."""
MIN_MISSING = 3
"""Runs of at least this many unheard words are reported as missing narration."""


@dataclass(frozen=True)
class Span:
    start: float
    end: float
    line: int = 0
    """Line in the label file, for messages (0 when found by alignment)."""


@dataclass(frozen=True)
class Labels:
    spans: dict[str, Span]
    cuts: tuple[Cut, ...] | None
    """The file's `cut:` labels, or None when it has none (cleanup then decides)."""


def parse_labels(path: Path, scene_ids: list[str]) -> Labels:
    """Read an Audacity label file: scene spans (each once, without overlaps) and cut labels."""
    spans: dict[str, Span] = {}
    cuts: list[Cut] = []
    previous: tuple[str, Span] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not raw.strip() or raw.startswith("\\"):  # "\" lines hold Audacity's frequency ranges
            continue
        parts = raw.split("\t")
        if len(parts) != 3:
            raise VessayError("expected 'start<TAB>end<TAB>scene-id' (export labels from Audacity)", path, number)
        try:
            start, end = float(parts[0]), float(parts[1])
        except ValueError:
            raise VessayError(f"start and end must be seconds, got '{parts[0]}' and '{parts[1]}'",
                              path, number) from None
        name = parts[2].strip()
        if name.startswith(CUT_PREFIX):
            if end <= start:
                raise VessayError(f"'{name}' ends ({end:g} s) before it starts ({start:g} s)", path, number)
            cuts.append(Cut(start, end, name[len(CUT_PREFIX):].strip() or "edit"))
            continue
        if name not in scene_ids:
            hint = difflib.get_close_matches(name, scene_ids, n=1)
            tip = f"did you mean '{hint[0]}'?" if hint else "label each span with a scene id from the script"
            raise VessayError(f"label '{name}' is not a scene in the script; {tip}", path, number)
        if name in spans:
            raise VessayError(f"scene '{name}' is labelled twice (also on line {spans[name].line})", path, number)
        if end <= start:
            raise VessayError(f"span of '{name}' ends ({end:g} s) before it starts ({start:g} s)", path, number)
        span = Span(start, end, number)
        if previous and start < previous[1].end:
            raise VessayError(f"span of '{name}' overlaps '{previous[0]}' (which ends at "
                              f"{previous[1].end:g} s)", path, number)
        spans[name] = span
        previous = (name, span)
    if not spans:
        raise VessayError("no scene labels found; export a label track from Audacity", path)
    return Labels(spans, tuple(cuts) if cuts else None)


def write_labels(spans: dict[str, Span], path: Path, cuts: tuple[Cut, ...] = ()) -> None:
    """Scene spans and cuts as an Audacity label file (File → Import → Labels), in time order."""
    rows = [(s.start, s.end, scene_id) for scene_id, s in spans.items()]
    rows += [(c.start, c.end, f"{CUT_PREFIX} {c.reason}") for c in cuts]
    with atomic_output(path) as temp:
        temp.write_text("".join(f"{a:.6f}\t{b:.6f}\t{name}\n" for a, b, name in sorted(rows)), encoding="utf-8")


# --- one scene's stretch of a recording ---------------------------------------------------------

@dataclass(frozen=True)
class Clip:
    """The stretch of `file` (seconds) that holds one scene, and what the aligner heard in it."""

    scene: Scene
    file: Path
    start: float
    end: float | None
    heard: tuple[Heard, ...] | None = None
    """The decoder's path, relative to `start`; None until aligned (or for a scene without text)."""


@lru_cache(maxsize=2)
def _decoded(path: Path, digest: str, rate: int) -> np.ndarray:
    return decode_audio(path, rate)


def recording_samples(path: Path, rate: int = AUDIO_RATE) -> np.ndarray:
    """A recording as mono float32 (the last two are kept in memory: a take is read once)."""
    samples = _decoded(path, media_digest(path), rate)
    if len(samples) < rate * 0.1:
        raise VessayError(f"recording '{path.name}' is empty or shorter than 0.1 s", path)
    return samples


def _stretch(samples: np.ndarray, rate: int, start: float, end: float | None) -> np.ndarray:
    return samples[int(start * rate): None if end is None else int(end * rate)]


def scene_tokens(scene: Scene, script: Script) -> Tokens:
    return tokenize(text_words(scene.narration), script.lexicon)


def aligned(file: Path, start: float, end: float | None, tokens: Tokens, cache: Cache) -> tuple[Heard, ...] | None:
    """The decoder's path through a stretch of `file` against `tokens` (cached)."""
    key = content_key("alignment", {"file": media_digest(file), "span": [start, end], "names": tokens.names,
                                    "prons": tokens.prons, "sentences": tokens.sentence_starts,
                                    "clauses": tokens.clause_starts})
    with cache.lock("alignment", key):
        found = cache.get("alignment", key, "json")
        if found is not None:
            data = json.loads(found.read_text())
            return None if data is None else tuple(Heard(**h) for h in data)
        pcm = _stretch(recording_samples(file, ALIGN_RATE), ALIGN_RATE, start, end)
        heard = decode(np.round(np.clip(pcm, -1, 1) * 32767).astype("<i2"), tokens)
        with cache.put("alignment", key, "json") as temp:
            temp.write_text(json.dumps(None if heard is None else [asdict(h) for h in heard]))
        return None if heard is None else tuple(heard)


def join_tokens(parts: list[Tokens]) -> tuple[Tokens, list[int]]:
    """Several scenes' tokens as one text, and where each scene's tokens begin."""
    names, prons, word_of, sentences, clauses, offsets = [], [], [], [], [], []
    words = 0
    for part in parts:
        offsets.append(len(names))
        sentences += [len(names) + s for s in part.sentence_starts if len(names) + s not in sentences]
        clauses += [len(names) + c for c in part.clause_starts]
        names += part.names
        prons += part.prons
        word_of += [words + w for w in part.word_of]
        words += (max(part.word_of) + 1) if part.word_of else 0
    sentences = sorted(s for s in set(sentences) if s < len(names)) or [0]
    return Tokens(tuple(names), tuple(prons), tuple(word_of), tuple(sentences), tuple(clauses)), offsets


def take_clips(script: Script, cache: Cache) -> list[Clip]:
    """Each take scene's stretch of the take: from its labels, or by aligning the take to the script."""
    assert script.take is not None
    file = script.take.file
    try:
        duration = len(recording_samples(file)) / AUDIO_RATE
    except VessayError as err:
        raise VessayError(err.message, script.path, script.take.line) from None
    ids = [s.id for s in script.scenes]
    if script.take.labels is not None:
        labels = parse_labels(script.take.labels, ids)
        clips = []
        for scene in script.scenes:
            span = labels.spans.get(scene.id)
            if span is None or scene.audio is not None:
                continue
            if span.end > duration + 0.05:
                raise VessayError(f"span of '{scene.id}' ends at {span.end:g} s but the recording is only "
                                  f"{duration:.2f} s long", script.take.labels, span.line)
            clips.append(Clip(scene, file, span.start, span.end))
        return clips
    scenes = [s for s in script.scenes if s.audio is None]
    missing = [s for s in scenes if not s.narration]
    if missing:
        raise VessayError(f"scene '{missing[0].id}' has no narration text to align the recording against; "
                          "add its text, or give narration_audio a 'labels' file", script.path, missing[0].line)
    parts = [scene_tokens(s, script) for s in scenes]
    tokens, offsets = join_tokens(parts)
    heard = aligned(file, 0.0, None, tokens, cache) or ()
    reading = read(list(heard), len(tokens.names))
    if len(reading.words) < MIN_HEARD * len(tokens.names):
        raise VessayError(f"recording '{file.name}' does not say the script's narration (heard "
                          f"{len(reading.words)} of {len(tokens.names)} words); is it the right file?",
                          script.path, script.take.line)
    return _split_take(scenes, file, heard, reading, offsets + [len(tokens.names)], duration)


def _split_take(scenes: list[Scene], file: Path, heard: tuple[Heard, ...], reading: Reading, offsets: list[int],
                duration: float) -> list[Clip]:
    """Cut the take between scenes, in the pause after each scene's last kept word."""
    edges = []  # per scene: (first kept word start, last kept word end) or None
    for k in range(len(scenes)):
        own = [w for w in reading.words if offsets[k] <= w.token < offsets[k + 1]]
        edges.append((own[0].start, own[-1].end) if own else None)
    bounds = [0.0]
    for k in range(len(scenes) - 1):
        done = next((e[1] for e in reversed(edges[: k + 1]) if e), bounds[-1])
        following = next((e[0] for e in edges[k + 1:] if e), duration)
        bounds.append(max(bounds[-1], min(following, done + min(0.35, max(0.0, following - done) / 2))))
    bounds.append(duration)
    clips = []
    for k, scene in enumerate(scenes):
        a, b = bounds[k], bounds[k + 1]
        own = tuple(Heard(h.kind, h.start - a, h.end - a, h.token - offsets[k] if h.kind == "word" else -1, h.label)
                    for h in heard if a <= h.start < b and (h.kind != "word" or offsets[k] <= h.token < offsets[k + 1]))
        clips.append(Clip(scene, file, a, b, own))
    return clips


def scene_clips(script: Script, cache: Cache) -> list[Clip]:
    """Every recorded scene's clip: per-scene `audio:` files first, then the take's scenes."""
    clips = [Clip(s, s.audio, 0.0, None) for s in script.scenes if s.audio is not None]
    if script.take is not None:
        clips += take_clips(script, cache)
    return clips


def alignable(scene: Scene) -> bool:
    """Whether the aligner, which follows US English, can follow the scene's narration: it is written in
    Latin letters. Other scripts (Arabic, Chinese, ...) keep their recording uncut, words spread over it."""
    from .voices import speaks

    return speaks("en", scene.narration)


def heard_in(clip: Clip, script: Script, cache: Cache) -> tuple[Heard, ...] | None:
    if clip.heard is not None:
        return clip.heard
    return aligned(clip.file, clip.start, clip.end, scene_tokens(clip.scene, script), cache)


# --- checks -------------------------------------------------------------------------------------

def mismatches(script: Script, cache: Cache) -> tuple[list[VessayError], list[VessayError]]:
    """Recordings that do not say their scene's text (errors) or leave part of it out (warnings)."""
    errors, warnings = [], []
    if (unsplittable := _unsplittable_take(script)) is not None:
        return [unsplittable], []
    unalignable = [s for s in script.scenes if s.narration and not alignable(s)]
    try:
        clips = scene_clips(script, cache)
    except VessayError as err:
        return [err], []
    recorded = [c.scene for c in clips if c.scene in unalignable]
    if recorded:
        warnings.append(VessayError(
            f"warning: {scene_names(recorded)}: narration in another script than Latin letters is not followed "
            "word by word (the aligner knows US English): captions and reveals are spread over each recording, "
            "and retakes and ums are not cut", script.path, recorded[0].line))
    for clip in clips:
        if not clip.scene.narration or clip.scene in unalignable:
            continue
        tokens = scene_tokens(clip.scene, script)
        heard = heard_in(clip, script, cache)
        reading = read(list(heard or ()), len(tokens.names))
        if len(reading.words) < MIN_HEARD * len(tokens.names):
            errors.append(VessayError(
                f"the recording of scene '{clip.scene.id}' ({clip.file.name}) does not say its narration "
                f"(heard {len(reading.words)} of {len(tokens.names)} words); is it the right file?",
                script.path, clip.scene.line))
            continue
        words = text_words(clip.scene.narration)
        for first, last in reading.missing:
            if last - first < MIN_MISSING:
                continue
            before = [w for w in reading.words if w.token < first]
            at = clip.start + (before[-1].end if before else 0.0)
            said = " ".join(words[tokens.word_of[first]: tokens.word_of[last - 1] + 1])
            warnings.append(VessayError(
                f"warning: scene '{clip.scene.id}': \"{_shorten(said)}\" is missing from {clip.file.name} "
                f"(at {at:.1f} s); record it, or take it out of the narration", script.path, clip.scene.line))
    return errors, warnings


def _unsplittable_take(script: Script) -> VessayError | None:
    """A take without labels is split into scenes by following it word by word, in US English only."""
    if script.take is None or script.take.labels is not None:
        return None
    scene = next((s for s in script.scenes if s.narration and not alignable(s)), None)
    if scene is None:
        return None
    return VessayError(f"scene '{scene.id}' narrates in another script than Latin letters, and a take without "
                       "labels is split by following it word by word in US English; mark each scene in Audacity "
                       "and set narration_audio.labels to the exported label file", script.path, script.take.line)


def _shorten(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


# --- cleaning -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cleaned:
    samples: np.ndarray
    words: list[tuple[str, float, float]]
    cuts: tuple[Cut, ...]
    """In seconds of the recording file."""


def plan_clip(clip: Clip, script: Script, cache: Cache):
    """What cleanup would keep and cut in the clip (times relative to it), with its reading."""
    samples = _stretch(recording_samples(clip.file), AUDIO_RATE, clip.start, clip.end)
    tokens = scene_tokens(clip.scene, script)
    heard = list(heard_in(clip, script, cache) or ())
    reading = read(heard, len(tokens.names))
    if not reading.words:
        raise VessayError(f"the recording of scene '{clip.scene.id}' does not say its narration; "
                          "is it the right file?", clip.file)
    spec = script.recording
    plan = plan_cuts(reading, samples, AUDIO_RATE, retakes=spec.retakes, fillers=spec.fillers,
                     max_pause=spec.max_pause)
    return samples, tokens, heard, reading, plan


def clean_clip(clip: Clip, script: Script, cache: Cache, edited: tuple[Cut, ...] | None) -> Cleaned:
    """The clip aligned, denoised, with retakes, fillers and long pauses cut, trimmed to its speech."""
    if not clip.scene.narration or not alignable(clip.scene):
        samples = _stretch(recording_samples(clip.file), AUDIO_RATE, clip.start, clip.end)
        return _trimmed_only(samples, clip, script.recording, text_words(clip.scene.narration))
    samples, tokens, heard, reading, plan = plan_clip(clip, script, cache)
    cuts = plan.cuts
    if edited is not None:
        end = clip.start + len(samples) / AUDIO_RATE
        cuts = tuple(Cut(c.start - clip.start, c.end - clip.start, c.reason) for c in edited
                     if c.end > clip.start and c.start < end)
    pauses = [(h.start, h.end) for h in heard if h.kind == "pause"]
    samples = denoise(samples, AUDIO_RATE, pauses, script.recording.denoise)
    cleaned, where = apply_cuts(samples, AUDIO_RATE, plan, cuts)
    words = _word_times(text_words(clip.scene.narration), tokens, reading.words, where)
    return Cleaned(cleaned, words, _in_file(cuts, clip))


def review(script: Script, cache: Cache) -> tuple[dict[str, Span], tuple[Cut, ...]]:
    """The take's scene spans (its speech, in seconds of the take) and every cut cleanup would make."""
    if (unsplittable := _unsplittable_take(script)) is not None:
        raise unsplittable
    spans, cuts = {}, []
    for clip in take_clips(script, cache):
        _, _, _, _, plan = plan_clip(clip, script, cache)
        spans[clip.scene.id] = Span(round(clip.start + plan.keep[0], 3), round(clip.start + plan.keep[1], 3))
        cuts += _in_file(plan.cuts, clip)
    return spans, tuple(cuts)


def _in_file(cuts, clip: Clip) -> tuple[Cut, ...]:
    return tuple(Cut(round(c.start + clip.start, 3), round(c.end + clip.start, 3), c.reason) for c in cuts)


def _trimmed_only(samples: np.ndarray, clip: Clip, spec, words: list[str]) -> Cleaned:
    """The recording trimmed to its speech, its `words` (if any) spread over it by their length."""
    from .narration import TRIM_MARGIN, spread, trim_silence

    # Without alignment there are no known pauses to learn the noise from: denoise only when asked.
    trimmed = trim_silence(denoise(samples, AUDIO_RATE, [], spec.denoise) if spec.denoise == "on" else samples)
    if len(trimmed) < AUDIO_RATE * 0.05:
        raise VessayError(f"the recording for scene '{clip.scene.id}' is silent or empty", clip.file)
    seconds = len(trimmed) / AUDIO_RATE
    timed = spread(words, TRIM_MARGIN, max(TRIM_MARGIN, seconds - TRIM_MARGIN)) if words else []
    return Cleaned(trimmed, [(w.text, w.start, w.end) for w in timed], ())


def _word_times(words: list[str], tokens: Tokens, kept: tuple[Heard, ...], where) -> list[tuple[str, float, float]]:
    """Each text word's start and end in the cleaned clip; unheard words share the gap they fall in."""
    spans: list[list[float] | None] = [None] * len(words)
    for item in kept:
        index = tokens.word_of[item.token]
        start, end = where(item.start), where(item.end)
        spans[index] = [start, end] if spans[index] is None else [min(spans[index][0], start),
                                                                   max(spans[index][1], end)]
    out = []
    for index, word in enumerate(words):
        if spans[index] is None:
            before = next((s[1] for s in reversed(spans[:index]) if s), 0.0)
            after = next((s[0] for s in spans[index + 1:] if s), before)
            spans[index] = [before, max(before, min(after, before + 0.2))]
        out.append((word, round(spans[index][0], 3), round(spans[index][1], 3)))
    return out


def clean_key(clip: Clip, script: Script, edited: tuple[Cut, ...] | None) -> str:
    tokens = scene_tokens(clip.scene, script) if clip.scene.narration else None
    return content_key("recording", {
        "file": media_digest(clip.file), "span": [clip.start, clip.end], "rate": AUDIO_RATE,
        "text": clip.scene.narration, "names": tokens.names if tokens else (),
        "prons": tokens.prons if tokens else (), "heard": [asdict(h) for h in clip.heard or ()],
        "cleanup": asdict(script.recording), "edited": [asdict(c) for c in edited] if edited is not None else None})


def summary(file: Path, cuts: list[Cut]) -> str:
    """One line for a recording: what cleanup cut, and how many seconds."""
    if not cuts:
        return f"{file.name}: nothing cut"
    counts: dict[str, int] = {}
    for cut in cuts:
        kind = "pause" if cut.reason.startswith("pause") else cut.reason
        counts[kind] = counts.get(kind, 0) + 1
    names = {"retake": "retake", "pause": "long pause"}
    parts = [f"{n} {names.get(k, k)}{'s' if n > 1 else ''}" for k, n in counts.items()]
    total = sum(c.end - c.start for c in cuts)
    return f"{file.name}: cut {', '.join(parts)} ({total:.1f} s)"
