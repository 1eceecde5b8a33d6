"""Render one scene as a themed slide image.

Slides are drawn OVERSIZE (about 1.1x the video frame) because the Ken Burns camera
pans and zooms over them. So backgrounds and effects fill the whole canvas, while
everything that must be read (text, HUD labels, corner brackets) stays inside the
central safe box (see `safe_box`).

Every dimension is scaled from the canvas: `u = min(w, h) / 1080`, so a 320x180 render
is a faithful miniature and portrait canvases reflow text inside the same safe box.

Modules: `compose` (render_slide, fits), `basic` (title, section, bullets, credits),
`quote`, `code`, `equation`, `picture` (image), `columns` (two-column), and the shared
`fonts` (fallback), `text` (fitting), `canvas` (drawing ops), `effects`, `parts`.
"""

from __future__ import annotations

from . import code, effects, equation, fonts
from .compose import LAYOUTS, fits, render_slide
from .geometry import safe_box
from .identity import slide_identity

__all__ = ["render_slide", "fits", "safe_box", "slide_identity", "release_caches", "LAYOUTS"]


def release_caches() -> None:
    """Drop loaded fonts and formula rasters: fonts hold FreeType glyph caches that grow to hundreds of MB
    at slide sizes; a render calls this once a scene's slides are made. What is small and dear to rebuild
    stays: font coverage (decoding a cmap takes up to 50 ms), the theme's background and vignette."""
    for cache in (fonts.load_font, fonts.word_length, fonts.ink_box, equation._raster, code._tokens):
        cache.cache_clear()
