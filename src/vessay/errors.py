"""Errors meant for people: one line, pointing at the file and line to fix."""

from __future__ import annotations

from pathlib import Path


class VessayError(Exception):
    """Bad input. The CLI prints `str(err)` alone and exits with code 2."""

    def __init__(self, message: str, file: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = Path(file) if file is not None else None
        self.line = line

    def __str__(self) -> str:
        if self.file is None:
            return self.message
        where = str(self.file) if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"
