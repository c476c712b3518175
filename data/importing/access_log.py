"""Apache and Nginx access logs, in the combined or common log format.

The client address is the user. A successful GET or POST of anything but a
static asset is a page visit; every other request is skipped, and an address
with no page visit is no user. Sessions are cut from each address's visits
in this import: a new one starts after more than 30 minutes without a visit.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator
from datetime import date
from functools import lru_cache

from data.importing.records import (
    PageVisitRecord,
    Record,
    Rejection,
    SessionRecord,
    page_path,
)
from data.importing.source import Progress, SourceFile

SESSION_GAP = 30 * 60 * 1_000_000
PAGE_METHODS = frozenset({"GET", "POST"})
STATIC_SUFFIXES = (
    ".css", ".js", ".map", ".png", ".jpg", ".jpeg", ".gif",
    ".ico", ".svg", ".webp", ".woff", ".woff2", ".ttf", ".eot",
)  # fmt: skip
# English month names whatever the locale, as every web server writes them.
MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
# Quoted text with backslash escapes, written as an unrolled loop: matching
# it character by character with an alternation is five times slower.
_QUOTED_TEXT = r'[^"\\]*(?:\\.[^"\\]*)*'
LINE = re.compile(
    r"(\S+) \S+ \S+ "
    r"\[(\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "
    rf'"({_QUOTED_TEXT})" (\d{{3}}) (?:\d+|-)'
    rf'(?: "{_QUOTED_TEXT}" "{_QUOTED_TEXT}")?'
)
# Lines come roughly in time order, so the last few thousand timestamps are
# the ones that recur; the cache is emptied when it grows past this.
RECENT_TIMESTAMPS = 4096
_TIMESTAMP = re.compile(r"\[[^\]]*\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]")
_EPOCH_DAY = date(1970, 1, 1).toordinal()


class LineError(ValueError):
    """Why one log line cannot be imported, in words for the person."""


def recognises(first_line: str) -> bool:
    """Whether a file whose first non-blank line is this is an access log."""
    return LINE.fullmatch(first_line.strip()) is not None


class AccessLogReader:
    """Reads access logs; sessions are cut after the last file."""

    def __init__(self) -> None:
        self.lines_read = 0
        self._visit_times: dict[str, array[int]] = {}
        self._instants: dict[str, int] = {}
        self._day_starts: dict[str, int] = {}

    def read(self, source: SourceFile, progress: Progress) -> Iterator[Record]:
        """The page visits of one file, and a rejection for each bad line.

        This loop runs once per request of logs of millions of lines, so its
        steps are written inline rather than as calls.
        """
        match_line, instants = LINE.fullmatch, self._instants
        for number, text, clean in source.lines(progress):
            line = text.rstrip()
            if not line:
                continue
            self.lines_read += 1
            match = match_line(line) if clean else None
            if match is None:
                reason = _format_problem(line) if clean else "not valid UTF-8"
                yield Rejection(source.name, number, reason)
                continue
            address, stamp, request, status = match.groups()
            instant = instants.get(stamp)
            if instant is None:
                try:
                    instant = self._instant(stamp)
                except LineError as error:
                    yield Rejection(source.name, number, str(error))
                    continue
            path = visited_path(request) if status[0] in "23" else None
            if path is not None:
                self._note_visit(address, instant)
                yield PageVisitRecord(address, path, instant)

    def finish(self) -> Iterator[Record]:
        """The session starts of every address, from all files read."""
        for address, times in self._visit_times.items():
            previous = None
            for instant in sorted(times):
                if previous is None or instant - previous > SESSION_GAP:
                    yield SessionRecord(address, instant, "")
                previous = instant
        self._visit_times.clear()

    def _note_visit(self, address: str, instant: int) -> None:
        """Keep the visit's time for cutting the address's sessions."""
        times = self._visit_times.get(address)
        if times is None:
            times = self._visit_times[address] = array("q")
        times.append(instant)

    def _instant(self, stamp: str) -> int:
        """Microseconds since the epoch of `dd/Mon/yyyy:HH:MM:SS +zzzz`."""
        day_start = self._day_starts.get(stamp[:11])
        if day_start is None:
            day_start = self._day_starts[stamp[:11]] = _day_start(stamp[:11])
        hours, minutes, seconds = (
            int(stamp[12:14]),
            int(stamp[15:17]),
            int(stamp[18:20]),
        )
        if hours > 23 or minutes > 59 or seconds > 59:
            raise LineError(f"no such time of day {stamp[12:20]}")
        shift = int(stamp[22:24]) * 3600 + int(stamp[24:26]) * 60
        clock = hours * 3600 + minutes * 60 + seconds
        clock += shift if stamp[21] == "-" else -shift
        if len(self._instants) >= RECENT_TIMESTAMPS:
            self._instants.clear()
        instant = self._instants[stamp] = day_start + clock * 1_000_000
        return instant


def _day_start(day: str) -> int:
    """Microseconds from the epoch to midnight UTC of `dd/Mon/yyyy`."""
    number = MONTHS.get(day[3:6].lower())
    if number is None:
        raise LineError(f"unknown month {day[3:6]!r} in the timestamp")
    try:
        ordinal = date(int(day[7:11]), number, int(day[:2])).toordinal()
    except ValueError:
        raise LineError(f"no such date {day}") from None
    return (ordinal - _EPOCH_DAY) * 86_400 * 1_000_000


@lru_cache(maxsize=1 << 16)
def visited_path(request: str) -> str | None:
    """The normalised path when a request line is a page visit, else None.

    Called for successful requests only; remembered, since the same
    requests recur throughout a log.
    """
    method, _, rest = request.partition(" ")
    target = rest.partition(" ")[0]
    if method not in PAGE_METHODS or not target:
        return None
    path = page_path(target)
    if not path or path.endswith(STATIC_SUFFIXES):
        return None
    return path


def _format_problem(line: str) -> str:
    """A reason for a line that is not in the log format, as precise as can be."""
    reason = "not in the combined or common log format"
    if line.count('"') % 2:
        return f"{reason}: a quoted field is never closed (truncated line?)"
    if not _TIMESTAMP.search(line):
        return f"{reason}: no [dd/Mon/yyyy:HH:MM:SS +zzzz] timestamp"
    return reason
