"""Chinese and Japanese wrap between characters (their text has no spaces), by the line-breaking rules."""

from vessay.script import Scene
from vessay.slides import fits
from vessay.slides.fonts import theme_font
from vessay.slides.geometry import Geometry
from vessay.slides.text import TITLE_PX, fit, wrap
from vessay.theme import load_theme

THEME = load_theme("neon-cyberdeck")
TITLE = "你不需要数学学位也能真正理解机器学习的核心思想"
SENTENCE = "只需要线性代数、概率统计和一点点「微积分」，其余的都可以以后再学。"


def test_a_long_chinese_title_wraps_at_a_large_size_instead_of_shrinking_onto_one_line():
    geo = Geometry(1920, 1080)
    block, fitted = fit(TITLE, THEME, "title", 700, TITLE_PX, geo.s(1400), geo.s(500), 1.05, geo, balance=True)
    assert fitted and not block.broke and len(block.lines) >= 2
    assert "".join(block.lines) == TITLE  # no space put in, no character lost
    assert block.font.px >= geo.s(TITLE_PX[0]) * 0.8
    assert fits(Scene(id="t", layout="title", line=1, title=TITLE), THEME, (1920, 1080))


def test_punctuation_keeps_to_its_character_and_latin_words_stay_whole():
    font = theme_font(THEME, "body", 48, 500)
    text = f"{SENTENCE} 例如 softmax 函数。"
    for width in range(260, 900, 37):
        lines, broke = wrap(text, font, width)
        assert not broke
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert all(line[0] not in "、，。」" for line in lines)  # closing marks never start a line
        assert all(line[-1] != "「" for line in lines)  # nor does an opening one end it
        assert all("softmax" in line or "soft" not in line for line in lines)


def test_spaced_text_wraps_as_before():
    font = theme_font(THEME, "body", 48, 500)
    lines, broke = wrap("Linear algebra is the language models are written in", font, 400)
    assert not broke and len(lines) >= 2
    assert " ".join(lines) == "Linear algebra is the language models are written in"
    assert wrap(TITLE, font, 400, break_cjk=False)[1]  # captions keep words whole: a long one is broken
