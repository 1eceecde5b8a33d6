"""Watch the script and every file it uses; call back when one of them is saved."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Callable

import watchfiles

log = logging.getLogger("vessay.studio")


def mtimes(files: set[Path]) -> dict[Path, float | None]:
    found = {}
    for path in files:
        try:
            found[path] = os.stat(path).st_mtime_ns
        except OSError:
            found[path] = None
    return found


class Watcher:
    """Watches the folders of a set of files (not the files: editors save by renaming a new file
    over the old one) and reports changes to those files only."""

    def __init__(self, on_change: Callable[[], None], closing: threading.Event) -> None:
        self._on_change, self._closing = on_change, closing
        self._files: set[Path] = set()
        self._seen: dict[Path, float | None] = {}
        self._restart = threading.Event()
        self._lock = threading.Lock()

    def watch(self, files: set[Path], seen: dict[Path, float | None]) -> None:
        """Watch `files` from now on; `seen` is their state when last read, so a save that lands
        while the watch is being moved is still noticed."""
        with self._lock:
            changed = files != self._files
            self._files, self._seen = set(files), dict(seen)
        if changed:
            self._restart.set()

    def is_set(self) -> bool:
        """watchfiles polls this: stop to re-watch a new set of folders, or to close."""
        return self._closing.is_set() or self._restart.is_set()

    def run(self) -> None:
        while not self._closing.is_set():
            self._restart.clear()
            with self._lock:
                files, seen = set(self._files), dict(self._seen)
            if mtimes(files) != seen and seen:
                self._on_change()
            folders = sorted({str(f.parent) for f in files if f.parent.is_dir()})
            if not folders:
                self._restart.wait(0.5)
                continue
            names = {str(f) for f in files}
            try:
                for _ in watchfiles.watch(*folders, watch_filter=lambda _, path: path in names, stop_event=self,
                                          recursive=False, debounce=400, step=30, rust_timeout=500,
                                          raise_interrupt=False):
                    self._on_change()
            except Exception:  # noqa: BLE001 - a folder vanished or inotify ran out: retry shortly
                log.exception("file watch failed; retrying")
                self._closing.wait(1.0)
