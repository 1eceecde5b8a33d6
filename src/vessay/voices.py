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
