"""Whole-essay benchmark: a cold render of the example, a re-render after editing one scene,
and an unchanged re-render, with wall time and peak memory of each.

Peak memory is sampled from /proc every 0.2 s: the vessay process alone, and with its x264
children. Each run uses a fresh cache folder, deleted afterwards.

Usage: python bench/essay.py [--script script/only-math.yaml] [--scene shapes]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

from vessay.media import probe


def rss_mb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
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


def timed_render(script: Path, out: Path, cache: Path) -> tuple[float, int, int]:
    """Wall seconds, peak MB of vessay alone, and peak MB with its child processes."""
    env = {**os.environ, "VESSAY_CACHE_DIR": str(cache)}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "vessay.cli", "render", str(script), "-o", str(out), "--quiet"],
                            env=env)
    peaks = [0, 0]

    def sample() -> None:
        while proc.poll() is None:
            own = rss_mb(proc.pid)
            peaks[0] = max(peaks[0], own)
            peaks[1] = max(peaks[1], own + sum(rss_mb(c) for c in children(proc.pid)))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample)
    sampler.start()
    if proc.wait() != 0:
        raise SystemExit(f"render of {script} failed")
    sampler.join()
    return time.perf_counter() - start, peaks[0], peaks[1]


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--script", type=Path, default=Path("script/only-math.yaml"))
    parser.add_argument("--scene", default="shapes", help="the scene whose narration the edit changes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vessay-bench-") as work:
        work = Path(work)
        cache, out = work / "cache", work / "essay.mp4"
        print(f"cold render of {args.script} ...", flush=True)
        full = timed_render(args.script, out, cache)
        duration = probe(out).duration
        copy = edited_copy(args.script, args.scene, "narration", " One more sentence, added to measure an edit.")
        try:
            print(f"re-render after editing the narration of scene '{args.scene}' ...", flush=True)
            spoken = timed_render(copy, out, cache)
            copy = edited_copy(copy, args.scene, "title", " (edited)")
            print(f"re-render after editing the title of scene '{args.scene}' ...", flush=True)
            titled = timed_render(copy, out, cache)
            print("unchanged re-render ...", flush=True)
            again = timed_render(copy, out, cache)
        finally:
            copy.unlink()
    print(f"\nexample essay: {duration:.1f} s of 1920x1080@30 video\n")
    print(f"{'run':28s} {'wall (s)':>9s} {'x realtime':>10s} {'vessay MB':>10s} {'+x264 MB':>9s}")
    for name, (wall, own, total) in [("cold render", full), ("edit one scene's narration", spoken),
                                     ("edit one scene's title", titled), ("unchanged re-render", again)]:
        print(f"{name:28s} {wall:9.1f} {wall / duration:10.2f} {own:10d} {total:9d}")
    print(f"\nedits re-render in {100 * spoken[0] / full[0]:.0f}% (narration) and {100 * titled[0] / full[0]:.0f}% "
          f"(title) of the cold render (goal <= 10%); "
          f"cold render {'faster' if full[0] < duration else 'slower'} than real time; "
          f"peak vessay process {full[1]} MB (goal <= 500)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
