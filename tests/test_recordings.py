"""Own-voice narration from one take with an Audacity label track."""

import json
import subprocess

import numpy as np
import pytest

from vessay.cli import main
from vessay.errors import VessayError
from vessay.recordings import parse_labels

from conftest import TINY_VIDEO, write_script

RATE = 44100


def write_take(path, parts):
    """A WAV of consecutive (seconds, frequency or 0 for silence) parts."""
    import wave

    chunks = [0.3 * np.sin(2 * np.pi * f * np.arange(int(s * RATE)) / RATE) if f else np.zeros(int(s * RATE))
              for s, f in parts]
    pcm = (np.concatenate(chunks) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(pcm.tobytes())


def dominant_hz(video, start, seconds=0.4):
    import imageio_ffmpeg

    pcm = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-ss", f"{start:.2f}", "-t",
                          f"{seconds}", "-i", str(video), "-ac", "1", "-ar", "8000", "-f", "f32le", "-"],
                         capture_output=True).stdout
    samples = np.frombuffer(pcm, dtype=np.float32)
    return np.argmax(np.abs(np.fft.rfft(samples))) * 8000 / len(samples)


def test_labelled_take_puts_each_span_in_its_scene(tmp_path):
    """Each labelled span of the take plays during its own scene; an unlabelled scene uses the voice."""
    write_take(tmp_path / "take.wav", [(0.5, 0), (1.0, 300), (0.7, 0), (1.5, 600), (0.5, 0)])
    (tmp_path / "take.txt").write_text("0.4\t1.6\tfirst\n2.1\t3.8\tsecond\n")
    script = write_script(tmp_path, f"""\
title: Take
{TINY_VIDEO}
narration_audio: {{file: take.wav, labels: take.txt}}
scenes:
  - {{id: first, layout: title, title: One}}
  - {{id: second, layout: title, title: Two}}
  - {{id: third, layout: title, title: Three, narration: Spoken by the voice.}}
""")
    out = tmp_path / "take.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet"]) == 0
    timeline = json.loads(out.with_name("take.words.json").read_text())
    assert [s["source"] for s in timeline] == ["recording", "recording", "tts"]
    first, second = timeline[0], timeline[1]
    assert 1.0 + 0.9 < first["end"] - first["start"] < 1.0 + 1.3  # trimmed tone + pads
    assert abs(dominant_hz(out, first["start"] + 0.6) - 300) < 10
    assert abs(dominant_hz(out, second["start"] + 0.8) - 600) < 10


@pytest.mark.parametrize("labels, line, words", [
    ("0\t1\tfirst\n1\t2\tsecnod\n", 2, "did you mean 'second'"),
    ("0\t1.5\tfirst\n1\t2\tsecond\n", 2, "overlaps 'first'"),
    ("0\t1\tfirst\n0.5\tx\tsecond\n", 2, "must be seconds"),
    ("0\t1\tfirst\n2\t3\tfirst\n", 2, "labelled twice"),
    ("0 1 first\n", 1, "start<TAB>end<TAB>scene-id"),
])
def test_bad_labels_point_at_their_line(tmp_path, labels, line, words):
    """Unknown scenes, overlaps and malformed lines are reported at their line."""
    path = tmp_path / "labels.txt"
    path.write_text(labels)
    with pytest.raises(VessayError) as caught:
        parse_labels(path, ["first", "second"])
    assert caught.value.line == line and words in str(caught.value)


def test_take_shorter_than_labels_is_an_error(tmp_path):
    """A label past the end of the take fails before anything is rendered."""
    write_take(tmp_path / "take.wav", [(1.0, 300)])
    (tmp_path / "take.txt").write_text("0\t0.9\tfirst\n1.0\t5.0\tsecond\n")
    script = write_script(tmp_path, f"""\
title: Take
{TINY_VIDEO}
narration_audio: {{file: take.wav, labels: take.txt}}
scenes:
  - {{id: first, layout: title, title: One}}
  - {{id: second, layout: title, title: Two}}
""")
    assert main(["render", str(script), "-o", str(tmp_path / "x.mp4"), "--quiet"]) == 2
    assert not (tmp_path / "x.mp4").exists()


def test_unlabelled_take_is_split_by_alignment(tmp_path):
    """With no labels, each scene gets its own stretch of the take, found by aligning it to the text."""
    from vessay.media import write_wav
    from vessay.narration import Narrator, trim_silence
    from vessay.script import VoiceSpec

    texts = ["Vectors point somewhere in space.", "Gradients tell you which way is downhill."]
    narrator = Narrator()
    gap = np.zeros(int(1.2 * 48000), dtype=np.float32)
    clips = [trim_silence(narrator.synthesize(t, VoiceSpec(speed=0.85))[0]) for t in texts]
    write_wav(tmp_path / "take.wav", np.concatenate([gap[:24000], clips[0], gap, clips[1], gap[:24000]]))
    script = write_script(tmp_path, f"""\
title: Take
{TINY_VIDEO}
narration_audio: {{file: take.wav}}
scenes:
  - {{id: first, layout: title, title: One, narration: "{texts[0]}"}}
  - {{id: second, layout: title, title: Two, narration: "{texts[1]}"}}
""")
    labels = tmp_path / "found.txt"
    assert main(["align", str(script), "-o", str(labels), "--quiet"]) == 0
    spans = [line.split("\t") for line in labels.read_text().splitlines()]
    assert [s[2] for s in spans] == ["first", "second"]
    true_starts = [0.5, 0.5 + len(clips[0]) / 48000 + 1.2]
    for (start, _, _), truth in zip(spans, true_starts):
        assert abs(float(start) - truth) < 0.15
    out = tmp_path / "take.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet"]) == 0
    timeline = json.loads(out.with_name("take.words.json").read_text())
    for scene, clip in zip(timeline, clips):
        assert scene["source"] == "recording"
        assert abs((scene["end"] - scene["start"]) - (len(clip) / 48000 + 1.0)) < 0.3


def test_recorded_scene_gets_word_timings_for_captions(tmp_path):
    """A recording of the scene's own text gets per-word timings, so its captions follow the speech."""
    from vessay.media import write_wav
    from vessay.narration import Narrator, trim_silence
    from vessay.script import VoiceSpec

    text = "Training walks downhill on the loss, one small step at a time."
    clip = trim_silence(Narrator().synthesize(text, VoiceSpec(speed=0.8))[0])
    write_wav(tmp_path / "mine.wav", np.concatenate([np.zeros(24000, np.float32), clip]))
    script = write_script(tmp_path, f"""\
title: Mine
{TINY_VIDEO}
scenes:
  - {{id: only, layout: title, title: Mine, audio: mine.wav, narration: "{text}"}}
""")
    out = tmp_path / "mine.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet"]) == 0
    scene = json.loads(out.with_name("mine.words.json").read_text())[0]
    words = scene["words"]
    assert [w["text"] for w in words] == text.split()
    assert all(a["start"] <= b["start"] for a, b in zip(words, words[1:]))
    spoken_from = scene["start"] + 0.35  # lead-in; the recording is trimmed to its speech
    assert abs(words[0]["start"] - spoken_from) < 0.2
    assert abs(words[-1]["end"] - (spoken_from + len(clip) / 48000)) < 0.3
    srt = out.with_suffix(".srt").read_text()
    assert "Training walks downhill" in srt
