"""Fan-out of the studio's state to every open page, from worker threads to the server's event loop."""

from __future__ import annotations

import asyncio
import json
import threading
import time


class Hub:
    """Keeps the latest message of each kind (a page that connects gets them all first) and pushes
    each new one to every connected page, so all tabs show the same state."""

    def __init__(self) -> None:
        self._latest: dict[str, str] = {}
        self._pages: dict[asyncio.Queue, asyncio.AbstractEventLoop] = {}
        self._lock = threading.Lock()

    def publish(self, kind: str, data: dict) -> None:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            self._latest[kind] = text
            pages = list(self._pages.items())
        for queue, loop in pages:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, (kind, text))
            except RuntimeError:  # that page's loop has closed
                self.leave(queue)

    def latest(self, kind: str) -> dict | None:
        with self._lock:
            text = self._latest.get(kind)
        return None if text is None else json.loads(text)

    def join(self) -> asyncio.Queue:
        """A queue of (kind, json text) for one page, starting with the current state; None ends it."""
        queue: asyncio.Queue = asyncio.Queue()
        with self._lock:
            for kind, text in self._latest.items():
                queue.put_nowait((kind, text))
            self._pages[queue] = asyncio.get_running_loop()
        return queue

    def close(self) -> None:
        """End every page's stream (the server is stopping); pages reconnect when it is back."""
        with self._lock:
            pages, self._pages = list(self._pages.items()), {}
        for queue, loop in pages:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, None)
            except RuntimeError:
                pass

    def leave(self, queue: asyncio.Queue) -> None:
        with self._lock:
            self._pages.pop(queue, None)


class Throttle:
    """Lets a call through at most every `interval` seconds, unless forced."""

    def __init__(self, interval: float) -> None:
        self.interval, self._last = interval, 0.0

    def ready(self, force: bool = False) -> bool:
        now = time.monotonic()
        if force or now - self._last >= self.interval:
            self._last = now
            return True
        return False
