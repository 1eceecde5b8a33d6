"""`vessay new`: a starter script that checks, draws and renders as it is, and never overwrites."""

import json
import shutil

import numpy as np
from PIL import Image

from vessay.cli import main
from vessay.media import probe
from vessay.script import load_script
from vessay.theme import themes_dir

from conftest import TINY_VIDEO


def test_the_starter_checks_and_draws_four_different_slides(tmp_path, capsys):
    script = tmp_path / "why-we-sleep.yaml"
    assert main(["new", str(script)]) == 0
    assert f"vessay studio {script}" in capsys.readouterr().out
    loaded = load_script(script)
    assert loaded.title == "Why We Sleep" and loaded.theme == "neon-cyberdeck"
    assert [s.layout for s in loaded.scenes] == ["title", "bullets", "quote", "title"]
    assert all(s.narration for s in loaded.scenes)
    assert main(["check", str(script)]) == 0
    assert "warning" not in capsys.readouterr().err
    assert main(["slides", str(script), "-o", str(tmp_path / "slides"), "--quiet"]) == 0
    slides = [np.asarray(Image.open(p).convert("L"), dtype=np.int16) for p in sorted((tmp_path / "slides").iterdir())]
    assert len(slides) == 4 and slides[0].shape == (1080, 1920)
    for i, a in enumerate(slides):
        for b in slides[i + 1:]:
            assert np.abs(a - b).mean() > 1.0  # each scene draws its own text


def test_the_starter_renders_with_its_narration_and_chapters(tmp_path):
    script = tmp_path / "essay.yaml"
    assert main(["new", str(script), "--title", 'Sleep: the "why" — 睡眠']) == 0
    text = script.read_text(encoding="utf-8")
    script.write_text(text.replace("video: {width: 1920, height: 1080, fps: 30}", TINY_VIDEO), encoding="utf-8")
    assert load_script(script).title == 'Sleep: the "why" — 睡眠'
    out = tmp_path / "essay.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet"]) == 0
    assert probe(out).duration > 20  # four narrated scenes
    words = json.loads(out.with_name("essay.words.json").read_text())
    assert [scene["scene"] for scene in words] == ["hook", "claim", "second-voice", "outro"]
    assert [w["text"] for w in words[0]["words"][:4]] == ["Open", "with", "the", "question"]
    assert out.with_name("essay.chapters.txt").read_text().startswith('0:00 Sleep: the "why" — 睡眠\n')


def test_new_never_overwrites_and_names_its_mistakes(tmp_path, capsys):
    script = tmp_path / "essay.yaml"
    script.write_text("title: Mine\n")
    assert main(["new", str(script)]) == 2
    assert capsys.readouterr().err.strip() == f"{script}: already exists; choose another name, or delete it first"
    assert script.read_text() == "title: Mine\n"

    assert main(["new", str(tmp_path / "other.yaml"), "--theme", "papr"]) == 2
    assert "did you mean 'paper'?" in capsys.readouterr().err
    assert main(["new", str(tmp_path / "notes.txt")]) == 2
    assert "ending in .yaml" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["essay.yaml"]  # no file, no leftover temp file


def test_a_theme_path_is_written_relative_to_the_script(tmp_path, monkeypatch):
    (tmp_path / "looks").mkdir()
    shutil.copy(themes_dir() / "paper.yaml", tmp_path / "looks" / "mine.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["new", "essays/first.yaml", "--theme", "looks/mine.yaml"]) == 0
    script = tmp_path / "essays" / "first.yaml"
    assert load_script(script).theme == "../looks/mine.yaml"
    assert main(["check", str(script), "--quiet"]) == 0


def test_a_missing_script_points_to_vessay_new(tmp_path, capsys):
    missing = tmp_path / "draft.yaml"
    for command in ("render", "check", "studio"):
        assert main([command, str(missing)]) == 2
        assert capsys.readouterr().err.strip() == (f"{missing}: file not found; check the path, or start a new "
                                                   f"essay with `vessay new {missing}`")
