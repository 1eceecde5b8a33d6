"""Studio benchmark: how soon `vessay studio` shows the example essay from a cold cache, and how soon
an edit saved to the script reaches the page.

Runs the real command on a copy of the script (beside it, so its relative paths hold) with a fresh
cache, and reads the state every open page is sent (/api/state) every 50 ms:

- cold start: first cards with pictures, every scene narrated, the draft video ready;
- after a title edit: the scene's new picture, then the draft video again;
- after a narration edit: the scene's new text with its new word timings, then the draft video.

Usage: python bench/studio.py [--script script/only-math.yaml] [--scene shapes]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml


def state(url: str) -> dict:
    with urllib.request.urlopen(url + "api/state", timeout=10) as response:
        return json.loads(response.read())


def wait(url: str, started: float, done, limit: float = 900.0) -> float:
    """Seconds from `started` until `done(state)` holds."""
    while time.perf_counter() - started < limit:
        if done(state(url)):
            return time.perf_counter() - started
        time.sleep(0.05)
    raise SystemExit(f"gave up after {limit:.0f} s")


def card(s: dict, scene: str) -> dict:
    board = s["board"] or {"scenes": []}
    return next((c for c in board["scenes"] if c["id"] == scene), {})


def draft_ready(s: dict, after: str | None) -> bool:
    draft = s["jobs"]["draft"]
    return draft.get("state") == "ready" and draft.get("video") != after


def retitle(text: str, scene: str, title: str) -> str:
    """The script with `scene`'s title line replaced (a JSON string is a valid YAML string)."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() in (f"- id: {scene}", f"- id: '{scene}'"))
    at = next(i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("title:"))
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines[at] = f"{indent}title: {json.dumps(title)}\n"
    return "".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--script", type=Path, default=Path("script/only-math.yaml"))
    parser.add_argument("--scene", default="shapes", help="the scene to edit")
    args = parser.parse_args()
    original = args.script.read_text(encoding="utf-8")
    copy = args.script.with_name(f".bench-edit-studio-{os.getpid()}.yaml")
    copy.write_text(original, encoding="utf-8")
    rows = []
    with tempfile.TemporaryDirectory(prefix="vessay-bench-studio-") as cache:
        env = {**os.environ, "VESSAY_CACHE_DIR": cache}
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "vessay.cli", "studio", str(copy), "--port", "0"],
                                env=env, stdout=subprocess.PIPE, text=True)
        try:
            url = proc.stdout.readline().split()[2]
            rows.append(("cold: first cards with pictures", wait(url, started, lambda s: bool(
                s["board"] and s["board"]["scenes"] and all(c["picture"] for c in s["board"]["scenes"])))))
            rows.append(("cold: every scene narrated", wait(url, started, lambda s: bool(
                s["board"] and s["board"]["timeline"] and all(c["audio"] for c in s["board"]["scenes"])))))
            rows.append(("cold: draft video ready", wait(url, started, lambda s: draft_ready(s, None))))

            data = yaml.safe_load(original)
            scene = next(s for s in data["scenes"] if s["id"] == args.scene)
            before = state(url)
            old_picture, old_video = card(before, args.scene)["picture"]["url"], before["jobs"]["draft"]["video"]
            edited = retitle(original, args.scene, scene["title"] + " (edited)")
            started = time.perf_counter()
            copy.write_text(edited, encoding="utf-8")
            rows.append(("title edit: new picture in the page", wait(url, started, lambda s: (
                card(s, args.scene).get("picture") or {}).get("url") not in (None, old_picture))))
            rows.append(("title edit: draft video updated", wait(url, started, lambda s: draft_ready(s, old_video))))

            old_video = state(url)["jobs"]["draft"]["video"]
            first_words = " ".join(scene["narration"].split()[:3])
            started = time.perf_counter()
            copy.write_text(edited.replace(first_words, "Listen closely. " + first_words, 1), encoding="utf-8")
            rows.append(("narration edit: new text in the page", wait(url, started, lambda s: card(
                s, args.scene).get("narration", "").startswith("Listen closely."))))
            rows.append(("narration edit: new word timings", wait(url, started, lambda s: bool(
                card(s, args.scene).get("narration", "").startswith("Listen closely.") and card(s, args.scene)["audio"]
                and card(s, args.scene)["audio"]["words"][0][0] == "Listen"))))
            rows.append(("narration edit: draft video updated", wait(url, started, lambda s: draft_ready(s, old_video))))
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
            copy.unlink(missing_ok=True)
            for made in Path("out").glob(f"{copy.stem}*"):
                made.unlink()
    print(f"\nvessay studio on {args.script} (edits to scene '{args.scene}'), seconds from launch or save:\n")
    print("| step | seconds |\n|---|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
