"""Stage 2: narration audio per scene — Piper TTS with word timings, or the creator's recording."""

from __future__ import annotations

import copy
import json
import pickle
import re
import struct
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Iterator

import numpy as np

from .cache import Cache, content_key, file_digest
from .cleanup import Cut
from .errors import VessayError
from .media import AUDIO_RATE, levels_db, resample, write_wav
from .progress import Progress
from .script import Scene, Script, VoiceSpec, text_words

@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class SceneAudio:
    """One scene's narration: a mono WAV at AUDIO_RATE, its length, and when each word is spoken.

    For a recording, `wav` is the cleaned audio (durations and word timings refer to it), and
    `cuts` lists what cleanup took out, in seconds of `recording` (the file as recorded).
    """

    wav: Path
    duration: float
    words: tuple[Word, ...]
    source: str  # "tts", "recording", or "none" (a scene without narration)
    cuts: tuple[Cut, ...] = ()
    recording: Path | None = None


@lru_cache(maxsize=4)
def _voice_digest(model: Path, config: Path) -> str:
    return f"{file_digest(model)[:16]}-{file_digest(config)[:16]}"


class Narrator:
    """Loads the Piper voice on first use, so cached renders never pay for it."""

    def __init__(self, model: Path | None = None, config: Path | None = None, cache: Cache | None = None):
        if model is None or config is None:
            from .voices import DEFAULT_VOICE, resolve_voice

            model, config = resolve_voice(DEFAULT_VOICE, Path("."))
        self.model, self.config, self.cache = model, config, cache
        self._voice = None

    @classmethod
    def for_voice(cls, spec: VoiceSpec, base_dir: Path = Path("."), cache: Cache | None = None) -> "Narrator":
        from .voices import resolve_voice

        return cls(*resolve_voice(spec.model, base_dir), cache)

    def identity(self) -> str:
        return _voice_digest(self.model, self.config)

    def warm(self) -> None:
        """Speech lies ahead: get ready for it now, if that can run beside other work (here it cannot)."""

    def load(self):
        if self._voice is None:
            import onnxruntime
            from piper import PiperVoice
            from piper.config import PiperConfig

            options = onnxruntime.SessionOptions()
            # One thread, and no spinning while idle: the other core is busy encoding video, and
            # a second thread would buy little speed for much CPU time.
            options.intra_op_num_threads = options.inter_op_num_threads = 1
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            try:
                config = PiperConfig.from_dict(json.loads(self.config.read_text(encoding="utf-8")))
                session = onnxruntime.InferenceSession(self._aligned_model(), sess_options=options,
                                                       providers=["CPUExecutionProvider"])
            except Exception as err:  # noqa: BLE001 - onnxruntime, onnx and json raise many kinds
                raise VessayError(f"cannot load this Piper voice model ({type(err).__name__}: {err!s:.120}); "
                                  "check it is a Piper .onnx with its .json config", self.model) from None
            self._voice = PiperVoice(session=session, config=config)
        return self._voice

    def _aligned_model(self) -> str | bytes:
        """The model with its phoneme-duration output exposed (for word timings), patched once and
        kept in the cache: loading the patched file skips parsing the model with `onnx` every render."""
        if self.cache is not None:
            key = content_key("voice", {"voice": self.identity()})
            with self.cache.lock("voice", key):
                if (cached := self.cache.get("voice", key, "onnx")) is None:
                    with self.cache.put("voice", key, "onnx") as temp:
                        temp.write_bytes(_with_alignments(self.model))
                    cached = self.cache.path("voice", key, "onnx")
                return str(cached)
        return _with_alignments(self.model)

    def synthesize(self, text: str, spec: VoiceSpec, lexicon: dict[str, str] | None = None
                   ) -> tuple[np.ndarray, list[Word]]:
        """Speak `text`; return samples at AUDIO_RATE and, per on-screen word, when it is spoken.

        `lexicon` respells words for the voice only; timings still name the words as written.
        """
        from piper import SynthesisConfig

        voice = self.load()
        rate = voice.config.sample_rate
        if spec.speaker is not None and spec.speaker >= max(1, voice.config.num_speakers):
            raise VessayError(f"speaker {spec.speaker} does not exist; this voice has "
                              f"{voice.config.num_speakers} speaker(s), numbered from 0", self.model)
        config = SynthesisConfig(speaker_id=spec.speaker, length_scale=1.0 / spec.speed)
        pause = np.zeros(int(spec.sentence_pause * rate), dtype=np.float32)
        words = text_words(text)
        spoken_forms = [pronounce(w, lexicon or {}) for w in words]
        pieces: list[np.ndarray] = []
        spoken: list[tuple[str, float, float]] = []  # (phonemes, start, end) per phoneme word
        offset = 0
        for phonemes in voice.phonemize(spoken_text(text, lexicon or {})):
            if not phonemes:
                continue
            audio, alignments = self._sentence(voice, phonemes, config)
            if pieces:
                pieces.append(pause)
                offset += len(pause)
            spoken.extend(_phoneme_words(alignments, offset, rate))
            pieces.append(audio)
            offset += len(audio)
        samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        weights = [_phoneme_count(voice, form) for form in spoken_forms]
        return resample(samples, rate), align_words(words, spoken, weights)

    def _sentence(self, voice, phonemes: list[str], config) -> tuple[np.ndarray, list[tuple[str, int]]]:
        """One sentence spoken: its samples at the voice's rate and (phoneme, samples) per phoneme.

        Each sentence is cached on its own, so editing a scene's narration speaks only the sentences
        that changed."""
        if self.cache is None:
            return _speak(voice, phonemes, config)
        key = content_key("sentence", {"voice": self.identity(), "phonemes": phonemes,
                                       "speaker": config.speaker_id, "length": config.length_scale})
        if (cached := self.cache.get("sentence", key, "npz")) is not None:
            with np.load(cached) as stored:
                return stored["audio"], list(zip(stored["phonemes"].tolist(), stored["samples"].tolist()))
        audio, alignments = _speak(voice, phonemes, config)
        with self.cache.put("sentence", key, "npz") as temp, temp.open("wb") as out:
            np.savez(out, audio=audio, phonemes=np.array([p for p, _ in alignments], dtype=str),
                     samples=np.array([n for _, n in alignments], dtype=np.int64))
        return audio, alignments


def _speak(voice, phonemes: list[str], config) -> tuple[np.ndarray, list[tuple[str, int]]]:
    """Piper's own synthesis and alignment of one sentence whose phonemes are already known."""
    sentence = copy.copy(voice)
    sentence.phonemize = lambda _text: [phonemes]
    chunk = next(iter(sentence.synthesize("", config, include_alignments=True)))
    return chunk.audio_float_array, [(a.phoneme, int(a.num_samples)) for a in chunk.phoneme_alignments or ()]


def _with_alignments(model: Path) -> bytes:
    import onnx
    from piper.patch_voice_with_alignment import add_alignment_output

    graph = onnx.load(str(model))
    try:
        add_alignment_output(graph)
    except ValueError:  # already patched, or a model without the tensor: timings fall back to spreading
        pass
    return graph.SerializeToString()


class VoiceProcess(Narrator):
    """A Narrator that speaks in a process of its own (vessay.voiceworker, started on first use), so
    the voice's model and working memory (~250 MB at its peak) never add to the render's, which
    meanwhile draws slides and feeds the encoders."""

    def __init__(self, narrator: Narrator):
        super().__init__(narrator.model, narrator.config, narrator.cache)
        self._child: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def warm(self) -> None:
        """Start the worker now: it loads the voice while the render reads its cache and plans."""
        with self._lock:
            self._start()

    def _start(self) -> None:
        if self._child is None:
            args = [sys.executable, "-m", "vessay.voiceworker", str(self.model), str(self.config)]
            if self.cache is not None:
                args.append(str(self.cache.root))
            self._child = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def synthesize(self, text: str, spec: VoiceSpec, lexicon: dict[str, str] | None = None
                   ) -> tuple[np.ndarray, list[Word]]:
        with self._lock:
            self._start()
            send(self._child.stdin, (text, spec, lexicon))
            answer = receive(self._child.stdout)
        if answer is None:
            raise RuntimeError(f"the voice process ended unexpectedly (exit code {self._child.wait()})")
        if answer[0] == "error":
            raise VessayError(*answer[1:])
        if answer[0] == "failed":
            raise RuntimeError(f"the voice process failed: {answer[1]}")
        return answer[1], answer[2]

    def close(self) -> None:
        """End the worker (at once: whatever it was saying is no longer wanted)."""
        if self._child is not None:
            self._child.kill()
            self._child.wait()
            self._child = None


def send(pipe: BinaryIO, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(struct.pack("<Q", len(data)) + data)
    pipe.flush()


def receive(pipe: BinaryIO):
    """The next message, or None once the other side has gone."""
    head = pipe.read(8)
    if len(head) < 8:
        return None
    (size,) = struct.unpack("<Q", head)
    return pickle.loads(pipe.read(size))


def pronounce(token: str, lexicon: dict[str, str]) -> str:
    """A token as the voice should say it: a lexicon entry matches the word without the
    punctuation around it ("softmax," or "O(n²)."), in any case."""
    if not lexicon:
        return token
    folded = {word.casefold(): saying for word, saying in lexicon.items()}
    sentence_marks = re.match(r"^([\"'“‘(\[]*)(.*?)([.,!?;:\"'”’)\]]*)$", token, re.S)
    symbols = re.match(r"^(\W*)(.*?)(\W*)$", token, re.S)
    for lead, core, trail in ("", token, ""), sentence_marks.groups(), symbols.groups():
        if core.casefold() in folded:
            return f"{lead}{folded[core.casefold()]}{trail}"
    # A closing bracket can belong to the word ("O(n²)."): try keeping each trailing bracket.
    for cut in range(len(token) - 1, 0, -1):
        if token[cut - 1] in ")]" and token[:cut].casefold() in folded:
            return folded[token[:cut].casefold()] + token[cut:]
    return token


def spoken_text(text: str, lexicon: dict[str, str]) -> str:
    """The narration with every lexicon word respelled, punctuation kept."""
    return " ".join(pronounce(token, lexicon) for token in text.split())


def _phoneme_words(alignments: list[tuple[str, int]], offset: int, rate: int) -> list[tuple[str, float, float]]:
    """Group a sentence's phoneme alignments into words (split at the ' ' phoneme)."""
    words = []
    position = offset
    current, start, end = "", None, None
    for phoneme, samples in alignments:
        if phoneme == " ":
            if current:
                words.append((current, start / rate, end / rate))
            current, start = "", None
        elif phoneme not in ("^", "$") and not re.match(r"^[.,!?;:]$", phoneme):
            if start is None:
                start = position
            current += phoneme
            end = position + samples
        position += samples
    if current:
        words.append((current, start / rate, end / rate))
    return words


_STRESS = re.compile(r"[ˈˌː]")


def _phoneme_count(voice, word: str) -> int:
    """How many phonemes espeak says a single word has ("0.7" has many, "a" one)."""
    return sum(len(_STRESS.sub("", p)) for sentence in voice.phonemize(word) for p in sentence
               if p not in " .,!?;:")


def align_words(words: list[str], spoken: list[tuple[str, float, float]],
                weights: list[float] | None = None) -> list[Word]:
    """Map text words onto spoken phoneme words.

    espeak may merge words ("do not") or expand one ("0.7" → three), so this is a
    monotonic alignment on relative length, not a 1:1 zip. `weights` are each text
    word's expected phoneme count (default: its letter count).
    """
    if not words or not spoken:
        return []
    if len(words) == len(spoken):
        return [Word(w, s, e) for w, (_, s, e) in zip(words, spoken)]
    if weights is None:
        weights = [len(re.sub(r"\W", "", w)) for w in words]
    text_weight = np.maximum(1.0, np.array(weights, dtype=float))
    sound_weight = np.array([max(1, len(_STRESS.sub("", p))) for p, _, _ in spoken], dtype=float)
    text_cum = np.concatenate([[0], np.cumsum(text_weight / text_weight.sum())])
    sound_cum = np.concatenate([[0], np.cumsum(sound_weight / sound_weight.sum())])
    moves = [(1, 1), (2, 1), (1, 2), (3, 1), (1, 3), (1, 4)]
    n, m = len(words), len(spoken)
    cost = np.full((n + 1, m + 1), np.inf)
    back: dict[tuple[int, int], tuple[int, int]] = {}
    cost[0, 0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if not np.isfinite(cost[i, j]):
                continue
            for a, b in moves:
                ni, nj = i + a, j + b
                if ni > n or nj > m:
                    continue
                step = abs(text_cum[ni] - sound_cum[nj]) + 0.01 * (a + b - 2)
                if cost[i, j] + step < cost[ni, nj]:
                    cost[ni, nj] = cost[i, j] + step
                    back[(ni, nj)] = (i, j)
    if not np.isfinite(cost[n, m]):
        return spread(words, spoken[0][1], spoken[-1][2])
    out: list[Word] = []
    node = (n, m)
    groups = []
    while node != (0, 0):
        prev = back[node]
        groups.append((prev, node))
        node = prev
    for (i0, j0), (i1, j1) in reversed(groups):
        out.extend(spread(words[i0:i1], spoken[j0][1], spoken[j1 - 1][2]))
    return out


def spread(words: list[str], start: float, end: float) -> list[Word]:
    """Share a time span among words in proportion to their length."""
    weights = np.array([max(1, len(w)) for w in words], dtype=float)
    edges = start + (end - start) * np.concatenate([[0], np.cumsum(weights) / weights.sum()])
    return [Word(w, float(edges[k]), float(edges[k + 1])) for k, w in enumerate(words)]


TRIM_MARGIN = 0.05
"""Seconds of quiet trim_silence keeps before and after the sound."""


def trim_silence(samples: np.ndarray, rate: int = AUDIO_RATE, keep: float = TRIM_MARGIN) -> np.ndarray:
    """Cut leading/trailing silence (relative to the clip's peak), keeping a short margin."""
    window = int(rate * 0.01)
    if len(samples) < window:
        return samples
    db = levels_db(samples, rate, 0.01)
    loud = np.flatnonzero(db > max(-50.0, db.max() - 40))
    if loud.size == 0:
        return samples[:0]
    margin = int(keep * rate)
    first = max(0, loud[0] * window - margin)
    last = min(len(samples), (loud[-1] + 1) * window + margin)
    return samples[first:last]


def narration_key(scene: Scene, voice: VoiceSpec, narrator: Narrator, lexicon: dict[str, str] | None) -> str:
    return content_key("narration", {"text": scene.narration, "spoken": spoken_text(scene.narration, lexicon or {}),
                                     "voice": narrator.identity(), "speed": voice.speed, "speaker": voice.speaker,
                                     "pause": voice.sentence_pause, "rate": AUDIO_RATE})


def narrate_scene(scene: Scene, voice: VoiceSpec, narrator: Narrator, cache: Cache,
                  lexicon: dict[str, str] | None = None) -> SceneAudio:
    """The scene's narration spoken by the voice, as a cached WAV with word timings."""
    key = narration_key(scene, voice, narrator, lexicon)
    with cache.lock("narration", key):
        cached = _cached_audio(cache, "narration", key)
        if cached:
            return cached
        samples, words = narrator.synthesize(scene.narration, voice, lexicon)
        return _store(cache, "narration", key, samples, words, "tts")


def narrate_recording(clip, script: Script, cache: Cache, edited: tuple[Cut, ...] | None = None) -> SceneAudio:
    """A scene's recording aligned to its text and cleaned up (cached by content)."""
    from .recordings import clean_clip, clean_key

    key = clean_key(clip, script, edited)
    with cache.lock("recording", key):
        cached = _cached_audio(cache, "recording", key)
        if cached:
            return cached
        cleaned = clean_clip(clip, script, cache, edited)
        return _store(cache, "recording", key, cleaned.samples, [Word(*w) for w in cleaned.words], "recording",
                      cleaned.cuts, clip.file)


def silence(cache: Cache) -> SceneAudio:
    """No narration at all: an empty WAV (source "none"), for scenes that need none."""
    key = content_key("narration", {"silence": True, "rate": AUDIO_RATE})
    with cache.lock("narration", key):
        return _cached_audio(cache, "narration", key) or _store(cache, "narration", key, np.zeros(0, np.float32),
                                                                  [], "none")


def _cached_audio(cache: Cache, stage: str, key: str) -> SceneAudio | None:
    wav_path, meta_path = cache.get(stage, key, "wav"), cache.get(stage, key, "json")
    if wav_path is None or meta_path is None:
        return None
    meta = json.loads(meta_path.read_text())
    return SceneAudio(wav_path, meta["duration"], tuple(Word(**w) for w in meta["words"]), meta["source"],
                      tuple(Cut(**c) for c in meta.get("cuts", ())),
                      Path(meta["recording"]) if meta.get("recording") else None)


def _store(cache: Cache, stage: str, key: str, samples: np.ndarray, words: list[Word], source: str,
           cuts: tuple[Cut, ...] = (), recording: Path | None = None) -> SceneAudio:
    """Write the WAV, then its metadata: an entry counts only when both are intact."""
    with cache.put(stage, key, "wav") as temp:
        write_wav(temp, samples)
    audio = SceneAudio(cache.path(stage, key, "wav"), len(samples) / AUDIO_RATE, tuple(words), source,
                       tuple(cuts), recording)
    with cache.put(stage, key, "json") as temp:
        temp.write_text(json.dumps({"duration": audio.duration, "source": source,
                                    "words": [asdict(w) for w in words], "cuts": [asdict(c) for c in cuts],
                                    "recording": str(recording) if recording else None}))
    return audio


def narrate_all(script: Script, cache: Cache, progress: Progress, narrator: Narrator | None = None
                ) -> list[SceneAudio]:
    """The narration stage: one SceneAudio per scene, from recordings, a take, or the voice.

    Pass a `narrator` for the script's voice to keep its model loaded across calls.
    """
    return list(narrations(script, cache, progress, narrator))


def narrations(script: Script, cache: Cache, progress: Progress, narrator: Narrator | None = None
               ) -> Iterator[SceneAudio]:
    """Each scene's SceneAudio in order, as soon as it is ready (the render starts encoding it meanwhile).

    Without a `narrator`, the voice speaks in a process of its own, ended when this ends."""
    if narrator is not None:
        yield from _narrate_each(script, cache, progress, narrator)
        return
    speaker = VoiceProcess(Narrator.for_voice(script.voice, script.base_dir, cache))
    try:
        yield from _narrate_each(script, cache, progress, speaker)
    finally:
        speaker.close()


def _narrate_each(script: Script, cache: Cache, progress: Progress, narrator: Narrator) -> Iterator[SceneAudio]:
    from .recordings import parse_labels, scene_clips, summary

    clips = {clip.scene.id: clip for clip in scene_clips(script, cache)}
    take = script.take.file if script.take is not None else None
    edited = None
    if script.take is not None and script.take.labels is not None:
        edited = parse_labels(script.take.labels, [s.id for s in script.scenes]).cuts
    elif script.take is not None:
        progress.say("scene boundaries found in " + take.name + ": " + ", ".join(
            f"{c.scene.id} {c.start:.2f}-{c.end:.2f}s" for c in clips.values() if c.file == take))
    if any(s.narration and s.id not in clips and not cache.path(
            "narration", narration_key(s, script.voice, narrator, script.lexicon), "wav").exists()
           for s in script.scenes):
        narrator.warm()
    cuts: dict[Path, list[Cut]] = {}
    with progress.bar(len(script.scenes), "narration", "scene") as bar:
        for scene in script.scenes:
            bar.set_postfix_str(scene.id)
            clip = clips.get(scene.id)
            if clip is not None:
                audio = narrate_recording(clip, script, cache, edited if clip.file == take else None)
                cuts.setdefault(clip.file, []).extend(audio.cuts)
            elif not scene.narration and scene.layout == "clip":
                audio = silence(cache)  # a clip scene without narration: the clip alone sets its length
            elif not scene.narration:
                raise VessayError(f"scene '{scene.id}' has no narration text, no audio and no label in the take; "
                                  "add one", script.path, scene.line)
            else:
                audio = narrate_scene(scene, script.voice, narrator, cache, script.lexicon)
            bar.update()
            if scene is script.scenes[-1]:
                for file, found in cuts.items():
                    progress.say(summary(file, found))
            yield audio
