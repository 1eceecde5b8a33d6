"""The studio's engine: rebuild the storyboard when a file is saved, keep a draft video current,
run the final render on request, and publish every change to the open pages.

Work runs in background threads; the server thread only reads what they publish. Anything that
goes wrong lands in the page as a problem: the studio itself keeps running.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sysconfig
import tempfile
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path

from ..cache import Cache
from ..checks import check, theme_for
from ..errors import VessayError
from ..motion import Encoder
from ..narration import Narrator, narrate_all
from ..progress import Progress
from ..render import DRAFT_ENCODER, Job, draft_video, render, scene_slots
from ..shots import slide_png
from ..script import Script, load_script
from ..theme import Theme, available_themes, themes_dir
from ..timeline import Slot
from . import board
from .files import Roots
from .hub import Hub, Throttle
from .watch import Watcher, mtimes

log = logging.getLogger("vessay.studio")


class Superseded(Exception):
    """A newer edit, or a cancel, made the work in hand pointless."""


@dataclass(frozen=True)
class Settings:
    script: Path
    project: Path
    """The project folder: paths in messages are shown relative to it."""
    out: Path
    """Where the draft and final renders are written."""
    cache_dir: Path
    theme: str | None = None
    """A theme name or path that overrides the script's `theme:`."""
    full_quality: bool = False
    """Cards and the preview video at the script's full size and quality, not as a draft."""
    preview_video: bool = True
    """Keep a draft video of the whole essay current."""
    jobs: int = os.cpu_count() or 1


def picture(script: Script, index: int, theme: Theme, cache: Cache) -> Path:
    """The scene's picture as the render makes it (its slide before any camera move)."""
    return slide_png(script, index, theme, cache)


class Studio:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.hub = Hub()
        self.cache = Cache(settings.cache_dir)
        # The page needs only what the render makes: renders in out/, pictures and sounds in the cache.
        self.roots = Roots.of(out=settings.out, cache=settings.cache_dir)
        self.theme_override = settings.theme
        self._closing = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._generation = 0  # bumped by every save; work for an older one is dropped
        self._voice: Narrator | None = None
        self._known_audio: dict[str, dict] = {}  # narration identity → its audio card
        self._cards: list[dict] = []
        self._timeline: dict | None = None
        self._head: dict = {"title": settings.script.name, "video": None, "theme": None}
        self._spans: list[tuple[str, int, int]] = []  # where each scene sits in the script, when it last loaded
        self._jobs = {name: {"state": "idle"} for name in ("build", "draft", "final")}
        if not settings.preview_video:
            self._jobs["draft"] = {"state": "off"}
        self._throttles = {name: Throttle(0.1) for name in self._jobs}
        self._final: threading.Thread | None = None
        self._final_cancel = threading.Event()
        self._watcher = Watcher(self.touch, self._closing)
        self._threads: list[threading.Thread] = []

    # ---- lifecycle

    def start(self) -> None:
        for target, name in ((self._work, "studio-build"), (self._watcher.run, "studio-watch")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        self.touch()

    def close(self) -> None:
        self._closing.set()
        self._final_cancel.set()
        self._wake.set()
        for thread in [*self._threads, self._final]:
            if thread is not None:
                thread.join(timeout=10)

    def touch(self) -> None:
        """Something changed: rebuild (dropping whatever is being built for the older state)."""
        with self._lock:
            self._generation += 1
        self._wake.set()

    # ---- requests from the page

    def choose_theme(self, name: str | None) -> str | None:
        """Preview another theme (None: the script's own); an error message if there is no such theme."""
        if name and name not in available_themes():
            return f"unknown theme '{name}'"
        self.theme_override = name or self.settings.theme
        self.touch()
        return None

    def start_final(self) -> str | None:
        """Start the real render; an error message if one is running already."""
        with self._lock:
            if self._final is not None and self._final.is_alive():
                return "a final render is already running"
            self._final_cancel.clear()
            self._final = threading.Thread(target=self._run_final, name="studio-final", daemon=True)
            self._final.start()
        return None

    def cancel_final(self) -> None:
        self._final_cancel.set()

    # ---- the build loop

    def _work(self) -> None:
        built, pending_draft = -1, None
        while not self._closing.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._closing.is_set():
                return
            generation = self._generation
            if generation != built:
                pending_draft = None
                try:
                    pending_draft = self._build(generation)
                    built = generation
                except Superseded:
                    continue
                except VessayError as err:  # a font, picture or voice the loader could not vouch for
                    built = generation
                    self._publish(None, [board.problem(e, "error", self.settings.script, self._spans, self._project())
                                         for e in board.flatten(err)], stale=True)
                    self._set_job("build", {"state": "failed"})
                    continue
                except Exception:  # noqa: BLE001 - a bug of ours must not stop the studio
                    built = generation
                    self._publish(None, [board.note(self._internal_error("storyboard"))], stale=True)
                    self._set_job("build", {"state": "failed"})
                    continue
            if pending_draft and self.settings.preview_video and not self._final_running():
                try:
                    self._draft(*pending_draft, generation)
                    pending_draft = None
                except Superseded:
                    self._set_job("draft", {"state": "waiting"})
                except VessayError as err:
                    pending_draft = None
                    self._set_job("draft", {"state": "failed", "message": str(err)})
                except Exception:  # noqa: BLE001
                    pending_draft = None
                    self._set_job("draft", {"state": "failed", "message": self._internal_error("draft video")})

    def _current(self, generation: int) -> None:
        if generation != self._generation or self._closing.is_set():
            raise Superseded()

    def _build(self, generation: int) -> tuple[Script, Theme] | None:
        """Load, check, draw and narrate; publish the cards as each step lands. Returns what the
        draft video needs, or None when the script has errors."""
        settings = self.settings
        self._set_job("build", {"state": "running", "label": "reading the script"})
        files = {settings.script.resolve()}
        seen = mtimes(files)
        try:
            script = load_script(settings.script)
            theme = theme_for(script, self.theme_override)
        except VessayError as err:
            self._watcher.watch(files | self._theme_files(None), seen)
            self._publish(None, [board.problem(e, "error", settings.script, self._spans, self._project())
                                 for e in board.flatten(err)], stale=True)
            self._set_job("build", {"state": "failed"})
            return None
        files |= board.referenced_files(script) | self._theme_files(theme)
        self._watcher.watch(files, seen | mtimes(files - seen.keys()))
        spans = self._spans = board.scene_spans(script)
        findings = check(script, theme, cache_dir=settings.cache_dir)
        problems = [board.problem(e, level, script.path, spans, self._project())
                    for level, errors in (("error", findings.errors), ("warning", findings.warnings))
                    for err in errors for e in board.flatten(err)]
        preview = script if settings.full_quality else dataclasses.replace(script, video=draft_video(script.video))
        pictures = []
        for index in range(len(script.scenes)):
            self._current(generation)
            self._set_job("build", {"state": "running", "label": "pictures", "done": index,
                                    "total": len(script.scenes)})
            png = picture(preview, index, theme, self.cache)
            pictures.append({"url": self.roots.url(png)})
        identities = [board.identity(script, scene) for scene in script.scenes]
        known = [self._known_audio.get(i) for i in identities]
        self._publish(script, problems, theme=theme, pictures=pictures, audios=known)
        try:
            audios = narrate_all(preview, self.cache, Progress(True, self._listener("build", generation)),
                                 self._narrator(script))
        except VessayError as err:
            problems += [board.problem(e, "error", script.path, spans, self._project()) for e in board.flatten(err)]
            self._publish(script, problems, theme=theme, pictures=pictures, audios=known)
            self._set_job("build", {"state": "failed"})
            return None
        cards = [board.audio_card(audio, self.roots) for audio in audios]
        self._known_audio = dict(zip(identities, cards))
        self._publish(script, problems, theme=theme, pictures=pictures, audios=cards, slots=scene_slots(preview, audios))
        self._set_job("build", {"state": "done"})
        if any(p["level"] == "error" for p in problems):
            return None
        return preview, theme

    def _narrator(self, script: Script) -> Narrator:
        """The script's voice, kept loaded between saves (loading it costs seconds)."""
        narrator = Narrator.for_voice(script.voice, script.base_dir, self.cache)
        if self._voice is None or (self._voice.model, self._voice.config) != (narrator.model, narrator.config):
            self._voice = narrator
        return self._voice

    def _draft(self, preview: Script, theme: Theme, generation: int) -> None:
        out = self.settings.out / f"{preview.stem}-draft.mp4"
        self._set_job("draft", {"state": "running", "label": "starting"})
        wanted = self._listener("draft", generation, lambda: not self._final_running())
        encoder = Encoder() if self.settings.full_quality else DRAFT_ENCODER
        result = render(preview, theme, Job(out, self.settings.cache_dir, Progress(True, wanted), encoder,
                                            self.settings.jobs))
        stamp = out.stat().st_mtime_ns
        vtt = out.with_suffix(".vtt")
        self._set_job("draft", {"state": "ready", "video": self.roots.url(out, stamp),
                                "captions": self.roots.url(vtt, stamp) if vtt.exists() else None,
                                "duration": round(result.duration, 3),
                                "encoded": result.encoded_pieces, "pieces": result.total_pieces})

    def _run_final(self) -> None:
        settings = self.settings
        self._set_job("final", {"state": "running", "label": "checking the script"})
        try:
            script = load_script(settings.script)
            theme = theme_for(script, self.theme_override)
            findings = check(script, theme, cache_dir=settings.cache_dir)
            if findings.errors:
                raise findings.errors[0]
            out = settings.out / f"{script.stem}.mp4"
            vertical = script.video.height > script.video.width
            wanted = self._listener("final", -1, lambda: not self._final_cancel.is_set())
            result = render(script, theme, Job(out, settings.cache_dir, Progress(True, wanted), Encoder(),
                                               settings.jobs,
                                               captions=script.captions if vertical or script.captions.burn else None))
            files = [{"name": p.name, "url": self.roots.url(p, p.stat().st_mtime_ns), "size": p.stat().st_size}
                     for p in (result.video, *result.extras, result.words)]
            self._set_job("final", {"state": "done", "files": files, "duration": round(result.duration, 3),
                                    "encoded": result.encoded_pieces, "pieces": result.total_pieces})
        except Superseded:
            self._set_job("final", {"state": "cancelled"})
        except VessayError as err:
            self._set_job("final", {"state": "failed", "message": str(err).splitlines()[0]})
        except Exception:  # noqa: BLE001
            self._set_job("final", {"state": "failed", "message": self._internal_error("final render")})
        finally:
            self._wake.set()  # a draft put off for the final render can go ahead now

    def _final_running(self) -> bool:
        return self._final is not None and self._final.is_alive()

    # ---- publishing

    def _listener(self, job: str, generation: int, still_wanted=lambda: True):
        """Progress of `job` into the page; stops the work (Superseded) once it is no longer wanted."""
        def heard(label: str, done: int, total: int) -> None:
            if (generation >= 0 and generation != self._generation) or self._closing.is_set() \
                    or not still_wanted():
                raise Superseded()
            state = dict(self._jobs[job])
            if total:
                state.update(label=label, done=done, total=total)
            else:
                state["message"] = label
            self._set_job(job, state, force=False)
        return heard

    def _set_job(self, job: str, state: dict, force: bool = True) -> None:
        with self._lock:  # the build and the final render report from their own threads
            self._jobs[job] = state
            if self._throttles[job].ready(force or state.get("done") == state.get("total")):
                self.hub.publish("jobs", dict(self._jobs))

    def _publish(self, script: Script | None, problems: list[dict], *, theme: Theme | None = None,
                 pictures: list[dict] | None = None, audios: list[dict | None] | None = None,
                 slots: list[Slot] | None = None, stale: bool = False) -> None:
        """Send the board. Without a script (it failed to load), the last good cards stay."""
        if script is not None:
            self._cards = [board.card(script, i, pictures[i], audios[i], problems) for i in range(len(script.scenes))]
            if slots is not None:
                self._timeline = board.timeline(script, slots)
            self._head = {"title": script.title, "video": dataclasses.asdict(script.video),
                          "theme": _theme_info(theme)}
        self.hub.publish("board", {**self._head, "script": board.shown(self.settings.script, self._project()),
                                   "themes": available_themes(), "chosen_theme": self.theme_override,
                                   "scenes": self._cards, "timeline": self._timeline, "problems": problems,
                                   "stale": stale, "generation": self._generation})

    def _project(self) -> Path:
        return self.settings.project.resolve()

    def _theme_files(self, theme: Theme | None) -> set[Path]:
        """Theme YAMLs a save to which could change the look: the chosen one's folder and the shipped ones."""
        found = {p.resolve() for p in themes_dir().glob("*.yaml")}
        if theme is not None:
            found |= {p.resolve() for p in theme.source.parent.glob("*.y*ml")}
            found |= {p.resolve() for p in theme.fonts.values() if not str(p).startswith(_SITE)}
        return found

    def _internal_error(self, what: str) -> str:
        """A bug of ours: logged with its traceback, one line in the page."""
        path = Path(tempfile.gettempdir()) / f"vessay-studio-error-{os.getpid()}.log"
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(traceback.format_exc() + "\n")
        message = f"internal error in the {what}; details in {path}"
        log.error(message)
        return message


_SITE = str(Path(sysconfig.get_paths()["purelib"]).resolve())
"""Installed packages (bundled fonts live there): not worth watching."""


def _theme_info(theme: Theme | None) -> dict | None:
    if theme is None:
        return None
    return {"name": theme.name, "colors": {role: "#%02x%02x%02x" % rgb for role, rgb in theme.colors.items()}}
