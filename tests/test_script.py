"""Script loading and validation: good scripts load, bad ones point at the line."""

from pathlib import Path

import pytest

from vessay.errors import VessayError
from vessay.script import load_script

from conftest import write_script

GOOD = """\
title: Tiny essay
video: {width: 320, height: 180, fps: 10}
scenes:
  - id: one
    layout: title
    title: Hello
    narration: Hello there.
  - id: two
    layout: bullets
    title: Points
    bullets: [first, second]
    narration: Two points.
    motion: {preset: pan-left, amount: 0.05}
"""


def error_for(tmp_path: Path, body: str) -> VessayError:
    with pytest.raises(VessayError) as caught:
        load_script(write_script(tmp_path, body))
    return caught.value


def test_good_script_loads_with_defaults(tmp_path):
    """A valid script yields typed scenes with defaults filled in."""
    script = load_script(write_script(tmp_path, GOOD))
    assert [s.id for s in script.scenes] == ["one", "two"]
    assert script.theme == "neon-cyberdeck"
    assert script.video.width == 320 and script.video.fps == 10
    assert script.scenes[1].bullets == ("first", "second")
    assert script.scenes[1].motion.preset == "pan-left"
    assert script.scenes[0].motion.preset == "auto"


def test_unknown_key_names_line_and_suggestion(tmp_path):
    """A typo'd key is reported at its line with a did-you-mean."""
    err = error_for(tmp_path, GOOD.replace("    narration: Two points.", "    narraton: Two points."))
    assert err.line == 12
    assert "unknown key 'narraton'" in str(err) and "did you mean 'narration'" in str(err)
    assert str(err).startswith(f"{tmp_path / 'essay.yaml'}:12:5: ")


@pytest.mark.parametrize("body, line, words", [
    ("title: x\nscenes: [\n", 3, "invalid YAML"),
    ("", 1, "empty"),
    ("- a\n- b\n", 1, "must be a mapping"),
    ("title: x\nscenes: []\n", 2, "no scenes"),
    ("title: x\nscenes:\n  - id: a\n    layout: title\n    title: T\n", 3, "no 'narration'"),
    ("title: x\nscenes:\n  - id: a\n    layout: slideshow\n    narration: n\n", 4, "unknown layout"),
    ("title: x\nvideo: {fps: thirty}\nscenes:\n  - {id: a, layout: title, title: T, narration: n}\n", 2,
     "'fps' must be a whole number"),
    ("title: x\nvideo: {fps: 0}\nscenes:\n  - {id: a, layout: title, title: T, narration: n}\n", 2, "'fps' is 0"),
    ("title: x\nscenes:\n  - {id: a, layout: title, title: T, narration: n}\n"
     "  - {id: a, layout: title, title: U, narration: m}\n", 4, "duplicate scene id"),
    ("title: x\nscenes:\n  - {id: a, layout: title, title: T, audio: missing.wav}\n", 3, "not found"),
])
def test_bad_input_is_one_located_line(tmp_path, body, line, words):
    """Each kind of bad input names the file, the line and what is wrong."""
    err = error_for(tmp_path, body)
    assert err.line == line, str(err)
    assert words in str(err)
    assert "\n" not in str(err)


def test_every_problem_is_reported_at_once(tmp_path):
    """Mistakes in different blocks and scenes all come back, in line order, each with line and column."""
    from vessay.errors import VessayErrors

    body = ("title: x\nvideo: {fps: 0}\nscenes:\n"
            "  - {id: a, layout: title, title: T, narraton: n}\n"
            "  - {id: b, layout: slideshow, narration: n}\n"
            "  - {id: c, layout: title, title: T, narration: n}\n")
    with pytest.raises(VessayErrors) as caught:
        load_script(write_script(tmp_path, body))
    lines = str(caught.value).splitlines()
    assert len(lines) == 3
    assert [p.line for p in caught.value.problems] == [2, 4, 5]
    assert "'fps' is 0" in lines[0] and "did you mean 'narration'" in lines[1] and "unknown layout" in lines[2]
    assert all(p.col is not None for p in caught.value.problems)
