"""Whole-essay benchmark: every figure of the render's speed, memory and smoothness, from one run.

1. A cold render of the example (empty cache), against x264 alone encoding the render's own
   decoded frames with the same argv (the encoder floor: no renderer can beat it).
2. Re-renders after editing one scene's narration, then its title, then unchanged: each as a
   share of the cold render.
3. A single 20-second title scene with its own recording through the CLI (`--no-cache`),
   against the same floor for its frames.
4. Smoothness of the camera move before encoding (bench/kenburns.py's tracker on raw frames).

Peak memory is each process's high-water mark (VmHWM), read from /proc every 0.1 s: the vessay
process alone, each x264 encoder and the voice process (Piper) separately. CPU seconds (vessay plus every child) are given beside wall times: on a
busy machine they are the steadier figure.

Usage: python bench/essay.py [--script script/only-math.yaml] [--scene shapes] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from vessay.media import ffmpeg_exe, probe
from vessay.motion import Encoder, build_encode_args
from vessay.script import VideoSpec

sys.path.insert(0, str(Path(__file__).parent))
import kenburns  # noqa: E402  (a sibling script, not a package)

SCENE_SECONDS = 20.0


@dataclass
class Run:
    wall: float
    cpu: float
    """User plus system seconds of vessay and all its children."""
    vessay_mb: int
    x264_mb: int
    """Peak of the largest single x264 encoder."""
    x264_count: int
    voice_mb: int
    """Peak of the voice process (Piper), 0 when every narration was cached."""


def status_kb(pid: int, field: str = "VmRSS") -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    """Child processes of every thread of `pid` (encoders are started from worker threads)."""
    found = []
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(p) for p in listing.read_text().split()]
        except OSError:
            continue
    return found


def command_has(pid: int, word: bytes) -> bool:
    try:
        return word in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def timed(argv: list[str], env: dict | None = None) -> Run:
    """Run a vessay command; wall and CPU time, peak RSS of vessay, of its largest x264 and of its voice."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env={**os.environ, **(env or {})})
    peaks: dict[int, int] = {}
    encoders: set[int] = set()
    voices: set[int] = set()

    def sample() -> None:
        while proc.poll() is None:
            # VmHWM is the process's own peak, so spikes between two samples count too.
            peaks[proc.pid] = max(peaks.get(proc.pid, 0), status_kb(proc.pid, "VmHWM"))
            for child in children(proc.pid):
                if child in encoders or command_has(child, b"libx264"):
                    encoders.add(child)
                elif child in voices or command_has(child, b"vessay.voiceworker"):
                    voices.add(child)
                else:
                    continue
                peaks[child] = max(peaks.get(child, 0), status_kb(child, "VmHWM"))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    code = proc.wait()
    wall = time.perf_counter() - start
    sampler.join()
    if code != 0:
        raise SystemExit(f"failed ({code}): {' '.join(argv)}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    own = max(peaks.get(proc.pid, 0), status_kb(proc.pid, "VmHWM"))
    return Run(wall, cpu, own // 1024, max((peaks[p] for p in encoders), default=0) // 1024, len(encoders),
               max((peaks[p] for p in voices), default=0) // 1024)


def render(script: Path, out: Path, cache: Path, *extra: str) -> Run:
    return timed([sys.executable, "-m", "vessay.cli", "render", str(script), "-o", str(out), "--no-shorts", "--quiet",
                  *extra],
                 {"VESSAY_CACHE_DIR": str(cache)})


FLOOR_CHUNK = 120.0
"""Seconds of video decoded at a time for the floor: the whole essay's raw frames would fill ~30 GB of disk."""


def floor(video: Path, work: Path) -> float:
    """Seconds x264 alone takes to encode `video`'s decoded frames with the render's own argv (a chunk at a time,
    each chunk's encode timed and the times added)."""
    info = probe(video)
    stream = info.first("video")
    spec = VideoSpec(stream.width, stream.height, round(stream.fps))
    total_frames = round(info.duration * spec.fps)
    chunk_frames = round(FLOOR_CHUNK * spec.fps)
    raw = work / "frames.yuv"
    args = build_encode_args(work / "floor.mp4", spec, Encoder())
    seconds = 0.0
    try:
        for first in range(0, total_frames, chunk_frames):
            subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-y", "-ss", f"{first / spec.fps:.6f}",
                            "-i", str(video), "-frames:v", str(min(chunk_frames, total_frames - first)),
                            "-f", "rawvideo", "-pix_fmt", "yuv420p", str(raw)], check=True)
            os.sync()  # flush the frames now, so writeback doesn't compete with the timed encode
            with raw.open("rb") as frames:
                start = time.perf_counter()
                subprocess.run([args[0], "-hide_banner", "-nostdin", "-loglevel", "error", *args[1:]], stdin=frames,
                               check=True)
                seconds += time.perf_counter() - start
    finally:
        raw.unlink(missing_ok=True)
    return seconds


def edited_copy(script: Path, scene_id: str, field: str, addition: str) -> Path:
    """The script with text appended to one scene's `field`, saved beside the original (so its paths hold)."""
    data = yaml.safe_load(script.read_text(encoding="utf-8"))
    for scene in data["scenes"]:
        if scene["id"] == scene_id:
            scene[field] += addition
            break
    else:
        raise SystemExit(f"no scene '{scene_id}' in {script}")
    copy = script.with_name(".bench-edit-" + script.name.removeprefix(".bench-edit-"))
    copy.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return copy


def one_scene_script(work: Path) -> Path:
    """A title scene whose own recording (a voice-like tone) makes it exactly SCENE_SECONDS long."""
    rate = 48000
    seconds = SCENE_SECONDS - 1.0  # the scene adds its lead-in and tail pads
    t = np.arange(int(seconds * rate)) / rate
    syllables = 0.5 + 0.5 * np.sin(2 * math.pi * 3.0 * t)  # speech-like loudness swings
    tone = 0.3 * syllables * np.sin(2 * math.pi * 180 * t) * np.sin(2 * math.pi * 0.2 * t + 1.0) ** 2
    with wave.open(str(work / "take.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((tone * 32767).astype("<i2").tobytes())
    script = work / "scene.yaml"
    script.write_text("title: One scene\nvideo: {width: 1920, height: 1080, fps: 30}\n"
                      "motion: {preset: zoom-in}\nscenes:\n"
                      "  - {id: only, layout: title, title: Twenty seconds, subtitle: of one slide, audio: take.wav}\n")
    return script


def scene_seconds(words_json: Path, scene_id: str) -> float:
    """How long a scene lasts in a render, from the word timings written beside it."""
    scene = next(s for s in json.loads(words_json.read_text(encoding="utf-8")) if s["scene"] == scene_id)
    return scene["end"] - scene["start"]


def smoothness_before_encoding(seconds: float) -> float:
    """The tracker of bench/kenburns.py on the camera's raw luma frames, before x264 touches them."""
    frames = round(seconds * kenburns.VIDEO.fps)
    slide, _ = kenburns.make_slide(kenburns.canvas_size(kenburns.VIDEO))
    return kenburns.smoothness_of(kenburns.raw_luma(slide, frames), frames)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--script", type=Path, default=Path("script/only-math.yaml"))
    parser.add_argument("--scene", default="shapes", help="the scene whose narration and title the edits change")
    parser.add_argument("--keep", type=Path, help="keep the renders in DIR (default: a temp dir, deleted)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vessay-bench-", dir=args.keep))
    try:
        cache, out = work / "cache", work / "essay.mp4"
        print(f"cold render of {args.script} ...", flush=True)
        cold = render(args.script, out, cache)
        duration = probe(out).duration
        shutil.copyfile(out, work / "cold.mp4")
        copy = edited_copy(args.script, args.scene, "narration", " One more sentence, added to measure an edit.")
        try:
            print(f"re-render after editing the narration of scene '{args.scene}' ...", flush=True)
            spoken = render(copy, out, cache)
            edited_seconds = scene_seconds(out.with_name(out.stem + ".words.json"), args.scene)
            copy = edited_copy(copy, args.scene, "title", " (edited)")
            print(f"re-render after editing the title of scene '{args.scene}' ...", flush=True)
            titled = render(copy, out, cache)
            print("unchanged re-render ...", flush=True)
            again = render(copy, out, cache)
        finally:
            copy.unlink()
        print(f"one {SCENE_SECONDS:g}-second scene through the CLI ...", flush=True)
        scene_script = one_scene_script(work)
        scene = render(scene_script, work / "scene.mp4", cache, "--no-cache", "--preset", "veryfast", "--crf", "20")
        scene_floor = floor(work / "scene.mp4", work)
        print("smoothness before encoding ...", flush=True)
        smooth = smoothness_before_encoding(SCENE_SECONDS)
        # Last: the essay's decoded frames fill tens of GB, and the system is busy for a while after they
        # are deleted, which would slow whatever ran next.
        print("encoder floor for the cold render's frames ...", flush=True)
        cold_floor = floor(work / "cold.mp4", work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    report(duration, cold, cold_floor, spoken, edited_seconds, titled, again, scene, scene_floor, smooth)
    return 0


def report(duration: float, cold: Run, cold_floor: float, spoken: Run, edited_seconds: float, titled: Run,
           again: Run, scene: Run, scene_floor: float, smooth: float) -> None:
    print(f"\nexample essay: {duration:.1f} s of 1920x1080@30; x264 veryfast crf 20; {os.cpu_count()} cores\n")
    print("| run | wall (s) | CPU (s) | share of cold | × encoder floor | vessay peak (MB) | x264 peak, each (MB) "
          "| voice process peak (MB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = [("cold render (empty cache)", cold, cold_floor), ("x264 alone on its frames (floor)", None, cold_floor),
            ("after editing one scene's narration", spoken, None), ("after editing one scene's title", titled, None),
            ("unchanged re-render", again, None),
            (f"one {SCENE_SECONDS:g} s scene, CLI, --no-cache", scene, scene_floor),
            ("x264 alone on its frames (floor)", None, scene_floor)]
    for name, run, against in rows:
        if run is None:
            print(f"| {name} | {against:.1f} | | | 1.00 | | | |")
            continue
        share = f"{100 * run.wall / cold.wall:.1f}% ({100 * run.cpu / cold.cpu:.1f}% of CPU)" \
            if run is not cold and against is None else ""
        ratio = f"{run.wall / against:.2f}" if against else ""
        encoders = f"{run.x264_mb} ({run.x264_count} run)" if run.x264_count else "none run"
        voice = str(run.voice_mb) if run.voice_mb else "not started"
        print(f"| {name} | {run.wall:.1f} | {run.cpu:.1f} | {share} | {ratio} | {run.vessay_mb} | {encoders} | {voice} |")
    # Every frame of an edited scene changes (its camera move spans its new length), so x264 alone on that
    # scene's frames bounds what any re-render can reach.
    edit_floor = cold_floor * edited_seconds / duration
    print(f"\nThe edited scene lasts {edited_seconds:.1f} s; x264 alone on its frames takes ~{edit_floor:.1f} s, "
          f"{100 * edit_floor / cold.wall:.1f}% of the cold render: no narration edit of it can cost less.")
    checks = [("cold render × floor <= 1.5 (aim 1.3)", f"{cold.wall / cold_floor:.2f}", cold.wall / cold_floor <= 1.5),
              ("20 s scene × floor <= 1.5", f"{scene.wall / scene_floor:.2f}", scene.wall / scene_floor <= 1.5),
              ("narration edit <= 5% of cold", f"{100 * spoken.wall / cold.wall:.1f}%", spoken.wall <= 0.05 * cold.wall),
              ("vessay peak RSS <= 400 MB", f"{cold.vessay_mb}", cold.vessay_mb <= 400),
              ("smoothness before encoding <= 0.05 px/frame²", f"{smooth:.3f}", smooth <= 0.05)]
    print(f"\n{'target':<48}{'measured':>10}  result")
    for label, value, passed in checks:
        print(f"{label:<48}{value:>10}  {'PASS' if passed else 'FAIL'}")


if __name__ == "__main__":
    sys.exit(main())
