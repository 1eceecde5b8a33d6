"""Which files the studio may serve: those under the project and the cache, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote


class Refused(Exception):
    """A path outside every served folder (or one that tries to climb out with `..`)."""


@dataclass(frozen=True)
class Roots:
    """Named folders the page may read from: `/files/<name>/<path inside it>`."""

    folders: dict[str, Path]

    @classmethod
    def of(cls, **folders: Path) -> "Roots":
        return cls({name: folder.resolve() for name, folder in folders.items()})

    def resolve(self, name: str, relative: str) -> Path:
        """The file `relative` names inside root `name`; Refused if it would leave that root."""
        root = self.folders.get(name)
        if root is None:
            raise Refused(f"no such folder '{name}'")
        parts = PurePosixPath(relative).parts
        if not parts or relative.startswith("/") or "\\" in relative or any(p in ("..", ".") for p in parts):
            raise Refused("paths may not climb out of their folder")
        target = (root / relative).resolve()  # follows symlinks: a link pointing outside is refused too
        if not target.is_relative_to(root):
            raise Refused("that file is outside the project")
        return target

    def url(self, path: Path, version: object = None) -> str | None:
        """The URL the page fetches `path` by, or None when it is outside every root.

        `version` (say, a modification time) makes a file rewritten in place a new URL.
        """
        path = path.resolve()
        for name, root in sorted(self.folders.items(), key=lambda item: -len(str(item[1]))):
            if path.is_relative_to(root):
                rel = quote(path.relative_to(root).as_posix())
                return f"/files/{name}/{rel}" + (f"?v={version}" if version is not None else "")
        return None
