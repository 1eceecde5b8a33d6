"""`vessay studio`: a live storyboard of an essay in the browser, re-rendered as its files are saved.

Modules: `live` (the engine: rebuilds, draft and final renders), `board` (cards and timeline as
JSON), `app` (the Starlette app), `files` (what may be served), `hub` (fan-out to open pages),
`watch` (file watching), and `static/` (the page: HTML, CSS and JS, no network needed).
"""

from __future__ import annotations

import errno
import signal
import socket
import threading
from dataclasses import dataclass

import uvicorn

from ..errors import VessayError
from .app import create_app, is_loopback
from .live import Settings, Studio

__all__ = ["Settings", "Studio", "Server", "is_loopback", "open_socket", "run", "start"]

PORT_TRIES = 20
"""If the asked-for port is taken, try this many after it."""


def open_socket(host: str, port: int) -> socket.socket:
    """A listening socket on `host`, at `port` or the first free port after it (0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    last = None
    for candidate in [port] if port == 0 else range(port, port + PORT_TRIES):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host.strip("[]"), candidate))
        except OSError as err:
            sock.close()
            last = err
            if err.errno == errno.EADDRINUSE:
                continue
            raise VessayError(f"cannot listen on {host}:{candidate} ({err.strerror}); choose another with "
                              "--host or --port") from None
        sock.listen(64)
        sock.set_inheritable(True)
        return sock
    raise VessayError(f"ports {port}-{port + PORT_TRIES - 1} are all in use ({last.strerror}); "
                      "choose another with --port")


@dataclass
class Server:
    """A studio served over HTTP: its URL, and how to stop it."""

    url: str
    studio: Studio
    server: uvicorn.Server
    sock: socket.socket
    thread: threading.Thread | None = None

    def stop(self) -> None:
        self.server.handle_exit(signal.SIGTERM, None)
        if self.thread is not None:
            self.thread.join(timeout=15)
        self.studio.close()


class _Uvicorn(uvicorn.Server):
    """Ends the pages' event streams as it begins to stop, so it need not wait for them."""

    def __init__(self, config: uvicorn.Config, studio: Studio) -> None:
        super().__init__(config)
        self.studio = studio

    def handle_exit(self, sig, frame) -> None:
        self.studio.hub.close()
        super().handle_exit(sig, frame)


def start(settings: Settings, host: str = "127.0.0.1", port: int = 0, *, background: bool = False) -> Server:
    """Open the socket, start the studio's workers and the server.

    With `background`, the server runs in a thread and this returns at once; otherwise call
    `run(server)`, which serves until Ctrl-C.
    """
    sock = open_socket(host, port)
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    url = f"http://{shown}:{sock.getsockname()[1]}/"
    studio = Studio(settings)
    config = uvicorn.Config(create_app(studio, host), log_level="warning", access_log=False, lifespan="on",
                            timeout_graceful_shutdown=1)
    server = Server(url, studio, _Uvicorn(config, studio), sock)
    studio.start()
    if background:
        server.thread = threading.Thread(target=server.server.run, kwargs={"sockets": [sock]}, daemon=True,
                                         name="studio-http")
        server.thread.start()
    return server


def run(server: Server) -> None:
    """Serve in this thread until interrupted."""
    try:
        server.server.run(sockets=[server.sock])
    finally:
        server.studio.close()

