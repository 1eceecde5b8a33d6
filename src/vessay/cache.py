"""Content-addressed cache: an artefact is a file named by the hash of its inputs.

A cached piece is a file at `<root>/<stage>/<key>.<ext>` with a `.sum` sidecar
holding its size and SHA-256. Both are written to temp names and renamed, and an
entry is used only when the file still matches its sum — a truncated or damaged
entry is deleted and rebuilt, never used.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

# Bump a stage's version when its code changes what it produces.
STAGE_VERSIONS = {"narration": 2, "recording": 5, "slide": 5, "segment": 12, "alignment": 2, "soundtrack": 3,
                  "voice": 1, "sentence": 1, "layout": 2, "plane": 1}
DEFAULT_MAX_BYTES = 10 * 1024**3


def default_cache_dir() -> Path:
    if os.environ.get("VESSAY_CACHE_DIR"):
        return Path(os.environ["VESSAY_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "vessay"


def content_key(stage: str, spec: dict) -> str:
    """Hash of a canonical JSON dump of everything that shapes the stage's output."""
    blob = json.dumps({"stage": stage, "version": STAGE_VERSIONS[stage], "spec": spec},
                      sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def media_digest(path: Path) -> str:
    """file_digest of a script's input (a clip can be GBs), hashed once while its size and time stay put."""
    stat = Path(path).stat()
    return _media_digest(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _media_digest(path: str, size: int, mtime_ns: int) -> str:
    return file_digest(Path(path))


@contextmanager
def atomic_output(final: Path) -> Iterator[Path]:
    """Yield a temp path beside `final`; rename it into place only if the block succeeds."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=f".part{final.suffix}", dir=final.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        yield temp
        os.replace(temp, final)
    finally:
        temp.unlink(missing_ok=True)


def _sum_path(entry: Path) -> Path:
    return entry.with_name(entry.name + ".sum")


@dataclass(frozen=True)
class Cache:
    root: Path

    def path(self, stage: str, key: str, ext: str) -> Path:
        return self.root / stage / f"{key}.{ext}"

    def get(self, stage: str, key: str, ext: str) -> Path | None:
        """The entry if it exists and is intact; a damaged one is removed so it gets rebuilt."""
        entry = self.path(stage, key, ext)
        check = _sum_path(entry)
        if not entry.is_file():
            return None
        try:
            size, digest = check.read_text().split()
            intact = entry.stat().st_size == int(size) and file_digest(entry) == digest
        except (OSError, ValueError):
            intact = False
        if not intact:
            entry.unlink(missing_ok=True)
            check.unlink(missing_ok=True)
            return None
        os.utime(entry)  # recently used: the size cap evicts the oldest first
        return entry

    @contextmanager
    def put(self, stage: str, key: str, ext: str) -> Iterator[Path]:
        """Yield a temp path to write the entry to; it becomes visible, with its sum, only on success."""
        entry = self.path(stage, key, ext)
        with atomic_output(entry) as temp:
            yield temp
            record = f"{temp.stat().st_size} {file_digest(temp)}\n"
        with atomic_output(_sum_path(entry)) as temp_sum:
            temp_sum.write_text(record)

    @contextmanager
    def lock(self, stage: str, key: str) -> Iterator[None]:
        """Hold while checking for, making and storing one entry, so two renders never make it twice
        (speech differs run to run: the second would pair its audio with the first one's timings)."""
        folder = self.root / stage
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f".{key}.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file()) if self.root.is_dir() else 0

    def trim(self, max_bytes: int = DEFAULT_MAX_BYTES) -> int:
        """Delete least recently used entries until the cache fits `max_bytes`; returns bytes freed."""
        if not self.root.is_dir():
            return 0
        # Dot-files are locks and in-progress temps, never entries.
        entries = [p for p in self.root.glob("*/*") if p.is_file() and not p.name.endswith(".sum")
                   and not p.name.startswith(".")]
        total = self.size()
        freed = 0
        for entry in sorted(entries, key=lambda p: p.stat().st_mtime):
            if total - freed <= max_bytes:
                break
            for path in (entry, _sum_path(entry)):
                if path.exists():
                    freed += path.stat().st_size
                    path.unlink()
        return freed

    def clear(self) -> None:
        if self.root.is_dir():
            shutil.rmtree(self.root)

    def sweep_stale_temps(self, older_than: float = 3600.0) -> None:
        """Remove temp files an earlier, killed run left behind (never those of a run in progress)."""
        if not self.root.is_dir():
            return
        cutoff = time.time() - older_than
        for temp in self.root.glob("*/.*.part*"):
            try:
                if temp.stat().st_mtime < cutoff:
                    temp.unlink()
            except OSError:
                pass
