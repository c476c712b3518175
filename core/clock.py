"""Calendar arithmetic in the workspace's time zone, turned into stored instants.

Days are calendar days where the segment's users live: a day may last 23 or 25
hours, and pendulum keeps the wall-clock time when subtracting days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

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
