"""Themes: the shipped ones, `inherits:` merging, loops and missing colours."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vessay.errors import VessayError
from vessay.script import Scene
from vessay.slides import render_slide
from vessay.theme import COLOR_ROLES, EFFECTS, available_themes, load_theme

SHIPPED = ("neon-cyberdeck", "paper", "terminal")


def write_theme(folder: Path, name: str, body: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def error_for(path: Path) -> VessayError:
    with pytest.raises(VessayError) as caught:
        load_theme(str(path))
    return caught.value


def test_shipped_themes_are_complete():
    assert set(SHIPPED) <= set(available_themes())
    for name in SHIPPED:
        theme = load_theme(name)
        assert set(theme.colors) == set(COLOR_ROLES) and set(theme.effects) == set(EFFECTS)
        assert all(path.is_file() for path in theme.fonts.values())
    assert load_theme("paper").math == "cm"


def test_inherits_overrides_one_colour_and_keeps_the_rest(tmp_path):
    path = write_theme(tmp_path, "mine", 'inherits: neon-cyberdeck\ncolors:\n  accent: "#ff0000"\n')
    parent, theme = load_theme("neon-cyberdeck"), load_theme(str(path))
    assert theme.name == "mine"
    assert theme.colors["accent"] == (255, 0, 0)
    assert {k: v for k, v in theme.colors.items() if k != "accent"} == \
        {k: v for k, v in parent.colors.items() if k != "accent"}
    assert theme.fonts == parent.fonts and theme.effects == parent.effects and theme.math == parent.math
    # And it shows: the red accent is drawn, the parent's cyan is not.
    scene = Scene(id="t", layout="title", line=1, title="Red")
    pixels = np.asarray(render_slide(scene, theme, (352, 198), index=1, total=1, essay_title="E"), np.int16)
    red = (np.abs(pixels - np.array([255, 0, 0])).max(-1) < 40).sum()
    cyan = (np.abs(pixels - np.array(parent.colors["accent"])).max(-1) < 40).sum()
    assert red > 20 and cyan == 0


def test_inherits_fonts_effects_and_chains_by_path(tmp_path):
    """A theme can inherit a theme file by relative path; fonts and effects merge key by key."""
    (tmp_path / "sub").mkdir()
    write_theme(tmp_path, "base", 'inherits: paper\nfonts: {title: Orbitron}\neffects: {grid: true}\n')
    path = write_theme(tmp_path / "sub", "child",
                       'inherits: ../base.yaml\neffects: {glow: true}\nfonts: {math: stix}\n')
    paper, theme = load_theme("paper"), load_theme(str(path))
    assert theme.colors == paper.colors
    assert theme.fonts["title"].name == "Orbitron[wght].ttf" and theme.fonts["body"] == paper.fonts["body"]
    assert theme.effects == {**paper.effects, "grid": True, "glow": True}
    assert theme.math == "stix"


def test_inheritance_loop_is_an_error(tmp_path):
    write_theme(tmp_path, "a", "inherits: b.yaml\n")
    b = write_theme(tmp_path, "b", "inherits: a.yaml\n")
    err = error_for(b)
    assert "loop" in err.message and "a.yaml" in err.message and "b.yaml" in err.message
    assert err.line == 1
    itself = write_theme(tmp_path, "self", "inherits: self.yaml\n")
    assert "loop" in error_for(itself).message


def test_unknown_parent_theme_points_at_inherits_line(tmp_path):
    path = write_theme(tmp_path, "x", 'name: x\ninherits: neon-cyberdek\n')
    err = error_for(path)
    assert err.line == 2 and "did you mean 'neon-cyberdeck'" in err.message


def test_missing_colour_without_inherits_names_it(tmp_path):
    path = write_theme(tmp_path, "x", 'colors:\n  background: "#000000"\n  text: "#ffffff"\n'
                                      '  accent: "#00ff00"\n  muted: "#777777"\n')
    err = error_for(path)
    assert "'accent2'" in err.message and err.line == 2


def test_no_colors_and_no_inherits_is_an_error(tmp_path):
    err = error_for(write_theme(tmp_path, "x", "name: x\nfonts: {title: Orbitron}\n"))
    assert "colors" in err.message and "inherits" in err.message


def test_bad_math_font_and_unknown_key_are_errors(tmp_path):
    err = error_for(write_theme(tmp_path, "x", "inherits: paper\nfonts:\n  math: comic\n"))
    assert err.line == 3 and "unknown math font 'comic'" in err.message
    err = error_for(write_theme(tmp_path, "y", "inherits: paper\ncolours: {accent: '#ff0000'}\n"))
    assert "did you mean 'colors'" in err.message


def test_font_file_path_relative_to_the_child_theme(tmp_path):
    font = load_theme("paper").fonts["body"]
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "Body.ttf").write_bytes(font.read_bytes())
    theme = load_theme(str(write_theme(tmp_path, "x", "inherits: terminal\nfonts: {body: fonts/Body.ttf}\n")))
    assert theme.fonts["body"] == (tmp_path / "fonts" / "Body.ttf").resolve()
    assert theme.fonts["title"] == load_theme("terminal").fonts["title"]
