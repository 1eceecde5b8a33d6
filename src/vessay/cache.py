"""Content-addressed cache: an artefact is a file named by the hash of its inputs.

A cached piece is simply a file that exists at `<root>/<stage>/<key>.<ext>`;
it is written to a temp name and renamed, so a present file is always complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

# Bump a stage's version when its code changes what it produces.
STAGE_VERSIONS = {"narration": 2, "recording": 2, "slide": 1, "segment": 2, "takealign": 1}


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


@dataclass(frozen=True)
class Cache:
    root: Path

    def path(self, stage: str, key: str, ext: str) -> Path:
        folder = self.root / stage
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{key}.{ext}"


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
