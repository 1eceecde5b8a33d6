"""Errors meant for people: one line, pointing at the file and line to fix."""

from __future__ import annotations

from pathlib import Path


class VessayError(Exception):
    """Bad input. The CLI prints `str(err)` alone and exits with code 2."""

    def __init__(self, message: str, file: Path | str | None = None, line: int | None = None,
                 col: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = Path(file) if file is not None else None
        self.line = line
        self.col = col

    def __str__(self) -> str:
        if self.file is None:
            return self.message
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}" + (f":{self.col}" if self.col is not None else "")
        return f"{where}: {self.message}"


class VessayErrors(VessayError):
    """Several problems at once (from `vessay check` or a script with many mistakes); one line each."""

    def __init__(self, problems: list[VessayError]):
        super().__init__(problems[0].message, problems[0].file, problems[0].line, problems[0].col)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
