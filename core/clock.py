"""Calendar arithmetic in the workspace's time zone, turned into stored instants.

Days are calendar days where the segment's users live: a day may last 23 or 25
hours, and pendulum keeps the wall-clock time when subtracting days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pendulum

from data.instants import from_micros, to_micros


class TimeZoneError(ValueError):
    """A time zone name that the tz database does not know."""


def check_time_zone(name: str) -> str:
    """`name` if it is a known IANA time zone, else a clear error."""
    try:
        pendulum.timezone(name)
    except (pendulum.tz.exceptions.InvalidTimezone, ValueError) as error:
        raise TimeZoneError(f"unknown time zone {name!r}") from error
    return name


@dataclass(frozen=True)
class Clock:
    """A fixed "now" and the time zone in which calendar days are counted."""

    now: int
    timezone: str = "UTC"

    def day_start(self, day: date) -> int:
        """The first instant of `day` in the workspace time zone."""
        start = pendulum.datetime(day.year, day.month, day.day, tz=self.timezone)
        return to_micros(start)

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
