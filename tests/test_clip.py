"""Clips: decoded frames in order at the essay's size and rate, trimmed, fitted, and their sound ducked."""

from __future__ import annotations

import numpy as np
import pytest

from vessay.clip import ClipShot, clip_frames, placement
from vessay.clipaudio import ClipSound, clip_track, duck_gain
from vessay.media import AUDIO_RATE, ffmpeg_exe
from vessay.motion import Cancelled, Encoder, encode_frames
from vessay.overlay import LowerThird, yuv420_to_rgb
from vessay.picture import Picture
from vessay.script import Scene, VideoSpec
from vessay.scriptmedia import ClipSpec
from vessay.theme import load_theme

from conftest import TINY_VIDEO, read_number, write_numbered_clip, write_script

FRAME = (320, 180)
BACKGROUND = (7, 7, 15)


def frames_of(clip: ClipSpec, fit: str, indexes, frame=FRAME, fps: int = 10) -> list[np.ndarray]:
    """Scene frames `indexes` of a clip shot, as RGB arrays."""
    out = []
    with ClipShot(clip, fit, frame, fps, BACKGROUND).open() as fill:
        buf = np.empty(frame[0] * frame[1] * 3 // 2, np.uint8)
        for index in indexes:
            fill(index, buf)
            out.append(np.asarray(yuv420_to_rgb(buf, *frame)).astype(int))
    return out


def content(rgb: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The part of a frame that is not the letterbox colour, and its box."""
    away = np.abs(rgb - BACKGROUND).max(-1) > 30
    cols, rows = np.nonzero(away.any(0))[0], np.nonzero(away.any(1))[0]
    box = (cols.min(), rows.min(), cols.max() + 1, rows.max() + 1)
    return rgb[box[1]:box[3], box[0]:box[2]], box


@pytest.fixture(scope="module")
def numbered(tmp_path_factory):
    return write_numbered_clip(tmp_path_factory.mktemp("clips") / "numbered.mp4")


def test_frames_in_order_at_the_right_times_with_the_trim(numbered):
    """Scene frame k at 10 fps shows the 12 fps clip's frame nearest trim start + k/10 s; then it holds."""
    clip = ClipSpec(file=numbered, start=0.5, end=2.5)
    assert clip_frames(clip, 10) == 20
    shown = [read_number(content(f)[0]) for f in frames_of(clip, "contain", range(0, 26, 1))]
    expected = [round((0.5 + k / 10) * 12) for k in range(20)]
    assert all(abs(a - b) <= 1 for a, b in zip(shown[:20], expected)), shown
    assert shown[:20] == sorted(shown[:20])
    assert set(shown[20:]) == {shown[19]}  # past the trim: its last frame, held


def test_seeking_into_the_middle_matches_playing_through(numbered):
    """A piece that starts mid-scene shows the same frames as one that played up to there."""
    clip = ClipSpec(file=numbered, start=0.0, end=3.0)
    through = [read_number(content(f)[0]) for f in frames_of(clip, "contain", range(0, 20))]
    jumped = [read_number(content(f)[0]) for f in frames_of(clip, "contain", range(14, 20))]
    assert jumped == through[14:]


def test_loop_and_speed(numbered):
    """`speed: 2` plays twice as fast; `hold: loop` starts again after the last frame."""
    clip = ClipSpec(file=numbered, start=0.0, end=2.0, speed=2.0, hold="loop")
    assert clip_frames(clip, 10) == 10
    shown = [read_number(content(f)[0]) for f in frames_of(clip, "contain", [0, 3, 9, 10, 13])]
    assert abs(shown[1] - 7) <= 1 and shown[2] >= 21 and shown[3] == shown[0] and shown[4] == shown[1]


def test_letterbox_takes_the_theme_colour(numbered):
    """A 4:3 clip contained in 16:9 is centred between bars of the theme's background; cover fills it."""
    bright = ClipSpec(file=numbered, start=31 / 12, end=3.0)  # frame 31: white bars across the top
    contained = frames_of(bright, "contain", [0])[0]
    _, box = content(contained)
    assert box[1] == 0 and box[3] == 180 and abs((box[0] + box[2]) / 2 - 160) <= 2 and abs(box[2] - box[0] - 240) <= 4
    bars = np.concatenate([contained[:, :box[0] - 2].reshape(-1, 3), contained[:, box[2] + 2:].reshape(-1, 3)])
    assert np.abs(bars - BACKGROUND).max() <= 3
    covered = frames_of(bright, "cover", [0])[0]
    assert content(covered)[1] == (0, 0, 320, 180)
    assert placement(4 / 3, FRAME, "cover") == ((320, 240), (320, 180))


def decoded(video) -> np.ndarray:
    """Every frame of a video as a flat yuv420p row."""
    import subprocess

    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(video), "-f", "rawvideo", "-pix_fmt", "yuv420p",
                          "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, FRAME[0] * FRAME[1] * 3 // 2)


def video_header(video) -> str:
    """The video stream as ffmpeg describes it (codec, pixel format, colour tags, size, pixel aspect), less its
    bitrate."""
    import re
    import subprocess

    text = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(video)], capture_output=True).stderr.decode()
    return re.sub(r"\d+ kb/s, ", "", re.search(r"Video: .*", text).group(0))


def lower_third_picture(clip: ClipSpec, fit: str) -> Picture:
    theme = load_theme("neon-cyberdeck")
    scene = Scene(id="clip", layout="clip", line=1, title="Footage", caption="shot by us", clip=clip, fit=fit)
    return Picture(ClipShot(clip, fit, FRAME, 10, theme.colors["background"]), (LowerThird(scene, theme, FRAME),))


@pytest.mark.parametrize("fit, first", [("contain", 0), ("cover", 14)])
def test_one_ffmpeg_pass_shows_the_frames_python_fills(numbered, tmp_path, fit, first):
    """A clip piece that ffmpeg decodes, fits, lays the lower third over and encodes in one process shows the
    frames filling them in Python gives (trim, letterbox, held last frame), within a level, counts them all, and
    has the same stream header, so pieces join."""
    clip = ClipSpec(file=numbered, start=0.5, end=2.5)
    picture, frames, video = lower_third_picture(clip, fit), 26 - first, VideoSpec(*FRAME, 10)
    assert picture.shot.graph(first, frames, []) is not None  # this piece takes the one-process path
    lossless, counted = Encoder("ultrafast", 0), []
    picture.encode(first, frames, video, tmp_path / "one.mp4", lossless, lambda: counted.append(1))
    with picture.open() as fill:
        encode_frames(lambda k, buf: fill(first + k, buf), frames, video, tmp_path / "python.mp4", lossless)
    made, expected = decoded(tmp_path / "one.mp4").astype(int), decoded(tmp_path / "python.mp4")
    assert len(counted) == frames and made.shape == expected.shape == (frames, FRAME[0] * FRAME[1] * 3 // 2)
    assert np.abs(made - expected).max() <= 1
    assert video_header(tmp_path / "one.mp4") == video_header(tmp_path / "python.mp4")
    bare = ClipShot(clip, fit, FRAME, 10, BACKGROUND)
    with bare.open() as fill:
        buf = np.empty(expected.shape[1], np.uint8)
        fill(first, buf)
    assert np.abs(made[0] - buf).max() > 60  # the lower third is there


def test_a_piece_that_loops_the_clip_is_filled_in_python(numbered, tmp_path):
    """Looping past the clip's end has no one-process graph; the piece still loops."""
    clip = ClipSpec(file=numbered, start=0.0, end=1.0, hold="loop")
    picture = Picture(ClipShot(clip, "contain", FRAME, 10, BACKGROUND))
    assert picture.shot.graph(0, 14, []) is None and picture.shot.graph(0, 10, []) is not None
    picture.encode(0, 14, VideoSpec(*FRAME, 10), tmp_path / "loop.mp4", Encoder("ultrafast", 0))
    shown = [read_number(content(np.asarray(yuv420_to_rgb(f, *FRAME)).astype(int))[0])
             for f in decoded(tmp_path / "loop.mp4")]
    assert shown[10:] == shown[:4] and shown[:10] == sorted(shown[:10])


def test_stopping_a_one_process_piece_cancels_it(numbered, tmp_path):
    """A render being stopped ends an encode made by ffmpeg alone, as it ends one fed from Python."""
    import threading

    stop = threading.Event()
    stop.set()
    picture = lower_third_picture(ClipSpec(file=numbered, start=0.0, end=2.0), "cover")
    with pytest.raises(Cancelled):
        picture.encode(0, 20, VideoSpec(*FRAME, 10), tmp_path / "stopped.mp4", Encoder(), stop=stop)


@pytest.mark.parametrize("kind", ["rotated", "vfr", "ten-bit", "webm"])
def test_phone_and_camera_formats(tmp_path, kind):
    """Rotation metadata, variable frame rate, 10-bit and WebM all decode, upright and in order."""
    path = tmp_path / "clip.mp4"
    if kind == "rotated":
        plain = write_numbered_clip(tmp_path / "plain.mp4", size=(64, 32))
        import subprocess

        import imageio_ffmpeg

        subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-display_rotation", "90", "-i",
                        str(plain), "-c", "copy", str(path)], check=True)
    elif kind == "vfr":  # frames 12 on arrive half a second late
        write_numbered_clip(path, before=("-vf", "setpts='(N+gte(N\\,12)*6)/12/TB'"), after=("-fps_mode", "vfr"))
    elif kind == "ten-bit":
        path = write_numbered_clip(tmp_path / "clip.mkv", encode=("-c:v", "ffv1"), pix_fmt="yuv420p10le")
    else:
        path = write_numbered_clip(tmp_path / "clip.webm", frames=24,
                                   encode=("-c:v", "libvpx-vp9", "-deadline", "realtime", "-b:v", "0", "-crf", "20"))
    frames = frames_of(ClipSpec(file=path, start=0.0, end=2.0), "contain", range(0, 20, 2))
    picture, box = content(frames[-1])  # frame 22: some bars white, so the box spans the picture
    if kind == "rotated":  # turned a quarter anticlockwise: portrait, the red band now on the right
        assert box[3] - box[1] > box[2] - box[0]
        red = (picture[..., 0] > 150) & (picture[..., 1] < 100)
        quarter = picture.shape[1] // 4
        assert red[:, -quarter:].mean() > 0.9 and red[:, :quarter].mean() < 0.2
        return
    shown = [read_number(content(f)[0]) for f in frames]
    times = [k / 10 for k in range(0, 20, 2)]
    if kind == "vfr":
        expected = [round(t * 12) if t < 1.0 else (11 if t < 1.5 else round(t * 12) - 6) for t in times]
    else:
        expected = [min(round(t * 12), 23 if kind == "webm" else 35) for t in times]
    assert all(abs(a - b) <= 1 for a, b in zip(shown, expected)), (shown, expected)


def _level_db(track: np.ndarray, start: float, end: float) -> float:
    part = track[int(start * AUDIO_RATE):int(end * AUDIO_RATE)]
    return 20 * np.log10(np.sqrt(np.mean(part ** 2)) + 1e-9)


def test_clip_sound_ducks_under_narration_and_comes_back(tmp_path):
    """Ducked: about 20 dB down while the narration speaks, back to full level in a long pause; full: never."""
    path = write_numbered_clip(tmp_path / "tone.mov", frames=72, tone=2000, encode=("-c:v", "libx264"))
    voice = np.zeros(6 * AUDIO_RATE, np.float32)
    voice[1 * AUDIO_RATE:2 * AUDIO_RATE] = 0.2 * np.sin(np.arange(AUDIO_RATE) * 2 * np.pi * 220 / AUDIO_RATE)
    clip = ClipSpec(file=path, start=0.0, end=6.0, has_audio=True)
    ducked = clip_track([ClipSound(clip, at=0.0, length=6.0)], voice)
    assert ducked.shape == (len(voice), 2)
    speaking, pause = _level_db(ducked, 1.3, 1.9), _level_db(ducked, 3.5, 5.5)
    assert pause - speaking > 15 and pause > -30
    full = clip_track([ClipSound(ClipSpec(file=path, start=0.0, end=6.0, has_audio=True, audio="full"), 0.0, 6.0)],
                      voice)
    assert abs(_level_db(full, 1.3, 1.9) - _level_db(full, 3.5, 5.5)) < 1.5
    muted = ClipSpec(file=path, start=0.0, end=6.0, has_audio=True, audio="mute")
    assert clip_track([ClipSound(muted, 0.0, 6.0)], voice) is None
    gain = duck_gain(voice)
    assert gain[int(1.5 * AUDIO_RATE)] < 0.2 and gain[int(4.5 * AUDIO_RATE)] > 0.95


def _tone_db(samples: np.ndarray, rate: int, start: float, end: float, freq: float = 2000.0) -> float:
    part = samples[int(start * rate):int(end * rate)]
    n = np.arange(len(part))
    return 20 * np.log10(abs(np.dot(part, np.exp(-2j * np.pi * freq * n / rate))) / len(part) + 1e-9)


def test_rendered_clip_scene_plays_in_order_and_ducks(tmp_path):
    """In a real render: a clip scene without narration lasts its trim; a narrated one ducks the clip's
    tone under the words and brings it back after them."""
    import json
    import subprocess

    import imageio_ffmpeg

    from vessay.cli import main
    from vessay.media import decode_frame

    write_numbered_clip(tmp_path / "tone.mov", frames=48, tone=2000, encode=("-c:v", "libx264", "-qp", "0"))
    script = write_script(tmp_path, f"title: Clips\n{TINY_VIDEO}\nscenes:\n"
                                    "  - {id: silent, layout: clip, clip: tone.mov, trim: [1, 2.5], title: Footage, "
                                    "transition: {type: cut}}\n"
                                    "  - {id: talk, layout: clip, clip: tone.mov, narration: Hello there., "
                                    "transition: {type: cut}}\n", "clips.yaml")
    out = tmp_path / "clips.mp4"
    assert main(["render", str(script), "-o", str(out), "--quiet"]) == 0
    timeline = json.loads(out.with_name("clips.words.json").read_text())
    assert abs(timeline[0]["end"] - 1.5) < 0.01 and abs(timeline[1]["end"] - 5.5) < 0.11
    for at in (0.25, 0.75, 1.25):
        rgb = decode_frame(out, at, (320, 180)).astype(int)
        assert abs(read_number(content(rgb)[0]) - round((1 + at) * 12)) <= 1
    pcm = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(out), "-ac", "1", "-ar", "16000",
                          "-f", "f32le", "-"], capture_output=True).stdout
    samples = np.frombuffer(pcm, np.float32)
    words = timeline[1]["words"]
    under = _tone_db(samples, 16000, words[0]["start"] + 0.05, words[-1]["end"] - 0.05)
    after = _tone_db(samples, 16000, words[-1]["end"] + 0.8, timeline[1]["end"] - 0.2)
    alone = _tone_db(samples, 16000, 0.3, 1.2)
    assert after - under > 12 and abs(after - alone) < 3
