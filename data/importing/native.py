"""The native format: JSON Lines of users, sessions and page visits.

    {"type": "user", "user_id": "u-1", "language": "fr-FR"}
    {"type": "session", "user_id": "u-1", "started_at": "2025-07-01T09:30:00+02:00"}
    {"type": "page_visit", "user_id": "u-1", "path": "/cart", "visited_at": "..."}

Unknown fields are ignored so that exports may carry more than we read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from data.importing.chunks import Chunk, Part
from data.importing.records import (
    PageVisitRecord,
    Record,
    Rejection,
    SessionRecord,
    UserRecord,
    instant_micros,
    language_tag,
    page_path,
)
from data.importing.source import Progress, SourceFile
from data.instants import InstantError

TYPES = ("user", "session", "page_visit")
# The decoder's own scanner skips the wrappers of `json.loads`, a third of
# its time.
_scan = json.JSONDecoder().scan_once


class LineError(ValueError):
    """Why one line cannot be imported, in words for the person."""


def recognises(first_line: str) -> bool:
    """Whether a file whose first non-blank line is this is native."""
    try:
        return isinstance(json.loads(first_line), dict)
    except ValueError:
        return False


class NativeReader:
    """Reads native files into records, one line at a time."""

    def __init__(self) -> None:
        self.lines_read = 0

    def read(self, source: SourceFile, progress: Progress) -> Iterator[Record]:
        """The records of one file, and a rejection for each bad line."""
        for number, text, clean in source.lines(progress):
            if text.isspace():
                continue
            self.lines_read += 1
            if not clean:
                yield Rejection(source.name, number, "not valid UTF-8")
                continue
            try:
                yield parse_line(text)
            except LineError as error:
                yield Rejection(source.name, number, str(error))

    def read_chunks(self, source: SourceFile, progress: Progress) -> Iterator[Part]:
        """What `read` yields, gathered a block of lines at a time.

        Lines are judged as in `read`; only the usual visits and sessions
        skip being records, going straight into the chunk's columns.
        """
        for block in source.blocks(progress):
            chunk, rejections = Chunk(), []
            for number, text in enumerate(block.lines, block.first):
                if not text or text.isspace():
                    continue
                self.lines_read += 1
                try:
                    if number in block.unclean:
                        raise LineError("not valid UTF-8")
                    _add_line(text, chunk)
                except LineError as error:
                    rejections.append(Rejection(source.name, number, str(error)))
            yield Part(chunk, rejections, progress.done)

    def finish(self) -> Iterator[Record]:
        """Nothing is held back until the end in this format."""
        return iter(())


def parse_line(text: str) -> Record:
    """The record on one line of JSON.

    Valid lines of the usual shapes are taken on a short path; anything
    else goes through `_checked_record`, which finds the precise reason.
    """
    fields = _json_object(text)
    usual = _usual_event(fields)
    if usual is None:
        return _checked_record(fields)
    user, path, instant = usual
    if path is None:
        return SessionRecord(user, instant, "")
    return PageVisitRecord(user, path, instant)


def _add_line(text: str, chunk: Chunk) -> None:
    """Put the record on one line into `chunk`, as `parse_line` reads it."""
    fields = _json_object(text)
    usual = _usual_event(fields)
    if usual is None:
        chunk.add(_checked_record(fields))
        return
    user, path, instant = usual
    user = chunk.users.setdefault(user, user)
    if path is None:
        chunk.session_users.append(user)
        chunk.session_starts.append(instant)
    else:
        chunk.pages[path] = None
        chunk.visit_users.append(user)
        chunk.visit_paths.append(path)
        chunk.visit_times.append(instant)
    chunk.records += 1


def _usual_event(fields: dict[str, Any]) -> tuple[str, str | None, int] | None:
    """(user, path, instant) of a valid page visit, (user, None, instant) of
    a valid session without a key, or None for any other line."""
    kind, user = fields.get("type"), fields.get("user_id")
    if type(user) is not str or not user.strip():
        return None
    if kind == "page_visit":
        path, at = fields.get("path"), fields.get("visited_at")
        if type(path) is str and type(at) is str and (found := page_path(path)):
            return user, found, _instant(at, "visited_at")
    elif kind == "session":
        at = fields.get("started_at")
        if type(at) is str and at:
            return user, None, _instant(at, "started_at")
    return None


def _json_object(text: str) -> dict[str, Any]:
    """The JSON object on a line, or LineError saying why there is none."""
    text = text.strip()
    try:
        fields, end = _scan(text, 0)
    except StopIteration as stop:
        error = json.JSONDecodeError("Expecting value", text, stop.value)
        raise LineError(_json_problem(error)) from None
    except json.JSONDecodeError as error:
        raise LineError(_json_problem(error)) from None
    except RecursionError:
        raise LineError("invalid JSON: nested too deeply") from None
    if end != len(text):
        raise LineError(f"invalid JSON: extra data at column {end + 1}")
    if not isinstance(fields, dict):
        raise LineError("not a JSON object")
    return fields


def _json_problem(error: json.JSONDecodeError) -> str:
    """What is wrong with the JSON on a line, and at which column."""
    return f"invalid JSON: {error.msg} at column {error.colno}"


def _checked_record(fields: dict[str, Any]) -> Record:
    """The record of any line, every field checked for a precise reason."""
    kind = fields.get("type")
    if kind not in TYPES:
        raise LineError(_type_problem(fields))
    user = _text_field(fields, "user_id")
    if kind == "user":
        return _user(user, fields)
    if kind == "session":
        return SessionRecord(user, _instant_field(fields, "started_at"), "")
    path = page_path(_text_field(fields, "path"))
    if not path:
        raise LineError("field 'path' has no path before its query or fragment")
    return PageVisitRecord(user, path, _instant_field(fields, "visited_at"))


def _type_problem(fields: dict[str, Any]) -> str:
    """The reason for a missing or unknown `type`."""
    if "type" not in fields:
        return "missing field 'type'"
    expected = ", ".join(TYPES)
    return f"field 'type' is {fields['type']!r}, expected one of {expected}"


def _user(user: str, fields: dict[str, Any]) -> UserRecord:
    """A user record; a `language` field, even empty, replaces the stored one."""
    if "language" not in fields:
        return UserRecord(user, None, False)
    value = fields["language"]
    if value is not None and not isinstance(value, str):
        raise LineError("field 'language' must be a string or null")
    return UserRecord(user, language_tag(value), True)


def _text_field(fields: dict[str, Any], name: str) -> str:
    """A required field that must be a non-blank string."""
    if name not in fields:
        raise LineError(f"missing field {name!r}")
    value = fields[name]
    if not isinstance(value, str) or not value.strip():
        raise LineError(f"field {name!r} must be a non-empty string")
    return value


def _instant_field(fields: dict[str, Any], name: str) -> int:
    """A required ISO 8601 instant, in microseconds."""
    return _instant(_text_field(fields, name), name)


def _instant(text: str, name: str) -> int:
    """The instant in field `name`, or LineError naming the field."""
    try:
        return instant_micros(text)
    except InstantError as error:
        raise LineError(f"field {name!r}: {error}") from None
