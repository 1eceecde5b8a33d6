"""A clip's own sound on the soundtrack: `clip_audio: duck | mute | full`.

Each clip scene's audio is decoded for its trim, retimed by its speed (pitch kept), held
silent or looped like its picture, and placed where the scene sits. `duck` lowers it
while the narration speaks and brings it back up in the pauses; `full` leaves it as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .media import AUDIO_RATE, run_ffmpeg
from .scriptmedia import ClipSpec

DUCK_DB = -20.0
"""How far a ducked clip drops under the narration."""
WINDOW = 0.01
"""Seconds per step of the narration's level."""
ATTACK, RELEASE, HANG = 0.06, 0.4, 0.25
"""Seconds the duck takes to go down and to come back, and how long it waits through short gaps."""


@dataclass(frozen=True)
class ClipSound:
    """One clip scene's sound: what to play, how, and where its scene sits on the timeline."""

    clip: ClipSpec
    at: float
    """Where the scene starts, in seconds."""
    length: float
    """How long the scene lasts."""


def decode_clip_audio(clip: ClipSpec) -> np.ndarray:
    """The trimmed clip's sound as stereo float samples (frames x 2) at AUDIO_RATE, retimed by its speed."""
    tempo = []
    speed = clip.speed
    while speed > 2.0 or speed < 0.5:  # atempo takes 0.5..2 per step for the best quality
        step = 2.0 if speed > 2.0 else 0.5
        tempo.append(step)
        speed /= step
    tempo.append(speed)
    chain = ",".join(f"atempo={t:.6f}" for t in tempo)
    proc = run_ffmpeg(["-v", "error", "-ss", f"{clip.start:.6f}", "-t", f"{clip.end - clip.start:.6f}",
                       "-i", str(clip.file), "-vn", "-af", chain, "-ac", "2", "-ar", str(AUDIO_RATE),
                       "-f", "f32le", "-"])
    return np.frombuffer(proc.stdout, dtype=np.float32).reshape(-1, 2)


def fit_to_scene(samples: np.ndarray, length: float, hold: str) -> np.ndarray:
    """The clip's sound over its whole scene: looped with the picture, or silent after the clip ends."""
    total = round(length * AUDIO_RATE)
    if len(samples) == 0:
        return np.zeros((total, 2), np.float32)
    if hold == "loop" and len(samples) < total:
        samples = np.tile(samples, (math.ceil(total / len(samples)), 1))
    out = np.zeros((total, 2), np.float32)
    out[:min(total, len(samples))] = samples[:total]
    edge = min(len(out) // 2, int(0.02 * AUDIO_RATE))  # no clicks where the scene cuts the sound
    if edge:
        ramp = np.linspace(0.0, 1.0, edge, dtype=np.float32)[:, None]
        out[:edge] *= ramp
        out[-edge:] *= ramp[::-1]
    return out


def duck_gain(voice: np.ndarray, depth_db: float = DUCK_DB) -> np.ndarray:
    """Per-sample gain that dips by `depth_db` wherever the narration speaks, with smooth ramps."""
    step = int(WINDOW * AUDIO_RATE)
    count = math.ceil(len(voice) / step)
    padded = np.zeros(count * step, np.float32)
    padded[:len(voice)] = voice
    level = np.sqrt(np.mean(padded.reshape(count, step) ** 2, axis=1))
    speaking = level > 10 ** (-45 / 20)
    hang = int(HANG / WINDOW)
    if hang and speaking.any():  # bridge the gaps between words, so the clip doesn't pump
        kernel = np.ones(2 * hang + 1)
        speaking = np.convolve(speaking.astype(float), kernel, mode="same") > 0
    low = 10 ** (depth_db / 20)
    target = np.where(speaking, low, 1.0)
    gain = np.empty(count, np.float32)
    down, up = 1 - math.exp(-WINDOW / ATTACK), 1 - math.exp(-WINDOW / RELEASE)
    current = 1.0
    for k, goal in enumerate(target):
        current += (goal - current) * (down if goal < current else up)
        gain[k] = current
    centres = (np.arange(count) + 0.5) * step
    return np.interp(np.arange(len(voice)), centres, gain).astype(np.float32)


def heard_clips(sounds: list[ClipSound]) -> list[ClipSound]:
    """The clips whose own sound plays."""
    return [s for s in sounds if s.clip.audio != "mute" and s.clip.has_audio]


def clip_track(sounds: list[ClipSound], voice: np.ndarray) -> np.ndarray | None:
    """Every clip scene's sound on one stereo track as long as the narration track, ducked as asked."""
    playing = heard_clips(sounds)
    if not playing:
        return None
    track = np.zeros((len(voice), 2), np.float32)
    ducked = np.zeros((len(voice), 2), np.float32)
    for sound in playing:
        part = fit_to_scene(decode_clip_audio(sound.clip), sound.length, sound.clip.hold)
        at = round(sound.at * AUDIO_RATE)
        part = part[:max(0, len(track) - at)]
        (ducked if sound.clip.audio == "duck" else track)[at:at + len(part)] += part
    if ducked.any():
        track += ducked * duck_gain(voice)[:, None]
    return track
