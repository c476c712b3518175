"""What the format readers hand to the writer: users, sessions, page visits.

Records name users by their external id and pages by normalised path; the
writer turns both into row ids. They are named tuples because an import
builds one per event and must stay cheap at millions of events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from data.instants import parse_instant
from data.languages import normalise_language
from data.paths import normalise_path

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

# The shapes that `datetime.fromisoformat` reads exactly as `parse_instant`
# does, about twenty times faster; anything else goes the slow, general way.
# ASCII digits only: both refuse others, and `[0-9]` is quicker than `\d`.
_PLAIN_ISO = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}"
    r"(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
)


class UserRecord(NamedTuple):
    """A user; with `language_given`, `language` replaces the stored one."""

    external_id: str
    language: str | None
    language_given: bool


class SessionRecord(NamedTuple):
    """A session start; sessions with the same non-empty key are one session.

    A keyed session (a Snowplow session id) starts at the earliest instant
    ever given for it, in this import or an earlier one.
    """

    external_id: str
    started_at: int
    source_key: str


class PageVisitRecord(NamedTuple):
    """One visit of a page, `path` already normalised."""

    external_id: str
    path: str
    visited_at: int


@dataclass(frozen=True, slots=True)
class Rejection:
    """A line that was not imported, and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


Record = UserRecord | SessionRecord | PageVisitRecord | Rejection


def instant_micros(text: str) -> int:
    """Microseconds since the epoch for ISO 8601 `text` (naive means UTC).

    Raises `InstantError` like `parse_instant`, which it defers to for any
    shape but the common ones.
    """
    if _PLAIN_ISO.fullmatch(text):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return parse_instant(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return (moment - _EPOCH) // _MICROSECOND
    return parse_instant(text)


@lru_cache(maxsize=1 << 16)
def page_path(value: str) -> str:
    """`normalise_path`, remembered: the same few paths recur in every file."""
    return normalise_path(value)


@lru_cache(maxsize=1 << 12)
def language_tag(value: str | None) -> str | None:
    """`normalise_language`, remembered: a file holds a handful of tags."""
    return normalise_language(value)
