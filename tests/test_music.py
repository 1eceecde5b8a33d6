"""Music bed: looped under the whole video, ducked while the narrator speaks."""

import json
import subprocess

import imageio_ffmpeg
import numpy as np
import pytest

from vessay.cli import main
from vessay.media import measure_loudness, probe

from conftest import TINY_VIDEO, write_script, write_tone


def band_level(video, start, seconds, hz):
    """Magnitude of one frequency in a stretch of the video's audio."""
    pcm = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-ss", f"{start:.2f}", "-t",
                          f"{seconds}", "-i", str(video), "-ac", "1", "-ar", "8000", "-f", "f32le", "-"],
                         capture_output=True).stdout
    samples = np.frombuffer(pcm, dtype=np.float32)
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return spectrum[int(round(hz * len(samples) / 8000))]


@pytest.mark.parametrize("duck", [True, False])
def test_music_loops_and_ducks_under_voice(tmp_path, duck):
    """A 1.5 s, 200 Hz bed plays for the whole video; with duck on it is much quieter under speech."""
    write_tone(tmp_path / "a.wav", 2.0, freq=1000)
    write_tone(tmp_path / "b.wav", 2.0, freq=1000)
    write_tone(tmp_path / "bed.wav", 1.5, freq=200, level=0.5)
    script = write_script(tmp_path, f"""\
title: Music
{TINY_VIDEO}
music: {{file: bed.wav, volume: 0.3, duck: {str(duck).lower()}}}
transition: {{type: cut}}
scenes:
  - {{id: a, layout: title, title: A, audio: a.wav}}
  - {{id: b, layout: title, title: B, audio: b.wav}}
""")
    out = tmp_path / "music.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet"]) == 0
    timeline = json.loads(out.with_name("music.words.json").read_text())
    speech = band_level(out, timeline[1]["start"] + 1.0, 0.5, 200)
    gap_start = timeline[0]["end"] - 0.45  # the tail pad and lead-in between the two takes
    gap = band_level(out, gap_start, 0.5, 200)
    voice = band_level(out, timeline[1]["start"] + 1.0, 0.5, 1000)
    assert gap > voice / 20, (gap, voice)  # the bed is clearly audible between the takes
    print(f"duck={duck}: voice {voice:.1f}, bed in gap {gap:.1f}, bed under speech {speech:.1f}")
    if duck:
        assert speech < gap / 3, (speech, gap)
    else:
        assert speech > gap / 2, (speech, gap)
    assert abs(probe(out).duration - timeline[-1]["end"]) < 0.1
    integrated, peak = measure_loudness(out)
    assert abs(integrated + 14) < 1.5 and peak <= -0.9
