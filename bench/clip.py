"""Clip benchmark: what a `layout: clip` scene costs against x264 alone on the same output frames.

For each source clip (made here with ffmpeg, never downloaded), vessay encodes a clip scene as
the render does — one ffmpeg process decoding, retiming and fitting the clip, laying the lower
third over it and encoding with x264 — and then x264 alone encodes that scene's exact frames from
a raw file: the floor no clip scene can beat. "x" compares the two in wall time (the target, as in
bench/kenburns.py) and in CPU time (the steadier figure on a busy machine). "decode alone" is
ffmpeg decoding the source and nothing else: on 2 cores a scene can't cost less than the floor
plus most of that. Memory (vessay and its ffmpeg processes) is sampled a tenth and nine tenths of
the way through the scene: it must not grow with the clip.

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
from vessay.motion import Encoder, build_encode_args
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
    """Resident memory of this process and its child processes (the decoders and encoders), in MB."""
    pids = ["self"] + [pid for children in Path("/proc/self/task").glob("*/children")
                       for pid in children.read_text().split()]
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:  # it just finished
            continue
        total += sum(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return total / 1024


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (decoders, encoders)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_clip_scene(path: Path, seconds: float, out: Path) -> tuple[float, float, float, float]:
    """The clip scene as the render encodes it, timed: (wall seconds, CPU seconds, and the RSS in MB of vessay and
    its ffmpeg processes a tenth and nine tenths of the way in)."""
    clip = ClipSpec(file=path, start=0.0, end=seconds, has_audio=True)
    scene = Scene(id="clip", layout="clip", line=1, title="A clip scene", caption="with its lower third",
                  clip=clip, fit="contain")
    frames = round(seconds * VIDEO.fps)
    picture = footage(scene, load_theme("neon-cyberdeck"), VIDEO, frames)
    samples: list[float] = []
    count = 0

    def frame_done() -> None:
        nonlocal count
        count += 1
        if count in (frames // 10, frames * 9 // 10):
            samples.append(rss_mb())

    start, cpu = time.perf_counter(), cpu_seconds()
    picture.encode(0, frames, VIDEO, out, ENCODER, frame_done)
    return time.perf_counter() - start, cpu_seconds() - cpu, samples[0], samples[1]


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


def run_decode(source: Path) -> tuple[float, float]:
    """ffmpeg decoding the source's picture and throwing it away: (wall, CPU) seconds."""
    start, cpu = time.perf_counter(), cpu_seconds()
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(source), "-an",
                    "-f", "null", "-"], check=True)
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
        print("decode alone ...", file=sys.stderr, flush=True)
        decode_wall, decode_cpu = run_decode(path)
        passed &= wall / floor_wall <= MAX_X_FLOOR
        rows.append((source.name, frames, wall, floor_wall, cpu, floor_cpu, decode_wall, decode_cpu, rss_early,
                     rss_late))
    print(f"\n{args.seconds:g} s clip scenes at {VIDEO.width}x{VIDEO.height}@{VIDEO.fps}, x264 {ENCODER.preset} "
          f"CRF {ENCODER.crf}, on {os.cpu_count()} cores\n")
    print(f"{'source':<46}{'frames':>7}{'wall: scene / floor (s)':>26}{'x':>6}{'CPU: scene / floor (s)':>25}{'x':>6}"
          f"{'decode alone: wall / CPU (s)':>31}{'RSS MB 10%→90%':>18}")
    for name, frames, wall, floor_wall, cpu, floor_cpu, decode_wall, decode_cpu, early, late in rows:
        print(f"{name:<46}{frames:>7}{wall:>15.1f} / {floor_wall:<8.1f}{wall / floor_wall:>6.2f}"
              f"{cpu:>14.1f} / {floor_cpu:<8.1f}{cpu / floor_cpu:>6.2f}{decode_wall:>20.1f} / {decode_cpu:<8.1f}"
              f"{early:>10.0f} → {late:.0f}")
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
