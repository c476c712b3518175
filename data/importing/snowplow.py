"""Snowplow enriched events, as CSV or TSV with a header row.

User is `domain_userid`; each `domain_sessionid` of a user is one session
starting at its earliest `derived_tstamp`; each `page_view` event is a page
visit of `page_urlpath`; the language is the user's latest non-empty
`br_lang`. Timestamps without an offset are UTC.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass

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
from data.importing.report import ImportFailure
from data.importing.source import Progress, SourceFile
from data.instants import InstantError

USER, SESSION, INSTANT = "domain_userid", "domain_sessionid", "derived_tstamp"
LANGUAGE, PATH, EVENT = "br_lang", "page_urlpath", "event_name"
REQUIRED = (USER, SESSION, INSTANT, LANGUAGE, PATH, EVENT)
PAGE_VIEW = "page_view"
# A language seen on a row without a timestamp loses to any timestamped one.
UNTIMED = -(2**63)


class RowError(ValueError):
    """Why one row cannot be imported, in words for the person."""


Row = list[str] | RowError


def header_fields(first_line: str) -> list[str]:
    """The column names in a header line, split as CSV or, with tabs, TSV."""
    row = next(csv.reader([first_line], **_dialect(first_line)), [])
    return [name.strip() for name in row]


def recognises(first_line: str) -> bool:
    """Whether a file whose first non-blank line is this is Snowplow."""
    return USER in header_fields(first_line)


def missing_columns(first_line: str) -> list[str]:
    """The columns this reader needs that the header lacks."""
    present = set(header_fields(first_line))
    return [name for name in REQUIRED if name not in present]


def _dialect(first_line: str) -> dict[str, object]:
    """Enriched TSV is never quoted; CSV exports quote as Excel does."""
    if "\t" in first_line:
        return {"delimiter": "\t", "quoting": csv.QUOTE_NONE}
    return {"delimiter": ","}


class _CheckedLines:
    """A file's lines for `csv`, remembering the last one read and bad one."""

    def __init__(self, source: SourceFile, progress: Progress) -> None:
        self.current = 0
        self.last_bad = 0
        self._lines = source.lines(progress)

    def __iter__(self) -> Iterator[str]:
        for number, text, clean in self._lines:
            self.current = number
            if not clean:
                self.last_bad = number
            yield text


def _rows(source: SourceFile, progress: Progress) -> Iterator[tuple[int, Row]]:
    """(first physical line, fields or a csv error) of each non-blank row.

    The header comes first. Counting lines outside `csv` keeps the numbers
    right when quoted fields hold line breaks.
    """
    lines = _CheckedLines(source, progress)
    reader = csv.reader(lines, **_dialect(source.first_line))
    while True:
        start = lines.current + 1
        try:
            row: Row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            row = RowError(f"unreadable {_kind(source)} row: {error}")
        if isinstance(row, list) and lines.last_bad >= start:
            row = RowError("not valid UTF-8")
        if not isinstance(row, list) or len(row) > 1 or row and row[0].strip():
            yield start, row


def _kind(source: SourceFile) -> str:
    """CSV or TSV, as the header line shows."""
    return "TSV" if "\t" in source.first_line else "CSV"


class SnowplowReader:
    """Reads Snowplow files; languages are settled after the last file."""

    def __init__(self) -> None:
        self.lines_read = 0
        # Every user seen, with the rank and text of their latest language.
        self._languages: dict[str, tuple[int, str]] = {}

    def read(self, source: SourceFile, progress: Progress) -> Iterator[Record]:
        """Page visits and session starts of one file, and its rejections."""
        rows = _rows(source, progress)
        _line, header = next(rows, (0, []))
        if not isinstance(header, list):
            raise ImportFailure(f"{source.name}: unreadable header: {header}")
        columns = _Columns.of(header, source.name)
        for start, row in rows:
            self.lines_read += 1
            try:
                if not isinstance(row, list):
                    raise row
                yield from self._row(row, columns)
            except RowError as error:
                yield Rejection(source.name, start, str(error))

    def finish(self) -> Iterator[Record]:
        """One user record per user seen, with the latest language if any."""
        for user, (_rank, language) in self._languages.items():
            yield UserRecord(user, language_tag(language or None), bool(language))
        self._languages.clear()

    def _row(self, row: list[str], columns: _Columns) -> list[Record]:
        """The records of one row, checked whole before any is kept."""
        if len(row) != columns.width:
            raise RowError(f"has {len(row)} fields, the header has {columns.width}")
        user = row[columns.user]
        if not user.strip():
            raise RowError("domain_userid is empty, so the row has no user")
        instant = _instant(row[columns.instant])
        records: list[Record] = []
        if row[columns.event] == PAGE_VIEW:
            records.append(_page_visit(user, row[columns.path], instant))
        session = row[columns.session]
        if session and instant is not None:
            records.append(SessionRecord(user, instant, session))
        self._note_language(user, row[columns.language], instant)
        return records

    def _note_language(self, user: str, language: str, instant: int | None) -> None:
        """Keep the user's latest non-empty `br_lang`; later rows win ties."""
        rank = UNTIMED if instant is None else instant
        known = self._languages.get(user)
        if language and (known is None or rank >= known[0]):
            self._languages[user] = (rank, language)
        elif known is None:
            self._languages[user] = (UNTIMED, "")


@dataclass(frozen=True, slots=True)
class _Columns:
    """Where the columns this reader uses are, and how many a row has."""

    user: int
    session: int
    instant: int
    language: int
    path: int
    event: int
    width: int

    @classmethod
    def of(cls, header: list[str], file: str) -> _Columns:
        """The positions in `header`; the first of duplicate names counts."""
        names = [name.strip() for name in header]
        missing = [name for name in REQUIRED if name not in names]
        if missing:
            raise ImportFailure(f"{file}: header lacks {', '.join(missing)}")
        where = {name: names.index(name) for name in REQUIRED}
        return cls(
            where[USER],
            where[SESSION],
            where[INSTANT],
            where[LANGUAGE],
            where[PATH],
            where[EVENT],
            len(names),
        )


def _instant(text: str) -> int | None:
    """`derived_tstamp` in microseconds, None when empty; RowError if bad."""
    if not text:
        return None
    try:
        return instant_micros(text)
    except InstantError as error:
        raise RowError(f"derived_tstamp: {error}") from None


def _page_visit(user: str, raw_path: str, instant: int | None) -> PageVisitRecord:
    """The visit of a `page_view` row, which needs a path and an instant."""
    if instant is None:
        raise RowError("page_view without derived_tstamp")
    path = page_path(raw_path) if raw_path else ""
    if not path:
        raise RowError("page_view without page_urlpath")
    return PageVisitRecord(user, path, instant)
