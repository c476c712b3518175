"""Instants as stored: whole microseconds since the Unix epoch, in UTC.

Integers keep the session and visit indexes small and make range scans cheap;
every conversion to and from calendar time goes through this module.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pendulum

MICROS_PER_SECOND = 1_000_000


class InstantError(ValueError):
    """A text that does not hold a usable ISO 8601 instant."""


def to_micros(moment: datetime) -> int:
    """Microseconds since the epoch for an aware datetime (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * MICROS_PER_SECOND + (
        delta.microseconds
    )


def from_micros(micros: int, tz: str = "UTC") -> pendulum.DateTime:
    """The instant `micros` shown in time zone `tz`."""
    seconds, rest = divmod(micros, MICROS_PER_SECOND)
    return pendulum.from_timestamp(seconds, tz="UTC").add(microseconds=rest).in_tz(tz)


def parse_instant(text: str) -> int:
    """Parse an ISO 8601 instant; one without an offset is taken as UTC."""
    if not isinstance(text, str) or not text.strip():
        raise InstantError("empty instant")
    try:
        # Exact, or a time of day alone would be taken as today at that time.
        parsed = pendulum.parse(text.strip(), tz="UTC", exact=True)
    except (ValueError, TypeError, OverflowError) as error:
        raise InstantError(f"not an ISO 8601 instant: {text!r}") from error
    if isinstance(parsed, datetime):
        return to_micros(parsed)
    if isinstance(parsed, date):
        return to_micros(datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC))
    raise InstantError(f"not a date and time: {text!r}")
