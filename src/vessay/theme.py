"""Themes: colours, fonts and effects for slides, loaded from YAML."""

from __future__ import annotations

import difflib
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import VessayError
from .yamlmap import Fields, load_yaml

COLOR_ROLES = ("background", "text", "accent", "accent2", "muted")
FONT_ROLES = ("title", "body", "mono")
MATH_FONTS = ("dejavusans", "dejavuserif", "cm", "stix", "stixsans")
"""matplotlib mathtext font sets for `equation` slides (fonts: {math: ...})."""
EFFECTS = ("glow", "scanlines", "grid", "vignette")
_HEX = re.compile(r"^#([0-9a-fA-F]{6})$")

# Families shipped as fontpkg-* wheels, so rendering never depends on system fonts.
BUNDLED_FONTS = {
    "Orbitron": ("fontpkg_orbitron", "Orbitron[wght].ttf"),
    "Rajdhani": ("fontpkg_rajdhani", "Rajdhani-SemiBold.ttf"),
    "JetBrains Mono": ("fontpkg_jetbrains_mono", "JetBrainsMono[wght].ttf"),
    "Share Tech": ("fontpkg_share_tech", "ShareTech-Regular.ttf"),
    "Space Grotesk": ("fontpkg_space_grotesk", "SpaceGrotesk[wght].ttf"),
    "Exo 2": ("fontpkg_exo_2", "Exo2[wght].ttf"),
    "Noto Sans": ("fontpkg_noto_sans", "NotoSans[wdth,wght].ttf"),
}


def themes_dir() -> Path:
    """The themes/ folder shipped at the top of the project."""
    return Path(__file__).resolve().parents[2] / "themes"


def available_themes() -> list[str]:
    return sorted(p.stem for p in themes_dir().glob("*.yaml"))


@dataclass(frozen=True)
class Theme:
    name: str
    colors: dict[str, tuple[int, int, int]]
    fonts: dict[str, Path]
    effects: dict[str, bool]
    source: Path
    math: str = "dejavusans"
    """The mathtext font set for equations."""
    emoji: str = "color"
    """Emoji in colour (OpenMoji), 'mono' (Noto Emoji, in the text's colour), or a font file's path."""

    def cache_identity(self) -> dict:
        """Everything about the theme that changes a rendered slide."""
        return {
            "colors": self.colors,
            "fonts": {role: [str(p), p.stat().st_size] for role, p in self.fonts.items()},
            "effects": self.effects,
            "math": self.math,
            "emoji": self.emoji,
        }


def resolve_theme_path(name_or_path: str, relative_to: Path | None = None) -> Path:
    """A theme name from themes/, or a path to a theme YAML file."""
    looks_like_path = name_or_path.endswith((".yaml", ".yml")) or "/" in name_or_path
    if looks_like_path:
        candidate = Path(name_or_path).expanduser()
        if not candidate.is_absolute() and relative_to is not None:
            candidate = relative_to / candidate
        if not candidate.is_file():
            raise VessayError(f"theme file '{name_or_path}' not found")
        return candidate
    candidate = themes_dir() / f"{name_or_path}.yaml"
    if candidate.is_file():
        return candidate
    names = available_themes()
    hint = difflib.get_close_matches(name_or_path, names, n=1)
    tip = f"did you mean '{hint[0]}'?" if hint else f"available: {', '.join(names)}"
    raise VessayError(f"unknown theme '{name_or_path}'; {tip}")


def load_theme(name_or_path: str, relative_to: Path | None = None) -> Theme:
    """A theme by name or path; `inherits: PARENT` merges its colours, fonts and effects over the parent's."""
    return _load(resolve_theme_path(name_or_path, relative_to), ())


def _load(path: Path, chain: tuple[Path, ...]) -> Theme:
    root = Fields(path, load_yaml(path), "the theme")
    name = root.get("name", str, path.stem)
    parent_name = root.get("inherits", str, None)
    colors_node = root.sub("colors")
    fonts_node = root.sub("fonts")
    effects_node = root.sub("effects")
    root.reject_unknown()
    parent = _parent(root, parent_name, path, chain) if parent_name else None

    if colors_node is None and parent is None:
        raise root.error(None, f"theme needs a 'colors' block with {', '.join(COLOR_ROLES)} "
                               f"(or 'inherits: neon-cyberdeck' to start from another theme)")
    colors = dict(parent.colors) if parent else {}
    for role in COLOR_ROLES:
        if colors_node is not None and (colors_node.has(role) or parent is None):
            colors[role] = _color(colors_node, role)
    if colors_node is not None:
        colors_node.reject_unknown()

    fonts = dict(parent.fonts) if parent else {}
    for role in FONT_ROLES:
        if (fonts_node is not None and fonts_node.has(role)) or parent is None:
            fonts[role] = _font(fonts_node, role, path.parent)
    math = parent.math if parent else "dejavusans"
    emoji = parent.emoji if parent else "color"
    if fonts_node is not None:
        if fonts_node.has("emoji"):
            emoji = _emoji(fonts_node, path.parent)
        if fonts_node.has("math"):
            math = fonts_node.get("math", str, math).strip()
            if math not in MATH_FONTS:
                hint = difflib.get_close_matches(math, MATH_FONTS, n=1)
                tip = f"did you mean '{hint[0]}'?" if hint else f"use one of: {', '.join(MATH_FONTS)}"
                raise fonts_node.error("math", f"unknown math font '{math}'; {tip}")
        fonts_node.reject_unknown()

    effects = dict(parent.effects) if parent else {effect: False for effect in EFFECTS}
    if effects_node is not None:
        for effect in EFFECTS:
            if effects_node.has(effect) or parent is None:
                effects[effect] = effects_node.get(effect, bool, False)
        effects_node.reject_unknown()
    return Theme(name=name, colors=colors, fonts=fonts, effects=effects, source=path, math=math, emoji=emoji)


def _parent(root: Fields, parent_name: str, path: Path, chain: tuple[Path, ...]) -> Theme:
    """The theme named by `inherits:` (a name from themes/ or a path relative to this theme)."""
    try:
        parent_path = resolve_theme_path(parent_name, path.parent)
    except VessayError as err:
        raise root.error("inherits", err.message) from None
    here = path.resolve()
    seen = chain + (here,)
    if parent_path.resolve() in seen:
        loop = " → ".join(p.name for p in seen[seen.index(parent_path.resolve()):] + (parent_path.resolve(),))
        raise root.error("inherits", f"themes inherit in a loop: {loop}; remove one 'inherits'")
    return _load(parent_path, seen)


def _color(fields: Fields, role: str) -> tuple[int, int, int]:
    value = fields.get(role, str, None)
    if value is None:
        raise fields.error(None, f"theme colors need '{role}' (a hex colour like \"#00f0ff\")")
    match = _HEX.match(value.strip())
    if not match:
        raise fields.error(role, f"colour '{value}' is not a hex colour like \"#00f0ff\" (quote it in YAML)")
    digits = match.group(1)
    return tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


EMOJI_STYLES = ("color", "mono")


def _emoji(fields: Fields, theme_dir: Path) -> str:
    """`emoji: color | mono | path/to/font.ttf`."""
    value = fields.get("emoji", str, "color").strip()
    if value in EMOJI_STYLES:
        return value
    if value.lower().endswith((".ttf", ".otf", ".ttc")):
        path = (theme_dir / Path(value).expanduser()).resolve()
        if not path.is_file():
            raise fields.error("emoji", f"emoji font file '{value}' not found (paths are relative to the theme)")
        return str(path)
    hint = difflib.get_close_matches(value, EMOJI_STYLES, n=1)
    tip = f"did you mean '{hint[0]}'?" if hint else "use color, mono or a .ttf/.otf path"
    raise fields.error("emoji", f"unknown emoji style '{value}'; {tip}")


def bundled_font(name: str) -> Path:
    """The font file of a family in BUNDLED_FONTS."""
    package, filename = BUNDLED_FONTS[name]
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise VessayError(f"font '{name}' needs the package {package.replace('_', '-')}; "
                          f"run: pip install {package.replace('_', '-')}")
    return Path(spec.origin).parent / "files" / filename


_DEFAULT_FONTS = {"title": "Orbitron", "body": "Rajdhani", "mono": "JetBrains Mono"}


def _font(fields: Fields | None, role: str, theme_dir: Path) -> Path:
    name = fields.get(role, str, _DEFAULT_FONTS[role]) if fields else _DEFAULT_FONTS[role]
    if name in BUNDLED_FONTS:
        return bundled_font(name)
    if name.lower().endswith((".ttf", ".otf")):
        path = (theme_dir / Path(name).expanduser()).resolve()
        if not path.is_file():
            raise fields.error(role, f"font file '{name}' not found (paths are relative to the theme)")
        return path
    hint = difflib.get_close_matches(name, list(BUNDLED_FONTS), n=1)
    tip = f"did you mean '{hint[0]}'?" if hint else f"use one of {', '.join(BUNDLED_FONTS)} or a .ttf/.otf path"
    raise fields.error(role, f"unknown font '{name}'; {tip}")
