"""The quote, code, equation, image and two-column layouts; bullet reveal; font fallback; contact sheet."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vessay.errors import VessayError
from vessay.script import Column, Scene, load_script
from vessay.sheet import contact_sheet
from vessay.slides import fits, render_slide, safe_box
from vessay.slides.canvas import Canvas, paint_ops
from vessay.slides.code import token_color
from vessay.slides.fonts import coverage, theme_font
from vessay.theme import load_theme

from conftest import write_script
from test_slides import LANDSCAPE, PORTRAIT, SCENES, color_distance, outside_safe_box, theme_named, write_picture

HEAD = "title: Layouts\nscenes:\n"


def scene_yaml(body: str) -> str:
    """A one-scene script; `body` is the scene's keys, indented under '  - '."""
    return HEAD + "  - id: s\n" + "".join(f"    {line}\n" for line in body.strip("\n").split("\n"))


def load_error(tmp_path: Path, body: str) -> VessayError:
    with pytest.raises(VessayError) as caught:
        load_script(write_script(tmp_path, scene_yaml(body)))
    return caught.value


def line_of(body: str, needle: str) -> int:
    """1-based line in the script written by scene_yaml where `needle` first appears."""
    for number, line in enumerate(scene_yaml(body).split("\n"), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def draw(scene: Scene, theme_name: str = "paper", size=LANDSCAPE, **kwargs) -> np.ndarray:
    image = render_slide(scene, theme_named(theme_name), size, index=1, total=3, essay_title="T", **kwargs)
    return np.asarray(image).astype(np.int16)


# --------------------------------------------------------------------------- script fields

ALL_LAYOUTS = """\
title: Every layout
scenes:
  - id: q
    layout: quote
    quote: The purpose of computing is insight, not numbers.
    attribution: Richard Hamming
    narration: A quote.
  - id: k
    layout: code
    language: rust
    code: |
      fn main() {
          println!("hi");
      }
    narration: Code.
  - id: e
    layout: equation
    equation: '\\theta \\leftarrow \\theta - \\eta \\nabla L(\\theta)'
    narration: Maths.
  - id: i
    layout: image
    image: pictures/chart.png
    caption: A chart
    fit: cover
    narration: A picture.
  - id: tc
    layout: two-column
    left: {heading: Operating models, bullets: [Prompting, Reading outputs]}
    right:
      heading: Understanding them
      bullets: [Gradients]
    narration: Two columns.
"""


def test_new_layouts_load_with_their_fields(tmp_path):
    """Each new layout's YAML keys land on the Scene, image paths resolved against the script."""
    (tmp_path / "pictures").mkdir()
    picture = write_picture(tmp_path / "pictures" / "chart.png")
    q, k, e, i, tc = load_script(write_script(tmp_path, ALL_LAYOUTS)).scenes
    assert (q.quote, q.attribution) == ("The purpose of computing is insight, not numbers.", "Richard Hamming")
    assert k.language == "rust" and k.code == 'fn main() {\n    println!("hi");\n}'
    assert e.equation == r"\theta \leftarrow \theta - \eta \nabla L(\theta)"
    assert (i.image, i.caption, i.fit) == (picture.resolve(), "A chart", "cover")
    assert tc.left == Column("Operating models", ("Prompting", "Reading outputs"))
    assert tc.right == Column("Understanding them", ("Gradients",))


def test_equation_that_does_not_parse_fails_at_its_line(tmp_path):
    body = "layout: equation\nnarration: x\nequation: '\\frac{a}{'"
    err = load_error(tmp_path, body)
    assert err.line == line_of(body, "equation:")
    assert err.message.startswith("equation does not parse: ")
    assert "frac" in err.message and "\n" not in err.message


def test_unknown_maths_command_names_it(tmp_path):
    err = load_error(tmp_path, "layout: equation\nnarration: x\nequation: '\\foo x'")
    assert "\\foo" in err.message


def test_missing_image_fails_at_its_line(tmp_path):
    body = "layout: image\nnarration: x\ncaption: hello\nimage: nothere.png"
    err = load_error(tmp_path, body)
    assert err.line == line_of(body, "image:")
    assert "nothere.png" in err.message and "not found" in err.message


def test_unreadable_image_fails_at_its_line(tmp_path):
    (tmp_path / "fake.png").write_text("not a picture")
    body = "layout: image\nnarration: x\nimage: fake.png"
    err = load_error(tmp_path, body)
    assert err.line == line_of(body, "image:") and "not a picture" in err.message


@pytest.mark.parametrize("body, needle, words", [
    ("layout: quote\nnarration: x\nattribution: Someone", "id: s", "no 'quote'"),
    ("layout: code\nnarration: x", "id: s", "no 'code'"),
    ("layout: equation\nnarration: x", "id: s", "no 'equation'"),
    ("layout: image\nnarration: x", "id: s", "no 'image'"),
    ("layout: two-column\nnarration: x\nleft: {heading: A, bullets: [a]}", "id: s", "no 'right'"),
    ("layout: two-column\nnarration: x\nleft: {heading: A, bullets: [a]}\nright: {bullets: [b]}", "right:",
     "'right' of scene 's' has no 'heading'"),
    ("layout: two-column\nnarration: x\nleft: {heading: A}\nright: {heading: B, bullets: [b]}", "left:",
     "'left' of scene 's' has no 'bullets'"),
    ("layout: code\nnarration: x\nlanguage: pyton\ncode: x = 1", "language:", "did you mean 'python'"),
    ("layout: image\nnarration: x\nimage: a.png\nfit: fill", "fit:", "unknown fit 'fill'"),
    ("layout: bullets\nnarration: x\nbullets: [a]\ncode: x = 1", "code:", "'code' is for layout 'code'"),
    ("layout: quote\nnarration: x\nquote: hi\natribution: me", "atribution:", "did you mean 'attribution'"),
    ("layout: two-column\nnarration: x\nleft: {heading: A, bullets: [a], colour: red}\n"
     "right: {heading: B, bullets: [b]}", "left:", "unknown key 'colour'"),
])
def test_layout_field_errors_point_at_the_line(tmp_path, body, needle, words):
    """Missing, misspelt or misplaced layout fields fail with file:line and a clear message."""
    err = load_error(tmp_path, body)
    assert words in err.message
    assert err.line == line_of(body, needle)
    where = f"{err.file}:{err.line}" + (f":{err.col}" if err.col is not None else "")
    assert str(err).startswith(f"{where}: ")


# --------------------------------------------------------------------------- rendering details

def test_code_tokens_take_theme_colours():
    """Keywords in accent, strings in accent2, comments muted, names in text."""
    theme = theme_named("paper")
    c = theme.colors
    assert token_color(theme, "Token.Keyword") == c["accent"]
    assert token_color(theme, "Token.Literal.String.Double") == c["accent2"]
    assert token_color(theme, "Token.Comment.Single") == c["muted"]
    assert token_color(theme, "Token.Name") == c["text"]


def test_code_panel_is_subtle_and_holds_coloured_code():
    """The code panel is close to the background, and the code shows accent and accent2 pixels."""
    size = (704, 396)
    theme = theme_named("paper")
    scene = Scene(id="k", layout="code", line=1, code='def f(x):\n    return "hi"  # note')
    pixels = draw(scene, "paper", size)
    x0, y0, x1, y1 = safe_box(size)
    inner = pixels[y0 + 40:y1 - 40, x0 + 20:x1 - 20]
    off_background = color_distance(inner, theme.colors["background"])
    panel = (off_background >= 3) & (off_background <= 30)  # a faint tint of the background
    assert panel.sum() > 0.15 * panel.size
    assert (color_distance(inner, theme.colors["accent"]) < 40).sum() > 10
    assert (color_distance(inner, theme.colors["accent2"]) < 40).sum() > 10


def test_long_code_shrinks_then_reports_it_does_not_fit():
    theme = theme_named("neon-cyberdeck")
    short = Scene(id="k", layout="code", line=1, code="x = 1\ny = 2")
    huge = dataclasses.replace(short, code="\n".join(f"value_{i} = compute({i}) * factor" for i in range(200)))
    wide = dataclasses.replace(short, code="x = " + " + ".join(["some_long_variable_name"] * 30))
    assert fits(short, theme, LANDSCAPE)
    assert not fits(huge, theme, LANDSCAPE)
    assert not fits(wide, theme, LANDSCAPE)
    for scene in (huge, wide):  # still drawn, and still inside the safe box
        changed = np.abs(draw(scene, "neon-cyberdeck") - draw(dataclasses.replace(scene, code=""),
                                                               "neon-cyberdeck")).max(-1) > 60
        assert changed.sum() > 50 and not changed[outside_safe_box(LANDSCAPE)].any()


def test_equation_is_drawn_in_text_colour_and_glows_in_neon():
    size = (704, 396)
    scene = Scene(id="e", layout="equation", line=1, equation="O(n^2)")
    paper = theme_named("paper")
    pixels = draw(scene, "paper", size)
    assert (color_distance(pixels, paper.colors["text"]) < 30).sum() > 300
    neon = theme_named("neon-cyberdeck")
    flat = dataclasses.replace(neon, effects={**neon.effects, "glow": False})
    glowing = np.asarray(render_slide(scene, neon, size, index=1, total=3, essay_title="T"), np.int16)
    plain = np.asarray(render_slide(scene, flat, size, index=1, total=3, essay_title="T"), np.int16)
    assert ((glowing - plain)[..., 1:].mean(-1) > 12).sum() > 200


def test_equation_too_long_does_not_fit():
    theme = theme_named("paper")
    long = Scene(id="e", layout="equation", line=1, equation=" + ".join(f"x_{{{i}}}^2" for i in range(80)))
    assert fits(SCENES["equation"], theme, LANDSCAPE)
    assert not fits(long, theme, LANDSCAPE)


def test_image_fit_contain_vs_cover(tmp_path):
    """A tall picture: contain leaves the sides of the frame empty, cover fills them."""
    picture = write_picture(tmp_path / "tall.png", size=(60, 160))
    size = (704, 396)
    theme = theme_named("paper")
    contain = Scene(id="i", layout="image", line=1, image=picture, fit="contain")
    cover = dataclasses.replace(contain, fit="cover")
    a, b = draw(contain, "paper", size), draw(cover, "paper", size)
    cx0, cy0, cx1, cy1 = [int(v) for v in _content(size)]
    mid_row = (cy0 + cy1) // 2
    edges = np.concatenate([a[mid_row, cx0 + 12:cx0 + 40], a[mid_row, cx1 - 40:cx1 - 12]])
    assert (color_distance(edges, theme.colors["background"]) < 6).all()  # contain: empty sides
    covered = np.concatenate([b[mid_row, cx0 + 12:cx0 + 40], b[mid_row, cx1 - 40:cx1 - 12]])
    assert (color_distance(covered, theme.colors["background"]) > 40).all()  # cover: picture to the edge
    assert fits(contain, theme, size) and fits(cover, theme, size)
    for pixels in (a, b):
        assert not (np.abs(pixels - draw(dataclasses.replace(contain, image=None), "paper", size)).max(-1) > 60)[
            outside_safe_box(size)].any()


def _content(size):
    from vessay.slides.geometry import Geometry

    return Geometry(*size).content


def test_two_column_side_by_side_landscape_stacked_portrait():
    """Landscape: left heading in accent on the left half, right heading in accent2 on the right half.
    Portrait: the accent2 column sits below the accent one."""
    theme = theme_named("paper")
    scene = SCENES["two-column"]
    accent, accent2 = theme.colors["accent"], theme.colors["accent2"]
    land = draw(scene, "paper", (704, 396))
    mid = 352
    assert (color_distance(land[:, :mid], accent) < 40).sum() > 50
    assert (color_distance(land[:, mid:], accent2) < 40).sum() > 50
    assert (color_distance(land[:, mid:], accent) < 40).sum() < 20
    port = draw(scene, "paper", (396, 704))
    rows_a = np.nonzero((color_distance(port, accent) < 40).sum(1) > 3)[0]
    rows_b = np.nonzero((color_distance(port, accent2) < 40).sum(1) > 3)[0]
    rows_a = rows_a[(rows_a > 150) & (rows_a < 600)]  # leave out the HUD and the title's bar
    rows_b = rows_b[(rows_b > 150) & (rows_b < 600)]
    assert rows_a.size and rows_b.size and np.median(rows_b) > np.median(rows_a) + 60


def test_fits_is_false_for_overlong_quote_and_columns():
    theme = theme_named("terminal")
    long_quote = Scene(id="q", layout="quote", line=1, quote=" ".join(["Incomprehensibilities"] * 80))
    many = Column("Many", tuple(f"A long bullet about point number {i} that wraps" for i in range(30)))
    crowded = dataclasses.replace(SCENES["two-column"], left=many, right=many)
    for scene in (long_quote, crowded):
        assert not fits(scene, theme, LANDSCAPE)
    for layout in ("quote", "code", "equation", "two-column"):
        assert fits(SCENES[layout], theme, LANDSCAPE) and fits(SCENES[layout], theme, PORTRAIT)


# --------------------------------------------------------------------------- reveal

REVEAL = Scene(id="b", layout="bullets", line=1, title="Reveal",
               bullets=("First point", "Second point", "Third point", "Fourth point"))


@pytest.mark.parametrize("theme_name", ["paper", "neon-cyberdeck"])
def test_reveal_hides_later_bullets_and_keeps_earlier_ones(theme_name):
    """reveal=2 draws bullets 1-2 pixel-identical to the full slide, and nothing of bullets 3-4."""
    size = (704, 396)
    full = draw(REVEAL, theme_name, size)
    two = draw(REVEAL, theme_name, size, reveal=2)
    none = draw(REVEAL, theme_name, size, reveal=0)
    first_two = np.abs(two - none).max(-1) > 0  # pixels bullets 1-2 draw
    later = np.abs(full - two).max(-1) > 60      # pixels bullets 3-4 draw
    assert first_two.sum() > 200 and later.sum() > 200
    assert np.array_equal(full[first_two], two[first_two])
    assert np.nonzero(later)[0].min() > np.nonzero(np.abs(two - none).max(-1) > 60)[0].max()
    assert np.array_equal(draw(REVEAL, theme_name, size, reveal=4), full)


def test_reveal_counts_left_column_then_right():
    size = (704, 396)
    scene = SCENES["two-column"]  # two bullets per column
    none = draw(scene, "paper", size, reveal=0)
    left_only = draw(scene, "paper", size, reveal=2)
    full = draw(scene, "paper", size)
    cols_left = np.nonzero((np.abs(left_only - none).max(-1) > 60).any(0))[0]
    cols_right = np.nonzero((np.abs(full - left_only).max(-1) > 60).any(0))[0]
    assert cols_left.size and cols_right.size
    assert cols_left.max() < size[0] // 2 < cols_right.min()


def test_reveal_on_credits():
    scene = SCENES["credits"]
    full = draw(scene, "paper", (704, 396))
    one = draw(scene, "paper", (704, 396), reveal=1)
    drawn = np.abs(one - draw(scene, "paper", (704, 396), reveal=0)).max(-1) > 0
    assert drawn.sum() > 100 and np.array_equal(full[drawn], one[drawn])
    assert (np.abs(full - one).max(-1) > 60).sum() > 100


# --------------------------------------------------------------------------- font fallback

def _ink(font, text: str) -> Image.Image:
    canvas = Canvas()
    canvas.text((10, font.px * 1.2), text, font, (255, 255, 255))
    img = Image.new("RGB", (int(font.length(text)) + 20, int(font.px * 1.6)), (0, 0, 0))
    paint_ops(img, canvas.ops)
    return img.convert("L")


def test_greek_falls_back_instead_of_tofu():
    """Orbitron has no Greek: each letter is drawn by a fallback font, not as the .notdef box."""
    theme = theme_named("neon-cyberdeck")
    font = theme_font(theme, "title", 64, 700)
    assert ord("α") not in coverage(font.path)
    notdef = np.asarray(font.font.getmask("α"))  # what Pillow alone would draw: the .notdef box
    assert np.array_equal(notdef, np.asarray(font.font.getmask("β")))
    for ch in "αβγ∑":
        [(path, chunk)] = font.runs(ch)
        assert path != font.path and ord(ch) in coverage(path)
        glyph = np.asarray(font.face(path).getmask(ch))
        assert glyph.shape != notdef.shape or not np.array_equal(glyph, notdef)
    # Mixed text keeps the theme font for the Latin part, and the Greek glyphs differ from each other.
    runs = font.runs("Loss αβγ")
    assert runs[0] == (font.path, "Loss ") and runs[1][1] == "αβγ"
    a, b = np.asarray(_ink(font, "α")), np.asarray(_ink(font, "β"))
    assert a.shape != b.shape or np.abs(a.astype(int) - b).max() > 100


def test_non_latin_scene_renders_and_fits():
    scene = Scene(id="g", layout="bullets", line=1, title="Σύνοψη αβγ",
                  bullets=("Learning rate η → 0", "Кириллица ✓"))
    theme = theme_named("neon-cyberdeck")
    assert fits(scene, theme, LANDSCAPE)
    pixels = draw(scene, "neon-cyberdeck")
    assert (np.abs(pixels - draw(dataclasses.replace(scene, title="", bullets=("",)), "neon-cyberdeck")).max(-1)
            > 60).sum() > 100


def _yellow(pixels: np.ndarray) -> np.ndarray:
    return (pixels[..., 0] > 180) & (pixels[..., 1] > 160) & (pixels[..., 2] < 90)


@pytest.mark.parametrize("theme_name", ["paper", "neon-cyberdeck"])
def test_emoji_title_renders_in_colour(theme_name):
    """The seed's closing line: the corn is drawn by the colour emoji font, in its own yellow."""
    font = theme_font(theme_named(theme_name), "title", 64, 700)
    runs = font.runs("Go Big Red! 🌽")
    assert runs[0][0] == font.path and runs[-1] == (runs[-1][0], "🌽") and "openmoji" in runs[-1][0]
    scene = Scene(id="o", layout="title", line=1, title="Go Big Red! 🌽")
    with_corn = draw(scene, theme_name, (704, 396))
    without = draw(dataclasses.replace(scene, title="Go Big Red!"), theme_name, (704, 396))
    assert _yellow(with_corn).sum() > 60 and _yellow(without).sum() < 5


def test_mono_emoji_take_the_text_colour():
    """`emoji: mono` (the terminal theme) draws Noto Emoji in the theme's text colour: no yellow corn."""
    theme = theme_named("terminal")
    assert theme.emoji == "mono"
    font = theme_font(theme, "title", 64, 700)
    assert "NotoEmoji" in font.runs("Go 🌽")[-1][0]
    scene = Scene(id="o", layout="title", line=1, title="Go Big Red! 🌽")
    pixels = draw(scene, "terminal", (704, 396))
    without = draw(dataclasses.replace(scene, title="Go Big Red!"), "terminal", (704, 396))
    assert (np.abs(pixels - without).max(-1) > 60).sum() > 100
    assert _yellow(pixels).sum() == _yellow(without).sum()  # only the theme's amber tick, no yellow corn


@pytest.mark.parametrize("text, face", [("机器学习", 2), ("ひらがなと漢字", 0), ("한국어", 1)])
def test_cjk_titles_render(text, face):
    """Chinese, Japanese and Korean are drawn by Noto Sans CJK, in the face of their region, never as boxes."""
    font = theme_font(theme_named("neon-cyberdeck"), "title", 64, 700)
    [(path, chunk)] = font.runs(text)
    assert path.endswith(f".ttc#{face}") and chunk == text
    glyphs = [np.asarray(font.face(path).getmask(ch)) for ch in text[:2]]
    assert all(g.size and g.max() > 200 for g in glyphs) and not np.array_equal(*glyphs)
    scene = Scene(id="c", layout="title", line=1, title=text)
    ink = np.abs(draw(scene, "paper") - draw(dataclasses.replace(scene, title="x"), "paper")).max(-1) > 60
    assert ink.sum() > 200


def test_emoji_clusters_stay_whole():
    """ZWJ families, skin tones, flags and keycaps are one piece; VS16 asks for emoji, text symbols stay text."""
    from vessay.slides.emoji import clusters

    pieces = clusters("👨\u200d👩\u200d👧 👍🏽🇺🇸1\ufe0f\u20e3❤\ufe0f❤☕a\ufe0f")
    assert pieces == [("👨\u200d👩\u200d👧", True), (" ", False), ("👍🏽", True), ("🇺🇸", True),
                      ("1\ufe0f\u20e3", True), ("❤\ufe0f", True), ("❤", False), ("☕", True), ("a\ufe0f", True)]


def test_unbundled_character_is_left_out_with_a_warning(tmp_path, capsys):
    """A character no bundled font has is dropped from the slide (no box, no refusal) and `check` warns."""
    from vessay.cli import main

    font = theme_font(theme_named("paper"), "body", 40, 500)
    assert "".join(chunk for _, chunk in font.runs("a𓀀b")) == "ab"
    script = write_script(tmp_path, 'title: x\nscenes:\n  - {id: a, layout: title, title: "Go 𓀀 🚀 中文", '
                                    'narration: n}\n')
    assert main(["check", str(script)]) == 0
    err = capsys.readouterr().err
    assert "U+13000" in err and "U+1F680" not in err and "U+4E2D" not in err


def test_draw_text_is_usable_outside_slides():
    """text_font + draw_text draw any font file with every fallback: CJK ink and a colour emoji."""
    from vessay.slides.fonts import draw_text, text_font

    theme = theme_named("neon-cyberdeck")
    font = text_font(theme.fonts["body"], 48, 600)
    image = Image.new("RGB", (400, 80), (0, 0, 0))
    draw_text(image, (200, 60), "字幕 🌽", font, (255, 255, 255), anchor="ms")
    pixels = np.asarray(image).astype(int)
    white = (pixels.min(-1) > 200).sum()
    assert white > 100 and _yellow(pixels).sum() > 50
    columns = np.nonzero(pixels.max(-1).max(0) > 100)[0]
    assert abs((columns.min() + columns.max()) / 2 - 200) < 6  # centred on its anchor


def test_invisible_format_characters_are_dropped():
    """Variation selectors and zero-width joiners never reach the font (they would be tofu)."""
    font = theme_font(theme_named("paper"), "body", 40, 500)
    assert font.runs("ok\ufe0f\u200b!") == ((font.path, "ok!"),)


def test_slide_identity_follows_what_is_drawn(tmp_path):
    """slide_identity (for cache keys) changes with the quote or the image file, not the narration."""
    from vessay.slides import slide_identity

    quote = SCENES["quote"]
    assert slide_identity(quote) == slide_identity(dataclasses.replace(quote, narration="Other words"))
    assert slide_identity(quote) != slide_identity(dataclasses.replace(quote, quote="Another quote"))
    picture = write_picture(tmp_path / "p.png")
    scene = dataclasses.replace(SCENES["image"], image=picture)
    before = slide_identity(scene)
    write_picture(picture, size=(200, 90))
    assert slide_identity(scene) != before


# --------------------------------------------------------------------------- contact sheet

def test_contact_sheet_grid_and_labels():
    layouts = ("title", "bullets", "quote", "code", "credits")
    images = [render_slide(SCENES[layout], theme_named("neon-cyberdeck"), LANDSCAPE, index=i + 1, total=5,
                           essay_title="T") for i, layout in enumerate(layouts)]
    labels = [f"{i + 1:02d}  {s}" for i, s in enumerate(("intro", "points", "hamming", "step", "credits"))]
    sheet = contact_sheet(images, labels, columns=2)
    assert sheet.mode == "RGB"
    pixels = np.asarray(sheet).astype(int)
    corner = pixels[2, 2]
    assert corner.max() < 40 and np.ptp(corner) < 10  # dark neutral background
    assert sheet.width < sheet.height  # 2 columns x 3 rows of 16:9 cells
    # Labels: bright text in the strip under each thumbnail of the first row.
    from vessay.sheet import GAP, THUMB
    strip = pixels[GAP + round(THUMB * 198 / 352):GAP + round(THUMB * 198 / 352) + 34, GAP:GAP + THUMB]
    assert (strip.min(-1) > 150).sum() > 30
    with pytest.raises(ValueError):
        contact_sheet(images, labels[:2])


# --------------------------------------------------------------------------- charts

CHART_SCRIPT = """\
title: Charts
scenes:
  - id: from-csv
    layout: chart
    chart: {type: line, data: table.csv, x: year, y: [loss, accuracy], title: Training, unit: loss}
    narration: "[>] Loss falls [>] and accuracy rises."
  - id: inline-rows
    layout: chart
    chart:
      type: line
      data: [[year, loss, accuracy], [2019, 1.2, 0.5], [2020, 0.9, 0.6], [2021, 0.7, 0.7]]
      x: year
      y: [loss, accuracy]
      title: Training
      unit: loss
    narration: n
  - id: bars
    layout: chart
    chart: {type: bar, data: {model: [small, medium, large], params: [1, 3, 7]}, x: model, y: params}
    narration: "[>] One, [>] two, [>] three."
"""


@pytest.fixture(scope="module")
def charts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("charts")
    (folder / "table.csv").write_text("year,loss,accuracy\n2019,1.2,0.5\n2020,0.9,0.6\n2021,0.7,0.7\n")
    return load_script(write_script(folder, CHART_SCRIPT)).scenes


def test_chart_data_from_csv_or_inline_table(charts):
    """A CSV file and the same table written inline give the same chart; bars reveal one by one."""
    from_csv, inline, bars = charts
    assert from_csv.chart == inline.chart
    assert from_csv.chart.values("loss") == (1.2, 0.9, 0.7) and from_csv.revealable == 2
    assert bars.chart.values("model") == ("small", "medium", "large") and bars.revealable == 3


def _near(pixels: np.ndarray, colour) -> np.ndarray:
    return np.abs(pixels - np.array(colour)).max(-1) < 40


def test_chart_colours_come_from_the_theme_and_reveal_series_one_at_a_time(charts):
    """Series are drawn in the theme's accent and accent2; reveal 1 shows the first line only."""
    scene = charts[0]
    theme = theme_named("paper")
    accent, accent2 = theme.colors["accent"], theme.colors["accent2"]
    size = (704, 396)
    pieces = {k: draw(scene, "paper", size, reveal=k) for k in (0, 1, None)}
    plot = (slice(size[1] // 3, size[1] * 5 // 6), slice(size[0] // 8, size[0] * 7 // 8))  # below the heading bar
    counts = {k: (_near(p[plot], accent).sum(), _near(p[plot], accent2).sum()) for k, p in pieces.items()}
    assert counts[0][0] < 20 and counts[0][1] < 20
    assert counts[1][0] > 300 and counts[1][1] < 20
    assert counts[None][0] > 300 and counts[None][1] > 300
    neon = theme_named("neon-cyberdeck")
    full = draw(scene, "neon-cyberdeck", size)[plot]
    assert _near(full, neon.colors["accent"]).sum() > 300 and _near(full, neon.colors["accent2"]).sum() > 300


def test_bar_chart_reveals_bars_and_reads_in_portrait(charts):
    """Each `[>]` adds one bar; the chart also lays out on a 9:16 slide."""
    scene = charts[2]
    accent = theme_named("paper").colors["accent"]
    bars = [_near(draw(scene, "paper", (704, 396), reveal=k), accent).sum() for k in (1, 2, 3)]
    assert bars[0] > 300 and bars[1] > bars[0] * 1.5 and bars[2] > bars[1] * 1.3
    portrait = draw(scene, "paper", PORTRAIT)
    assert _near(portrait, accent).sum() > 300 and fits(scene, theme_named("paper"), PORTRAIT)


def _bitmap_emoji_font(path: Path, ppem: int = 64) -> Path:
    """A one-glyph colour bitmap font (sbix, like Apple's emoji): a solid amber square for U+1F33D."""
    import io

    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib.tables._s_b_i_x import table__s_b_i_x
    from fontTools.ttLib.tables.sbixGlyph import Glyph
    from fontTools.ttLib.tables.sbixStrike import Strike

    builder = FontBuilder(1024, isTTF=True)
    builder.setupGlyphOrder([".notdef", "corn"])
    builder.setupCharacterMap({0x1F33D: "corn"})
    pen = TTGlyphPen(None)
    pen.moveTo((0, 0)), pen.lineTo((0, 1)), pen.lineTo((1, 1)), pen.closePath()
    builder.setupGlyf({".notdef": pen.glyph(), "corn": pen.glyph()})
    builder.setupHorizontalMetrics({".notdef": (1024, 0), "corn": (1024, 0)})
    builder.setupHorizontalHeader(ascent=900, descent=-124)
    builder.setupNameTable({"familyName": "Amber Emoji", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=900, usWinAscent=900, usWinDescent=124)
    builder.setupPost()
    png = io.BytesIO()
    Image.new("RGBA", (ppem, ppem), (255, 176, 0, 255)).save(png, "PNG")
    strike = Strike(ppem=ppem, resolution=72)
    strike.glyphs["corn"] = Glyph(glyphName="corn", graphicType="png ", imageData=png.getvalue())
    table = table__s_b_i_x()
    table.strikes[ppem] = strike
    builder.font["sbix"] = table
    builder.save(str(path))
    return path


@pytest.mark.parametrize("px", [24, 64, 150])
def test_bitmap_colour_emoji_font_is_scaled_to_the_text(tmp_path, px):
    """A theme's own bitmap emoji font (glyphs at 64 px only) draws its colour glyph at any text size."""
    from vessay.slides.fonts import draw_text

    _bitmap_emoji_font(tmp_path / "amber.ttf")
    (tmp_path / "theme.yaml").write_text("inherits: paper\nfonts: {emoji: amber.ttf}\n")
    theme = load_theme(str(tmp_path / "theme.yaml"))
    font = theme_font(theme, "body", px, 500)
    assert font.runs("Go 🌽")[-1] == (str(tmp_path / "amber.ttf"), "🌽")
    image = Image.new("RGB", (px * 4, px * 2), (0, 0, 0))
    draw_text(image, (px // 4, px * 3 // 2), "Go 🌽", font, (255, 255, 255))
    amber = np.asarray(image).astype(int)
    ys, xs = np.nonzero((np.abs(amber - (255, 176, 0)).max(-1) < 20))
    assert abs((xs.max() - xs.min() + 1) - px) <= 2 and abs((ys.max() - ys.min() + 1) - px) <= 2


def test_layout_checks_remember_their_answers_in_the_cache_they_are_given(tmp_path, isolated_cache):
    """check and a short's layout check keep what they laid out in the given cache (the studio's, or
    --cache-dir), where the render looks, and leave the default cache alone."""
    from conftest import TINY_VIDEO, write_script
    from vessay.checks import check, layout_findings, theme_for

    script = load_script(write_script(tmp_path, f"title: Cached\n{TINY_VIDEO}\nscenes:\n"
                                                "  - {id: a, layout: title, title: One, narration: Hello.}\n"))
    theme = theme_for(script, None)
    assert not check(script, theme, cache_dir=tmp_path / "mine").errors
    assert not layout_findings(script, theme, tmp_path / "short").errors
    for given in ("mine", "short"):
        assert list((tmp_path / given / "layout").glob("*.json"))
    assert not (isolated_cache / "layout").exists()
