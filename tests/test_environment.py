"""When the machine, not the script, is the problem: clear messages, nothing half-written."""

import errno
import os
import subprocess
import sys

from vessay import cli
from vessay.media import probe

from conftest import TINY_VIDEO, write_script

SCRIPT = f"title: Env\n{TINY_VIDEO}\nscenes:\n  - {{id: a, layout: title, title: A, narration: Hello.}}\n"


def test_disk_full_is_a_clear_message_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    """ENOSPC while writing the video gives exit 2, one line, and no output or temp file."""
    import vessay.render as render_module

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "x.mp4"))

    monkeypatch.setattr(render_module, "assemble", full_disk)
    script = write_script(tmp_path, SCRIPT)
    assert cli.main(["render", str(script), "-o", str(tmp_path / "out" / "x.mp4"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device" in err[0] and "free some space" in err[0]
    assert list((tmp_path / "out").iterdir()) == []


def test_unwritable_output_folder(tmp_path, capsys):
    """An output folder that can't be created is reported before any work."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    script = write_script(tmp_path, SCRIPT)
    assert cli.main(["render", str(script), "-o", str(blocker / "x.mp4"), "--quiet"]) == 2
    assert "cannot write to output folder" in capsys.readouterr().err


def test_missing_ffmpeg_binary(tmp_path):
    """A missing ffmpeg binary names the fix instead of crashing."""
    script = write_script(tmp_path, SCRIPT)
    env = {**os.environ, "IMAGEIO_FFMPEG_EXE": str(tmp_path / "no-ffmpeg")}
    proc = subprocess.run([sys.executable, "-m", "vessay.cli", "render", str(script), "-o",
                           str(tmp_path / "x.mp4"), "--quiet"], capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert "pip install" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.mp4").exists()


def test_internal_error_goes_to_a_log(tmp_path, monkeypatch, capsys):
    """An unexpected exception prints one line naming a log that holds the traceback; exit 1."""
    import vessay.render as render_module

    monkeypatch.setattr(render_module, "plan_slots", lambda *a: 1 / 0)
    script = write_script(tmp_path, SCRIPT)
    assert cli.main(["render", str(script), "-o", str(tmp_path / "x.mp4"), "--quiet"]) == 1
    line = capsys.readouterr().err.strip()
    assert "\n" not in line and "internal error" in line
    log = line.rsplit("details in ", 1)[1]
    assert "ZeroDivisionError" in open(log).read()


def test_two_renders_at_once_both_succeed(tmp_path):
    """Concurrent renders of one script into one folder don't corrupt each other or the cache."""
    script = write_script(tmp_path, SCRIPT)
    runs = [subprocess.Popen([sys.executable, "-m", "vessay.cli", "render", str(script), "-o",
                              str(tmp_path / "out" / name), "--quiet"], stderr=subprocess.PIPE, text=True)
            for name in ("a.mp4", "b.mp4")]
    for run in runs:
        assert run.wait(timeout=120) == 0, run.stderr.read()
    assert abs(probe(tmp_path / "out" / "a.mp4").duration - probe(tmp_path / "out" / "b.mp4").duration) < 0.05
    assert not [p for p in (tmp_path / "out").iterdir() if ".part" in p.name]
