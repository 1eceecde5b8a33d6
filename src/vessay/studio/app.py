"""The studio's web app: the page, its live event stream, a few actions, and the project's files."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..theme import bundled_font
from .files import Refused
from .live import Studio

STATIC = Path(__file__).parent / "static"
HEARTBEAT = 15.0
"""Seconds between keep-alive comments on the event stream."""
UI_FONTS = {"noto-sans": "Noto Sans", "jetbrains-mono": "JetBrains Mono"}
"""The page's own fonts, served from the bundled font packages."""
LOCAL_NAMES = ["127.0.0.1", "localhost", "::1", "[::1]"]

mimetypes.add_type("text/vtt", ".vtt")
mimetypes.add_type("text/markdown", ".md")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def create_app(studio: Studio, host: str = "127.0.0.1") -> Starlette:
    """The ASGI app around a running Studio. Bound to loopback, it answers only to local host names,
    so a web page elsewhere can't reach it through a rebound DNS name."""

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"cache-control": "no-cache"})

    async def events(request: Request) -> Response:
        queue = studio.hub.join()

        async def stream():
            try:
                yield "retry: 1000\n\n"
                while True:
                    try:
                        message = await asyncio.wait_for(queue.get(), HEARTBEAT)
                    except asyncio.TimeoutError:
                        yield ": still here\n\n"
                        continue
                    if message is None:
                        return
                    kind, text = message
                    yield f"event: {kind}\ndata: {text}\n\n"
            finally:
                studio.hub.leave(queue)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"cache-control": "no-cache", "x-accel-buffering": "no"})

    async def state(request: Request) -> Response:
        return JSONResponse({"board": studio.hub.latest("board"), "jobs": studio.hub.latest("jobs")})

    async def render_final(request: Request) -> Response:
        problem = studio.start_final()
        return JSONResponse({"ok": problem is None, "message": problem}, status_code=409 if problem else 202)

    async def cancel_final(request: Request) -> Response:
        studio.cancel_final()
        return JSONResponse({"ok": True}, status_code=202)

    async def choose_theme(request: Request) -> Response:
        try:
            name = (await request.json()).get("theme")
        except (ValueError, AttributeError):
            return JSONResponse({"ok": False, "message": "send JSON: {\"theme\": NAME or null}"}, status_code=400)
        if name is not None and not isinstance(name, str):
            return JSONResponse({"ok": False, "message": "theme must be a name or null"}, status_code=400)
        problem = studio.choose_theme(name)
        return JSONResponse({"ok": problem is None, "message": problem}, status_code=400 if problem else 202)

    async def files(request: Request) -> Response:
        try:
            path = studio.roots.resolve(request.path_params["root"], request.path_params["path"])
        except Refused as err:
            return PlainTextResponse(f"refused: {err}", status_code=403)
        if not path.is_file():
            return PlainTextResponse("not found", status_code=404)
        # Cache entries are named by their content: they never change under the same URL.
        immutable = request.path_params["root"] == "cache" or "v" in request.query_params
        return FileResponse(path, headers={"cache-control": "max-age=31536000, immutable" if immutable
                                           else "no-cache"})

    async def font(request: Request) -> Response:
        family = UI_FONTS.get(request.path_params["name"])
        if family is None:
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(bundled_font(family), media_type="font/ttf",
                            headers={"cache-control": "max-age=86400"})

    routes = [
        Route("/", index),
        Route("/events", events),
        Route("/api/state", state),
        Route("/api/render", render_final, methods=["POST"]),
        Route("/api/render/cancel", cancel_final, methods=["POST"]),
        Route("/api/theme", choose_theme, methods=["POST"]),
        Route("/files/{root}/{path:path}", files),
        Route("/fonts/{name}.ttf", font),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    allowed = LOCAL_NAMES if is_loopback(host) else ["*"]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=allowed, www_redirect=False),
                  Middleware(_Guard)]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        studio.close()

    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


class _Guard:
    """Refuses, before any routing, a path that climbs with `..` (plain or %-encoded) and any action
    posted from another site's page."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            raw = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
            segments = unquote(raw.split("?", 1)[0]).replace("\\", "/").split("/")
            if ".." in segments:
                await PlainTextResponse("refused: paths may not climb out of the project", 403)(scope, receive, send)
                return
            if scope["method"] == "POST" and not _same_origin(scope):
                await PlainTextResponse("refused: actions come from the studio's own page", 403)(scope, receive,
                                                                                                 send)
                return
        await self.app(scope, receive, send)


def _same_origin(scope) -> bool:
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
    origin = headers.get("origin")
    return origin is None or urlsplit(origin).netloc == headers.get("host")
