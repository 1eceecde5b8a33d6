"""Command line: `vessay new|render|check|...`. Thin: parse, call a stage, report."""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

from PIL import Image

from .errors import VessayError


class Terminated(KeyboardInterrupt):
    """SIGTERM, unwound like Ctrl-C so temp files are removed on the way out."""


def _raise_terminated(signum, frame) -> None:
    raise Terminated()


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("script", type=Path, help="the essay script (YAML)")
    parser.add_argument("--theme", help="theme name from themes/ or a path to a theme YAML (overrides the script)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")


def _add_encoding(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", help="x264 preset (default: veryfast; ultrafast with --draft)")
    parser.add_argument("--crf", type=int, help="x264 quality, lower is better (default: 20; 30 with --draft)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="video pieces encoded in parallel (default: number of cores)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vessay", description="Turn a YAML video-essay script into a finished MP4.")
    commands = parser.add_subparsers(dest="command", required=True)

    new = commands.add_parser("new", help="start a new essay: write a commented starter script that renders as it is")
    new.add_argument("script", type=Path, help="the script to create, e.g. my-essay.yaml")
    new.add_argument("--title", help="the essay's title (default: from the file name)")
    new.add_argument("--theme", help="theme name from themes/ or a path to a theme YAML (default: neon-cyberdeck)")

    render = commands.add_parser("render", help="render the script to an MP4")
    _add_common(render)
    render.add_argument("-o", "--output", type=Path, help="output MP4 (default: out/<script name>.mp4)")
    render.add_argument("--no-cache", action="store_true", help="ignore cached narration, slides and segments")
    render.add_argument("--cache-dir", type=Path, help="where cached artefacts live (default: ~/.cache/vessay)")
    render.add_argument("--draft", action="store_true",
                        help="half resolution, fast and rough: for checking timing (default output <name>-draft.mp4)")
    render.add_argument("--captions", choices=("plain", "karaoke", "pop", "none"),
                        help="burn captions into the picture in this style (none: don't, even on a vertical cut)")
    render.add_argument("--burn-captions", action="store_true",
                        help="burn captions in the script's style (captions: {style: ...}, default plain)")
    render.add_argument("--aspect", choices=("16:9", "9:16", "1:1"),
                        help="9:16 renders a vertical cut (captions burned in; output <name>-9x16.mp4), 1:1 a square "
                             "one (<name>-1x1.mp4), and shorts in 1:1 as well as 9:16")
    render.add_argument("--no-shorts", action="store_true", help="render the essay only, not the script's shorts")
    _add_encoding(render)

    shorts = commands.add_parser("shorts", help="render the script's shorts: vertical cuts with captions and a hook")
    _add_common(shorts)
    shorts.add_argument("ids", nargs="*", metavar="ID", help="render only these shorts (default: all)")
    shorts.add_argument("-o", "--output", type=Path, help="folder for the videos (default: out/)")
    shorts.add_argument("--aspect", choices=("9:16", "1:1"), help="1:1 renders a square cut too")
    shorts.add_argument("--no-cache", action="store_true", help="ignore cached narration, slides and segments")
    shorts.add_argument("--cache-dir", type=Path, help="where cached artefacts live (default: ~/.cache/vessay)")
    _add_encoding(shorts)

    slides = commands.add_parser("slides", help="write one PNG per scene, without rendering video")
    _add_common(slides)
    slides.add_argument("-o", "--output", type=Path, help="folder for the PNGs (default: out/<script name>-slides)")

    check = commands.add_parser("check", help="validate the script, theme, voice and files without rendering")
    _add_common(check)
    check.add_argument("--cache-dir", type=Path,
                       help="where recordings are aligned for the render to reuse (default: ~/.cache/vessay)")

    sheet = commands.add_parser("sheet", help="one PNG with every slide: review a retheme at a glance")
    _add_common(sheet)
    sheet.add_argument("-o", "--output", type=Path, help="the PNG (default: out/<script name>-sheet.png)")

    export = commands.add_parser("export", help="write an editable timeline (OpenTimelineIO, FCPXML, FCP 7 XML, "
                                                "EDL, Kdenlive, MLT) with its media in a folder beside it")
    _add_common(export)
    export.add_argument("-o", "--output", type=Path,
                        help="the timeline; its extension picks the format (default: out/<script name>.otio)")
    export.add_argument("--format", choices=("otio", "fcpxml", "xml", "edl", "kdenlive", "mlt"),
                        help="the format, whatever the extension")
    export.add_argument("--cache-dir", type=Path, help="where cached artefacts live (default: ~/.cache/vessay)")
    export.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="video pieces encoded in parallel (default: number of cores)")

    commands.add_parser("voices", help="list the installed Piper voices")

    cache = commands.add_parser("cache", help="show the cache's size, trim it, or clear it")
    cache.add_argument("--clear", action="store_true", help="delete every cached artefact")
    cache.add_argument("--max-size", type=float, metavar="GB", help="evict least recently used entries down to GB")
    cache.add_argument("--cache-dir", type=Path, help="the cache folder (default: ~/.cache/vessay)")

    align = commands.add_parser("align", help="find each scene's span in a one-take recording, and what cleanup cuts")
    align.add_argument("script", type=Path, help="a script with narration_audio: {file: ...}")
    align.add_argument("-o", "--output", type=Path, help="write the spans and cuts as an Audacity label file")
    align.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    align.add_argument("--cache-dir", type=Path, help="where cached artefacts live (default: ~/.cache/vessay)")
    studio = commands.add_parser("studio", help="a live storyboard in the browser that re-renders as you edit")
    _add_common(studio)
    studio.add_argument("--port", type=int, default=8765, help="port to serve on (default: 8765, or the next free one)")
    studio.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1, this machine only)")
    studio.add_argument("--full", action="store_true",
                        help="pictures and preview video at full size and quality, not as a draft")
    studio.add_argument("--no-video", action="store_true", help="no draft video of the whole essay")
    studio.add_argument("--cache-dir", type=Path, help="where cached artefacts live (default: ~/.cache/vessay)")
    studio.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="video pieces encoded in parallel (default: number of cores)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():  # signals can only be caught there
        signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        return _COMMANDS[args.command](args)
    except VessayError as err:
        print(f"vessay: {err}" if err.file is None else str(err), file=sys.stderr)
        return 2
    except OSError as err:
        if err.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES):
            return _internal_error()
        where = f" writing {err.filename}" if err.filename else ""
        print(f"vessay: {err.strerror}{where}; free some space or choose another output folder with -o, "
              "then run again (finished scenes are cached)", file=sys.stderr)
        return 2
    except KeyboardInterrupt as stop:
        print("vessay: interrupted; finished scenes are cached, run again to resume", file=sys.stderr)
        return 143 if isinstance(stop, Terminated) else 130
    except Exception:  # noqa: BLE001 - last resort: one line on screen, details in a log
        return _internal_error()


def _internal_error() -> int:
    """A bug of ours: one line on the terminal, the traceback in a log file."""
    log = Path(tempfile.gettempdir()) / f"vessay-error-{os.getpid()}.log"
    log.write_text(traceback.format_exc(), encoding="utf-8")
    first_line = str(sys.exc_info()[1]).splitlines()[0] if str(sys.exc_info()[1]) else type(sys.exc_info()[1]).__name__
    print(f"vessay: internal error: {first_line:.200}; details in {log}", file=sys.stderr)
    return 1


def _load(args, *, checked: bool = True, shorts: bool = False, layout: bool = True, meanwhile=None,
          cache_dir: Path | None = None):
    """Script and theme; with `checked`, every problem `vessay check` finds stops here, before any work
    (with `shorts`, the shorts' lengths too, which means speaking the script; without `layout`, not the
    slides' layout). `meanwhile(script, theme)` starts work that may run while the checks do. The checks
    cache what they measure in `cache_dir` (default: `--cache-dir`, else the user's cache)."""
    from .checks import check, theme_for
    from .script import load_script

    script = load_script(args.script)
    theme = theme_for(script, args.theme)
    if meanwhile is not None:
        meanwhile(script, theme)
    if checked:
        from .progress import Progress

        _stop_on(check(script, theme, layout=layout, measure_shorts=Progress(args.quiet) if shorts else None,
                       cache_dir=cache_dir or getattr(args, "cache_dir", None)))
    return script, theme


def _stop_on(findings) -> None:
    """Print the warnings; raise the errors."""
    from .errors import VessayErrors

    for warning in findings.warnings:
        print(warning, file=sys.stderr)
    if findings.errors:
        raise VessayErrors(findings.errors) if len(findings.errors) > 1 else findings.errors[0]


def _short_cuts(args, script, theme, cache_dir: Path, only: tuple[str, ...] = ()):
    """The shorts to render at the aspects asked for, their slides' layout checked at their frame size."""
    from .checks import Findings, layout_findings
    from .shorts import short_renders

    wanted = short_renders(script, ("9:16", "1:1") if args.aspect == "1:1" else ("9:16",), only)
    findings = [layout_findings(short.script, theme, cache_dir) for short in wanted]
    _stop_on(Findings([e for f in findings for e in f.errors], [w for f in findings for w in f.warnings]))
    return wanted


def _encoder(args):
    from .motion import Encoder
    from .render import DRAFT_ENCODER

    default = DRAFT_ENCODER if getattr(args, "draft", False) else Encoder()
    return Encoder(args.preset or default.preset, args.crf if args.crf is not None else default.crf)


def _reshaped(video, aspect: str | None):
    """The frame for `--aspect` (the script's own without it), and the output name's suffix."""
    from .script import VideoSpec

    if aspect is None or aspect == "16:9" and video.width > video.height:
        return video, ""
    if aspect == "1:1":
        side = min(video.width, video.height)
        return VideoSpec(side, side, video.fps), "-1x1"
    if (aspect == "9:16") == (video.height > video.width):
        return video, ""
    return VideoSpec(video.height, video.width, video.fps), ("-9x16" if aspect == "9:16" else "")


def _burned_captions(args, script, vertical: bool):
    """The caption style to burn into the essay, or None."""
    import dataclasses

    if args.captions == "none":
        return None
    if args.captions:
        return dataclasses.replace(script.captions, style=args.captions)
    return script.captions if script.captions.burn or args.burn_captions or vertical else None


def cmd_new(args) -> int:
    from .starter import write_starter

    script = write_starter(args.script, args.title, args.theme)
    print(f"wrote {script}: four scenes to replace with your own. See it as you edit with "
          f"`vessay studio {script}`; render it with `vessay render {script}`")
    return 0


def cmd_render(args) -> int:
    import dataclasses

    from .cache import default_cache_dir
    from .progress import Progress
    from .render import Job, draft_video, draw_ahead, render
    from .shorts import render_shorts

    def frame_for(script):
        """The essay at the frame asked for, and the output name's suffix."""
        video, suffix = _reshaped(script.video, args.aspect)
        if args.draft:
            video = draft_video(video)
            suffix += "-draft"
        return dataclasses.replace(script, video=video), suffix

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="vessay-nocache-") as scratch:
        cache_dir = Path(scratch) if args.no_cache else (args.cache_dir or default_cache_dir())
        script, theme = _load(args, meanwhile=lambda s, t: draw_ahead(frame_for(s)[0], t, cache_dir),
                              cache_dir=cache_dir)
        shorts_too = script.shorts and not args.no_shorts and not args.draft
        wanted = _short_cuts(args, script, theme, cache_dir) if shorts_too else []
        essay, suffix = frame_for(script)
        out = args.output or Path("out") / f"{script.stem}{suffix}.mp4"
        progress = Progress(args.quiet)
        job = Job(out, cache_dir, progress, _encoder(args), max(1, args.jobs),
                  captions=_burned_captions(args, script, essay.video.height > essay.video.width))
        result = render(essay, theme, job)
        progress.say(f"wrote {result.video}: {result.duration:.1f} s of video in {time.monotonic() - started:.1f} s "
                     f"({result.encoded_pieces} of {result.total_pieces} pieces encoded, the rest cached), "
                     f"with {', '.join(p.name for p in (result.words, *result.extras))}")
        for short in render_shorts(script, theme, job, out.parent, wanted):
            progress.say(f"wrote {short.video}: {short.duration:.1f} s")
    return 0


def cmd_shorts(args) -> int:
    from .cache import default_cache_dir
    from .progress import Progress
    from .render import Job, draw_ahead
    from .shorts import render_shorts, short_renders

    def first_short_ahead(script, theme) -> None:
        with contextlib.suppress(VessayError):  # an unknown id is reported below, after the checks
            for short in short_renders(script, ("9:16",), tuple(args.ids))[:1]:
                draw_ahead(short.script, theme, cache_dir)

    with tempfile.TemporaryDirectory(prefix="vessay-nocache-") as scratch:
        cache_dir = Path(scratch) if args.no_cache else (args.cache_dir or default_cache_dir())
        # The essay's layout is not the shorts' concern.
        script, theme = _load(args, layout=False, meanwhile=first_short_ahead, cache_dir=cache_dir)
        if not script.shorts:
            raise VessayError("the script has no 'shorts:' list; add one, e.g. "
                              "shorts: [{id: best, scenes: [scene-id], title: \"A hook\"}]", script.path)
        wanted = _short_cuts(args, script, theme, cache_dir, tuple(args.ids))
        folder = args.output or Path("out")
        progress = Progress(args.quiet)
        job = Job(folder / "short.mp4", cache_dir, progress, _encoder(args), max(1, args.jobs))
        for short in render_shorts(script, theme, job, folder, wanted):
            progress.say(f"wrote {short.video}: {short.duration:.1f} s")
    return 0


def _slide_previews(script, theme):
    """Each scene's slide as the viewer sees it before the camera moves, via the render's slide cache."""
    from .cache import Cache, default_cache_dir
    from .shots import slide_image

    cache = Cache(default_cache_dir())
    size = (script.video.width, script.video.height)
    for index, scene in enumerate(script.scenes):
        image = slide_image(script, index, theme, cache)
        yield scene, image.resize(size, Image.Resampling.LANCZOS)


def cmd_slides(args) -> int:
    script, theme = _load(args, checked=False)
    folder = args.output or Path("out") / f"{script.stem}-slides"
    folder.mkdir(parents=True, exist_ok=True)
    for index, (scene, image) in enumerate(_slide_previews(script, theme), start=1):
        _save_png(image, folder / f"{index:02d}-{scene.id}.png", args.quiet)
    return 0


def cmd_sheet(args) -> int:
    from .sheet import contact_sheet

    script, theme = _load(args, checked=False)
    target = args.output or Path("out") / f"{script.stem}-sheet.png"
    previews = [(scene, image.resize((480, round(480 * image.height / image.width)), Image.Resampling.LANCZOS))
                for scene, image in _slide_previews(script, theme)]
    sheet = contact_sheet([image for _, image in previews],
                          [f"{i:02d} {scene.id}" for i, (scene, _) in enumerate(previews, start=1)],
                          columns=4 if script.video.width >= script.video.height else 6)
    _save_png(sheet, target, args.quiet)
    return 0


def _save_png(image, target: Path, quiet: bool) -> None:
    from .cache import atomic_output

    with atomic_output(target) as temp:
        image.save(temp, format="PNG")
    if not quiet:
        print(target)


def cmd_check(args) -> int:
    script, theme = _load(args, shorts=True)
    if not args.quiet:
        print(f"{args.script}: ok — {len(script.scenes)} scenes, theme '{theme.name}'")
    return 0


def cmd_export(args) -> int:
    from .cache import default_cache_dir
    from .export import check_target, export, format_for
    from .progress import Progress
    from .render import Job

    script, theme = _load(args)
    target = args.output or Path("out") / f"{script.stem}.{args.format or 'otio'}"
    form = check_target(script, target, format_for(target, args.format), args.format)
    progress = Progress(args.quiet)
    job = Job(target, args.cache_dir or default_cache_dir(), progress, jobs=max(1, args.jobs))
    result = export(script, theme, job, target, form)
    progress.say(f"wrote {result.timeline} ({form.name}: {result.scenes} scenes, {result.duration_frames} frames "
                 f"at {script.video.fps} fps), media in {result.media}/, captions in {result.captions}; "
                 f"open it in {form.editors}")
    return 0


def cmd_voices(args) -> int:
    from .voices import DEFAULT_VOICE, installed_voices

    for name, (model, _) in installed_voices().items():
        print(f"{name}{' (default)' if name == DEFAULT_VOICE else ''}\t{model}")
    print("Any Piper .onnx model with its .json beside it also works: voice: {model: path/to/voice.onnx}")
    return 0


def cmd_cache(args) -> int:
    from .cache import Cache, default_cache_dir

    cache = Cache(args.cache_dir or default_cache_dir())
    if args.clear:
        cache.clear()
    elif args.max_size is not None:
        freed = cache.trim(int(args.max_size * 1024**3))
        print(f"freed {freed / 1024**2:.1f} MB")
    print(f"{cache.root}: {cache.size() / 1024**2:.1f} MB")
    return 0


def cmd_align(args) -> int:
    import dataclasses

    from .cache import Cache, default_cache_dir
    from .recordings import review, summary, write_labels
    from .script import load_script

    script = load_script(args.script)
    if script.take is None:
        raise VessayError("the script has no 'narration_audio: {file: ...}' to align", script.path)
    unlabelled = dataclasses.replace(script, take=dataclasses.replace(script.take, labels=None))
    spans, cuts = review(unlabelled, Cache(args.cache_dir or default_cache_dir()))
    for scene_id, span in spans.items():
        print(f"{span.start:9.3f}  {span.end:9.3f}  {scene_id}")
    for cut in cuts:
        print(f"{cut.start:9.3f}  {cut.end:9.3f}  cut: {cut.reason}")
    if not args.quiet:
        print(summary(script.take.file, list(cuts)))
    if args.output:
        write_labels(spans, args.output, cuts)
        if not args.quiet:
            print(f"wrote {args.output}: open it in Audacity (File > Import > Labels) to check it; move a scene "
                  f"edge, or delete a 'cut:' label to keep that stretch, export the labels again and set "
                  f"narration_audio.labels to the file")
    return 0


def cmd_studio(args) -> int:
    from .cache import default_cache_dir
    from .script import missing_script
    from .studio import Settings, is_loopback, run, start

    script = args.script.resolve()
    if not script.is_file():
        raise missing_script(args.script)
    here = Path.cwd().resolve()
    project = here if script.is_relative_to(here) else script.parent
    settings = Settings(script, project, project / "out", args.cache_dir or default_cache_dir(), args.theme,
                        args.full, not args.no_video, max(1, args.jobs))
    server = start(settings, args.host, args.port)
    print(f"vessay studio: {server.url}  (Ctrl-C to stop)", flush=True)
    if not is_loopback(args.host):
        print(f"vessay: listening on {args.host}: other machines on the network can open the studio",
              file=sys.stderr)
    try:
        run(server)
    except KeyboardInterrupt:
        pass
    if not args.quiet:
        print("vessay studio: stopped", file=sys.stderr)
    return 0


_COMMANDS = {"new": cmd_new, "render": cmd_render, "shorts": cmd_shorts, "slides": cmd_slides, "sheet": cmd_sheet,
             "check": cmd_check, "voices": cmd_voices, "export": cmd_export, "studio": cmd_studio,
             "align": cmd_align, "cache": cmd_cache}


if __name__ == "__main__":
    sys.exit(main())
