"""The `chart` layout: a line, bar or scatter chart of real numbers, in the theme's colours and fonts.

matplotlib draws the chart in layers on transparent backgrounds: the axes (grid, ticks,
title, unit) and then each series — or each bar of a one-series bar chart — on its own.
The slide pastes the layers it shows, so `[>]` reveals series or bars one at a time
without anything moving, and in glowing themes each series glows in its own colour.
Lines are labelled at their ends rather than in a legend, so a label arrives with its line.
"""

from __future__ import annotations

import functools
import threading

import numpy as np
from PIL import Image

from ..script import Scene
from ..scriptmedia import ChartSpec
from ..theme import Theme
from .canvas import Canvas
from .effects import mix
from .fonts import fallback_chain
from .geometry import Geometry
from .parts import Heading

_LOCK = threading.Lock()  # matplotlib's font cache and text layout are not thread-safe
TICK_PX, LABEL_PX, TITLE_PX = 26, 28, 32
"""Text sizes in px at 1080p scale."""


def series_colors(c: dict, count: int) -> list[tuple[int, int, int]]:
    """The theme's accents first, then its text colour, then blends of them (`c`: the theme's colours)."""
    palette = [c["accent"], c["accent2"], c["text"], mix(c["accent"], c["accent2"], 0.5),
               mix(c["accent"], c["text"], 0.5), mix(c["accent2"], c["text"], 0.5)]
    return [palette[k % len(palette)] for k in range(count)]


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#%02x%02x%02x" % rgb


@functools.lru_cache(maxsize=8)
def _families(theme_fonts: tuple[str, ...]) -> tuple[str, ...]:
    """matplotlib family names for the theme's fonts then the fallbacks, registered once (per-glyph fallback)."""
    import logging

    from matplotlib import font_manager

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # weights it substitutes, quietly
    names = []
    for path in (*theme_fonts, *fallback_chain("sans", "mono")):
        file = path.split("#")[0]
        font_manager.fontManager.addfont(file)
        for entry in font_manager.fontManager.ttflist:
            if entry.fname == file and entry.name not in names:
                names.append(entry.name)
                break
    return tuple(names)


def layers(chart: ChartSpec, theme: Theme, size: tuple[int, int], unit_px: float) -> list[Image.Image]:
    """[axes, item 1, item 2, ...] as RGBA images of `size`: the items are what `[>]` reveals."""
    return list(_layers(chart, _theme_key(theme), size, round(unit_px, 4)))


def _theme_key(theme: Theme) -> tuple:
    return (tuple(sorted(theme.colors.items())), str(theme.fonts["body"]), str(theme.fonts["title"]))


@functools.lru_cache(maxsize=16)
def _layers(chart: ChartSpec, theme_key: tuple, size: tuple[int, int], u: float) -> tuple[Image.Image, ...]:
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    colors = dict(theme_key[0])
    body, title_font = theme_key[1], theme_key[2]
    with _LOCK, rc_context({"font.family": list(_families((body, title_font)))}):
        dpi = 100
        figure = Figure(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi)
        figure.patch.set_alpha(0.0)
        ax = figure.add_subplot()
        ax.set_facecolor("none")
        pt = 72 / dpi  # matplotlib sizes are in points
        muted, text = _hex(colors["muted"]), _hex(mix(colors["text"], colors["muted"], 0.35))
        xs = list(chart.values(chart.x))
        categorical = chart.type == "bar" or not all(isinstance(v, (int, float)) for v in xs)
        positions = np.arange(len(xs), dtype=float) if categorical else np.asarray(xs, dtype=float)
        palette = series_colors(colors, len(chart.y))
        items = _draw_series(ax, chart, positions, palette, u, pt)
        ax.tick_params(colors=text, labelsize=TICK_PX * u * pt, length=0, pad=10 * u * pt)
        ax.grid(axis="y", color=muted, alpha=0.35, linewidth=max(1.0, 1.5 * u) * pt)
        for name, spine in ax.spines.items():
            spine.set_visible(name == "bottom")
            spine.set_color(muted)
            spine.set_linewidth(max(1.0, 2 * u) * pt)
        if categorical:
            ax.set_xticks(positions, [str(v) for v in xs])
        elif all(float(v).is_integer() for v in xs):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
            ax.ticklabel_format(axis="x", useOffset=False, style="plain")
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
        if chart.type == "bar":
            # Headroom over the tallest bar for its value label, or for the legend row of several series.
            tallest = max(max(chart.values(name)) for name in chart.y)
            ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]), top=tallest * (1.28 if len(chart.y) > 1 else 1.12))
        heading = " · ".join(t for t in (chart.title, chart.unit) if t)
        if heading:
            ax.set_title(heading, loc="left", color=_hex(mix(colors["text"], colors["muted"], 0.4)), fontsize=TITLE_PX * u * pt,
                         pad=18 * u * pt)
        if len(chart.y) > 1 or chart.type != "bar":
            _end_labels(ax, chart, positions, items, palette, u, pt)
        figure.tight_layout(pad=0.4)
        everything = [a for group in items for a in group]
        for artist in everything:
            artist.set_visible(False)
        out = [_snapshot(figure)]
        ax.axis("off")
        ax.title.set_visible(False)
        for group in items:
            for artist in group:
                artist.set_visible(True)
            out.append(_snapshot(figure))
            for artist in group:
                artist.set_visible(False)
    return tuple(out)


def _draw_series(ax, chart: ChartSpec, positions: np.ndarray, palette, u: float, pt: float) -> list[list]:
    """Draw every series; returns the artists of each revealable item (a series, or one bar)."""
    items: list[list] = []
    count = len(chart.y)
    for k, name in enumerate(chart.y):
        values = np.asarray(chart.values(name))
        color = _hex(palette[k])
        if chart.type == "bar":
            width = 0.8 / count
            bars = ax.bar(positions - 0.4 + width * (k + 0.5), values, width * 0.92, color=color, label=name)
            if count == 1:  # each bar is revealed on its own, with its value on top
                labels = ax.bar_label(bars, labels=[f"{v:g}" for v in values], padding=6 * u * pt, color=color,
                                      fontsize=LABEL_PX * u * pt, fontweight="bold")
                items.extend([bar, label] for bar, label in zip(bars, labels))
            else:
                items.append(list(bars))
        elif chart.type == "scatter":
            items.append([ax.scatter(positions, values, s=(14 * u) ** 2 * pt ** 2 * 4, color=color, label=name,
                                     edgecolors="none")])
        else:
            items.append(ax.plot(positions, values, color=color, linewidth=5 * u * pt, marker="o",
                                 markersize=11 * u * pt, solid_capstyle="round", label=name))
    if chart.type == "bar" and count > 1:
        legend = ax.legend(loc="upper left", frameon=False, fontsize=LABEL_PX * u * pt, labelcolor="linecolor",
                           ncols=count, bbox_to_anchor=(0, 1.0))
        for k, text in enumerate(legend.get_texts()):
            text.set_color(_hex(palette[k]))
            items[k].append(text)
            items[k].extend(legend.legend_handles[k:k + 1])
    return items


def _end_labels(ax, chart: ChartSpec, positions, items, palette, u: float, pt: float) -> None:
    """Each line's (or scatter's) name beside its last point, in its colour, revealed with it."""
    if chart.type == "bar":
        return
    ax.margins(x=0.14)
    for k, name in enumerate(chart.y):
        values = chart.values(name)
        label = ax.annotate(name, (positions[-1], values[-1]), xytext=(14 * u * pt, 0),
                            textcoords="offset points", va="center", color=_hex(palette[k]),
                            fontsize=LABEL_PX * u * pt, fontweight="bold")
        items[k].append(label)


def _snapshot(figure) -> Image.Image:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return Image.fromarray(np.asarray(canvas.buffer_rgba()).copy())


def layout_chart(scene: Scene, theme: Theme, geo: Geometry, canvas: Canvas, *, index: int,
                 part: int | None, reveal: int | None = None) -> bool:
    """Optional heading; the chart fills the rest of the content box; `reveal` shows its first items only."""
    cx0, cy0, cx1, cy1 = geo.content
    heading = Heading(scene, theme, geo, cx1 - cx0, (cy1 - cy0) * 0.22, (cy1 - cy0) * 0.1, scale=0.8)
    y = heading.draw(canvas, cx0, cy0)
    if scene.chart is None or cy1 - y < 8:
        return False
    size = (int(cx1 - cx0), int(cy1 - y))
    drawn = layers(scene.chart, theme, size, geo.u)
    canvas.picture((int(cx0), int(y)), drawn[0])
    colors = series_colors(theme.colors, len(scene.chart.y))
    for k, layer in enumerate(drawn[1:]):
        if reveal is None or k < reveal:
            color = colors[0] if scene.chart.type == "bar" and len(scene.chart.y) == 1 else colors[k]
            canvas.picture((int(cx0), int(y)), layer, glow=0.6, glow_color=color)
    return heading.ok
