"""Stopping a render: prompt exit, no half-written files, and the next run resumes."""

import os
import signal
import subprocess
import sys
import time

import pytest

from vessay.media import probe

from conftest import write_script, write_tone

SCENES = 4


@pytest.fixture
def long_script(tmp_path):
    """Four 3-second recorded scenes at 640x360, slow enough to interrupt part-way."""
    for index in range(SCENES):
        write_tone(tmp_path / f"s{index}.wav", 3.0, freq=300 + 100 * index)
    scenes = "".join(f"  - {{id: s{i}, layout: title, title: Scene {i}, audio: s{i}.wav}}\n" for i in range(SCENES))
    return write_script(tmp_path, f"title: Long\nvideo: {{width: 640, height: 360, fps: 30}}\n"
                                  f"transition: {{type: cut}}\nscenes:\n{scenes}")


@pytest.mark.parametrize("sig, code, group", [(signal.SIGINT, 130, False), (signal.SIGTERM, 143, False),
                                              (signal.SIGINT, 130, True), (signal.SIGTERM, 143, True)])
def test_signal_stops_promptly_and_rerun_resumes(tmp_path, long_script, isolated_cache, sig, code, group):
    """A signal mid-render exits quickly with 130/143, leaves no temp files, and a re-run reuses finished scenes.

    `group`: the signal reaches the encoders too, as a terminal's Ctrl-C or a service manager's stop does."""
    out = tmp_path / "out" / "long.mp4"
    # A slow preset keeps each piece encoding for a while: with the recordings already aligned by the
    # check, fast pieces could all be done between the first one finishing and the signal landing.
    args = [sys.executable, "-m", "vessay.cli", "render", str(long_script), "-o", str(out), "--quiet", "-j", "1",
            "--preset", "slow"]
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, start_new_session=group)
    segments = isolated_cache / "segment"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(segments.glob("*.mp4.sum"))) < 1:
        time.sleep(0.05)
    assert proc.poll() is None, "render finished before it could be interrupted"
    sent = time.monotonic()
    if group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    proc.wait(timeout=10)
    assert time.monotonic() - sent < 3.0
    assert proc.returncode == code
    assert "Traceback" not in proc.stderr.read()
    done = len(list(segments.glob("*.mp4.sum")))
    assert 1 <= done < SCENES
    leftovers = [p.name for p in isolated_cache.rglob(".*part*")] + \
                ([p.name for p in out.parent.iterdir()] if out.parent.exists() else [])
    assert leftovers == []
    encoders = subprocess.run(["pgrep", "-f", str(segments)], capture_output=True).stdout
    assert encoders == b"", "an x264 process outlived the render"
    rerun = subprocess.run(args, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert abs(probe(out).duration - SCENES * 4.0) < 0.6
