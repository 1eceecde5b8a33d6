"""Shorts: vertical cuts of a few scenes, from the essay's cached speech, with a hook and captions burned in."""

import json

import pytest

from vessay.cli import main
from vessay.media import decode_frame, measure_loudness, probe
from vessay.narration import Narrator
from vessay.script import load_script

from conftest import write_script, write_tone

SCRIPT = """\
title: Shorts
video: {width: 320, height: 180, fps: 10}
captions: {style: pop}
shorts:
  - {id: best, scenes: [b], title: "The best part"}
scenes:
  - {id: a, layout: title, title: First, narration: "An opening line that is not in the short."}
  - {id: b, layout: title, title: Second, narration: "The part worth sharing, said briefly."}
"""


@pytest.fixture(scope="module")
def essay(tmp_path_factory):
    """The essay rendered, shorts and all, into its own cache; returns (folder, script, words per scene)."""
    folder = tmp_path_factory.mktemp("shorts")
    script = write_script(folder, SCRIPT)
    out = folder / "out" / "essay.mp4"
    assert main(["render", str(script), "-o", str(out), "--cache-dir", str(folder / "cache"), "--quiet"]) == 0
    assert probe(folder / "out" / "essay-best.mp4").first("video").height == 1920
    return folder, script, json.loads(out.with_name("essay.words.json").read_text())


def test_short_is_1080x1920_of_its_scenes_length_from_cached_speech(essay, monkeypatch):
    """A shorts: entry gives out/<stem>-<id>.mp4, upright, as long as its scenes, loud enough on its own,
    with a square cut beside it for --aspect 1:1; the voice is never asked to speak again."""
    folder, script, words = essay
    monkeypatch.setattr(Narrator, "synthesize", lambda *a, **k: pytest.fail("speech synthesised twice"))
    assert main(["shorts", str(script), "-o", str(folder / "out"), "--aspect", "1:1",
                 "--cache-dir", str(folder / "cache"), "--quiet"]) == 0
    scene = next(s for s in words if s["scene"] == "b")
    length = scene["end"] - scene["start"]
    for name, size in (("essay-best.mp4", (1080, 1920)), ("essay-best-1x1.mp4", (1080, 1080))):
        info = probe(folder / "out" / name)
        video = info.first("video")
        assert (video.width, video.height) == size
        assert abs(info.duration - length) <= 0.15
    loudness, peak = measure_loudness(folder / "out" / "essay-best.mp4")
    assert abs(loudness + 14) <= 1.0 and peak <= -0.5


def test_short_opens_on_its_hook_title_then_clears_it(essay):
    """The hook's accent panel fills the top of the frame in the opening second and is gone after it."""
    video = essay[0] / "out" / "essay-best.mp4"

    def panel(at: float) -> int:
        top = decode_frame(video, at, (1080, 1920)).astype(int)[200:700, 160:920]
        return int(((top[..., 0] < 110) & (top[..., 1] > 150) & (top[..., 2] > 150)).sum())

    assert panel(0.3) > 40_000
    assert panel(1.5) < 2_000


def test_first_words_show_at_full_strength_under_the_hook(essay):
    """Captions spoken during the hook's second are drawn over its dimmed frame, not dimmed with it."""
    folder, _, words = essay
    scene = next(s for s in words if s["scene"] == "b")
    at = scene["words"][0]["start"] - scene["start"] + 0.15  # the first pop group, settled
    assert at < 0.7
    band = decode_frame(folder / "out" / "essay-best.mp4", at, (1080, 1920)).astype(int)[1150:1460, 160:920]
    assert (band.min(axis=2) > 170).sum() > 2_000


def test_short_keeps_the_essays_scene_numbers():
    """An excerpt numbers its scenes as the essay does, so their slides are the ones the essay drew."""
    from pathlib import Path

    essay = load_script(Path(__file__).parents[1] / "script" / "only-math.yaml")
    excerpt = essay.excerpt(("temperature", "calculus"))
    ids = [s.id for s in essay.scenes]
    assert [excerpt.number(i) for i in range(2)] == [ids.index("temperature") + 1, ids.index("calculus") + 1]
    assert excerpt.scene_count == len(essay.scenes) and not excerpt.shorts


def test_unknown_short_id_is_an_error(tmp_path, capsys):
    """Asking for a short the script does not have names the ones it has."""
    write_tone(tmp_path / "take.wav", 1.0)
    script = write_script(tmp_path, "title: x\nshorts: [{id: best, scenes: [a]}]\n"
                                    "scenes:\n  - {id: a, layout: title, title: T, audio: take.wav}\n")
    assert main(["shorts", str(script), "worst", "--quiet"]) == 2
    assert "no short 'worst'; its shorts are: best" in capsys.readouterr().err


def test_shorts_alone_speak_only_their_own_scenes(tmp_path):
    """`vessay shorts` from a fresh cache narrates the scenes its shorts show, not the whole essay."""
    script = write_script(tmp_path, SCRIPT)
    cache = tmp_path / "cache"
    assert main(["shorts", str(script), "-o", str(tmp_path / "out"), "--cache-dir", str(cache), "--quiet"]) == 0
    assert len(list((cache / "narration").glob("*.wav"))) == 1
    assert probe(tmp_path / "out" / "essay-best.mp4").duration > 1.0
