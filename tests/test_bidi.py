"""Right-to-left text mixed with Latin words and digits reads in order, on slides and in captions."""

import numpy as np
from PIL import Image

from vessay.burned import TextPicture
from vessay.slides.bidi import levels, visual_order, word_order
from vessay.slides.fonts import draw_text, text_font, theme_font
from vessay.theme import load_theme

THEME = load_theme("neon-cyberdeck")
ARABIC_WORD, LATIN_WORD = "نموذج", "GPT"


def ink(text, x, font, anchor="ls", size=(640, 120)):
    image = Image.new("L", size, 0)
    draw_text(image, (x, 80), text, font, 255, anchor=anchor)
    return np.asarray(image, dtype=np.float32)


def test_an_arabic_line_shows_its_latin_word_to_the_left_of_the_word_before_it():
    """"نموذج GPT" reads right to left: the Arabic word at the right end, GPT after it, on its left."""
    font = theme_font(THEME, "body", 64, 500)
    text = f"{ARABIC_WORD} {LATIN_WORD}"
    line = ink(text, 20, font)
    right_end = 20 + font.length(text)
    latin, arabic = ink(LATIN_WORD, 20, font), ink(ARABIC_WORD, right_end, font, "rs")
    assert latin.sum() > 0 and arabic.sum() > 0
    assert np.abs(line - np.maximum(latin, arabic)).mean() < 0.5
    logical = np.maximum(ink(ARABIC_WORD, 20, font), ink(LATIN_WORD, right_end, font, "rs"))
    assert np.abs(line - logical).mean() > 5


def test_an_arabic_word_inside_an_english_line_keeps_the_spaces_around_it():
    font = theme_font(THEME, "body", 64, 500)
    line = ink(f"a {ARABIC_WORD} b", 20, font)
    expected = np.maximum.reduce([ink("a", 20, font), ink(ARABIC_WORD, 20 + font.length("a "), font),
                                  ink("b", 20 + font.length(f"a {ARABIC_WORD} "), font)])
    assert np.abs(line - expected).mean() < 0.5


def test_a_wrapped_line_follows_its_paragraphs_direction():
    """A line of Latin text in a right-to-left paragraph ends on its left: its closing mark goes there."""
    font = text_font(THEME.fonts["body"], 40)
    assert [chunk for _, chunk, _ in font.visual_runs("GPT 4!")] == ["GPT 4!"]
    assert [(chunk, rtl) for _, chunk, rtl in font.visual_runs("GPT 4!", base=1)] == [("!", True), ("GPT 4", False)]


def test_levels_and_order_follow_the_bidirectional_algorithm():
    assert levels("سلام 2024 عليكم") == (1,) * 5 + (2,) * 4 + (1,) * 6
    assert levels("abc ") == (0,) * 4
    assert levels("abc עד ", 0)[-1] == 0  # a trailing space takes the paragraph's direction
    assert visual_order([1, 2, 1]) == [2, 1, 0]
    assert visual_order([0, 1, 1, 0]) == [0, 2, 1, 3]
    assert word_order(["one", "two"]) == [0, 1]
    assert word_order([ARABIC_WORD, LATIN_WORD, "يتعلم"]) == [2, 1, 0]


def test_caption_words_of_a_right_to_left_cue_run_right_to_left():
    font = theme_font(THEME, "caption" if "caption" in THEME.fonts else "body", 48, 700)
    rtl = TextPicture(font, [[0, 1, 2]], (ARABIC_WORD, LATIN_WORD, "يتعلم"), 1000, None)
    assert rtl.places[0][0] > rtl.places[1][0] > rtl.places[2][0]
    ltr = TextPicture(font, [[0, 1, 2]], ("one", "small", "step"), 1000, None)
    assert ltr.places[0][0] < ltr.places[1][0] < ltr.places[2][0]


def _ink_centre_x(image, top, bottom):
    """Mean column of the bright (text) pixels between two rows, as a fraction of the width."""
    grey = np.asarray(image.convert("L"), dtype=np.float32)[top:bottom]
    columns = np.nonzero(grey > 150)[1]
    return columns.mean() / image.width


def test_a_right_to_left_slide_is_laid_out_from_the_right_and_keeps_its_frame():
    from vessay.script import Scene
    from vessay.slides import render_slide
    from vessay.slides.compose import reads_right_to_left

    def slide(title, bullets):
        scene = Scene(id="s", layout="bullets", line=1, title=title, bullets=bullets)
        return scene, render_slide(scene, THEME, (1280, 720), index=2, total=9, essay_title="Essay")

    arabic, arabic_image = slide("القائمة المختصرة", ("الجبر الخطي", "RAG والاستضافة"))
    english, english_image = slide("The Shortlist", ("Linear algebra", "RAG and hosting"))
    assert reads_right_to_left(arabic) and not reads_right_to_left(english)
    assert _ink_centre_x(arabic_image, 120, 600) > 0.6 > 0.4 > _ink_centre_x(english_image, 120, 600)
    # The frame does not turn: the essay's title stays top left and the scene counter top right.
    hud = [np.asarray(image, dtype=np.float32)[60:110] for image in (arabic_image, english_image)]
    assert hud[0].max() > 150 and np.abs(hud[0] - hud[1]).max() < 1
    code = Scene(id="c", layout="code", line=1, title="الشيفرة", code="x = 1")
    assert not reads_right_to_left(code)  # code, maths and charts keep their own direction


def test_a_right_to_left_lower_third_sits_at_the_lower_right():
    from vessay.script import Scene
    from vessay.slides.lower_third import lower_third

    def panel_centre_x(title):
        image = lower_third(Scene(id="x", layout="clip", line=1, title=title, caption="(GD)"), THEME, (1280, 720))
        return np.nonzero(np.asarray(image.getchannel("A")) > 100)[1].mean() / 1280

    assert panel_centre_x("نزول التدرج") > 0.7 and panel_centre_x("Gradient descent") < 0.3
