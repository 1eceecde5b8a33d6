"""End to end: a tiny script renders to a real MP4 with synced streams, chapters and loudness."""

import json
import subprocess

import numpy as np
import pytest

from vessay.cli import main
from vessay.media import decode_frame, measure_loudness, probe

from conftest import TINY_VIDEO, write_numbered_clip, write_script, write_tone

SCRIPT = f"""\
title: Tiny essay
author: Test Author
{TINY_VIDEO}
scenes:
  - id: hook
    layout: title
    title: Hello
    narration: A short spoken hook.
  - id: recorded
    layout: bullets
    title: Recorded
    bullets: [one, two]
    audio: take.wav
"""


@pytest.fixture
def rendered(tmp_path):
    """Render the tiny script once; returns (output path, words json path)."""
    write_tone(tmp_path / "take.wav", 1.5, lead_silence=0.5)
    script = write_script(tmp_path, SCRIPT)
    out = tmp_path / "out" / "essay.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet"]) == 0
    return out, tmp_path / "out" / "essay.words.json"


def test_streams_size_and_sync(rendered):
    """H.264 320x180 video and 48 kHz stereo AAC that end within one frame of each other."""
    out, _ = rendered
    info = probe(out)
    video, audio = info.first("video"), info.first("audio")
    assert (video.codec, video.width, video.height, video.fps) == ("h264", 320, 180, 10.0)
    assert (audio.codec, audio.sample_rate, audio.channels) == ("aac", 48000, "stereo")
    durations = {}
    for kind in ("v", "a"):
        decoded = subprocess.run([_ffmpeg(), "-v", "info", "-i", str(out), "-map", f"0:{kind}",
                                  "-f", "null", "-"], capture_output=True, text=True).stderr
        stamp = decoded.rsplit("time=", 1)[1].split()[0]
        h, m, s = stamp.split(":")
        durations[kind] = int(h) * 3600 + int(m) * 60 + float(s)
    assert abs(durations["v"] - durations["a"]) <= 0.1 + 0.03


def test_scene_lengths_follow_narration(rendered):
    """The recorded scene lasts its trimmed recording plus pads; chapters start at 0 and follow scenes."""
    out, words = rendered
    timeline = json.loads(words.read_text())
    assert [s["scene"] for s in timeline] == ["hook", "recorded"]
    recorded = timeline[1]
    assert 1.5 + 0.9 < recorded["end"] - recorded["start"] < 1.5 + 1.3
    chapters = probe(out).chapters  # scenes this short merge into one chapter (YouTube wants ≥ 10 s each)
    assert [c[2] for c in chapters] == ["Hello"]
    assert chapters[0][0] == 0.0 and abs(chapters[0][1] - recorded["end"]) < 0.05
    assert abs(probe(out).duration - recorded["end"]) < 0.1


def test_word_timings_are_on_the_final_timeline(rendered):
    """TTS words land inside their scene, in order; the recording has none yet."""
    _, words = rendered
    hook = json.loads(words.read_text())[0]
    assert [w["text"] for w in hook["words"]] == ["A", "short", "spoken", "hook."]
    assert hook["start"] < hook["words"][0]["start"] < hook["words"][-1]["end"] < hook["end"]


def test_recording_plays_at_its_scene(tmp_path, rendered):
    """The 440 Hz test tone is what plays during the recorded scene."""
    out, words = rendered
    start = json.loads(words.read_text())[1]["start"]
    pcm = subprocess.run([_ffmpeg(), "-v", "error", "-ss", f"{start + 0.6:.2f}", "-t", "0.5", "-i", str(out),
                          "-ac", "1", "-ar", "8000", "-f", "f32le", "-"], capture_output=True).stdout
    samples = np.frombuffer(pcm, dtype=np.float32)
    spectrum = np.abs(np.fft.rfft(samples))
    peak_hz = np.argmax(spectrum) * 8000 / len(samples)
    assert abs(peak_hz - 440) < 10


def test_loudness_is_normalised(rendered):
    """The final mix sits near -14 LUFS with true peak at or under -1 dBTP."""
    integrated, peak = measure_loudness(rendered[0])
    assert abs(integrated - (-14.0)) < 1.5
    assert peak <= -0.9


def test_frame_shows_theme_background(rendered):
    """A decoded frame's edge is the neon theme's near-black; some pixels are bright accent."""
    frame = decode_frame(rendered[0], 0.5, (320, 180)).astype(int)
    edge = np.concatenate([frame[:4].reshape(-1, 3), frame[-4:].reshape(-1, 3)])
    assert np.median(edge, axis=0).max() < 40
    cyan = (frame[..., 1] > 150) & (frame[..., 2] > 150) & (frame[..., 0] < 120)
    assert cyan.sum() > 5


def test_unchanged_rerender_encodes_nothing(tmp_path, rendered):
    """A second render of the same script reuses every cached piece."""
    out, _ = rendered
    again = render_again(tmp_path / "essay.yaml", tmp_path / "again.mp4")
    assert again.encoded_pieces == 0
    assert abs(probe(again.video).duration - probe(out).duration) < 0.01


def test_one_scene_edit_reencodes_only_that_scene(tmp_path, rendered):
    """Changing one scene's title re-encodes its body and its join, nothing else."""
    script = tmp_path / "essay.yaml"
    script.write_text(script.read_text().replace("title: Recorded", "title: Recorded again"))
    again = render_again(script, tmp_path / "edited.mp4")
    assert again.total_pieces == 3  # body, crossfade, body
    assert again.encoded_pieces == 2


def test_opening_slides_are_drawn_ahead_into_the_render_cache(tmp_path, isolated_cache):
    """Drawing ahead caches every reveal state of the first scene under the keys the render looks up."""
    from vessay.cache import Cache, content_key
    from vessay.render import draw_ahead
    from vessay.script import load_script
    from vessay.shots import reveal_states, slide_spec
    from vessay.theme import load_theme

    write_tone(tmp_path / "take.wav", 1.5)
    script = load_script(write_script(tmp_path, SCRIPT.replace(
        "title: Hello\n    narration: A short spoken hook.",
        "title: Hello\n    bullets: [one, two]\n    narration: First [>] one then [>] two.").replace(
        "layout: title", "layout: bullets", 1)))
    theme = load_theme(script.theme)
    draw_ahead(script, theme, isolated_cache).join()
    states = reveal_states(script.scenes[0])
    assert states == (0, 1, 2)
    cache = Cache(isolated_cache)
    for visible in states:
        assert cache.get("plane", content_key("plane", slide_spec(script, 0, theme, visible)), "yuv") is not None
    assert len(list((isolated_cache / "plane").glob("*.yuv"))) == len(states)


def test_no_cache_render_leaves_the_cache_alone(tmp_path, isolated_cache):
    """With --no-cache, nothing (not even the checks' layout measures) lands in the user's cache."""
    write_tone(tmp_path / "take.wav", 1.5, lead_silence=0.5)
    script = write_script(tmp_path, SCRIPT)
    out = tmp_path / "out" / "essay.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet", "--no-cache"]) == 0
    assert probe(out).duration > 1
    assert not [p for p in isolated_cache.rglob("*") if p.is_file()]


def render_again(script_path, out):
    from vessay.cache import default_cache_dir
    from vessay.progress import Progress
    from vessay.render import Job, render
    from vessay.script import load_script
    from vessay.theme import load_theme

    script = load_script(script_path)
    return render(script, load_theme(script.theme), Job(out, default_cache_dir(), Progress(quiet=True)))


def _ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def test_clip_photo_and_chart_render_in_9x16(tmp_path):
    """A vertical cut of a clip (letterboxed in the theme colour), a focus photo and a chart."""
    from PIL import Image, ImageDraw

    write_numbered_clip(tmp_path / "clip.mp4")
    photo = Image.new("RGB", (400, 300), (40, 60, 90))
    ImageDraw.Draw(photo).ellipse((272, 97, 288, 113), fill=(255, 255, 255))
    photo.save(tmp_path / "photo.png")
    script = write_script(tmp_path, f"""\
title: Vertical
{TINY_VIDEO}
scenes:
  - {{id: clip, layout: clip, clip: clip.mp4, trim: [0, 1.5], transition: {{type: cut}}}}
  - id: photo
    layout: image
    image: photo.png
    fit: cover
    focus: {{from: [0.5, 0.5, 1], to: [0.7, 0.35, 2]}}
    narration: Look here.
    transition: {{type: cut}}
  - id: chart
    layout: chart
    chart: {{type: bar, data: {{x: [a, b], y: [2, 3]}}, x: x, y: y}}
    narration: Two bars.
    transition: {{type: cut}}
""")
    out = tmp_path / "vertical.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet", "--aspect", "9:16"]) == 0
    video = probe(out).first("video")
    assert (video.width, video.height) == (180, 320)
    timeline = json.loads(out.with_name("vertical.words.json").read_text())
    clip = decode_frame(out, 0.5, (180, 320)).astype(int)
    assert np.abs(clip[:40] - (7, 7, 15)).max() < 12 and np.abs(clip[-40:] - (7, 7, 15)).max() < 12  # bars
    assert np.abs(clip[160] - (7, 7, 15)).max() > 60  # the clip itself, in the middle
    end_of_photo = decode_frame(out, timeline[1]["end"] - 0.15, (180, 320)).astype(int)
    ys, xs = np.nonzero(end_of_photo.min(-1) > 200)
    assert abs(xs.mean() - 90) < 4 and abs(ys.mean() - 160) < 4  # the focus point, centred
    chart = decode_frame(out, timeline[2]["start"] + 0.5, (180, 320)).astype(int)
    assert (np.abs(chart - (0, 240, 255)).max(-1) < 60).sum() > 100  # bars in the neon accent
