"""Everything `vessay check` verifies, and `render` verifies before any expensive work."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .cache import Cache, content_key, default_cache_dir
from .errors import VessayError, VessayErrors
from .media import probe
from .motion import canvas_size
from .progress import Progress
from .script import Script, scene_names, scene_text
from .theme import Theme, load_theme


@dataclass(frozen=True)
class Findings:
    errors: list[VessayError]
    warnings: list[VessayError]


def theme_for(script: Script, override: str | None = None) -> Theme:
    """The theme `override` names (relative to the working folder), else the script's own `theme:`."""
    if override:
        return load_theme(override, Path.cwd())
    try:
        return load_theme(script.theme, script.base_dir)
    except VessayError as err:
        # An unknown theme name is the script's mistake: point at its line.
        raise err if err.file else VessayError(err.message, script.path, _theme_line(script)) from None


def _theme_line(script: Script) -> int | None:
    for number, line in enumerate(script.path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("theme:"):
            return number
    return None


def check(script: Script, theme: Theme, *, layout: bool = True, measure_shorts: Progress | None = None,
          cache_dir: Path | None = None) -> Findings:
    """Problems that would stop a render (errors) or spoil it (warnings), all at once.

    With `measure_shorts` (where to show progress), shorts over a minute are errors too. Their length is the
    narration's, so this speaks the script into the cache the render then reads; a render measures
    them itself once the essay is narrated, rather than speaking everything before it starts.
    """
    errors: list[VessayError] = []
    warnings: list[VessayError] = []
    for attempt in (lambda: _check_voice(script), lambda: _check_labels(script)):
        try:
            attempt()
        except VessayErrors as errs:
            errors.extend(errs.problems)
        except VessayError as err:
            errors.append(err)
    for path, line, what in _audio_files(script):
        problem = _audio_problem(path)
        if problem:
            errors.append(VessayError(f"{what} '{path.name}' {problem}", script.path, line))
    cache = _cache(cache_dir)
    if not errors:
        _check_recordings(script, errors, warnings, cache)
    if layout:
        _check_layout(script, theme, errors, warnings, cache)
    warnings.extend(_missing_glyphs(script, theme, cache))
    if not errors:
        warnings.extend(_unspeakable(script))
    if script.shorts and measure_shorts is not None and not errors:
        errors.extend(_check_shorts(script, measure_shorts, cache))
    return Findings(errors, warnings)


def _cache(cache_dir: Path | None) -> Cache:
    """The cache a render with this `--cache-dir` reads (the default one without it)."""
    return Cache(cache_dir or default_cache_dir())


def _check_shorts(script: Script, progress: Progress, cache: Cache) -> list[VessayError]:
    from .narration import narrate_all
    from .shorts import length_problems

    try:
        return length_problems(script, narrate_all(script, cache, progress))
    except VessayError as err:
        return [err]


def _check_recordings(script: Script, errors: list, warnings: list, cache: Cache) -> None:
    """Each recording aligned to its text (into the cache the render then reads): the wrong file is
    an error, narration missing from a recording a warning."""
    from .recordings import mismatches

    found_errors, found_warnings = mismatches(script, cache)
    errors.extend(found_errors)
    warnings.extend(found_warnings)


def _check_voice(script: Script) -> None:
    """A voice other than the bundled one is loaded once, so a broken model fails here, not mid-render."""
    from .voices import DEFAULT_VOICE, installed_voices, resolve_voice

    model, config = resolve_voice(script.voice.model, script.base_dir)
    if (model, config) == installed_voices().get(DEFAULT_VOICE):
        return
    try:
        json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise VessayError(f"voice config '{config.name}' is not readable JSON ({err}); "
                          "use the .json that came with the model", script.path, script.voice.line) from None
    from .narration import Narrator

    try:
        Narrator(model, config).load()
    except VessayError as err:
        raise VessayError(err.message, script.path, script.voice.line) from None


def _check_labels(script: Script) -> None:
    if script.take is not None and script.take.labels is not None:
        from .recordings import parse_labels

        parse_labels(script.take.labels, [s.id for s in script.scenes])


def _audio_files(script: Script) -> list[tuple[Path, int, str]]:
    found = [(s.audio, s.line, f"audio of scene '{s.id}'") for s in script.scenes if s.audio is not None]
    if script.take is not None:
        found.append((script.take.file, script.take.line, "recording"))
    if script.music is not None:
        found.append((script.music.file, None, "music file"))
    return found


def _audio_problem(path: Path) -> str | None:
    """Why `path` can't be used as audio, or None when it can."""
    try:
        info = probe(path)
    except VessayError:
        return "is not an audio file ffmpeg can read (is it really WAV, FLAC, MP3 or M4A?)"
    except OSError as err:
        return f"cannot be read ({err.strerror})"
    if info.first("audio") is None:
        return "has no audio stream"
    if info.duration < 0.05:
        return "is empty (shorter than 0.05 s)"
    return None


def _unspeakable(script: Script) -> list[VessayError]:
    """Narration the voice would read letter by letter, or not at all: written in another script than
    its language's (Arabic text for an English voice, say). One warning per script, at its first scene."""
    from .voices import resolve_voice, speaks, voice_language, writing_system

    if script.take is not None:
        return []
    model, config = resolve_voice(script.voice.model, script.base_dir)
    language, name = voice_language(config)
    by_system: dict[str, list] = {}
    for scene in script.scenes:
        if scene.narration and scene.audio is None and not speaks(language, scene.narration):
            by_system.setdefault(writing_system(scene.narration), []).append(scene)
    return [VessayError(f"warning: {scene_names(scenes)} {'narrates' if len(scenes) == 1 else 'narrate'} "
                        f"in {system.title()} script, which the voice '{model.stem}' ({name}) cannot read; give "
                        "the script a voice of its language (voice: {model: path/to/voice.onnx}), or record "
                        "the narration (audio: ...)", script.path, scenes[0].line)
            for system, scenes in by_system.items()]


def _missing_glyphs(script: Script, theme: Theme, cache: Cache) -> list[VessayError]:
    """Characters no bundled font has: they are left out of slides and captions, so say which."""
    found = []
    for scene in script.scenes:
        missing = _missing_characters(scene_text(scene), theme, cache)
        if missing:
            names = ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in missing)
            found.append(VessayError(f"warning: no bundled font has {names} in scene '{scene.id}'; it is left "
                                     "out — set a theme font file that has it, or remove it",
                                     script.path, scene.line))
    return found


def _missing_characters(text: str, theme: Theme, cache: Cache) -> list[str]:
    """slides.fonts.missing_characters, remembered in the cache: reading the fallback fonts' character maps
    costs a quarter of a second at each start."""
    from .slides.fonts import missing_characters

    key = content_key("layout", {"characters_of": text, "theme": theme.cache_identity()})
    return _remembered(cache, key, lambda: missing_characters(text, theme))


def _remembered(cache: Cache, key: str, measure):
    """`measure()`, or what it gave before under `key` in the cache's layout stage."""
    if (known := cache.get("layout", key, "json")) is not None:
        return json.loads(known.read_text())
    result = measure()
    try:
        with cache.put("layout", key, "json") as temp:
            temp.write_text(json.dumps(result))
    except OSError:  # a cache we cannot write to only means measuring again next time
        pass
    return result


def layout_findings(script: Script, theme: Theme, cache_dir: Path | None = None) -> Findings:
    """Only the slides' layout problems (what a short's scenes must also pass at the short's frame size)."""
    findings = Findings([], [])
    _check_layout(script, theme, findings.errors, findings.warnings, _cache(cache_dir))
    return findings


def _check_layout(script: Script, theme: Theme, errors: list, warnings: list, cache: Cache) -> None:
    size = canvas_size(script.video)
    for scene in script.scenes:
        try:
            if not _fits(scene, theme, size, cache):
                warnings.append(VessayError(f"warning: text of scene '{scene.id}' does not fit its slide even at "
                                            "the smallest size; it will be cut short — shorten it",
                                            script.path, scene.line))
        except VessayError as err:
            errors.append(VessayError(err.message, script.path, scene.line) if err.file is None else err)


def _fits(scene, theme: Theme, size: tuple[int, int], cache: Cache) -> bool:
    """Whether the scene's slide fits (see slides.fits), remembered in the cache: laying out every
    slide's text costs a second or more at each start."""
    from .slides import fits, slide_identity

    key = content_key("layout", {"content": slide_identity(scene), "theme": theme.cache_identity(), "size": size})
    return _remembered(cache, key, lambda: fits(scene, theme, size))
