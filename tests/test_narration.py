"""Narration: Piper speech with word timings, recordings trimmed, both cached."""

import subprocess
import sys

import numpy as np
import pytest

from vessay.cache import Cache
from vessay import narration
from vessay.media import AUDIO_RATE, read_wav
from vessay.narration import Narrator, align_words, narrate_scene, trim_silence
from vessay.script import Scene, VoiceSpec

from conftest import TINY_VIDEO, write_script


def test_align_words_handles_merged_and_expanded_words():
    """Text words map monotonically onto spoken words even when counts differ."""
    spoken = [("duːnɑːt", 0.0, 0.5), ("pænɪk", 0.6, 1.0), ("zɪɹoʊ", 1.1, 1.3), ("pɔɪnt", 1.3, 1.5),
              ("sɛvən", 1.5, 1.8)]
    words = align_words(["Do", "not", "panic.", "0.7"], spoken, weights=[2, 3, 5, 15])
    assert [w.text for w in words] == ["Do", "not", "panic.", "0.7"]
    assert words[0].start == 0.0 and words[1].end == 0.5
    assert words[2].start == 0.6 and words[3].start == 1.1 and words[3].end == 1.8
    assert all(a.end <= b.start + 1e-9 for a, b in zip(words, words[1:]))


def test_piper_speech_has_ordered_word_timings(tmp_path):
    """Synthesised speech is non-silent and every word gets a timing inside it."""
    samples, words = Narrator().synthesize("Gradients point downhill. Step carefully.", VoiceSpec())
    duration = len(samples) / AUDIO_RATE
    assert 1.0 < duration < 6.0
    assert np.sqrt(np.mean(samples**2)) > 0.02
    assert [w.text for w in words] == ["Gradients", "point", "downhill.", "Step", "carefully."]
    assert all(0 <= w.start < w.end <= duration + 0.01 for w in words)
    assert all(a.start <= b.start for a, b in zip(words, words[1:]))


def test_speed_changes_duration():
    """voice.speed 1.5 speaks the same text in clearly less time (about 1/1.5 of it)."""
    narrator = Narrator()
    text = "This sentence is spoken several times. So is this one, a little longer than the first."
    # Piper's phoneme lengths vary from run to run: totals over a few runs keep the ratio near 0.67.
    normal = sum(len(narrator.synthesize(text, VoiceSpec(speed=1.0))[0]) for _ in range(3))
    fast = sum(len(narrator.synthesize(text, VoiceSpec(speed=1.5))[0]) for _ in range(3))
    assert 0.5 < fast / normal < 0.8


def test_tts_is_cached_by_content(tmp_path):
    """An unchanged scene is not synthesised again; changed text is."""
    cache = Cache(tmp_path)
    narrator = Narrator()
    scene = Scene(id="a", layout="title", line=1, title="T", narration="Hello cache.")
    first = narrate_scene(scene, VoiceSpec(), narrator, cache)
    narrator._voice = None
    narrator.load = None  # any synthesis now would fail
    again = narrate_scene(scene, VoiceSpec(), narrator, cache)
    assert again == first
    changed = Scene(id="a", layout="title", line=1, title="T", narration="Hello again.")
    narrator2 = Narrator()
    assert narrate_scene(changed, VoiceSpec(), narrator2, cache).wav != first.wav


def test_edit_speaks_only_the_new_sentence(tmp_path, monkeypatch):
    """Adding a sentence to a scene speaks that sentence alone; the others come from the cache unchanged."""
    cache = Cache(tmp_path)
    spoken = []
    speak = narration._speak
    monkeypatch.setattr(narration, "_speak", lambda voice, phonemes, config: spoken.append(phonemes) or
                        speak(voice, phonemes, config))
    scene = Scene(id="a", layout="title", line=1, title="T", narration="Shapes first. Then the rest.")
    before = narrate_scene(scene, VoiceSpec(), Narrator(cache=cache), cache)
    assert len(spoken) == 2
    longer = Scene(id="a", layout="title", line=1, title="T", narration="Shapes first. Then the rest. One more.")
    after = narrate_scene(longer, VoiceSpec(), Narrator(cache=cache), cache)
    assert len(spoken) == 3
    old, new = read_wav(before.wav), read_wav(after.wav)
    assert len(new) > len(old) + AUDIO_RATE // 4
    kept = len(old) - AUDIO_RATE // 10  # the resampler's edge differs once more audio follows
    assert np.abs(new[:kept] - old[:kept]).max() < 1e-3
    assert [w.text for w in after.words][-2:] == ["One", "more."]
    assert after.words[-2].start > before.words[-1].end


def test_trim_silence_of_pure_silence_is_empty():
    """All-silent audio trims to nothing (and is then rejected by the caller)."""
    assert len(trim_silence(np.zeros(AUDIO_RATE, dtype=np.float32))) == 0


def test_lexicon_changes_speech_not_words():
    """A lexicon respelling lengthens the speech, but timings keep the on-screen spelling."""
    narrator = Narrator()
    plain, _ = narrator.synthesize("Attention is O(n²) here.", VoiceSpec())
    said, words = narrator.synthesize("Attention is O(n²) here.", VoiceSpec(),
                                      {"O(n²)": "oh of en squared, slowly and carefully"})
    assert len(said) > len(plain) + AUDIO_RATE * 0.5
    assert [w.text for w in words] == ["Attention", "is", "O(n²)", "here."]
    assert words[2].end - words[2].start > 1.0


def test_pronounce_keeps_punctuation_and_ignores_case():
    """Lexicon entries match the bare word in any case and keep surrounding punctuation."""
    from vessay.narration import pronounce

    assert pronounce("Softmax,", {"softmax": "soft max"}) == "soft max,"
    assert pronounce("softmaxes", {"softmax": "soft max"}) == "softmaxes"
    assert pronounce("O(n²).", {"O(n²)": "O of n squared"}) == "O of n squared."
    assert pronounce("(softmax)", {"softmax": "soft max"}) == "(soft max)"


def test_sentence_pause_lengthens_gaps():
    """A longer sentence_pause adds that silence between sentences."""
    narrator = Narrator()
    short, _ = narrator.synthesize("One. Two.", VoiceSpec(sentence_pause=0.1))
    long, _ = narrator.synthesize("One. Two.", VoiceSpec(sentence_pause=1.1))
    # Piper samples phoneme lengths with noise, so the speech itself varies a little run to run.
    assert abs((len(long) - len(short)) / AUDIO_RATE - 1.0) < 0.2


def test_any_piper_model_on_disk_works(tmp_path):
    """`voice.model` takes a path to a .onnx with its .json beside it; a garbage model is a clear error."""
    import shutil

    from vessay.errors import VessayError
    from vessay.voices import installed_voices, resolve_voice

    model, config = installed_voices()["joe-us"]
    (tmp_path / "voices").mkdir()
    shutil.copy(model, tmp_path / "voices" / "mine.onnx")
    shutil.copy(config, tmp_path / "voices" / "mine.onnx.json")
    found = resolve_voice("voices/mine.onnx", tmp_path)
    samples, _ = Narrator(*found).synthesize("A voice from a file.", VoiceSpec())
    assert len(samples) > AUDIO_RATE * 0.5
    (tmp_path / "voices" / "bad.onnx").write_bytes(b"not a model at all")
    shutil.copy(config, tmp_path / "voices" / "bad.onnx.json")
    with pytest.raises(VessayError) as caught:
        Narrator(*resolve_voice("voices/bad.onnx", tmp_path)).synthesize("Hi.", VoiceSpec())
    assert "cannot load this Piper voice model" in str(caught.value)


def test_voice_process_passes_errors_for_people_back(tmp_path):
    """A speaker the voice lacks, found in the voice process, fails the render with exit 2 and one line."""
    script = write_script(tmp_path, f"title: T\n{TINY_VIDEO}\nvoice: {{speaker: 7}}\n"
                                    "scenes:\n  - {id: a, layout: title, title: A, narration: Hello there.}\n")
    proc = subprocess.run([sys.executable, "-m", "vessay.cli", "render", str(script), "-o", str(tmp_path / "a.mp4"),
                           "--quiet"], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert "speaker 7 does not exist" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "a.mp4").exists()


def test_check_warns_when_the_voice_cannot_read_the_narrations_script(tmp_path, capsys):
    """Arabic narration for the English voice is read letter by letter: one warning names its scenes."""
    from vessay.voices import speaks, writing_system

    assert writing_system("مرحبا بالعالم") == "ARABIC" and writing_system("3 + 4 = 7") is None
    assert speaks("en", "θ is the angle the step turns by") and speaks("ja", "日本語のテキスト")
    assert not speaks("en", "Привет, мир") and speaks("ru", "Привет, мир")
    from vessay.cli import main
    from vessay.media import write_wav

    write_wav(tmp_path / "mine.wav", 0.3 * np.sin(np.arange(AUDIO_RATE) * 0.05).astype(np.float32))
    script = tmp_path / "essay.yaml"
    script.write_text("title: x\nscenes:\n"
                      "  - {id: one, layout: title, title: A, narration: \"مرحبا بالعالم\"}\n"
                      "  - {id: two, layout: title, title: B, narration: \"An English line.\"}\n"
                      "  - {id: three, layout: title, title: C, narration: \"شكرا لكم\"}\n"
                      "  - {id: four, layout: title, title: D, narration: \"شكرا\", audio: mine.wav}\n", encoding="utf-8")
    assert main(["check", str(script), "--quiet"]) == 0
    voice = [w for w in capsys.readouterr().err.splitlines() if "which the voice" in w]
    assert voice == [f"{script}:3: warning: scenes 'one', 'three' narrate in Arabic script, which the voice "
                     "'en_US-joe-medium' (English) cannot read; give the script a voice of its language (voice: "
                     "{model: path/to/voice.onnx}), or record the narration (audio: ...)"]
