"""Publish package: chapters, description and thumbnail derived from the script."""

from pathlib import Path

import numpy as np

from PIL import Image

from vessay.cli import main
from vessay.media import probe
from vessay.publish import chapter_list, chapters_text, youtube_time
from vessay.script import Scene, Script
from vessay.timeline import plan_slots


def script_of(layouts: list[str]) -> Script:
    scenes = tuple(Scene(id=f"s{i}", layout=layout, line=i, title=f"Scene {i}", bullets=("a",), narration="n")
                   for i, layout in enumerate(layouts))
    return Script(path=Path("x.yaml"), title="X", theme="paper", scenes=scenes)


def test_chapters_follow_sections_when_there_are_several():
    """Two or more section cards make the chapters; the first chapter still starts at 0:00."""
    script = script_of(["title", "section", "bullets", "section", "bullets"])
    chapters = chapter_list(script, plan_slots([20.0] * 5, 30))
    assert [c[2] for c in chapters] == ["Scene 0", "Scene 1", "Scene 3"]
    assert chapters[0][0] == 0.0 and chapters[-1][1] == plan_slots([20.0] * 5, 30)[-1].end


def test_one_section_is_not_enough_and_short_chapters_fold():
    """With one section card, every scene is a chapter, but none shorter than 10 s."""
    script = script_of(["title", "bullets", "section", "bullets"])
    chapters = chapter_list(script, plan_slots([20.0, 3.0, 20.0, 20.0], 30))
    assert [c[2] for c in chapters] == ["Scene 0", "Scene 1", "Scene 3"]  # scene 2 starts 4 s after scene 1
    assert all(end - start >= 10.0 for start, end, _ in chapters)


def test_youtube_format():
    """`M:SS Title` lines, hours only when needed, first at 0:00."""
    assert youtube_time(0) == "0:00" and youtube_time(75.9) == "1:15" and youtube_time(3725) == "1:02:05"
    assert chapters_text([(0.0, 20.0, "Intro"), (20.0, 95.0, "Next")]) == "0:00 Intro\n0:20 Next\n"


def test_render_writes_the_upload_package(tmp_path):
    """Captions, chapters, description and a 1280x720 thumbnail land beside the video; metadata is set.

    The thumbnail draws its emoji and CJK title, and the description credits the emoji artwork."""
    script = tmp_path / "pkg.yaml"
    script.write_text("title: Package\nauthor: Someone\nvideo: {width: 320, height: 180, fps: 10}\n"
                      "credits: [A person — a book]\nlinks: ['https://example.org']\n"
                      "thumbnail: {title: Big 玉米 🌽, scene: b}\nscenes:\n"
                      "  - {id: a, layout: title, title: First, narration: One sentence here.}\n"
                      "  - {id: b, layout: title, title: Second, narration: Another one.}\n")
    out = tmp_path / "pkg.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet"]) == 0
    assert out.with_suffix(".srt").read_text().startswith("1\n00:00:00,")
    assert out.with_suffix(".vtt").read_text().startswith("WEBVTT")
    assert out.with_name("pkg.chapters.txt").read_text().startswith("0:00 First")
    description = out.with_name("pkg.description.md").read_text()
    assert "# Package" in description and "A person — a book" in description and "https://example.org" in description
    assert "OpenMoji" in description and "CC BY-SA 4.0" in description
    thumbnail = Image.open(out.with_suffix(".jpg"))
    assert thumbnail.size == (1280, 720)
    pixels = np.asarray(thumbnail.convert("RGB")).astype(int)
    assert ((pixels[..., 0] > 180) & (pixels[..., 1] > 160) & (pixels[..., 2] < 90)).sum() > 200  # the corn
    tags = probe(out).tags
    assert tags["title"] == "Package" and tags["artist"] == "Someone"


def _bright_rows(frame):
    """Rows of a frame with near-white caption text on them."""
    import numpy as np

    return np.nonzero((frame.min(axis=2) > 200).sum(axis=1) > 3)[0]


def test_vertical_cut_is_9x16_with_burned_captions_inside_the_frame(tmp_path):
    """--aspect 9:16 turns the frame upright, names the file -9x16, and burns captions in."""
    from vessay.media import decode_frame

    script = tmp_path / "v.yaml"
    script.write_text("title: Vertical\nvideo: {width: 320, height: 180, fps: 10}\ntheme: paper\n"
                      "motion: {preset: still}\nscenes:\n"
                      "  - {id: a, layout: bullets, title: Upright, bullets: [One point, Another point],"
                      " narration: Captions appear on the vertical cut.}\n")
    out = tmp_path / "out" / "v-9x16.mp4"
    assert main(["render", str(script), "--aspect", "9:16", "-o", str(out), "--quiet"]) == 0
    video = probe(out).first("video")
    assert (video.width, video.height) == (180, 320)
    cues = out.with_suffix(".srt").read_text()
    assert "Captions appear" in cues
    frame = decode_frame(out, 1.2, (180, 320)).astype(int)
    background = frame[2, 2]
    ink = (abs(frame - background).sum(axis=2) > 120)
    assert ink[:, :3].sum() == 0 and ink[:, -3:].sum() == 0  # nothing touches the side edges
    assert ink[240:310].sum() > 50  # caption text sits in the lower part of the frame


def test_burn_captions_draws_text_where_plain_render_has_none(tmp_path):
    """--burn-captions adds caption pixels to the lower frame; the plain render has none there."""
    import numpy as np

    from vessay.media import decode_frame

    script = tmp_path / "b.yaml"
    script.write_text("title: Burn\nvideo: {width: 320, height: 180, fps: 10}\ntheme: paper\n"
                      "motion: {preset: still}\nscenes:\n"
                      "  - {id: a, layout: title, title: Top, narration: These words are burned into the picture.}\n")
    plain, burned = tmp_path / "plain.mp4", tmp_path / "burned.mp4"
    assert main(["render", str(script), "-o", str(plain), "--quiet"]) == 0
    assert main(["render", str(script), "-o", str(burned), "--burn-captions", "--quiet"]) == 0
    a = decode_frame(plain, 1.5, (320, 180)).astype(int)
    b = decode_frame(burned, 1.5, (320, 180)).astype(int)
    lower = np.abs(a - b)[120:175].sum(axis=2) > 60
    assert lower.sum() > 100
    assert np.abs(a - b)[:60].mean() < 2  # the rest of the picture is untouched


def test_caption_cues_follow_the_spoken_words(tmp_path):
    """Every SRT cue starts exactly when its first word is spoken, never before."""
    import json
    import re

    script = tmp_path / "c.yaml"
    script.write_text("title: Cues\nvideo: {width: 320, height: 180, fps: 10}\nscenes:\n"
                      "  - {id: a, layout: title, title: T, narration: \"First sentence is here. And a second one, "
                      "which runs a little longer than the first, follows it.\"}\n")
    out = tmp_path / "c.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet"]) == 0
    words = json.loads(out.with_name("c.words.json").read_text())[0]["words"]
    starts = {round(w["start"], 3) for w in words}
    stamps = re.findall(r"(\d\d):(\d\d):(\d\d),(\d\d\d) --> ", out.with_suffix(".srt").read_text())
    assert len(stamps) >= 2
    for h, m, s, ms in stamps:
        assert round(int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000, 3) in starts
