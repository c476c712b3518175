"""Calendar arithmetic in the workspace's time zone, turned into stored instants.

Days are calendar days where the segment's users live: a day may last 23 or 25
hours, and pendulum keeps the wall-clock time when subtracting days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pendulum

from data.instants import from_micros, to_micros


class ClockError(ValueError):
    """A "now" or a time zone that calendar arithmetic cannot work with."""


class TimeZoneError(ClockError):
    """A time zone name that the tz database does not know."""


EARLIEST_NOW = to_micros(datetime(1900, 1, 1, tzinfo=UTC))
LATEST_NOW = to_micros(datetime(3000, 1, 1, tzinfo=UTC))


def check_now(instant: int) -> int:
    """`instant` if it lies in the years 1900 to 2999, else an error."""
    if not EARLIEST_NOW <= instant < LATEST_NOW:
        raise ClockError("now must lie in the years 1900 to 2999")
    return instant


# Names the tz database also answers to that mean no one place: the machine's
# own zone, or the database's internals.
NOT_PLACES = ("localtime", "posixrules", "Factory")
NOT_PLACE_PREFIXES = ("posix/", "right/")


def check_time_zone(name: str) -> str:
    """`name` if it is an IANA time zone such as `Europe/Paris`, else an error."""
    unusable = name in NOT_PLACES or name.startswith(NOT_PLACE_PREFIXES)
    try:
        if unusable:
            raise ValueError(name)
        pendulum.timezone(name)
    except (pendulum.tz.exceptions.InvalidTimezone, ValueError) as error:
        raise TimeZoneError(
            f"unknown time zone {name!r} (use an IANA name such as Europe/Paris)"
        ) from error
    return name


@dataclass(frozen=True)
class Clock:
    """A fixed "now" and the time zone in which calendar days are counted."""

    now: int
    timezone: str = "UTC"

    def day_start(self, day: date) -> int:
        """The first instant of `day` in the workspace time zone.

        Midnight happens twice where clocks go back at 01:00 and not at all
        where they go forward at 00:00: the earliest instant of that local
        date is wanted, whichever offset it has.
        """
        zone = pendulum.timezone(self.timezone)
        midnight = datetime.combine(day, time(), zone)
        both = sorted(to_micros(midnight.replace(fold=fold)) for fold in (0, 1))
        for instant in both:
            if from_micros(instant, self.timezone).date() == day:
                return instant
        return both[-1]

    def next_day_start(self, day: date) -> int:
        """The first instant of the day after `day`."""
        return self.day_start(pendulum.date(day.year, day.month, day.day).add(days=1))

    def days_ago(self, days: int) -> int:
        """The same wall-clock time `days` calendar days before now."""
        local_now = from_micros(self.now, self.timezone)
        return to_micros(local_now.subtract(days=days))

    def show(self, instant: int) -> str:
        """An instant as the workspace sees it, to the second."""
        return from_micros(instant, self.timezone).format("YYYY-MM-DD HH:mm:ss zz")

    def iso(self, instant: int) -> str:
        """An instant in ISO 8601, in the workspace time zone."""
        return from_micros(instant, self.timezone).isoformat()
