"""YAML loading that remembers line numbers, and typed field access on top.

Every value read through `Fields` knows the line it came from, so a bad value
is reported as `file:line: what is wrong, what to do`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import VessayError, VessayErrors


@dataclass
class Located:
    """A YAML value with the line and column it starts on (1-based)."""

    value: Any
    line: int
    col: int | None = None


def load_yaml(path: Path) -> Located:
    """Parse `path` into nested dict/list of `Located` values."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise VessayError("file not found, check the path", path) from None
    except UnicodeDecodeError:
        raise VessayError("not UTF-8 text; save the file as UTF-8", path) from None
    except OSError as err:
        raise VessayError(f"cannot read file ({err.strerror})", path) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise VessayError("file is empty; see the README for the format", path, 1)
        return _locate(node, loader, path)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        what = err.problem or err.context or "invalid YAML"
        raise VessayError(f"invalid YAML: {what}", path, line, mark.column + 1 if mark else None) from None
    except yaml.YAMLError as err:
        raise VessayError(f"invalid YAML: {err}", path) from None
    finally:
        loader.dispose()


def _locate(node: yaml.Node, loader: yaml.SafeLoader, path: Path) -> Located:
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Located] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            if not isinstance(key, str):
                raise VessayError(f"key {key!r} must be text", path, key_node.start_mark.line + 1)
            if key in out:
                raise VessayError(f"duplicate key '{key}'; remove one of them", path, key_node.start_mark.line + 1)
            out[key] = _locate(value_node, loader, path)
            out[key].key_line = key_node.start_mark.line + 1  # type: ignore[attr-defined]
            out[key].key_col = key_node.start_mark.column + 1  # type: ignore[attr-defined]
        return Located(out, line, col)
    if isinstance(node, yaml.SequenceNode):
        return Located([_locate(item, loader, path) for item in node.value], line, col)
    return Located(loader.construct_object(node), line, col)


_TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
               dict: "a mapping (key: value)", list: "a list"}


@dataclass
class Fields:
    """Typed, line-aware reader over one YAML mapping; rejects unknown keys."""

    path: Path
    node: Located
    what: str = "this block"
    _seen: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if not isinstance(self.node.value, dict):
            got = _describe(self.node.value)
            raise VessayError(f"{self.what} must be a mapping (key: value), got {got}", self.path, self.node.line,
                              self.node.col)

    def has(self, key: str) -> bool:
        return key in self.node.value

    def error(self, key: str | None, message: str) -> VessayError:
        item = self.node.value.get(key) if key else None
        where = item if item is not None else self.node
        return VessayError(message, self.path, where.line, where.col)

    def raw(self, key: str) -> Located | None:
        self._seen.add(key)
        return self.node.value.get(key)

    def get(self, key: str, kind: type, default: Any = None, *, required: bool = False) -> Any:
        item = self.raw(key)
        if item is None or item.value is None:
            if required:
                raise self.error(None, f"{self.what} needs '{key}'")
            return default
        value = _plain(item.value)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        ok = isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool))
        if not ok:
            raise VessayError(f"'{key}' must be {_TYPE_NAMES.get(kind, getattr(kind, '__name__', 'text'))}, got {_describe(value)}",
                              self.path, item.line, item.col)
        if kind is str and not value.strip() and required:
            raise VessayError(f"'{key}' is empty", self.path, item.line, item.col)
        return value

    def number(self, key: str, kind: type, default: Any, lo: float, hi: float) -> Any:
        value = self.get(key, kind, default)
        if not lo <= value <= hi:
            raise self.error(key, f"'{key}' is {value}; use a value from {lo:g} to {hi:g}")
        return value

    def sub(self, key: str) -> Fields | None:
        item = self.raw(key)
        if item is None or item.value is None:
            return None
        return Fields(self.path, item, f"'{key}'")

    def items(self, key: str) -> list[Located]:
        item = self.raw(key)
        if item is None or item.value is None:
            return []
        if not isinstance(item.value, list):
            raise VessayError(f"'{key}' must be a list, got {_describe(item.value)}", self.path, item.line, item.col)
        return item.value

    def strings(self, key: str) -> list[str]:
        out = []
        for entry in self.items(key):
            if not isinstance(entry.value, (str, int, float)) or isinstance(entry.value, bool):
                raise VessayError(f"each entry of '{key}' must be text", self.path, entry.line, entry.col)
            out.append(str(entry.value))
        return out

    def reject_unknown(self) -> None:
        """Fail on keys nobody asked for, each with the nearest known key as a hint."""
        problems = []
        for key, item in self.node.value.items():
            if key in self._seen:
                continue
            line, col = getattr(item, "key_line", item.line), getattr(item, "key_col", item.col)
            hint = difflib.get_close_matches(key, sorted(self._seen), n=1)
            suggestion = f"did you mean '{hint[0]}'?" if hint else f"known keys: {', '.join(sorted(self._seen))}"
            problems.append(VessayError(f"unknown key '{key}' in {self.what}; {suggestion}", self.path, line, col))
        if len(problems) == 1:
            raise problems[0]
        if problems:
            raise VessayErrors(problems)


def _plain(value: Any) -> Any:
    """Strip `Located` wrappers recursively."""
    if isinstance(value, Located):
        return _plain(value.value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _describe(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"'{value[:30]}'"
    return repr(value)
