"""Piper voices: the ones installed as Python packages, or any .onnx + .json pair on disk."""

from __future__ import annotations

import functools
import importlib
import pkgutil
from pathlib import Path

from .errors import VessayError

DEFAULT_VOICE = "joe-us"


@functools.lru_cache(maxsize=1)
def installed_voices() -> dict[str, tuple[Path, Path]]:
    """Voice packages (PyPI `*-piper-voice`) by short name → (model, config)."""
    # Module names, not package metadata: reading every installed package's METADATA costs a tenth of a
    # second at each start-up.
    found = {}
    for module_info in pkgutil.iter_modules():
        if not module_info.name.endswith("_piper_voice"):
            continue
        try:
            module = importlib.import_module(module_info.name)
            name = module_info.name.removesuffix("_piper_voice").replace("_", "-")
            found[name] = (Path(module.model_path()), Path(module.config_path()))
        except (ImportError, AttributeError):
            continue
    return dict(sorted(found.items()))


def resolve_voice(name_or_path: str, base_dir: Path) -> tuple[Path, Path]:
    """A voice name from `vessay voices`, or a path to a Piper .onnx model (its .json beside it)."""
    if name_or_path.lower().endswith(".onnx"):
        model = (base_dir / Path(name_or_path).expanduser()).resolve()
        if not model.is_file():
            raise VessayError(f"voice model '{name_or_path}' not found (paths are relative to the script)")
        for config in (model.with_name(model.name + ".json"), model.with_suffix(".json")):
            if config.is_file():
                return model, config
        raise VessayError(f"voice model '{name_or_path}' has no config beside it; "
                          f"Piper needs '{model.name}.json' in the same folder")
    voices = installed_voices()
    if name_or_path in voices:
        return voices[name_or_path]
    for model, config in voices.values():
        if model.stem == name_or_path:
            return model, config
    names = ", ".join(voices) or "none"
    raise VessayError(f"unknown voice '{name_or_path}'; installed voices: {names} (or give a path to a .onnx)")


SCRIPTS_OF_LANGUAGE = {
    "ar": {"ARABIC"}, "fa": {"ARABIC"}, "ur": {"ARABIC"}, "he": {"HEBREW"}, "el": {"GREEK"},
    "ru": {"CYRILLIC"}, "uk": {"CYRILLIC"}, "bg": {"CYRILLIC"}, "sr": {"CYRILLIC", "LATIN"}, "kk": {"CYRILLIC"},
    "mk": {"CYRILLIC"}, "be": {"CYRILLIC"}, "ka": {"GEORGIAN"}, "hi": {"DEVANAGARI"}, "ne": {"DEVANAGARI"},
    "mr": {"DEVANAGARI"}, "th": {"THAI"}, "zh": {"CJK"}, "ja": {"CJK", "HIRAGANA", "KATAKANA"}, "ko": {"HANGUL"},
    "ml": {"MALAYALAM"}, "te": {"TELUGU"}, "ta": {"TAMIL"}, "bn": {"BENGALI"},
}
"""The writing systems a voice's language is written in (by the first word of Unicode's character names);
languages not listed are written in Latin letters."""


def voice_language(config: Path) -> tuple[str, str]:
    """(language family code, its English name) from a Piper voice's .json, e.g. ('en', 'English')."""
    import json

    language = json.loads(config.read_text(encoding="utf-8")).get("language") or {}
    code = str(language.get("family") or language.get("code") or "en").split("_")[0].lower()
    return code, str(language.get("name_english") or code)


def writing_system(text: str) -> str | None:
    """The writing system most of the letters of `text` are in ('LATIN', 'ARABIC', 'CJK', ...), or None."""
    import unicodedata
    from collections import Counter

    counts = Counter(unicodedata.name(ch, "?").split()[0] for ch in text if ch.isalpha())
    return counts.most_common(1)[0][0] if counts else None


def speaks(language: str, text: str) -> bool:
    """Whether a voice of `language` can read `text`: its letters are in that language's writing system."""
    system = writing_system(text)
    return system is None or system in SCRIPTS_OF_LANGUAGE.get(language, {"LATIN"})
