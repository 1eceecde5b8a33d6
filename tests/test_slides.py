"""Slide renderer: layouts x themes, rendered tiny and checked on real pixels."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from vessay.script import LAYOUTS, Column, Scene
from vessay.scriptmedia import ChartSpec
from vessay.slides import effects, fits, render_slide, safe_box
from vessay.theme import available_themes, load_theme

LANDSCAPE = (352, 198)
PORTRAIT = (198, 352)
SIZES = [LANDSCAPE, PORTRAIT]
THEMES = available_themes()

SCENES = {
    "title": Scene(id="t", layout="title", line=1, title="The Geometry of Linear Maps",
                   subtitle="A visual essay"),
    "section": Scene(id="s", layout="section", line=1, title="Vectors Are Arrows",
                     subtitle="Before numbers, direction"),
    "bullets": Scene(id="b", layout="bullets", line=1, title="What a matrix does",
                     bullets=("It moves every point of space at once",
                              "Grid lines stay parallel and evenly spaced",
                              "The origin never moves",
                              "Columns are where the basis vectors land")),
    "credits": Scene(id="c", layout="credits", line=1, title="Credits",
                     bullets=("3Blue1Brown — Essence of Linear Algebra",
                              "Gilbert Strang — MIT 18.06",
                              "Made with vessay")),
    "quote": Scene(id="q", layout="quote", line=1, quote="The purpose of computing is insight, not numbers.",
                   attribution="Richard Hamming"),
    "code": Scene(id="k", layout="code", line=1, title="One step",
                  code="def step(theta, grad, lr=0.1):\n    # move against the gradient\n    return theta - lr * grad"),
    "equation": Scene(id="e", layout="equation", line=1, title="Softmax",
                      equation=r"\mathrm{softmax}(z)_i = \frac{e^{z_i/T}}{\sum_j e^{z_j/T}}"),
    "image": Scene(id="i", layout="image", line=1, title="Loss curves", caption="Validation flattens out"),
    "two-column": Scene(id="tc", layout="two-column", line=1, title="Two skills",
                        left=Column("Operating models", ("Prompting", "Reading outputs")),
                        right=Column("Understanding them", ("Gradients", "Probability"))),
    "chart": Scene(id="ch", layout="chart", line=1, title="Loss falls",
                   chart=ChartSpec(type="line", x="epoch", y=("loss", "accuracy"),
                                   columns=(("epoch", (1, 2, 3, 4)), ("loss", (1.2, 0.8, 0.6, 0.5)),
                                            ("accuracy", (0.5, 0.7, 0.8, 0.85))), unit="loss")),
}
SLIDE_LAYOUTS = [layout for layout in LAYOUTS if layout != "clip"]
"""Layouts drawn as slides (a clip scene's picture is its footage)."""
LONG_TITLE = "The Surprisingly Deep and Hidden Geometry Behind Every Everyday Linear Transformation We Use"
ABSURD_TITLE = " ".join(["Incomprehensibilities"] * 120)


def write_picture(path: Path, size=(160, 90)) -> Path:
    """A small chart-like test picture: warm gradient, a dark disc and a bright bar."""
    w, h = size
    x = np.linspace(0, 1, w)[None, :, None]
    y = np.linspace(0, 1, h)[:, None, None]
    pixels = np.concatenate([200 + 40 * x + 0 * y, 120 + 100 * y + 0 * x, 60 + 0 * x + 0 * y], axis=-1)
    img = Image.fromarray(pixels.astype(np.uint8))
    draw = ImageDraw.Draw(img)
    draw.ellipse((w * 0.3, h * 0.2, w * 0.7, h * 0.8), fill=(30, 40, 90))
    draw.rectangle((0, h * 0.85, w, h), fill=(250, 250, 240))
    img.save(path)
    return path


@pytest.fixture(scope="session")
def picture(tmp_path_factory) -> Path:
    return write_picture(tmp_path_factory.mktemp("pictures") / "chart.png")


def scene_for(layout: str, picture: Path) -> Scene:
    scene = SCENES[layout]
    return dataclasses.replace(scene, image=picture) if layout == "image" else scene


@functools.cache
def theme_named(name: str):
    return load_theme(name)


def render(scene: Scene, theme_name: str, size=LANDSCAPE, theme=None, **kwargs):
    theme = theme or theme_named(theme_name)
    image = render_slide(scene, theme, size, index=2, total=7, essay_title="Only Math", **kwargs)
    return np.asarray(image).astype(np.int16)


@functools.cache
def _matrix_image(scene: Scene, theme_name: str, size: tuple[int, int]) -> Image.Image:
    return render_slide(scene, theme_named(theme_name), size, index=2, total=7, essay_title="Only Math")


@functools.cache
def _matrix_render(scene: Scene, theme_name: str, size: tuple[int, int]) -> np.ndarray:
    pixels = np.asarray(_matrix_image(scene, theme_name, size)).astype(np.int16)
    pixels.setflags(write=False)
    return pixels


def matrix_render(layout: str, theme_name: str, size, picture: Path | None) -> np.ndarray:
    """The layout x theme x size renders, shared by the tests that only look at them."""
    scene = scene_for(layout, picture) if picture is not None else empty(layout)
    return _matrix_render(scene, theme_name, tuple(size))


def empty(layout: str) -> Scene:
    return Scene(id="e", layout=layout, line=1)


def outside_safe_box(size) -> np.ndarray:
    w, h = size
    x0, y0, x1, y1 = safe_box(size)
    mask = np.ones((h, w), bool)
    mask[y0:y1, x0:x1] = False
    return mask


def color_distance(pixels: np.ndarray, color) -> np.ndarray:
    return np.abs(pixels - np.array(color, np.int16)).max(axis=-1)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("theme_name", THEMES)
@pytest.mark.parametrize("layout", SLIDE_LAYOUTS)
def test_renders_exact_size_rgb(layout, theme_name, size, picture):
    """Every layout in every theme renders an RGB image of exactly the requested size."""
    image = _matrix_image(scene_for(layout, picture), theme_name, size)
    assert image.mode == "RGB"
    assert image.size == size


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("theme_name", THEMES)
@pytest.mark.parametrize("layout", SLIDE_LAYOUTS)
def test_border_is_theme_background(layout, theme_name, size, picture):
    """The margin outside the safe box is the theme's background colour (vignette/grid tolerated)."""
    pixels = matrix_render(layout, theme_name, size, picture)
    border = pixels[outside_safe_box(size)]
    median = np.median(border, axis=0)
    background = theme_named(theme_name).colors["background"]
    assert np.abs(median - np.array(background)).max() <= 16, (median, background)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("theme_name", THEMES)
@pytest.mark.parametrize("layout", SLIDE_LAYOUTS)
def test_accent_colour_in_layout_area(layout, theme_name, size, picture):
    """The layout itself (away from the HUD bands) draws something in the theme's accent colour."""
    pixels = matrix_render(layout, theme_name, size, picture)
    x0, y0, x1, y1 = safe_box(size)
    band = (y1 - y0) * 0.15
    middle = pixels[int(y0 + band):int(y1 - band), x0:x1]
    accent = theme_named(theme_name).colors["accent"]
    assert (color_distance(middle, accent) < 40).sum() >= 3


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("theme_name", THEMES)
@pytest.mark.parametrize("layout", SLIDE_LAYOUTS)
def test_text_stays_inside_safe_box(layout, theme_name, size, picture):
    """Content changes pixels only inside the safe box, and does not run into its edges."""
    with_text = matrix_render(layout, theme_name, size, picture)
    without = matrix_render(layout, theme_name, size, None)
    changed = np.abs(with_text - without).max(axis=-1) > 60
    assert changed.sum() > 50, "the scene drew nothing?"
    assert not changed[outside_safe_box(size)].any()
    ys, xs = np.nonzero(changed)
    x0, y0, x1, y1 = safe_box(size)
    assert xs.min() > x0 and xs.max() < x1 - 1 and ys.min() > y0 and ys.max() < y1 - 1


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("theme_name", THEMES)
def test_long_title_wraps_and_shrinks_to_fit(theme_name, size):
    """A long title wraps onto several lines at a smaller size and still fits inside the safe box."""
    theme = load_theme(theme_name)
    scene = Scene(id="t", layout="title", line=1, title=LONG_TITLE)
    assert fits(scene, theme, size)
    with_text = render(scene, theme_name, size, theme=theme)
    changed = np.abs(with_text - render(empty("title"), theme_name, size, theme=theme)).max(axis=-1) > 60
    assert not changed[outside_safe_box(size)].any()
    inked = changed & (color_distance(with_text, theme.colors["text"]) < 70)
    rows = np.nonzero(inked.any(axis=1))[0]
    # Wrapped: rows holding title-coloured ink form several separate bands (lines), not one.
    bands = 1 + int((np.diff(rows) > 1).sum())
    assert bands >= 3


@pytest.mark.parametrize("layout", ["title", "section", "bullets"])
def test_absurd_title_does_not_fit_but_stays_inside(layout):
    """fits() is False for an absurdly long title; the render is still clipped to the safe box."""
    theme = load_theme("paper")
    scene = Scene(id="x", layout=layout, line=1, title=ABSURD_TITLE, bullets=("One",))
    assert not fits(scene, theme, LANDSCAPE)
    assert fits(SCENES[layout], theme, LANDSCAPE)
    changed = np.abs(render(scene, "paper", theme=theme) - render(empty(layout), "paper", theme=theme)).max(-1) > 60
    assert changed.sum() > 100
    assert not changed[outside_safe_box(LANDSCAPE)].any()


def test_too_many_bullets_do_not_fit():
    """Dozens of long bullets cannot fit at the smallest size, so fits() reports it."""
    theme = load_theme("neon-cyberdeck")
    scene = Scene(id="b", layout="bullets", line=1, title="Too much",
                  bullets=tuple(f"A rather long bullet point number {i} that wraps" for i in range(40)))
    assert not fits(scene, theme, LANDSCAPE)
    assert fits(SCENES["bullets"], theme, LANDSCAPE)


def test_bullet_markers_are_drawn_one_per_bullet():
    """Each bullet gets a drawn accent marker in the marker column (paper: flat, no glow)."""
    size = (704, 396)
    theme = load_theme("paper")
    pixels = render(SCENES["bullets"], "paper", size, theme=theme)
    x0, y0, _, y1 = safe_box(size)
    band = (y1 - y0) * 0.15  # leave out the HUD rows (its accent dot shares this column)
    column = pixels[int(y0 + band):int(y1 - band), x0 + 8:x0 + 18]  # markers: just inside the safe box
    accent_rows = (color_distance(column, theme.colors["accent"]) < 50).any(axis=1)
    runs = int(np.count_nonzero(np.diff(accent_rows.astype(int)) == 1))
    assert runs == len(SCENES["bullets"].bullets) + 1  # four markers plus the title's underline bar


def test_credits_names_in_accent_works_in_text_colour():
    """'Name — work' credits: the name side is accent-coloured, the work side is not."""
    size = (704, 396)
    theme = load_theme("paper")
    scene = Scene(id="c", layout="credits", line=1, bullets=("3Blue1Brown — Essence of Linear Algebra",))
    pixels = render(scene, "paper", size, theme=theme)
    _, y0, _, y1 = safe_box(size)
    mid = size[0] // 2
    rows = pixels[int(y0 + (y1 - y0) * 0.35):y1]
    left, right = rows[:, :mid - 4], rows[:, mid + 4:]
    accent, ink = theme.colors["accent"], theme.colors["text"]
    assert (color_distance(left, accent) < 40).sum() > 40
    assert (color_distance(right, accent) < 40).sum() < 5
    assert (color_distance(right, ink) < 90).sum() > 40


def test_flat_theme_has_flat_background():
    """With every effect off (paper) the background outside the safe box is one exact colour."""
    pixels = render(SCENES["title"], "paper")
    border = pixels[outside_safe_box(LANDSCAPE)]
    assert (border == np.array(load_theme("paper").colors["background"])).all()


def test_glow_spreads_accent_light_around_the_title():
    """neon-cyberdeck glow tints the pixels around the title; without glow they stay dark."""
    size = (704, 396)
    theme = load_theme("neon-cyberdeck")
    no_glow = dataclasses.replace(theme, effects={**theme.effects, "glow": False})
    scene = Scene(id="t", layout="title", line=1, title="Glow")
    glowing = render(scene, "neon-cyberdeck", size, theme=theme)
    flat = render(scene, "neon-cyberdeck", size, theme=no_glow)
    # Near (not on) the text: pixels brighter with glow, towards the accent (cyan: G and B up).
    gain = (glowing - flat)[..., 1:].mean(axis=-1)
    assert (gain > 12).sum() > 200


def test_scanlines_are_soft_and_coarse():
    """Scanlines at 1080p are a low-contrast smooth stripe with a period of at least 6 px."""
    theme = load_theme("neon-cyberdeck")
    rows = effects.scanlines(theme, (1920, 1080))[:, 0, 0]
    assert rows.min() >= 0.9 and rows.max() <= 1.0
    assert np.abs(np.diff(rows)).max() < 0.05
    spectrum = np.abs(np.fft.rfft(rows - rows.mean()))
    period = len(rows) / max(1, int(np.argmax(spectrum)))
    assert period >= 6.0
    assert effects.scanlines(theme, LANDSCAPE) is None  # thumbnails skip them rather than alias


def test_render_is_deterministic():
    """The same scene, theme and size always give the same pixels (pure function)."""
    a = render(SCENES["section"], "neon-cyberdeck")
    b = render(SCENES["section"], "neon-cyberdeck")
    assert np.array_equal(a, b)
