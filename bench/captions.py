"""Burned-caption benchmark: what each caption style adds to a render, and a short against its encoder floor.

1. Speech and slides are made once (untimed). Then the video is rendered with no video pieces or
   soundtrack cached: without burned captions, and with plain, karaoke and pop, the four taking
   turns --caption-rounds times; the least wall and CPU time of each counts. Each style's cost is
   its extra CPU time over the render without captions (target: +15%).
2. The script's short (the first one, or --short ID) is rendered with only the essay's speech cached
   (its slides, video pieces and soundtrack made anew); the floor is x264 alone encoding that
   short's frames from a raw file with vessay's own encode argv (target: the short within 1.5x of
   the floor). Short and floor take turns, --rounds times, and the fastest of each counts.

Wall time is noisy on a shared machine, so CPU time (vessay plus its encoders) is reported too.

Usage: python bench/captions.py [--script script/only-math.yaml] [--scenes N] [--short ID]
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
from pathlib import Path

import yaml

from vessay.media import ffmpeg_exe, probe
from vessay.motion import Encoder, build_encode_args
from vessay.script import VideoSpec

MAX_CAPTION_COST = 0.15
MAX_SHORT_X_FLOOR = 1.5


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], stdin=subprocess.DEVNULL) -> tuple[float, float]:
    """Wall and CPU seconds of one command (CPU: the command and everything it started)."""
    cpu, start = children_cpu(), time.perf_counter()
    subprocess.run(argv, check=True, stdin=stdin)
    return time.perf_counter() - start, children_cpu() - cpu


def vessay(*args: str) -> list[str]:
    return [sys.executable, "-m", "vessay.cli", *args, "--quiet"]


def first_scenes(script: Path, count: int | None, work: Path) -> Path:
    """The script, or a copy beside it holding only its first `count` scenes (and the shorts they still make)."""
    if not count:
        return script
    doc = yaml.safe_load(script.read_text(encoding="utf-8"))
    doc["scenes"] = doc["scenes"][:count]
    kept = {scene["id"] for scene in doc["scenes"]}
    doc["shorts"] = [s for s in doc.get("shorts", []) if set(s["scenes"]) <= kept]
    if not doc["shorts"]:
        doc["shorts"] = [{"id": "bench", "scenes": [doc["scenes"][-1]["id"]], "title": "Benchmark short"}]
    copy = script.with_name(f".bench-{script.stem}-{count}.yaml")  # beside it: relative paths still resolve
    copy.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return copy


def forget(cache: Path, *stages: str) -> None:
    """Drop these stages' cached artefacts."""
    for stage in stages:
        shutil.rmtree(cache / stage, ignore_errors=True)


def caption_costs(script: Path, cache: Path, work: Path, rounds: int) -> dict[str, tuple[float, float]]:
    """(wall, CPU) of a render in each caption style, each the least of `rounds` turns."""
    out = work / "essay.mp4"
    common = [str(script), "-o", str(out), "--cache-dir", str(cache), "--no-shorts"]
    print("speech and slides (untimed) ...", file=sys.stderr, flush=True)
    subprocess.run(vessay("render", *common, "--captions", "none"), check=True)
    turns: dict[str, list[tuple[float, float]]] = {"none": [], "plain": [], "karaoke": [], "pop": []}
    for turn in range(rounds):
        for style, times in turns.items():
            forget(cache, "segment", "soundtrack")
            print(f"render, captions {style} ({turn + 1}/{rounds}) ...", file=sys.stderr, flush=True)
            times.append(timed(vessay("render", *common, "--captions", style)))
    return {style: (min(w for w, _ in times), min(c for _, c in times)) for style, times in turns.items()}


def short_against_floor(script: Path, short: str, cache: Path, work: Path,
                        rounds: int) -> tuple[float, float, float, float, float]:
    """(short wall, short CPU, floor wall, floor CPU, short seconds), each the least of `rounds` turns, for the
    short rendered from cached speech."""
    shorts, floors = [], []
    video, raw = work / f"{script.stem}-{short}.mp4", work / "short.yuv"
    for turn in range(rounds):
        forget(cache, "segment", "soundtrack", "slide")
        print(f"short '{short}' ({turn + 1}/{rounds}) ...", file=sys.stderr, flush=True)
        shorts.append(timed(vessay("shorts", str(script), short, "-o", str(work), "--cache-dir", str(cache))))
        if not raw.exists():
            subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(video), "-f", "rawvideo",
                            "-pix_fmt", "yuv420p", str(raw)], check=True)
            os.sync()  # flush the raw file now, not during the timed encode that reads it
        stream = probe(video).first("video")
        args = build_encode_args(work / "floor.mp4", VideoSpec(stream.width, stream.height, round(stream.fps)),
                                 Encoder())
        print(f"x264 alone on the short's frames ({turn + 1}/{rounds}) ...", file=sys.stderr, flush=True)
        with raw.open("rb") as frames:
            floors.append(timed([args[0], "-hide_banner", "-nostdin", "-loglevel", "error", *args[1:]], frames))
    raw.unlink()
    return (min(w for w, _ in shorts), min(c for _, c in shorts), min(w for w, _ in floors),
            min(c for _, c in floors), probe(video).duration)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--script", type=Path, default=Path("script/only-math.yaml"))
    parser.add_argument("--scenes", type=int, help="only the first N scenes (a quicker, rougher run)")
    parser.add_argument("--short", help="the short to time (default: the script's first)")
    parser.add_argument("--rounds", type=int, default=3, help="turns of short and floor (default: 3)")
    parser.add_argument("--caption-rounds", type=int, default=2,
                        help="turns of the four essay renders (default: 2)")
    parser.add_argument("--short-only", action="store_true", help="skip the essay renders")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vessay-bench-captions-") as folder:
        work = Path(folder)
        script = first_scenes(args.script.resolve(), args.scenes, work)
        try:
            shorts = yaml.safe_load(script.read_text(encoding="utf-8")).get("shorts") or []
            short = args.short or (shorts[0]["id"] if shorts else None)
            cache = work / "cache"
            if args.short_only:
                print("speech (untimed) ...", file=sys.stderr, flush=True)
                subprocess.run(vessay("shorts", str(script), short, "-o", str(work), "--cache-dir", str(cache)),
                               check=True)
                costs = {}
            else:
                costs = caption_costs(script, cache, work, args.caption_rounds)
            timing = short_against_floor(script, short, cache, work, args.rounds) if short else None
        finally:
            if script != args.script.resolve():
                script.unlink()
    ok = True
    if costs:
        base_wall, base_cpu = costs["none"]
        print(f"\nBurned captions, {args.script.name}"
              f"{f' (first {args.scenes} scenes)' if args.scenes else ''}, speech and slides cached, "
              f"video pieces and soundtrack rendered cold, least of {args.caption_rounds} turns:")
        print(f"{'captions':<10}{'wall (s)':>10}{'+wall':>8}{'CPU (s)':>10}{'+CPU':>8}")
        for style, (wall, cpu) in costs.items():
            print(f"{style:<10}{wall:>10.1f}{wall / base_wall - 1:>+8.1%}{cpu:>10.1f}{cpu / base_cpu - 1:>+8.1%}")
            if style != "none":
                ok &= cpu / base_cpu - 1 <= MAX_CAPTION_COST
    if timing:
        wall, cpu, floor_wall, floor_cpu, seconds = timing
        print(f"\nShort '{short}' ({seconds:.1f} s at 1080x1920) from cached speech, fastest of {args.rounds}:")
        print(f"{'':<22}{'wall (s)':>10}{'CPU (s)':>10}")
        print(f"{'vessay shorts':<22}{wall:>10.1f}{cpu:>10.1f}")
        print(f"{'x264 alone (floor)':<22}{floor_wall:>10.1f}{floor_cpu:>10.1f}")
        print(f"{'x floor':<22}{wall / floor_wall:>10.2f}{cpu / floor_cpu:>10.2f}")
        ok &= wall / floor_wall <= MAX_SHORT_X_FLOOR
    print(f"\ntargets: captions <= +{MAX_CAPTION_COST:.0%} CPU, short <= {MAX_SHORT_X_FLOOR}x floor's wall time: "
          f"{'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
