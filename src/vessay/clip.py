"""`layout: clip`: a local video file as a scene's picture, decoded by ffmpeg straight into frames.

ffmpeg decodes the trimmed part of the file (rotation applied, any size, frame rate,
bit depth or variable frame rate), retimes it by `speed`, resamples it to the essay's
frame rate and scales it — keeping its shape — to fill the frame (`cover`, cropped) or
fit inside it (`contain`, on the theme's background). Frames arrive as raw BT.709 yuv420p
through a pipe, one at a time, so memory stays flat however long the clip is.
"""

from __future__ import annotations

import math
import re
import subprocess
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from .cache import media_digest
from .media import ffmpeg_exe, last_error_line
from .motion import split_planes, widen_pipe
from .overlay import yuv_of
from .picture import Still
from .scriptmedia import ClipSpec


@dataclass(frozen=True)
class Shape:
    """How a clip looks when played: its display aspect (rotation and pixel shape applied) and frame rate."""

    aspect: float
    fps: float
    untagged_hd: bool = False
    """No colour matrix tag on an HD picture: BT.709, as players assume (ffmpeg would take BT.601)."""


_VIDEO = re.compile(r"Stream #\d+:\d+.*?: Video: .*?, (\d+)x(\d+)(?: \[SAR (\d+):(\d+) DAR (\d+):(\d+)\])?")
_ROTATION = re.compile(r"rotation of (-?[\d.]+) degrees")
_FPS = re.compile(r"Video: .*?, ([\d.]+) (?:fps|tbr)")


def clip_shape(path: Path) -> Shape:
    """Read the display shape from `ffmpeg -i` (there is no ffprobe): size, SAR/DAR and rotation."""
    text = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
                          capture_output=True).stderr.decode("utf-8", "replace")
    video = _VIDEO.search(text)
    if video is None:
        raise RuntimeError(f"no video stream in {path}")
    width, height = int(video.group(1)), int(video.group(2))
    aspect = int(video.group(5)) / int(video.group(6)) if video.group(5) else width / height
    rotation = _ROTATION.search(text)
    if rotation and round(abs(float(rotation.group(1)))) % 180 == 90:
        aspect = 1 / aspect
    fps = _FPS.search(text)
    tags = re.search(r"Video: [^,]+(?:\([^)]*\))?[^,]*, \w+\(([^)]*)\)", text)
    tagged = bool(tags and re.search(r"bt\d|smpte|fcc", tags.group(1)))
    return Shape(aspect, float(fps.group(1)) if fps else 30.0, not tagged and max(width, height) >= 1280)


def placement(aspect: float, frame: tuple[int, int], fit: str) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """(size to scale the clip to, and for `cover` the frame-sized crop of it; None for `contain`)."""
    fw, fh = frame
    wider = aspect > fw / fh
    if fit == "cover":
        size = (2 * math.ceil(fh * aspect / 2), fh) if wider else (fw, 2 * math.ceil(fw / aspect / 2))
        return size, (fw, fh)
    size = (fw, max(2, 2 * round(fw / aspect / 2))) if wider else (max(2, 2 * round(fh * aspect / 2)), fh)
    return size, None


def decode_input(clip: ClipSpec, fps: int, first: int = 0) -> list[str]:
    """ffmpeg input options and file for the trimmed clip from its frame `first` on."""
    start = clip.start + first * clip.speed / fps
    return ["-ss", f"{start:.6f}", "-t", f"{max(0.0, clip.end - start):.6f}", "-i", str(clip.file)]


def decode_filters(clip: ClipSpec, fit: str, frame: tuple[int, int], fps: int, shape: Shape) -> list[str]:
    """The filter chain turning the clip's frames into yuv420p at `fps`, scaled (and for `cover` cropped)."""
    (sw, sh), crop = placement(shape.aspect, frame, fit)
    # Colours are converted to BT.709 limited range, as the slides are (a no-op for most HD footage,
    # which is BT.709 already); bit depth drops to 8 here.
    source = ":in_color_matrix=bt709" if shape.untagged_hd else ""
    scale = f"scale={sw}:{sh}:flags=bicubic{source}:out_color_matrix=bt709:out_range=tv"
    # Timestamps count from the seek point (-ss on the input), so a decode that starts mid-clip picks
    # the same frames as one that played through to there.
    timing = [f"setpts=PTS/{clip.speed:g}", f"fps={fps}"]
    # Resample the frame rate before scaling when that drops frames, after it when it repeats them.
    chain = [*timing, scale] if shape.fps / clip.speed >= fps else [scale, *timing]
    if crop is not None:
        chain.append(f"crop={crop[0]}:{crop[1]}")
    return [*chain, "setsar=1", "format=yuv420p"]


def build_decode_args(clip: ClipSpec, fit: str, frame: tuple[int, int], fps: int, shape: Shape,
                      first: int = 0) -> list[str]:
    """argv (without the binary) decoding the clip from its frame `first` on, as raw yuv420p at `fps`."""
    return ["-v", "error", *decode_input(clip, fps, first), "-an", "-sn",
            "-vf", ",".join(decode_filters(clip, fit, frame, fps, shape)), "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]


def fitted_box(aspect: float, frame: tuple[int, int], fit: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """The size of the clip's picture in the frame, and its top-left corner (even, so chroma lines up)."""
    (sw, sh), crop = placement(aspect, frame, fit)
    cw, ch = crop or (sw, sh)
    return (cw, ch), ((frame[0] - cw) // 4 * 2, (frame[1] - ch) // 4 * 2)


def clip_frames(clip: ClipSpec, fps: int) -> int:
    """How many frames the trimmed clip plays for at the essay's frame rate."""
    return max(1, round(clip.length * fps))


class ClipReader:
    """Frames of a clip, decoded in order; asking for an earlier or far later frame restarts the decoder there."""

    def __init__(self, clip: ClipSpec, fit: str, frame: tuple[int, int], fps: int):
        self.clip, self.fit, self.frame, self.fps = clip, fit, frame, fps
        self.shape = clip_shape(clip.file)
        (width, height), _ = fitted_box(self.shape.aspect, frame, fit)
        self.buffer = np.zeros(width * height * 3 // 2, np.uint8)
        self.proc: subprocess.Popen | None = None
        self.errors: list[bytes] = []
        self.next = 0  # the frame the decoder gives next
        self.decoded = -1  # the frame in `buffer`
        self.end: int | None = None  # how many frames the clip turned out to have, once the decoder ran out

    def frame_at(self, index: int) -> np.ndarray:
        """Frame `index` of the trimmed clip (the last one it has, past its end)."""
        if self.end is not None and index >= self.end and self.decoded == self.end - 1:
            return self.buffer
        if self.proc is None or index < self.next - 1 or index > self.next + 2 * self.fps:
            self._start(min(index, self.end - 1) if self.end else index)
        while self.next <= index and self.proc is not None:
            if not self._read():
                self._finish()
                break
            self.decoded = self.next
            self.next += 1
        return self.buffer

    def _read(self) -> bool:
        """The decoder's next frame, straight from the pipe into `buffer`; False once it has no more."""
        view, got = memoryview(self.buffer), 0
        while got < len(view):
            read = self.proc.stdout.readinto(view[got:])
            if not read:
                return False
            got += read
        return True

    def _start(self, index: int) -> None:
        self.close()
        args = build_decode_args(self.clip, self.fit, self.frame, self.fps, self.shape, index)
        # Unbuffered: a buffered reader would copy every frame once more on its way into `buffer`.
        self.proc = subprocess.Popen([ffmpeg_exe(), "-hide_banner", "-nostdin", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, bufsize=0)
        widen_pipe(self.proc.stdout.fileno(), self.buffer.size)
        proc = self.proc
        threading.Thread(target=lambda: self.errors.append(proc.stderr.read()), daemon=True).start()
        self.next = index

    def _finish(self) -> None:
        """The decoder ran out: keep the last frame (a clip may hold fewer frames than its length promised)."""
        code = self.proc.wait()
        self.proc = None
        self.end = self.next
        if code != 0:
            raise RuntimeError(f"decoding clip {self.clip.file} failed: {last_error_line(b''.join(self.errors))}")
        if self.decoded < 0:
            raise RuntimeError(f"clip {self.clip.file} gave no frames from {self.next}")

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@dataclass(frozen=True)
class ClipShot:
    """A clip scene's picture: frame i of the scene is frame i of the clip, held or looped past its end."""

    clip: ClipSpec
    fit: str
    frame: tuple[int, int]
    fps: int
    background: tuple[int, int, int]

    def identity(self) -> dict:
        return {"clip": [media_digest(self.clip.file), *asdict(self.clip).values()], "fit": self.fit,
                "frame": self.frame, "fps": self.fps, "background": self.background}

    def prepare(self) -> None:
        return None

    def clip_index(self, index: float) -> int:
        frames = clip_frames(self.clip, self.fps)
        index = max(0, round(index))
        if index < frames:
            return index
        return index % frames if self.clip.hold == "loop" else frames - 1

    def graph(self, first: int, frames: int, stills: list[Still]) -> tuple[list[str], str] | None:
        """ffmpeg inputs and a filtergraph making scene frames `first` to `first + frames` with `stills` laid over,
        for motion.encode_graph: the clip is decoded, fitted, composited and encoded in one process, and no frame
        crosses a pipe. None when the frames loop the clip or start past its end (`open` makes those)."""
        length = clip_frames(self.clip, self.fps)
        if first >= length or (self.clip.hold == "loop" and first + frames > length):
            return None
        shape = clip_shape(self.clip.file)
        fw, fh = self.frame
        # The clip's frames end where `clip_index` says, even if the decoder has one more.
        chain = [*decode_filters(self.clip, self.fit, self.frame, self.fps, shape), f"trim=end_frame={length - first}"]
        (cw, ch), (left, top) = fitted_box(shape.aspect, self.frame, self.fit)
        if (cw, ch) != (fw, fh):
            chain.append(f"pad={fw}:{fh}:{left}:{top}:color=0x{bytes(self.background).hex()}")
        chain.append("tpad=stop=-1:stop_mode=clone")  # then its last frame holds
        inputs, steps = decode_input(self.clip, self.fps, first), [f"[0:v]{','.join(chain)}"]
        for n, still in enumerate(stills, 1):
            width, height = still.size
            # Tagged like the frames, or ffmpeg would convert the still's range before laying it over them.
            inputs += ["-f", "rawvideo", "-pix_fmt", "yuva420p", "-s", f"{width}x{height}", "-colorspace", "bt709",
                       "-color_range", "tv", "-i", str(still.path)]
            steps[-1] += f"[under{n}]"
            steps.append(f"[under{n}][{n}:v]overlay={still.x}:{still.y}:format=yuv420")
        return inputs, ";".join(steps)

    @contextmanager
    def open(self) -> Iterator[Callable[[float, np.ndarray], None]]:
        reader = ClipReader(self.clip, self.fit, self.frame, self.fps)
        fw, fh = self.frame
        (cw, ch), (left, top) = fitted_box(reader.shape.aspect, self.frame, self.fit)
        fills = yuv_of(self.background)

        def fill(at: float, dst: np.ndarray) -> None:
            source = reader.frame_at(self.clip_index(at))
            if (cw, ch) == (fw, fh):
                np.copyto(dst, source)
                return
            for plane, view, value, k in zip(split_planes(source, cw, ch), split_planes(dst, fw, fh), fills,
                                             (1, 2, 2)):
                view.fill(value)
                view[top // k:(top + ch) // k, left // k:(left + cw) // k] = plane

        try:
            yield fill
        finally:
            reader.close()
