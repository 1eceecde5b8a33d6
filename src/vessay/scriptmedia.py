"""Script fields of the media layouts: `clip` (a video file), `image` with `focus`, and `chart`.

Each is read and checked when the script loads — the clip probed, the trim checked against
its length, the chart's table read and its columns matched — so `vessay check` reports a
bad input at its line before any rendering.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import VessayError
from .yamlmap import Fields

CLIP_AUDIO = ("duck", "mute", "full")
HOLDS = ("last", "loop")
CHART_TYPES = ("line", "bar", "scatter")


@dataclass(frozen=True)
class ClipSpec:
    """A local video file as a scene's picture."""

    file: Path
    start: float = 0.0
    """Seconds into the file where the scene's clip starts."""
    end: float = 0.0
    """Seconds into the file where it ends (the trim's end, or the file's length)."""
    audio: str = "duck"
    """The clip's own sound: under the narration and up where nobody speaks (duck), none, or as is (full)."""
    speed: float = 1.0
    hold: str = "last"
    """When the scene outlasts the clip: freeze its last frame, or loop it."""
    has_audio: bool = False

    @property
    def length(self) -> float:
        """Seconds the clip plays for, at its speed."""
        return (self.end - self.start) / self.speed


@dataclass(frozen=True)
class FocusSpec:
    """A photo's directed move: (x, y, zoom) at the start and at the end of the scene."""

    start: tuple[float, float, float] = (0.5, 0.5, 1.0)
    end: tuple[float, float, float] = (0.5, 0.5, 1.0)


@dataclass(frozen=True)
class ChartSpec:
    type: str
    x: str
    y: tuple[str, ...]
    columns: tuple[tuple[str, tuple], ...]
    """(name, values) of the x column and each y column, in that order."""
    title: str = ""
    unit: str = ""

    def values(self, name: str) -> tuple:
        return dict(self.columns)[name]

    @property
    def revealable(self) -> int:
        """What `[>]` reveals one at a time: the series, or the bars of a one-series bar chart."""
        if self.type == "bar" and len(self.y) == 1:
            return len(self.values(self.x))
        return len(self.y)


def parse_time(value, fields: Fields, key: str) -> float:
    """Seconds from a number or an 'm:ss' / 'h:mm:ss' string (fractions allowed)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if re.fullmatch(r"\d+(:\d{1,2}){1,2}(\.\d+)?", text):
        seconds = 0.0
        for part in text.split(":"):
            seconds = seconds * 60 + float(part)
        return seconds
    raise fields.error(key, f"'{key}' time '{text}' is neither seconds nor m:ss; write e.g. 12.5 or 1:05")


def parse_clip(fields: Fields, base_dir: Path, existing_file) -> dict:
    """`clip:`, `trim:`, `clip_audio:`, `speed:`, `hold:` of a clip scene, checked against the file itself."""
    from .media import probe

    name = fields.get("clip", str, "")
    if not name.strip():
        raise fields.error("clip" if fields.has("clip") else None, "a clip scene needs 'clip: path/to/video.mp4'")
    path = existing_file(fields, "clip", base_dir, "clip")
    try:
        info = probe(path)
    except VessayError:
        info = None
    if info is None or info.first("video") is None or info.duration <= 0:
        raise fields.error("clip", f"clip '{name}' is not a video ffmpeg can read (is it really MP4, MOV, MKV "
                                   "or WebM?)")
    start, end = 0.0, info.duration
    trim = fields.raw("trim")
    if trim is not None and trim.value is not None:
        if not isinstance(trim.value, list) or len(trim.value) != 2:
            raise fields.error("trim", "'trim' must be [start, end], e.g. [0:05, 0:12.5]")
        start, end = (parse_time(item.value, fields, "trim") for item in trim.value)
        if not 0 <= start < end:
            raise fields.error("trim", f"trim [{start:g}, {end:g}] must start before it ends")
        if end > info.duration + 0.05:
            raise fields.error("trim", f"trim ends at {end:g} s but clip '{name}' is only {info.duration:.2f} s "
                                       "long; shorten the trim")
        end = min(end, info.duration)
    return {"clip": ClipSpec(file=path, start=start, end=end, audio=choice(fields, "clip_audio", CLIP_AUDIO, "duck"),
                             speed=fields.number("speed", float, 1.0, 0.25, 4.0),
                             hold=choice(fields, "hold", HOLDS, "last"),
                             has_audio=info.first("audio") is not None)}


def parse_focus(fields: Fields) -> FocusSpec | None:
    """`focus: {from: [x, y, zoom], to: [x, y, zoom]}`; `from` defaults to the whole photo."""
    node = fields.sub("focus")
    if node is None:
        return None
    start = _focus_point(node, "from", FocusSpec.start)
    end = _focus_point(node, "to", None)
    node.reject_unknown()
    return FocusSpec(start, end)


def _focus_point(node: Fields, key: str, default):
    item = node.raw(key)
    if item is None or item.value is None:
        if default is None:
            raise node.error(None, f"'focus' needs '{key}: [x, y, zoom]' (x and y from 0 to 1, zoom 1 for the "
                                   "whole photo)")
        return default
    values = item.value if isinstance(item.value, list) else []
    numbers = [v.value for v in values if isinstance(v.value, (int, float)) and not isinstance(v.value, bool)]
    if len(values) not in (2, 3) or len(numbers) != len(values):
        raise node.error(key, f"focus '{key}' must be [x, y] or [x, y, zoom] numbers, e.g. [0.6, 0.4, 2]")
    for axis, value, entry in zip("xy", numbers, values):
        if not 0.0 <= value <= 1.0:
            raise VessayError(f"focus '{key}' {axis} is {value:g}; x and y are fractions of the photo, from 0 to 1",
                              node.path, entry.line, entry.col)
    zoom = float(numbers[2]) if len(numbers) == 3 else 1.0
    if not 1.0 <= zoom <= 8.0:
        raise VessayError(f"focus '{key}' zoom is {zoom:g}; use 1 (the whole photo) up to 8", node.path,
                          values[2].line, values[2].col)
    return float(numbers[0]), float(numbers[1]), zoom


def parse_chart(fields: Fields, base_dir: Path) -> ChartSpec:
    """`chart: {type, data: file.csv or a table, x: column, y: column or [columns], title, unit}`."""
    node = fields.sub("chart")
    if node is None:
        raise fields.error(None, "a chart scene needs 'chart: {type: line, data: table.csv, x: ..., y: ...}'")
    kind = choice(node, "type", CHART_TYPES, "line")
    table = _table(node, base_dir)
    names = list(table)
    x = _column(node, "x", node.get("x", str, None, required=True), names)
    raw_y = node.raw("y")
    if raw_y is None or raw_y.value is None:
        raise node.error(None, "'chart' needs 'y': the column (or list of columns) to plot")
    entries = raw_y.value if isinstance(raw_y.value, list) else [raw_y]
    if not entries:
        raise node.error("y", "'y' lists no columns")
    y = tuple(_column(node, "y", str(entry.value), names, entry) for entry in entries)
    columns = [(x, tuple(table[x]))]
    for name in y:
        columns.append((name, _numbers(node, name, table[name])))
    spec = ChartSpec(type=kind, x=x, y=y, columns=tuple(columns), title=node.get("title", str, ""),
                     unit=node.get("unit", str, ""))
    node.reject_unknown()
    return spec


def _table(node: Fields, base_dir: Path) -> dict[str, list]:
    """Columns by name, from a CSV file or an inline table (rows with a header row first, or columns)."""
    item = node.raw("data")
    if item is None or item.value is None:
        raise node.error(None, "'chart' needs 'data': a CSV file or a table")
    if isinstance(item.value, str):
        return _read_csv(node, base_dir, item.value)
    if isinstance(item.value, dict):
        columns = {name: [v.value for v in value.value] if isinstance(value.value, list) else None
                   for name, value in item.value.items()}
        if any(v is None for v in columns.values()) or len({len(v) for v in columns.values()}) > 1:
            raise node.error("data", "an inline table by columns needs a list of values under each column name, "
                                     "all of the same length")
        return columns
    if isinstance(item.value, list) and all(isinstance(row.value, list) for row in item.value) and item.value:
        rows = [[cell.value for cell in row.value] for row in item.value]
        header = [str(h) for h in rows[0]]
        for row, located in zip(rows[1:], item.value[1:]):
            if len(row) != len(header):
                raise VessayError(f"this row has {len(row)} values but the header has {len(header)}", node.path,
                                  located.line, located.col)
        return {name: [row[k] for row in rows[1:]] for k, name in enumerate(header)}
    raise node.error("data", "'data' must be a CSV file's path, a list of rows (the first one naming the "
                             "columns), or a mapping of column names to lists")


def _read_csv(node: Fields, base_dir: Path, name: str) -> dict[str, list]:
    path = (base_dir / Path(name).expanduser()).resolve()
    if not path.is_file():
        raise node.error("data", f"chart data '{name}' not found (paths are relative to the script)")
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            sample = handle.read(4096)
            handle.seek(0)
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
            rows = [row for row in csv.reader(handle, dialect) if any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        reason = "it is not UTF-8 text" if isinstance(err, UnicodeDecodeError) else str(err)
        raise node.error("data", f"chart data '{name}' cannot be read as CSV ({reason}); save it as "
                                 "comma-separated UTF-8 text with a header row") from None
    if len(rows) < 2:
        raise node.error("data", f"chart data '{name}' has no rows under its header; add the data")
    header = [h.strip() for h in rows[0]]
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise node.error("data", f"chart data '{name}' line {number} has {len(row)} values but the header has "
                                     f"{len(header)}")
    return {h: [_cell(row[k]) for row in rows[1:]] for k, h in enumerate(header)}


def _cell(text: str):
    text = text.strip()
    try:
        return float(text) if re.search(r"[.eE]", text) else int(text)
    except ValueError:
        return text


def _column(node: Fields, key: str, name: str, names: list[str], where=None) -> str:
    if name in names:
        return name
    hint = difflib.get_close_matches(name, names, n=1)
    tip = f"did you mean '{hint[0]}'?" if hint else f"the columns are: {', '.join(names)}"
    message = f"chart column '{name}' is not in the data; {tip}"
    if where is not None:
        raise VessayError(message, node.path, where.line, where.col)
    raise node.error(key, message)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _numbers(node: Fields, name: str, values: list) -> tuple[float, ...]:
    for row, value in enumerate(values, start=1):
        if not _is_number(value):
            raise node.error("y", f"column '{name}' has '{value}' in data row {row}, not a number; "
                                  "plot numeric columns only")
    return tuple(float(v) for v in values)


def choice(fields: Fields, key: str, allowed: tuple[str, ...], default: str) -> str:
    value = fields.get(key, str, default)
    if value not in allowed:
        hint = difflib.get_close_matches(value, allowed, n=1)
        tip = f"did you mean '{hint[0]}'?" if hint else f"use one of: {', '.join(allowed)}"
        raise fields.error(key, f"unknown {key} '{value}'; {tip}")
    return value

