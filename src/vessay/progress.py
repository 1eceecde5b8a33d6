"""Progress display: one bar per stage that is running (narration, video pieces, frames); silent with --quiet.

A `listener` hears every step as well (the studio shows a render's progress in the page with it);
it may raise to stop the work, which unwinds like Ctrl-C.
"""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

from tqdm import tqdm

Listener = Callable[[str, int, int], None]
"""Called with (bar label, steps done, steps in all) after each step; (message, 0, 0) for a message."""


class Progress:
    def __init__(self, quiet: bool = False, listener: Listener | None = None):
        self.quiet = quiet
        self.listener = listener
        self._lines: list[tqdm] = []  # bars on screen, top to bottom
        self._lock = threading.Lock()

    def say(self, message: str) -> None:
        if self.listener:
            self.listener(message, 0, 0)
        if not self.quiet:
            tqdm.write(message, file=sys.stderr)

    def open_bar(self, total: int, label: str, unit: str, keep: bool = True) -> tqdm:
        """A bar on the first free line, so bars of stages running at once never overwrite each other;
        call `close()` on it when the stage ends (a bar with `keep` stays on screen). Its total may grow."""
        kind = tqdm if self.listener is None else _HeardBar
        extra = {} if self.listener is None else {"listener": self.listener, "label": label}
        with self._lock:
            line = next((n for n, bar in enumerate(self._lines) if bar.disable), len(self._lines))
            bar = kind(total=total, desc=label, unit=unit, disable=self.quiet, leave=keep, file=sys.stderr,
                       dynamic_ncols=True, position=line, **extra)
            if not self.quiet:
                self._lines[line:line + 1] = [bar]
        if self.listener:
            self.listener(label, 0, total)
        return bar

    @contextmanager
    def bar(self, total: int, label: str, unit: str, keep: bool = True) -> Iterator[tqdm]:
        bar = self.open_bar(total, label, unit, keep)
        try:
            yield bar
        finally:
            bar.close()


class _HeardBar(tqdm):
    """A tqdm bar that also tells a listener each step (counting itself: a disabled tqdm doesn't)."""

    def __init__(self, *args, listener: Listener, label: str, **kwargs):
        self._listener, self._label, self._done, self._lock = listener, label, 0, threading.Lock()
        super().__init__(*args, **kwargs)

    def update(self, n: float | None = 1) -> bool | None:
        with self._lock:
            self._done += int(n or 0)
            done = self._done
        self._listener(self._label, done, int(self.total or 0))
        return super().update(n)
