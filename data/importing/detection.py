"""Telling the format of a file from its first non-blank line.

The same test checks a format named with `--format`, so that the wrong one
fails at once with exit status 2 instead of rejecting every line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from data.importing import access_log, native, snowplow
from data.importing.report import ImportFailure
from data.importing.source import SourceFile, file_size, first_line

FORMATS = ("native", "snowplow", "access-log")
RECOGNISERS: dict[str, Callable[[str], bool]] = {
    "native": native.recognises,
    "snowplow": snowplow.recognises,
    "access-log": access_log.recognises,
}
EXPECTED = {
    "native": "a JSON object",
    "snowplow": "a CSV or TSV header with a domain_userid column",
    "access-log": "an access log line in the combined or common format",
}


def detect_format(path: Path) -> str:
    """The format of the file at `path`; ImportFailure when it has none."""
    path = Path(path)
    file_size(path)
    return _recognise(path, _first_line(path))


def open_source(path: Path, format: str | None) -> SourceFile:
    """The file at `path`, checked readable and in `format` (or detected)."""
    if format is not None and format not in FORMATS:
        raise ValueError(f"unknown import format {format!r}")
    size = file_size(path)
    line = _first_line(path)
    found = format or _recognise(path, line)
    if not RECOGNISERS[found](line):
        raise ImportFailure(
            f"{path}: not a {found} file: its first line is not {EXPECTED[found]}"
        )
    if found == "snowplow" and snowplow.missing_columns(line):
        missing = ", ".join(snowplow.missing_columns(line))
        raise ImportFailure(f"{path}: Snowplow header lacks {missing}")
    return SourceFile(path, found, size, line)


def _first_line(path: Path) -> str:
    """The first non-blank line; a file without one has nothing to import."""
    line = first_line(path)
    if line is None:
        raise ImportFailure(f"{path}: empty file, nothing to import")
    return line


def _recognise(path: Path, line: str) -> str:
    """The one format whose test the first line passes."""
    for name, recognises in RECOGNISERS.items():
        if recognises(line):
            return name
    raise ImportFailure(
        f"{path}: format not recognised: the first line is not a JSON object "
        "(native), a CSV/TSV header with domain_userid (snowplow) or a "
        "combined/common log line (access-log)"
    )
