"""Stage 4: Ken Burns motion — a subpixel scale-and-shift of an oversize slide, piped to x264.

The slide is converted to YUV 4:2:0 once; every frame then resamples the Y, U and V
planes directly (bilinear), so no per-frame colour conversion is needed, and a
writer thread keeps the encoder fed while the next frame is made.
"""

from __future__ import annotations

import math
import queue
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import cv2
import ffmpeg
import numpy as np
from PIL import Image

from .media import ffmpeg_exe, raise_ffmpeg_failure
from .script import MotionSpec, VideoSpec

OVERSIZE = 1.1
"""Slides are rendered this much larger than the frame, so the camera has room to move."""
AUTO_SEQUENCE = ("zoom-in", "pan-right", "zoom-out", "pan-left", "drift", "pan-up")


@dataclass(frozen=True)
class Encoder:
    preset: str = "veryfast"
    crf: int = 20


def canvas_size(video: VideoSpec) -> tuple[int, int]:
    """Size to render slides at: OVERSIZE times the frame, rounded to even numbers."""
    return (2 * round(video.width * OVERSIZE / 2), 2 * round(video.height * OVERSIZE / 2))


def resolve_preset(spec: MotionSpec, scene_index: int) -> str:
    """`auto` cycles through presets so consecutive slides never move alike."""
    if spec.preset == "auto":
        return AUTO_SEQUENCE[scene_index % len(AUTO_SEQUENCE)]
    return spec.preset


def _ease(t: float, easing: str) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * t) if easing == "ease-in-out" else t


def camera_at(preset: str, amount: float, easing: str, frames: int, index: float) -> tuple[float, float, float]:
    """Camera (zoom, centre_x, centre_y) at frame `index` of a `frames`-long move.

    Zoom 1 shows the whole canvas; centres in [-1, 1] are fractions of the room the
    zoom leaves for panning. Indexes outside the move hold its end positions, which
    transitions use to show a scene just before it starts or just after it ends.
    """
    t = _ease(min(1.0, max(0.0, index / max(1, frames - 1))), easing)
    if preset == "zoom-in":
        return 1.0 + amount * t, 0.0, 0.0
    if preset == "zoom-out":
        return 1.0 + amount * (1 - t), 0.0, 0.0
    if preset in ("pan-left", "pan-right"):
        return 1.0 + amount, (2 * t - 1) * (1 if preset == "pan-right" else -1), 0.0
    if preset in ("pan-up", "pan-down"):
        return 1.0 + amount, 0.0, (2 * t - 1) * (1 if preset == "pan-down" else -1)
    if preset == "drift":
        return 1.0 + amount * (0.5 + 0.5 * t), 2 * t - 1, 0.6 * (2 * t - 1)
    return 1.0, 0.0, 0.0  # still


def camera_path(preset: str, amount: float, easing: str, frames: int) -> np.ndarray:
    """Camera positions for every frame of a move, as rows of (zoom, cx, cy)."""
    return np.array([camera_at(preset, amount, easing, frames, i) for i in range(frames)])


def frame_matrix(zoom: float, cx: float, cy: float, canvas: tuple[int, int],
                 frame: tuple[int, int]) -> np.ndarray:
    """Affine map from output pixel → canvas pixel for one camera position."""
    cw, ch = canvas
    fw, fh = frame
    scale = max(fw / cw, fh / ch) * zoom  # output pixels per canvas pixel
    view_w, view_h = fw / scale, fh / scale
    # 0.95 keeps bilinear taps off the canvas edge at the extremes of a pan.
    centre_x = cw / 2 + cx * 0.95 * (cw - view_w) / 2
    centre_y = ch / 2 + cy * 0.95 * (ch - view_h) / 2
    # Pixel centres: output (x + 0.5) maps to canvas (u + 0.5).
    offset_x = centre_x - (fw / 2) / scale - 0.5 + 0.5 / scale
    offset_y = centre_y - (fh / 2) / scale - 0.5 + 0.5 / scale
    return np.array([[1 / scale, 0, offset_x], [0, 1 / scale, offset_y]], dtype=np.float64)


def chroma_matrix(luma: np.ndarray) -> np.ndarray:
    """The same motion for half-resolution chroma planes (centre-sited samples)."""
    # luma = 2 * chroma + 0.5 on both sides of the map.
    out = luma.copy()
    out[:, 2] = (luma[:, :2] @ np.array([0.5, 0.5]) + luma[:, 2] - 0.5) / 2
    return out


_BT709 = np.array([[0.2126, 0.7152, 0.0722], [-0.1146, -0.3854, 0.5], [0.5, -0.4542, -0.0458]])
_LIMITED = np.array([219.0, 224.0, 224.0]) / 255.0
YUV_FROM_RGB = _BT709 * _LIMITED[:, None]
"""RGB (0-255) to our frames' Y, U, V, less their (16, 128, 128) offsets."""


def rgb_to_yuv420(image: Image.Image) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BT.709 limited-range Y, U, V planes (chroma averaged over 2x2 blocks)."""
    rgb = np.asarray(image.convert("RGB"))
    h, w = rgb.shape[:2]
    matrix = np.hstack([YUV_FROM_RGB, [[16.0], [128.0], [128.0]]])
    y = cv2.transform(rgb, matrix[:1]).reshape(h, w)  # uint8 in and out: rounded and clipped by OpenCV
    u, v = np.empty((h // 2, w // 2), np.uint8), np.empty((h // 2, w // 2), np.uint8)
    for top in range(0, h, _BAND):  # in bands: a float copy of the whole slide would cost ~30 MB
        uv = cv2.transform(rgb[top:top + _BAND].astype(np.float32), matrix[1:])
        uv = cv2.resize(uv, (w // 2, uv.shape[0] // 2), interpolation=cv2.INTER_AREA)  # exact 2x2 means
        rows = slice(top // 2, top // 2 + uv.shape[0])
        u[rows], v[rows] = (np.clip(np.rint(uv[..., c]), 0, 255) for c in (0, 1))
    return y, u, v


_BAND = 64
"""Rows converted at a time (even, so chroma rows never straddle two bands)."""


def build_encode_args(out: Path, video: VideoSpec, encoder: Encoder) -> list[str]:
    """argv for an x264 encode of raw yuv420p frames arriving on stdin."""
    # The frames are BT.709 limited range (see rgb_to_yuv420); tagging the input lets x264 write that
    # into the stream, so players don't guess. (Output-side tags only reach the matrix.)
    stream = ffmpeg.input("pipe:", format="rawvideo", pix_fmt="yuv420p", s=f"{video.width}x{video.height}",
                          framerate=video.fps, **_BT709_TAGS)
    stream = ffmpeg.output(stream, str(out), **_x264(encoder))
    return ffmpeg.compile(stream, cmd=ffmpeg_exe(), overwrite_output=True)


_BT709_TAGS = {"colorspace": "bt709", "color_primaries": "bt709", "color_trc": "bt709", "color_range": "tv"}


_AS_PIPED = "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv,setsar=0"
"""Frames a filtergraph makes, tagged as piped frames are (and with no pixel aspect, as they have none), so
every piece's stream headers match for the final join."""


def _x264(encoder: Encoder) -> dict:
    return {"vcodec": "libx264", "preset": encoder.preset, "crf": encoder.crf, "pix_fmt": "yuv420p", "an": None,
            "f": "mp4"}


@dataclass(frozen=True)
class Move:
    """A slide's camera move over a scene of `frames` frames."""

    preset: str
    amount: float
    easing: str
    frames: int

    def at(self, index: float) -> tuple[float, float, float]:
        return camera_at(self.preset, self.amount, self.easing, self.frames, index)


class SlideCamera:
    """One slide held as YUV planes, resampled to any camera position into a frame buffer.

    A Ken Burns camera only scales and shifts, never rotates, so each plane goes through
    OpenCV's separable resize (fast, fixed-point) at the exact scale; the subpixel shift that
    an integer crop cannot reach is picked to be tiny (see `_phase`) and applied by a 2-tap
    blend along each axis. An unchanged camera position repeats the last frame.

    During a pan (the zoom and one axis held) the planes are drawn once as strips along the
    moving axis, each at one of PAN_PHASES subpixel phases; a frame is then a crop of the
    nearest phase's strip and a blend of at most 1/16 pixel, about a fifth of the work.
    """

    def __init__(self, slide: Image.Image | tuple[np.ndarray, np.ndarray, np.ndarray], frame: tuple[int, int]):
        """`slide`: a picture, or its planes as `rgb_to_yuv420` makes them."""
        planes = rgb_to_yuv420(slide) if isinstance(slide, Image.Image) else slide
        self.planes = [cv2.copyMakeBorder(plane, _LEAD, _TRAIL, _LEAD, _TRAIL, cv2.BORDER_REPLICATE)
                       for plane in planes]
        self.canvas = (planes[0].shape[1], planes[0].shape[0])
        self.frame = frame
        self._position: tuple[float, float, float] | None = None
        self._held: np.ndarray | None = None  # the frame at `_position`, kept once it repeats
        self._strips: dict[int, tuple[tuple, dict[int, np.ndarray]]] = {}  # plane → (pan, strip per phase)

    def shoot(self, zoom: float, cx: float, cy: float, dst: np.ndarray) -> np.ndarray:
        """Resample all three planes into `dst`, a flat yuv420p frame buffer."""
        repeated = self._position == (zoom, cx, cy)
        if repeated and self._held is not None:
            np.copyto(dst, self._held)
            return dst
        fw, fh = self.frame
        luma = frame_matrix(zoom, cx, cy, self.canvas, self.frame)
        chroma = chroma_matrix(luma)
        along = self._pan_axis(zoom, cx, cy)
        for k, (view, matrix) in enumerate(zip(split_planes(dst, fw, fh), (luma, chroma, chroma))):
            offsets = (matrix[0, 2] + _LEAD, matrix[1, 2] + _LEAD)
            if along is None or not self._from_strip(k, matrix[0, 0], offsets, along, view):
                _scale_shift(self.planes[k], matrix[0, 0], *offsets, view)
        self._held = dst.copy() if repeated else None
        self._position = (zoom, cx, cy)
        return dst

    def _pan_axis(self, zoom: float, cx: float, cy: float) -> int | None:
        """0 or 1 when only the x or only the y centre moved since the last frame (a pan), else None."""
        last = self._position
        if last is None or last[0] != zoom or (last[1] != cx) == (last[2] != cy):
            return None
        return 0 if last[1] != cx else 1

    def _from_strip(self, k: int, step: float, offsets: tuple[float, float], along: int, view: np.ndarray) -> bool:
        """Plane `k` of a pan frame from the nearest phase's strip; False when the strip doesn't cover it."""
        pan = (step, along, offsets[1 - along])
        if self._strips.get(k, (None,))[0] != pan:
            self._strips[k] = (pan, {})  # a new pan: the old strips are of no use
        strips = self._strips[k][1]
        first = (offsets[along] - _STRIP_ORIGIN) / step  # the frame's first column (or row) on the strips
        phase = round((first % 1) * PAN_PHASES) % PAN_PHASES
        if phase not in strips:
            strips[phase] = self._draw_strip(k, step, offsets, along, view.shape, phase)
        strip = strips[phase]
        start, fraction = _split(first - phase / PAN_PHASES)
        if start < 0 or start + view.shape[1 - along] + 1 > strip.shape[1 - along]:
            return False
        crop, shift = ((start, 0), (fraction, 0.0)) if along == 0 else ((0, start), (0.0, fraction))
        _crop_blend(strip, *crop, *shift, view)
        return True

    def _draw_strip(self, k: int, step: float, offsets: tuple[float, float], along: int, shape: tuple[int, int],
                    phase: int) -> np.ndarray:
        """Plane `k` at the pan's zoom, from _STRIP_ORIGIN on along the moving axis, shifted by `phase`."""
        plane = self.planes[k]
        # As long as the resize in _scale_shift can read without running off the padded plane.
        length = int((plane.shape[1 - along] - _STRIP_ORIGIN - 4 * step - 4) / step)
        start = _STRIP_ORIGIN + phase / PAN_PHASES * step
        if along == 0:
            strip = np.empty((shape[0], length), np.uint8)
            _scale_shift(plane, step, start, offsets[1], strip)
        else:
            strip = np.empty((length, shape[1]), np.uint8)
            _scale_shift(plane, step, offsets[0], start, strip)
        return strip


PAN_PHASES = 8
"""Subpixel phases a pan's strips are drawn at: a frame's leftover shift is at most 1/16 pixel."""


_PHASES = 32
"""Output offsets tried per axis when matching the wanted subpixel position with an integer crop."""
_LEAD, _TRAIL = 2 * _PHASES + 8, 16
"""Edge pixels replicated around each plane: the crop search reaches up to 2 * _PHASES pixels back, and a pan's
strips run a little past the far edge of the view."""
_STRIP_ORIGIN = _LEAD - 1
"""Where a pan's strips start on the padded plane: a view never starts before the canvas."""


def _phase(offset: float, step: float) -> tuple[int, int, float]:
    """(source start, output crop, leftover fraction) for one axis.

    Resizing from integer source column `start` at `step` source pixels per output pixel puts
    output column `k` at source `start + (k + 0.5) * step - 0.5`. Trying a few crops `k` finds one
    whose position lands within a few hundredths of a pixel of `offset`; what is left over is
    the fraction of an output pixel to shift by.
    """
    crops = np.arange(1, _PHASES + 1)
    starts = np.round(offset + 0.5 - (crops + 0.5) * step)
    left = (offset - (starts + (crops + 0.5) * step - 0.5)) / step
    best = int(np.argmin(np.abs(left - np.round(left))))
    whole, fraction = _split(float(left[best]))
    return int(starts[best]), int(crops[best]) + whole, fraction


def _scale_shift(plane: np.ndarray, step: float, offset_x: float, offset_y: float, dst: np.ndarray) -> None:
    """dst[y, x] = plane sampled bilinearly at (offset_x + x * step, offset_y + y * step)."""
    height, width = dst.shape
    x0, kx, fx = _phase(offset_x, step)
    y0, ky, fy = _phase(offset_y, step)
    source = plane[y0: y0 + math.ceil((height + ky + 3) * step) + 2, x0: x0 + math.ceil((width + kx + 3) * step) + 2]
    big = cv2.resize(source, None, fx=1 / step, fy=1 / step, interpolation=cv2.INTER_LINEAR)
    _crop_blend(big, kx, ky, fx, fy, dst)


def _split(position: float) -> tuple[int, float]:
    """(whole pixels, fraction) of a position; a negligible fraction is dropped."""
    whole = math.floor(position)
    fraction = position - whole
    if fraction < _NEGLIGIBLE:
        return whole, 0.0
    if fraction > 1 - _NEGLIGIBLE:
        return whole + 1, 0.0
    return whole, fraction


def _crop_blend(big: np.ndarray, kx: int, ky: int, fx: float, fy: float, dst: np.ndarray) -> None:
    """dst = `big` from column `kx` and row `ky` on, shifted on by the fractions `fx` and `fy` of a pixel."""
    height, width = dst.shape
    rows = big[ky: ky + height + (1 if fy else 0)]
    if fx and not fy:
        cv2.addWeighted(rows[:, kx: kx + width], 1 - fx, rows[:, kx + 1: kx + width + 1], fx, 0.0, dst=dst)
        return
    if fx:
        rows = cv2.addWeighted(rows[:, kx: kx + width], 1 - fx, rows[:, kx + 1: kx + width + 1], fx, 0.0)
    else:
        rows = rows[:, kx: kx + width]
    if fy:
        cv2.addWeighted(rows[:-1], 1 - fy, rows[1:], fy, 0.0, dst=dst)
    else:
        np.copyto(dst, rows)


_NEGLIGIBLE = 1 / 512
"""A shift this small changes no 8-bit pixel by more than half a level."""


def split_planes(buf: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Y, U and V views into one flat yuv420p buffer."""
    luma, quarter = width * height, width * height // 4
    return (buf[:luma].reshape(height, width),
            buf[luma:luma + quarter].reshape(height // 2, width // 2),
            buf[luma + quarter:].reshape(height // 2, width // 2))


BLACK_YUV = (16, 128, 128)


class Cancelled(Exception):
    """Raised inside an encode when the render has been asked to stop."""


def encode_frames(fill: Callable[[int, np.ndarray], None], frames: int, video: VideoSpec, out: Path,
                  encoder: Encoder = Encoder(), on_frame: Callable[[], None] | None = None,
                  stop: threading.Event | None = None) -> None:
    """Encode `frames` frames into `out`; `fill(i, buf)` writes frame i as yuv420p into `buf`.

    A writer thread feeds x264 while the next frame is being filled, so the encoder never waits.
    Setting `stop` ends the encode within a frame and kills x264.
    """
    # Frames are made while x264 keeps every core busy: OpenCV's own worker threads would only add their
    # hand-offs (a slide camera costs ~45% more CPU with them), so each frame is made on one thread.
    cv2.setNumThreads(1)
    fw, fh = video.width, video.height
    args = build_encode_args(out, video, encoder)
    proc = subprocess.Popen([args[0], "-hide_banner", "-nostdin", "-loglevel", "error", *args[1:]],
                            stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    widen_pipe(proc.stdin.fileno(), fw * fh * 3 // 2)
    stderr_chunks: list[bytes] = []
    drain = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()), daemon=True)
    drain.start()
    # Buffers in rotation: one being written to ffmpeg, one queued, one being filled.
    buffers = [np.empty(fw * fh * 3 // 2, dtype=np.uint8) for _ in range(4)]
    ready: queue.Queue = queue.Queue(maxsize=len(buffers) - 2)
    failure: list[BaseException] = []

    def writer() -> None:
        # After a failed write (x264 gone, e.g. a terminal's Ctrl-C reached it too) keep taking frames
        # without writing them: a writer that stopped taking them would leave the filling loop blocked
        # on a full queue for ever.
        while (item := ready.get()) is not None:
            if failure:
                continue
            try:
                proc.stdin.write(item.data)
            except (BrokenPipeError, OSError) as err:
                failure.append(err)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        for i in range(frames):
            if failure:
                break
            if stop is not None and stop.is_set():
                raise Cancelled()
            buf = buffers[i % len(buffers)]
            fill(i, buf)
            ready.put(buf)
            if on_frame:
                on_frame()
    except BaseException:
        proc.kill()  # interrupted: don't let x264 finish a file nobody will use
        _discard(ready)  # queued frames would only block the writer's exit
        raise
    finally:
        ready.put(None)
        thread.join()
        try:
            proc.stdin.close()
        except OSError:
            pass
        code = proc.wait()
        drain.join()
    if code != 0 or failure:
        raise_ffmpeg_failure(b"".join(stderr_chunks), ["x264 encode", str(out)])


def encode_graph(inputs: list[str], graph: str, frames: int, out: Path, encoder: Encoder = Encoder(),
                 on_frame: Callable[[], None] | None = None, stop: threading.Event | None = None) -> None:
    """Encode `frames` frames that ffmpeg makes itself from `inputs` (input options and files) through the
    filtergraph `graph`, whose last output is left unlabelled: BT.709 limited-range yuv420p frames, as
    `encode_frames` takes. Progress comes from ffmpeg's own frame count; setting `stop` kills it."""
    output: list[str] = []
    for key, value in _x264(encoder).items():
        output += [f"-{key}"] if value is None else [f"-{key}", str(value)]
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-progress", "pipe:1",
            "-stats_period", "0.2", *inputs, "-filter_complex", f"{graph},{_AS_PIPED}", "-frames:v",
            str(frames), *output, "-y", str(out)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stderr_chunks: list[bytes] = []
    drain = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()), daemon=True)
    drain.start()
    done = 0
    try:
        for line in proc.stdout:
            if stop is not None and stop.is_set():
                raise Cancelled()
            if line.startswith(b"frame=") and on_frame:
                for _ in range(done, int(line[6:])):
                    on_frame()
                done = max(done, int(line[6:]))
    except BaseException:
        proc.kill()
        raise
    finally:
        code = proc.wait()
        drain.join()
    if code != 0:
        raise_ffmpeg_failure(b"".join(stderr_chunks), ["x264 encode", str(out)])
    for _ in range(done, frames if on_frame else 0):
        on_frame()


PIPE_BYTES = 1 << 20
"""Frames go to x264 (and come from a clip's decoder) through a pipe this big where the system allows it
(Linux's default limit for anyone): a 64 KiB pipe would wake both ends some fifty times per 1080p frame."""


def widen_pipe(fd: int, frame_bytes: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, min(frame_bytes, PIPE_BYTES))
    except (ImportError, AttributeError, OSError):  # not Linux, or a lower limit: the default pipe just costs more
        pass


def _discard(pending: queue.Queue) -> None:
    while True:
        try:
            pending.get_nowait()
        except queue.Empty:
            return


def render_motion(slide: Image.Image, spec: MotionSpec, preset: str, frames: int, video: VideoSpec,
                  out: Path, encoder: Encoder = Encoder(),
                  on_frame: Callable[[], None] | None = None) -> None:
    """Encode a whole scene: `frames` frames of `slide` moving along `preset`, video only."""
    move = Move(preset, spec.amount, spec.easing, frames)
    camera = SlideCamera(slide, (video.width, video.height))
    encode_frames(lambda i, buf: camera.shoot(*move.at(i), buf), frames, video, out, encoder, on_frame)
