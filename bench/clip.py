"""Clip benchmark: what a `layout: clip` scene costs against x264 alone on the same output frames.

For each source clip (made here with ffmpeg, never downloaded), vessay renders a clip scene —
ffmpeg decoding, retiming and scaling the clip into raw frames, a lower third laid over them,
x264 encoding — and then x264 alone encodes vessay's exact frames from a raw file: the floor
no clip scene can beat. "x floor" compares the two in wall time (the target, as in
bench/kenburns.py) and in CPU time (vessay, its decoder and x264 against x264 alone: what
decoding the clip adds, and the steadier figure on a busy machine). The
vessay process's memory is sampled while the scene encodes: it must not grow with the clip.

Sources: a 1080p30 H.264 clip (the essay's own size and rate: decode and copy), and a phone
clip — 1080x1920 portrait at 60 fps, 10-bit HEVC, with rotation metadata — letterboxed into
1080p30 on the theme's background.

Usage: python bench/clip.py [--seconds 20] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from vessay.footage import footage
from vessay.media import ffmpeg_exe, probe
from vessay.motion import Encoder, build_encode_args, encode_frames
from vessay.script import Scene, VideoSpec
from vessay.scriptmedia import ClipSpec
from vessay.theme import load_theme

VIDEO = VideoSpec(1920, 1080, 30)
ENCODER = Encoder(preset="veryfast", crf=20)
MAX_X_FLOOR = 1.3


@dataclass
class Source:
    name: str
    make: list[str]
    """ffmpeg output options that turn the test pattern into this source."""
    size: str
    rate: int


SOURCES = [
    Source("1080p30 H.264", ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"],
           "1920x1080", 30),
    Source("phone: 1080x1920 60 fps 10-bit HEVC, rotated",
           ["-c:v", "libx265", "-preset", "ultrafast", "-crf", "26", "-pix_fmt", "yuv420p10le", "-tag:v", "hvc1",
            "-x265-params", "log-level=error"], "1920x1080", 60),
]


def make_source(source: Source, seconds: float, path: Path) -> None:
    """Untimed: a moving test pattern with a tone, encoded as the source describes."""
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size={source.size}:rate={source.rate}:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", *source.make, "-c:a", "aac", str(path)]
    subprocess.run(args, check=True)
    if "rotated" in source.name:  # stored landscape, shown portrait, as phones write it
        turned = path.with_name("turned" + path.suffix)
        subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-display_rotation", "90",
                        "-i", str(path), "-c", "copy", str(turned)], check=True)
        turned.replace(path)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (decoders, encoders)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_clip_scene(path: Path, seconds: float, out: Path) -> tuple[float, float, float, float]:
    """The clip scene, timed: (wall seconds, CPU seconds, RSS in MB a tenth of the way in, and at the end)."""
    clip = ClipSpec(file=path, start=0.0, end=seconds, has_audio=True)
    scene = Scene(id="clip", layout="clip", line=1, title="A clip scene", caption="with its lower third",
                  clip=clip, fit="contain")
    frames = round(seconds * VIDEO.fps)
    picture = footage(scene, load_theme("neon-cyberdeck"), VIDEO, frames)
    samples: dict[int, float] = {}
    start, cpu = time.perf_counter(), cpu_seconds()
    with picture.open() as fill:
        def frame(k, buf):
            fill(k, buf)
            if k in (frames // 10, frames - 1):
                samples[k] = rss_mb()
        encode_frames(frame, frames, VIDEO, out, ENCODER)
    return time.perf_counter() - start, cpu_seconds() - cpu, samples[frames // 10], samples[frames - 1]


def decode_raw(video: Path, raw: Path) -> None:
    """Untimed: the clip scene's frames as raw yuv420p, the input for the encoder floor."""
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", str(video),
                    "-f", "rawvideo", "-pix_fmt", "yuv420p", str(raw)], check=True)
    os.sync()  # flush the GBs now, so writeback doesn't compete with the timed encode


def run_floor(raw: Path, out: Path) -> tuple[float, float]:
    """x264 alone, with vessay's exact encode argv, fed the finished frames from a file: (wall, CPU) seconds."""
    args = build_encode_args(out, VIDEO, ENCODER)
    with raw.open("rb") as stdin:
        start, cpu = time.perf_counter(), cpu_seconds()
        subprocess.run([args[0], "-hide_banner", "-nostdin", "-loglevel", "error", *args[1:]], stdin=stdin,
                       check=True)
        return time.perf_counter() - start, cpu_seconds() - cpu


def run(args: argparse.Namespace, workdir: Path) -> bool:
    subprocess.run([ffmpeg_exe(), "-version"], capture_output=True, check=True)  # into the page cache
    rows, passed = [], True
    for number, source in enumerate(SOURCES):
        path = workdir / f"source{number}.mp4"
        print(f"making {source.name} ...", file=sys.stderr, flush=True)
        make_source(source, args.seconds, path)
        print("clip scene ...", file=sys.stderr, flush=True)
        scene_out = workdir / f"scene{number}.mp4"
        wall, cpu, rss_early, rss_late = run_clip_scene(path, args.seconds, scene_out)
        frames = round(probe(scene_out).duration * VIDEO.fps)
        print("encoder floor ...", file=sys.stderr, flush=True)
        raw = workdir / "scene.yuv"
        decode_raw(scene_out, raw)
        floor_wall, floor_cpu = run_floor(raw, workdir / "floor.mp4")
        raw.unlink()
        passed &= wall / floor_wall <= MAX_X_FLOOR
        rows.append((source.name, frames, wall, floor_wall, cpu, floor_cpu, rss_early, rss_late))
    print(f"\n{args.seconds:g} s clip scenes at {VIDEO.width}x{VIDEO.height}@{VIDEO.fps}, x264 {ENCODER.preset} "
          f"CRF {ENCODER.crf}, on {os.cpu_count()} cores\n")
    print(f"{'source':<46}{'frames':>7}{'wall: scene / floor (s)':>26}{'x':>6}{'CPU: scene / floor (s)':>25}{'x':>6}"
          f"{'RSS MB 10%→100%':>18}")
    for name, frames, wall, floor_wall, cpu, floor_cpu, early, late in rows:
        print(f"{name:<46}{frames:>7}{wall:>15.1f} / {floor_wall:<8.1f}{wall / floor_wall:>6.2f}"
              f"{cpu:>14.1f} / {floor_cpu:<8.1f}{cpu / floor_cpu:>6.2f}{early:>10.0f} → {late:.0f}")
    print(f"\ntarget: clip scene <= {MAX_X_FLOOR}x the floor's wall time: {'met' if passed else 'NOT met'}")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each clip scene (default 20)")
    parser.add_argument("--out", type=Path, help="keep the videos in DIR (default: a temp dir, deleted)")
    args = parser.parse_args()
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        return 0 if run(args, args.out) else 1
    workdir = Path(tempfile.mkdtemp(prefix="clip-bench-"))
    try:
        return 0 if run(args, workdir) else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
