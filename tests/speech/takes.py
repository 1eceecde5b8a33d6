"""Messy takes built from the real read speech here: false starts, long pauses, fillers, room noise.

Each builder returns the take (mono float32 at RATE) and what is true about it, so tests and
bench/voice.py can measure alignment and cleanup against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).parent
RATE = 48000
TEXTS = yaml.safe_load((HERE / "texts.yaml").read_text(encoding="utf-8"))
ONSETS = yaml.safe_load((HERE / "onsets.yaml").read_text(encoding="utf-8"))
"""Where the voice starts in each recording, per phrase: {name: {word index: seconds}}."""


def speech(name: str) -> np.ndarray:
    from vessay.media import decode_audio

    return decode_audio(HERE / f"{name}.flac", RATE)


def onset(name: str) -> float:
    """Where the voice starts in a recording (its first word), as labelled by hand."""
    return ONSETS[name][0]


def room(seconds: float, level_db: float = -54.0, seed: int = 0) -> np.ndarray:
    """Quiet room tone for the pauses a take adds: soft noise at about the recordings' own floor."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(int(seconds * RATE)).astype(np.float32)
    return noise * np.float32(10 ** (level_db / 20))


@dataclass
class Take:
    samples: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    sentence_starts: list[float] = field(default_factory=list)
    """True start of every kept sentence reading, in seconds of the take."""
    phrase_starts: list[tuple[float, str, int]] = field(default_factory=list)
    """Every labelled phrase start of the kept readings: (seconds of the take, recording, word index)."""
    false_starts: list[tuple[float, float]] = field(default_factory=list)
    long_pauses: list[tuple[float, float]] = field(default_factory=list)
    fillers: list[tuple[float, float]] = field(default_factory=list)
    speech: list[tuple[float, float]] = field(default_factory=list)
    """Every stretch of kept speech (sentences), for measuring noise between them."""

    @property
    def now(self) -> float:
        return len(self.samples) / RATE

    def add(self, clip: np.ndarray) -> float:
        at = self.now
        self.samples = np.concatenate([self.samples, clip.astype(np.float32)])
        return at

    def pause(self, seconds: float) -> None:
        at = self.add(room(seconds, seed=len(self.samples)))
        if seconds > 1.0:
            self.long_pauses.append((at, self.now))

    def sentence(self, name: str) -> None:
        at = self.add(speech(name))
        self.sentence_starts.append(at + onset(name))
        self.phrase_starts += [(at + seconds, name, word) for word, seconds in ONSETS[name].items()]
        self.speech.append((at + onset(name), self.now))

    def false_start(self, name: str, seconds: float) -> None:
        at = self.add(speech(name)[: int(seconds * RATE)])
        self.false_starts.append((at + onset(name), self.now))

    def say_filler(self) -> None:
        at = self.add(speech("um"))
        self.fillers.append((at, self.now))


def messy_take(fillers: bool = True) -> Take:
    """Three scenes of Austen read with two false starts, two long pauses and an um."""
    take = Take()
    take.pause(0.5)
    take.false_start("austen-1", 1.6)          # "And Mister John Dashwood—"
    take.pause(0.7)
    take.sentence("austen-1")
    take.pause(0.6)
    take.sentence("austen-2")
    take.pause(0.3)
    if fillers:
        take.say_filler()
        take.pause(0.3)
    take.sentence("austen-3")
    take.pause(3.2)
    take.false_start("austen-4", 1.05)         # "Had he married a—"
    take.pause(0.8)
    take.sentence("austen-4")
    take.pause(2.4)
    take.sentence("austen-5")
    take.pause(0.5)
    return take


def with_sonnet(take: Take) -> Take:
    """A fourth scene after the messy take: the sonnet, started over after its first line."""
    take.pause(1.0)
    take.false_start("sonnet-1", 5.5)         # "One. From fairest creatures we desire increase,—"
    take.pause(1.4)
    take.sentence("sonnet-1")
    take.pause(0.6)
    return take


SCENES = {"dashwood": ["austen-1"], "temper": ["austen-2", "austen-3"], "marriage": ["austen-4", "austen-5"]}
SONNET = {"sonnet": ["sonnet-1"]}


def script_text(video: str = "video: {width: 320, height: 180, fps: 10}", scenes: dict = SCENES) -> str:
    """Scenes that narrate the take's sentences (the on-screen words are the script's own)."""
    lines = ["title: Sense", video, "scenes:"]
    for scene, names in scenes.items():
        text = " ".join(TEXTS[n] for n in names)
        lines.append(f"  - {{id: {scene}, layout: title, title: {scene.capitalize()}, narration: \"{text}\"}}")
    return "\n".join(lines) + "\n"
