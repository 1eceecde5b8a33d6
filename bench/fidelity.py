"""Do two renders of the same script show the same picture? Frame-by-frame PSNR, and the timelines.

Keep a reference render of an earlier version and its cache (the narration in it fixes the
timeline: Piper speaks a little differently each time), then render the current version
with a copy of that narration and compare:

    python bench/fidelity.py --reference REF.mp4 --reference-cache REF_CACHE [--script S]

The candidate is rendered into a temp folder with a fresh cache holding only the reference's
narration and recordings. It passes when both videos have the same frames and scene timings
and every frame is at least --min-psnr dB (luma, against the reference).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from vessay.media import ffmpeg_exe


def frame_psnr(reference: Path, candidate: Path, work: Path) -> list[float]:
    """Luma PSNR of every frame of `candidate` against the same frame of `reference`."""
    stats = work / "psnr.log"
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-i", str(candidate), "-i", str(reference),
                    "-lavfi", f"[0:v][1:v]psnr=stats_file={stats.name}", "-f", "null", "-"], check=True, cwd=work)
    values = []
    for line in stats.read_text().splitlines():
        found = re.search(r"psnr_y:(\S+)", line)
        values.append(float("inf") if found.group(1) == "inf" else float(found.group(1)))
    return values


def frame_count(video: Path) -> int:
    text = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(video), "-map", "0:v", "-c", "copy",
                           "-f", "null", "-"], capture_output=True, text=True).stderr
    return int(re.findall(r"frame=\s*(\d+)", text)[-1])


def scene_spans(words_json: Path) -> list[tuple[str, float, float]]:
    return [(s["scene"], s["start"], s["end"]) for s in json.loads(words_json.read_text())]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, required=True, help="the reference MP4 (its .words.json beside it)")
    parser.add_argument("--reference-cache", type=Path, required=True, help="the cache the reference was rendered with")
    parser.add_argument("--script", type=Path, default=Path("script/only-math.yaml"))
    parser.add_argument("--min-psnr", type=float, default=40.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vessay-fidelity-") as work:
        work = Path(work)
        for stage in ("narration", "recording"):
            if (args.reference_cache / stage).is_dir():
                shutil.copytree(args.reference_cache / stage, work / "cache" / stage)
        candidate = work / "candidate.mp4"
        subprocess.run([sys.executable, "-m", "vessay.cli", "render", str(args.script), "-o", str(candidate),
                        "--no-shorts", "--quiet"],
                       check=True, env={**os.environ, "VESSAY_CACHE_DIR": str(work / "cache")})
        same_timeline = (scene_spans(candidate.with_suffix(".words.json"))
                         == scene_spans(args.reference.with_suffix(".words.json")))
        frames = (frame_count(args.reference), frame_count(candidate))
        psnr = frame_psnr(args.reference, candidate, work)
    worst = min(psnr)
    finite = [p for p in psnr if p != float("inf")]
    print(f"frames: reference {frames[0]}, candidate {frames[1]}; same scene timings: {same_timeline}")
    print(f"luma PSNR: worst frame {worst:.1f} dB (frame {psnr.index(worst)}), "
          f"mean {sum(finite) / max(1, len(finite)):.1f} dB over {len(psnr)} frames")
    passed = same_timeline and frames[0] == frames[1] and worst >= args.min_psnr
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
