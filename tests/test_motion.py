"""Ken Burns motion: frames really move, in the requested direction, smoothly."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from vessay.media import decode_frame, probe
from vessay.motion import camera_path, canvas_size, frame_matrix, render_motion
from vessay.script import MotionSpec, VideoSpec

VIDEO = VideoSpec(320, 180, 10)


def marker_slide() -> Image.Image:
    """Dark canvas with one bright square in the middle, easy to track."""
    width, height = canvas_size(VIDEO)
    image = Image.new("RGB", (width, height), (10, 10, 20))
    ImageDraw.Draw(image).rectangle([width // 2 - 20, height // 2 - 20, width // 2 + 20, height // 2 + 20],
                                    fill=(250, 250, 250))
    return image


def centroid(frame: np.ndarray) -> tuple[float, float, float]:
    """Centre x, y and area of the bright pixels."""
    mask = frame.mean(axis=2) > 128
    ys, xs = np.nonzero(mask)
    return xs.mean(), ys.mean(), mask.sum()


@pytest.mark.parametrize("preset, check", [
    ("pan-right", lambda a, b: b[0] < a[0] - 3),   # camera right → content moves left
    ("pan-left", lambda a, b: b[0] > a[0] + 3),
    ("pan-down", lambda a, b: b[1] < a[1] - 2),
    ("zoom-in", lambda a, b: b[2] > a[2] * 1.1),
    ("zoom-out", lambda a, b: b[2] < a[2] / 1.1),
])
def test_motion_moves_in_requested_direction(tmp_path, preset, check):
    """First and last decoded frames show the marker moved the way the preset says."""
    out = tmp_path / "seg.mp4"
    render_motion(marker_slide(), MotionSpec(amount=0.15), preset, 20, VIDEO, out)
    info = probe(out)
    video = info.first("video")
    assert (video.codec, video.width, video.height) == ("h264", 320, 180)
    assert video.colour == "tv, bt709", video.colour  # matrix, primaries and transfer all tagged
    assert abs(info.duration - 2.0) < 0.01
    first = centroid(decode_frame(out, 0.0, (320, 180)))
    last = centroid(decode_frame(out, 1.9, (320, 180)))
    assert check(first, last), (first, last)


def test_still_preset_does_not_move(tmp_path):
    """`still` keeps the frame fixed."""
    out = tmp_path / "seg.mp4"
    render_motion(marker_slide(), MotionSpec(), "still", 10, VIDEO, out)
    a, b = decode_frame(out, 0.0, (320, 180)), decode_frame(out, 0.9, (320, 180))
    assert np.abs(a.astype(int) - b.astype(int)).mean() < 1.0


def test_camera_path_is_smooth_and_subpixel():
    """The marker's screen position has tiny, smooth steps: no whole-pixel rounding."""
    canvas, frame = (2112, 1188), (1920, 1080)
    path = camera_path("drift", 0.06, "ease-in-out", 300)
    point = np.array([1500.0, 400.0])
    positions = []
    for zoom, cx, cy in path:
        m = frame_matrix(zoom, cx, cy, canvas, frame)
        a, t = m[:, :2], m[:, 2]
        positions.append(np.linalg.solve(a, point - t))  # canvas point → screen position
    positions = np.array(positions)
    steps = np.diff(positions, axis=0)
    assert 0 < np.abs(steps).max() < 1.0           # moves, by less than a pixel a frame
    assert np.abs(np.diff(steps, axis=0)).max() < 0.01  # no jumps: acceleration stays tiny


def test_view_stays_inside_canvas():
    """At every extreme of every preset, the visible window stays on the slide."""
    canvas, frame = (2112, 1188), (1920, 1080)
    for preset in ("zoom-in", "zoom-out", "pan-left", "pan-right", "pan-up", "pan-down", "drift", "still"):
        for zoom, cx, cy in camera_path(preset, 0.3, "linear", 5):
            m = frame_matrix(zoom, cx, cy, canvas, frame)
            for x, y in [(0, 0), (frame[0] - 1, frame[1] - 1)]:
                u, v = m @ np.array([x, y, 1.0])
                assert -0.5 <= u <= canvas[0] - 0.5 and -0.5 <= v <= canvas[1] - 0.5, (preset, u, v)


# --------------------------------------------------------------------------- photos with a focus move

def _dot_photo(path, size=(400, 300), dot=(0.7, 0.35), exif_rotate=False):
    """A dim photo with one bright dot at `dot` (fractions of the photo as shown)."""
    from PIL import Image, ImageDraw

    w, h = size
    image = Image.new("RGB", size, (40, 60, 90))
    x, y, r = dot[0] * w, dot[1] * h, w / 100
    ImageDraw.Draw(image).ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255))
    if exif_rotate:  # stored sideways; EXIF orientation 6 says to turn it a quarter clockwise to show it
        exif = Image.Exif()
        exif[0x0112] = 6
        image.transpose(Image.Transpose.ROTATE_90).save(path, exif=exif, quality=95)
    else:
        image.save(path, quality=95)
    return path


def _dot_at(camera, index, frame=(320, 180)):
    import numpy as np

    buf = np.empty(frame[0] * frame[1] * 3 // 2, np.uint8)
    luma = camera.shoot(index, buf)[:frame[0] * frame[1]].reshape(frame[1], frame[0]).astype(float)
    weight = np.clip(luma - 90, 0, None)  # the dim background stays under 90
    ys, xs = np.mgrid[:frame[1], :frame[0]]
    return (xs * weight).sum() / weight.sum() + 0.5, (ys * weight).sum() / weight.sum() + 0.5


@pytest.mark.parametrize("exif_rotate", [False, True])
def test_focus_move_ends_centred_on_the_target(tmp_path, exif_rotate):
    """The camera starts on the whole photo and ends with the focus point in the frame's centre."""
    from vessay.photo import PhotoCamera
    from vessay.scriptmedia import FocusSpec

    path = _dot_photo(tmp_path / "p.jpg", exif_rotate=exif_rotate)
    camera = PhotoCamera(path, FocusSpec((0.5, 0.5, 1.0), (0.7, 0.35, 3.0)), "cover", (320, 180), 30,
                         "ease-in-out", (7, 7, 15))
    x, y = _dot_at(camera, 29)
    assert abs(x - 160) < 1.5 and abs(y - 90) < 1.5
    # At zoom 1 (cover) the photo's full width shows: the dot sits at 70% across.
    x0, _ = _dot_at(camera, 0)
    assert abs(x0 - 0.7 * 320) < 2


def test_focus_move_is_smooth(tmp_path):
    """The dot glides: its frame-to-frame steps change gently, with no jumps between pyramid levels."""
    import numpy as np

    from vessay.photo import PhotoCamera
    from vessay.scriptmedia import FocusSpec

    path = _dot_photo(tmp_path / "p.png", size=(1600, 1200))
    camera = PhotoCamera(path, FocusSpec((0.5, 0.5, 1.0), (0.7, 0.35, 4.0)), "contain", (320, 180), 40, "linear",
                         (7, 7, 15))
    track = np.array([_dot_at(camera, i) for i in range(40)])
    steps = np.diff(track, axis=0)
    assert np.abs(np.diff(steps, axis=0)).max() < 0.6


def test_big_photo_is_loaded_small(tmp_path):
    """A 24-megapixel JPEG is decoded at the size the closest view needs, not at full size."""
    import tracemalloc

    from PIL import Image

    from vessay.photo import PhotoCamera
    from vessay.scriptmedia import FocusSpec

    path = tmp_path / "big.jpg"
    Image.new("RGB", (6000, 4000), (90, 120, 60)).save(path, quality=60)
    tracemalloc.start()
    camera = PhotoCamera(path, FocusSpec((0.5, 0.5, 1.0), (0.5, 0.5, 2.0)), "cover", (320, 180), 10, "linear",
                         (0, 0, 0))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert max(camera.size) <= 2 * 320 * 2 and peak < 40 * 1024 ** 2


@pytest.mark.parametrize("preset", ["pan-right", "pan-up"])
def test_pan_frames_come_from_strips_and_match_full_resampling(monkeypatch, preset):
    """A pan draws its strips once and crops every frame from them; the frames match resampling each
    frame in full within a level or two, and the marker moves as smoothly."""
    from vessay import motion

    rng = np.random.default_rng(1)
    slide = marker_slide()
    noise = Image.fromarray(rng.integers(0, 60, (slide.height, slide.width, 3), dtype=np.uint8))
    slide = Image.blend(slide, noise, 0.3)  # texture everywhere, so every pixel's position matters
    frames, size = 40, (VIDEO.width, VIDEO.height)
    move = motion.Move(preset, 0.1, "ease-in-out", frames)
    full_calls = []
    real = motion._scale_shift
    monkeypatch.setattr(motion, "_scale_shift", lambda *a: full_calls.append(1) or real(*a))
    strips, whole = motion.SlideCamera(slide, size), motion.SlideCamera(slide, size)
    whole._pan_axis = lambda *a: None
    a, b = (np.empty(size[0] * size[1] * 3 // 2, np.uint8) for _ in range(2))
    centres = {"strips": [], "whole": []}
    for index in range(frames):
        full_calls.clear()
        strips.shoot(*move.at(index), a)
        strip_calls = len(full_calls)
        whole.shoot(*move.at(index), b)
        if index > 0:
            assert strip_calls <= 3  # drawing a strip of a new phase, at most: never the whole frame
        diff = np.abs(a.astype(int) - b.astype(int))
        assert diff.mean() < 0.5 and diff.max() <= 24
        for name, buf in (("strips", a), ("whole", b)):
            luma = buf[:size[0] * size[1]].reshape(size[1], size[0]).astype(float)
            weight = np.clip(luma - 45, 0, None)  # above the textured background: the marker and its edges
            ys, xs = np.mgrid[:size[1], :size[0]]
            centres[name].append(((xs * weight).sum() / weight.sum(), (ys * weight).sum() / weight.sum()))
    jolts = {}
    for name, path in centres.items():
        steps = np.diff(np.array(path), axis=0)
        assert np.abs(steps).max() > 0.2  # it moves
        jolts[name] = np.abs(np.diff(steps, axis=0)).max()
    assert jolts["strips"] <= jolts["whole"] + 0.01, jolts  # as smoothly as resampling each frame in full
