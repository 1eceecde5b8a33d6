"""The command line: bad input is one located line and exit 2, never a traceback or a stray file."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TINY_VIDEO, write_script

VESSAY = [sys.executable, "-m", "vessay.cli"]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*VESSAY, *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})


@pytest.mark.parametrize("body, expected", [
    ("title: x\nscenes:\n  - id: a\n    layuot: title\n", "essay.yaml:4:5: unknown key 'layuot' in a scene; "
                                                        "did you mean 'layout'?"),
    ("title: x\ntheme: neon-cyberdek\nscenes:\n  - {id: a, layout: title, title: T, narration: n}\n",
     "unknown theme 'neon-cyberdek'; did you mean 'neon-cyberdeck'?"),
    ("title: [x\n", "essay.yaml:2:1: invalid YAML"),
    ("title: x\nscenes:\n  - {id: a, layout: title, title: T, audio: nope.wav}\n",
     "essay.yaml:3:45: audio file 'nope.wav' not found"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, body, expected):
    """Each bad script gives exit 2, a single stderr line, and no output file."""
    script = write_script(tmp_path, body)
    proc = run("render", str(script), "-o", "out/x.mp4", "--quiet", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_theme_file_outside_repo_and_bad_colour(tmp_path):
    """--theme takes a path; a bad colour in it is reported at its line."""
    theme = tmp_path / "mine.yaml"
    theme.write_text("name: mine\ncolors:\n  background: '#000000'\n  text: '#ffffff'\n  accent: 'cyan'\n"
                     "  accent2: '#ff00ff'\n  muted: '#777777'\n")
    script = write_script(tmp_path, f"title: x\n{TINY_VIDEO}\nscenes:\n"
                                    "  - {id: a, layout: title, title: T, narration: n}\n")
    proc = run("check", str(script), "--theme", str(theme), cwd=tmp_path)
    assert proc.returncode == 2
    assert f"{theme}:5:11: colour 'cyan' is not a hex colour" in proc.stderr


def test_check_accepts_the_example_script():
    """The shipped example essay validates."""
    root = Path(__file__).resolve().parents[1]
    proc = run("check", "script/only-math.yaml", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "scenes" in proc.stdout


def test_slides_command_writes_pngs(tmp_path):
    """`vessay slides` writes one numbered PNG per scene at the video size."""
    from PIL import Image

    script = write_script(tmp_path, f"title: x\n{TINY_VIDEO}\nscenes:\n"
                                    "  - {id: intro, layout: title, title: Hi, narration: n}\n"
                                    "  - {id: list, layout: bullets, title: L, bullets: [a, b], narration: n}\n")
    proc = run("slides", str(script), "-o", "pngs", "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    files = sorted(p.name for p in (tmp_path / "pngs").iterdir())
    assert files == ["01-intro.png", "02-list.png"]
    assert Image.open(tmp_path / "pngs" / "01-intro.png").size == (320, 180)
