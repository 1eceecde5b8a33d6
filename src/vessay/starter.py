"""`vessay new`: a commented starter script for a new essay, which renders as it is."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import VessayError
from .theme import available_themes, resolve_theme_path, themes_dir

TEMPLATE = Path(__file__).with_name("starter.yaml")
DEFAULT_THEME = "neon-cyberdeck"


def title_from_name(script: Path) -> str:
    """'why-we-sleep.yaml' → 'Why We Sleep'."""
    words = script.stem.replace("_", " ").replace("-", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words) or "My Video Essay"


def starter_text(script: Path, title: str, theme: str) -> str:
    # JSON strings are YAML double-quoted scalars: any title or path is written safely.
    return TEMPLATE.read_text(encoding="utf-8").format(
        script=script.name, title=json.dumps(title, ensure_ascii=False), theme=json.dumps(theme),
        themes=", ".join(available_themes()))


def write_starter(script: Path, title: str | None = None, theme: str | None = None) -> Path:
    """Write the starter script at `script`, never over an existing file. A theme given as a path
    (relative to the working folder) is written relative to the script, as scripts read it."""
    if script.suffix.lower() not in (".yaml", ".yml"):
        raise VessayError("a script is a YAML file; give a name ending in .yaml, e.g. essay.yaml", script)
    taken = VessayError("already exists; choose another name, or delete it first", script)
    if script.exists():
        raise taken
    theme = theme or DEFAULT_THEME
    theme_file = resolve_theme_path(theme, Path.cwd())
    if theme_file.parent != themes_dir():
        theme = os.path.relpath(theme_file.resolve(), script.parent.resolve())
    text = starter_text(script, title or title_from_name(script), theme)
    script.parent.mkdir(parents=True, exist_ok=True)
    temp = script.with_name(f".{script.name}.part")
    temp.write_text(text, encoding="utf-8")
    try:
        os.link(temp, script)  # unlike a rename, fails rather than replace a file that appeared meanwhile
    except FileExistsError:
        raise taken from None
    except OSError:  # a file system without hard links
        os.replace(temp, script)
    finally:
        temp.unlink(missing_ok=True)
    return script
