"""Video pieces encoded as soon as their inputs exist, while later scenes are still narrated and drawn.

A scene's body needs only that scene's narration (its length and word timings) and its
slides; a join needs both neighbours. So as each scene's narration arrives, its slides are
drawn on a helper thread and its pieces go to the encoders (`jobs` at a time), and x264
runs from the first scene on instead of waiting for every scene to be spoken and drawn.
"""

from __future__ import annotations

import threading
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import asdict
from pathlib import Path

import numpy as np

from .cache import Cache, content_key
from .motion import Encoder, encode_frames
from .progress import Progress
from .script import Script
from .picture import Picture
from .shots import blend
from .timeline import Body, Join, body_piece, join_piece

Piece = Body | Join


class Pieces:
    """The bodies and joins of the video, each cached as its own segment."""

    def __init__(self, script: Script, cache: Cache, encoder: Encoder):
        self.script, self.cache, self.encoder = script, cache, encoder
        self.pictures: dict[int, Picture] = {}

    def key(self, piece: Piece) -> str:
        spec = {"piece": asdict(piece), "video": asdict(self.script.video), "encoder": asdict(self.encoder)}
        if isinstance(piece, Body):
            spec["shot"] = self.pictures[piece.scene].identity()
        else:
            spec["shots"] = [self.pictures[piece.scene].identity(), self.pictures[piece.scene + 1].identity()]
        return content_key("segment", spec)

    def cached(self, piece: Piece) -> Path | None:
        return self.cache.get("segment", self.key(piece), "mp4")

    def path(self, piece: Piece) -> Path:
        return self.cache.path("segment", self.key(piece), "mp4")

    def encode(self, piece: Piece, target: Path, on_frame, stop: threading.Event) -> None:
        video = self.script.video
        frame = (video.width, video.height)
        if isinstance(piece, Body):
            self.pictures[piece.scene].encode(piece.first, piece.frames, video, target, self.encoder, on_frame, stop)
            return
        outgoing_frame = np.empty(video.width * video.height * 3 // 2, dtype=np.uint8)
        with self.pictures[piece.scene].open() as outgoing, self.pictures[piece.scene + 1].open() as incoming:
            def fill(k: int, buf: np.ndarray) -> None:
                outgoing(piece.out_from + k, outgoing_frame)
                incoming(k - piece.lead, buf)
                blend(piece.kind, (k + 0.5) / piece.frames, outgoing_frame, buf, frame)

            encode_frames(fill, piece.frames, video, target, self.encoder, on_frame, stop)


class Scheduler:
    """Encodes pieces as their scenes arrive: `add_scene` per scene in order (or `queue` any piece of
    scenes already added), then `finish`.

    On Ctrl-C or SIGTERM (raised in the calling thread) or any failure, every encode stops
    within a frame; pieces already finished stay cached, so the next run resumes from them.
    """

    def __init__(self, pieces: Pieces, jobs: int, progress: Progress):
        self.pieces, self.progress = pieces, progress
        self.frames: list[int] = []
        self.stop = threading.Event()
        self.plan: list[Piece] = []
        self.encoded = 0
        self._encoders = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="encode")
        self._drawing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="draw")
        self._aside = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aside")
        self._prepared: dict[int, Future] = {}
        self._running: list[Future] = []
        self._piece_bar = self._frame_bar = None

    def __enter__(self) -> "Scheduler":
        self._piece_bar = self.progress.open_bar(0, "video", "piece")
        self._frame_bar = self.progress.open_bar(0, "frames", "frame", keep=False)
        return self

    def __exit__(self, kind, error, trace) -> None:
        if error is not None:
            self.stop.set()
            for future in self._running + list(self._prepared.values()):
                future.cancel()
        for pool in (self._encoders, self._drawing, self._aside):
            pool.shutdown(wait=True)
        self._frame_bar.close()
        self._piece_bar.close()

    def add_scene(self, index: int, frames: int, picture: Picture, transitions: list[tuple[str, float]]) -> None:
        """Scene `index` (the next in order) is narrated: queue its body and the join into it.
        `transitions[i]` is the (kind, seconds) of the transition into scene i."""
        self._check()
        self.frames.append(frames)
        self.pieces.pictures[index] = picture
        fps = self.pieces.script.video.fps
        if index > 0:
            self.queue(join_piece(index - 1, self.frames, transitions, fps))
        self.queue(body_piece(index, self.frames, transitions, fps))

    def aside(self, work, *args) -> Future:
        """Run other work (the soundtrack) beside the encodes; it should watch `stop`."""
        future = self._aside.submit(work, *args)
        self._running.append(future)
        return future

    def finish(self) -> list[Piece]:
        """Wait for every encode; the pieces of the whole video, in order."""
        done, _ = wait(self._running, return_when=FIRST_EXCEPTION)
        for future in done:
            future.result()  # the first failure, at once
        for future in self._running:
            future.result()
        return self.plan

    def _check(self) -> None:
        """Raise a failed encode's error now, instead of after narrating every scene."""
        for future in self._running:
            if future.done() and future.exception() is not None:
                future.result()

    def queue(self, piece: Piece | None) -> None:
        """Encode `piece` unless it is cached; it is part of the video's plan either way."""
        if piece is None:
            return
        self.plan.append(piece)
        self._piece_bar.total += 1
        if self.pieces.cached(piece) is not None:
            self._piece_bar.update()
            return
        scenes = [piece.scene] if isinstance(piece, Body) else [piece.scene, piece.scene + 1]
        drawn = [self._prepare(i) for i in scenes]
        self._frame_bar.total += piece.frames
        self._frame_bar.refresh()
        self.encoded += 1
        self._running.append(self._encoders.submit(self._encode, piece, drawn))

    def _prepare(self, index: int) -> Future:
        """Draw the scene's inputs (slides) on the helper thread, once."""
        if index not in self._prepared:
            self._prepared[index] = self._drawing.submit(self.pieces.pictures[index].prepare)
        return self._prepared[index]

    def _encode(self, piece: Piece, drawn: list[Future]) -> None:
        for future in drawn:
            future.result()
        if self.stop.is_set():
            return
        pieces = self.pieces
        key = pieces.key(piece)
        with pieces.cache.lock("segment", key):
            if pieces.cached(piece) is None:  # another render may have made it meanwhile
                with pieces.cache.put("segment", key, "mp4") as temp:
                    pieces.encode(piece, temp, self._frame_bar.update, self.stop)
        self._piece_bar.update()
