"""Own-voice narration from one take with an Audacity label track."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from vessay.cli import main
from vessay.errors import VessayError
from vessay.media import write_wav
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


# --- real read speech: alignment, cleanup, review ----------------------------------------------

sys.path.insert(0, str(Path(__file__).parent / "speech"))
import takes  # noqa: E402


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    """A take of three scenes with two false starts, an um and long pauses, and its script."""
    folder = tmp_path_factory.mktemp("messy")
    take = takes.messy_take()
    write_wav(folder / "take.wav", take.samples)
    (folder / "essay.yaml").write_text(takes.script_text() + "narration_audio: {file: take.wav}\n")
    return folder, take


def labels_of(path):
    return [(float(a), float(b), name) for a, b, name in (line.split("\t") for line in path.read_text().splitlines())]


def test_review_lists_scenes_and_every_cut(messy, tmp_path):
    """`vessay align` labels each scene and one `cut:` per false start, filler and long pause."""
    folder, take = messy
    out = tmp_path / "labels.txt"
    assert main(["align", str(folder / "essay.yaml"), "-o", str(out), "--quiet"]) == 0
    labels = labels_of(out)
    assert [n for _, _, n in labels if not n.startswith("cut:")] == ["dashwood", "temper", "marriage"]
    cuts = [(a, b, n) for a, b, n in labels if n.startswith("cut:")]
    retakes = [(a, b) for a, b, n in cuts if n == "cut: retake"]
    for start, end in take.false_starts:
        assert any(a <= start + 0.05 and b >= end - 0.05 for a, b in retakes), (start, end, retakes)
    (um_start, um_end), = take.fillers
    assert any(n == "cut: um" and a <= um_start + 0.1 and b >= um_end - 0.1 for a, b, n in cuts)
    inside = take.long_pauses[-1]  # the 2.4 s pause inside the last scene
    assert any(n.startswith("cut: pause 2.") and inside[0] < a < b < inside[1] for a, b, n in cuts)
    starts = [a for a, _, n in labels if not n.startswith("cut:")]
    for found, truth in zip(starts, [take.sentence_starts[0], take.sentence_starts[1], take.sentence_starts[3]]):
        assert abs(found - truth) < 0.25


def test_render_uses_the_cleaned_take_and_a_deleted_cut_label_keeps_it(messy, tmp_path, capsys):
    """Rendered scenes are the take minus its cuts; deleting `cut: um` in the labels keeps the um."""
    folder, take = messy
    script = folder / "essay.yaml"
    out = tmp_path / "clean.mp4"
    assert main(["render", str(script), "-o", str(out)]) == 0
    assert "take.wav: cut 2 retakes, 1 um, 1 long pause" in capsys.readouterr().err
    clean = json.loads(out.with_name("clean.words.json").read_text())
    sentence_gap = clean[2]["words"][17]["start"] - clean[2]["words"][16]["end"]  # "was." → "He"
    assert sentence_gap <= 1.05
    labels = folder / "edited.txt"
    assert main(["align", str(script), "-o", str(labels), "--quiet"]) == 0
    labels.write_text("".join(line + "\n" for line in labels.read_text().splitlines() if "cut: um" not in line))
    edited = folder / "edited.yaml"
    edited.write_text(takes.script_text() + "narration_audio: {file: take.wav, labels: edited.txt}\n")
    out2 = tmp_path / "edited.mp4"
    assert main(["render", str(edited), "-o", str(out2), "--quiet"]) == 0
    kept = json.loads(out2.with_name("edited.words.json").read_text())
    um = take.fillers[0][1] - take.fillers[0][0]
    grew = (kept[1]["end"] - kept[1]["start"]) - (clean[1]["end"] - clean[1]["start"])
    assert um - 0.2 < grew < um + 0.5
    assert [w["text"] for w in kept[1]["words"]] == [w["text"] for w in clean[1]["words"]]


def test_the_wrong_recording_stops_check_naming_its_scene(tmp_path, capsys):
    """A scene whose recording says other words fails `check` with exit 2 and the scene's name."""
    shutil.copy(takes.HERE / "austen-4.flac", tmp_path / "mine.flac")
    script = write_script(tmp_path, f"""\
title: Wrong
{TINY_VIDEO}
scenes:
  - {{id: sonnet, layout: title, title: S, audio: mine.flac, narration: "{takes.TEXTS['sonnet-1']}"}}
""")
    assert main(["check", str(script)]) == 2
    err = capsys.readouterr().err
    assert "scene 'sonnet'" in err and "does not say its narration" in err and "Traceback" not in err


def test_a_skipped_sentence_is_a_warning_with_scene_and_time(tmp_path, capsys, isolated_cache):
    """Narration missing from a recording is reported with its scene and where it should be; the
    alignment goes into the cache named by --cache-dir, for the render to reuse."""
    write_wav(tmp_path / "mine.wav", np.concatenate([takes.speech("austen-4"), takes.speech("austen-5")]))
    text = f"{takes.TEXTS['austen-4']} {takes.TEXTS['austen-1']} {takes.TEXTS['austen-5']}"
    script = write_script(tmp_path, f"""\
title: Skip
{TINY_VIDEO}
scenes:
  - {{id: gap, layout: title, title: G, audio: mine.wav, narration: "{text}"}}
""")
    assert main(["check", str(script), "--cache-dir", str(tmp_path / "mine")]) == 0
    assert list((tmp_path / "mine" / "alignment").glob("*.json")) and not (isolated_cache / "alignment").exists()
    err = capsys.readouterr().err
    assert "warning: scene 'gap'" in err and "\"And Mister John Dashwood" in err and "missing from mine.wav" in err
    at = float(err.split("(at ")[1].split(" s)")[0])
    assert abs(at - len(takes.speech("austen-4")) / 48000) < 0.8


def band_db(samples, spans):
    """Mean level (dB) of the samples inside `spans` (seconds)."""
    parts = np.concatenate([samples[int(a * 48000): int(b * 48000)] for a, b in spans])
    return 10 * np.log10(np.mean(parts.astype(np.float64) ** 2) + 1e-20)


def test_denoise_lowers_room_noise_and_leaves_a_clean_take_alone(tmp_path):
    """With hiss and hum added, noise between sentences falls 12 dB or more relative to the voice;
    a clean recording comes out of `auto` untouched."""
    from vessay.cleanup import denoise

    take = takes.messy_take(fillers=False)
    rng = np.random.default_rng(3)
    t = np.arange(len(take.samples)) / 48000
    noise = (0.01 * rng.standard_normal(len(t)) + 0.006 * np.sin(2 * np.pi * 60 * t)).astype(np.float32)
    noisy = take.samples + noise
    said = sorted(take.speech + take.false_starts)
    gaps = [(a + 0.1, b - 0.1) for (_, a), (b, _) in zip(said, said[1:]) if b - a > 0.4]
    pauses = [(a - 0.05, b + 0.05) for a, b in gaps]
    cleaned = denoise(noisy, 48000, pauses, "auto")
    before = band_db(noisy, take.speech) - band_db(noisy, gaps)
    after = band_db(cleaned, take.speech) - band_db(cleaned, gaps)
    assert after - before >= 12, (before, after)
    voice = takes.speech("austen-1")
    quiet = voice.copy()
    quiet[: int(0.2 * 48000)] *= 0.001  # a studio-quiet pause before the voice
    assert np.array_equal(denoise(quiet, 48000, [(0.0, 0.18)], "auto"), quiet)


def test_a_long_take_keeps_every_scene_and_cuts_every_false_start(tmp_path, monkeypatch, capsys):
    """A take of four scenes, the text's match kept to a window far shorter than it (as over a long
    take): every scene is found, every false start, um and long pause is cut, nothing is missing."""
    from vessay import matching

    monkeypatch.setattr(matching, "WINDOW", 60)
    take = takes.with_sonnet(takes.messy_take())
    write_wav(tmp_path / "take.wav", take.samples)
    scenes = {**takes.SCENES, **takes.SONNET}
    script = tmp_path / "essay.yaml"
    script.write_text(takes.script_text(scenes=scenes) + "narration_audio: {file: take.wav}\n")
    assert main(["check", str(script)]) == 0
    assert "warning" not in capsys.readouterr().err
    out = tmp_path / "labels.txt"
    assert main(["align", str(script), "-o", str(out), "--quiet"]) == 0
    labels = labels_of(out)
    spans = [(a, n) for a, _, n in labels if not n.startswith("cut:")]
    assert [n for _, n in spans] == list(scenes)
    firsts = [take.sentence_starts[k] for k in (0, 1, 3, 5)]  # each scene's first sentence
    assert all(abs(a - truth) < 0.2 for (a, _), truth in zip(spans, firsts)), (spans, firsts)
    retakes = [(a, b) for a, b, n in labels if n == "cut: retake"]
    assert len(retakes) == len(take.false_starts) == 3
    for start, end in take.false_starts:
        assert any(a <= start + 0.05 and b >= end - 0.05 for a, b in retakes), (start, end, retakes)
    assert sum(n == "cut: um" for _, _, n in labels) == 1
    # Every long pause is between scenes, or cut (as a pause, or with the false start before it).
    scene_spans = [(a, b) for a, b, n in labels if not n.startswith("cut:")]
    cuts = [(a, b) for a, b, n in labels if n.startswith("cut: pause")] + retakes
    for a, b in take.long_pauses:
        between = not any(s < a + 0.3 and b - 0.3 < e for s, e in scene_spans)
        assert between or any(s < b - 0.3 and a + 0.3 < e and e - s > b - a - 1.2 for s, e in cuts), (a, b)


def test_a_recording_of_narration_in_another_script_is_kept_whole_with_its_words_spread(tmp_path, capsys):
    """The aligner follows US English only: an Arabic scene's recording is not refused; it plays uncut, and
    its words share its speech. A take without labels cannot be split that way: labels are asked for."""
    write_wav(tmp_path / "ar.wav", takes.speech("austen-2"))
    text = "مرحبا بالعالم، هذا تسجيل لمشهد واحد."
    script = tmp_path / "essay.yaml"
    script.write_text(f"title: x\n{TINY_VIDEO}\nscenes:\n"
                      f"  - {{id: one, layout: title, title: A, narration: \"{text}\", audio: ar.wav}}\n", encoding="utf-8")
    assert main(["check", str(script), "--quiet"]) == 0
    assert "scene 'one': narration in another script than Latin letters" in capsys.readouterr().err
    out = tmp_path / "essay.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet"]) == 0
    scene = json.loads(out.with_name("essay.words.json").read_text())[0]
    words = scene["words"]
    assert [w["text"] for w in words] == text.split()
    speech = len(takes.speech("austen-2")) / takes.RATE - takes.onset("austen-2")
    assert abs(words[-1]["end"] - words[0]["start"] - speech) < 0.5  # spread over the whole reading
    assert all(a["end"] <= b["start"] + 1e-6 for a, b in zip(words, words[1:]))

    script.write_text(f"title: x\n{TINY_VIDEO}\nnarration_audio: {{file: ar.wav}}\nscenes:\n"
                      f"  - {{id: one, layout: title, title: A, narration: \"{text}\"}}\n", encoding="utf-8")
    assert main(["check", str(script), "--quiet"]) == 2
    assert "set narration_audio.labels" in capsys.readouterr().err
