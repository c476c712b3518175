"""App sessions: before, after or between calendar days, within the last X days.

Each operator names a window of instants; "at least one session in it" is the
whole rule. Sets come from the per-user first and last session columns, except
`between`, which needs the sessions themselves, as one index range.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pyroaring import BitMap

from core.clock import Clock
from core.problems import Fields
from core.scope import Scope, UserFacts, Verdict

KIND = "app_sessions"
OPERATORS = ("before", "after", "between", "within_last", "not_within_last")
MAX_DAYS = 3650
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class AppSessions:
    """The criterion: an operator with its dates or number of days."""

    operator: str
    start: date | None = None
    end: date | None = None
    days: int | None = None

    kind = KIND

    def to_json(self) -> dict[str, Any]:
        """The definition-file form."""
        shape: dict[str, Any] = {"type": KIND, "operator": self.operator}
        if self.operator in ("before", "after"):
            shape["date"] = str(self.start)
        elif self.operator == "between":
            shape.update(start=str(self.start), end=str(self.end))
        else:
            shape["days"] = self.days
        return shape

    def describe(self) -> str:
        """Plain words, as the segment list and `count --json` show it."""
        return {
            "before": f"a session before {self.start}",
            "after": f"a session after {self.start}",
            "between": f"a session from {self.start} to {self.end}",
            "within_last": f"a session in the last {_days(self.days)}",
            "not_within_last": f"no session in the last {_days(self.days)}",
        }[self.operator]


def _days(days: int | None) -> str:
    """`1 day`, `7 days`."""
    return "day" if days == 1 else f"{days} days"


def parse(raw: Mapping[str, Any], position: int) -> AppSessions:
    """Check a raw criterion and build it; raises `DefinitionError`."""
    fields = Fields(raw, position, KIND)
    operator = fields.choice("operator", OPERATORS)
    if operator in ("before", "after"):
        return AppSessions(operator, start=_day(fields, "date"))
    if operator == "between":
        start, end = _day(fields, "start"), _day(fields, "end")
        if start > end:
            raise fields.fail("end", f"{end} is before the start {start}")
        return AppSessions(operator, start=start, end=end)
    return AppSessions(operator, days=fields.whole_number("days", 1, MAX_DAYS))


def _day(fields: Fields, name: str) -> date:
    """A `YYYY-MM-DD` field as a date."""
    text = fields.text(name).strip()
    try:
        if not _DAY.match(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise fields.fail(name, f"{text!r} is not a date (YYYY-MM-DD)") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise fields.fail(name, f"{text} is outside {FIRST_DAY} to {LAST_DAY}")
    return day


def window(criterion: AppSessions, clock: Clock) -> tuple[int | None, int | None]:
    """The instants [low, high) a session must start in; None is unbounded.

    `not_within_last` shares the window of `within_last`: it is the users
    with no session in it.
    """
    start, end = criterion.start, criterion.end
    if criterion.operator == "before":
        assert start is not None
        return None, clock.day_start(start)
    if criterion.operator == "after":
        assert start is not None
        return clock.next_day_start(start), None
    if criterion.operator == "between":
        assert start is not None and end is not None
        return clock.day_start(start), clock.next_day_start(end)
    assert criterion.days is not None
    return clock.days_ago(criterion.days), None


def members(criterion: AppSessions, scope: Scope) -> BitMap:
    """The users the criterion holds for."""
    low, high = window(criterion, scope.clock)
    if criterion.operator == "before":
        assert high is not None
        return scope.first_session_before(high)
    assert low is not None
    if criterion.operator == "between":
        assert high is not None
        return scope.session_between(low, high)
    active = scope.last_session_from(low)
    if criterion.operator == "not_within_last":
        return scope.all_users - active
    return active


def verdict(criterion: AppSessions, facts: UserFacts, scope: Scope) -> Verdict:
    """Judge one user, naming the session that decided it."""
    low, high = window(criterion, scope.clock)
    inside = [
        started
        for started in facts.sessions
        if (low is None or started >= low) and (high is None or started < high)
    ]
    holds = bool(inside) != (criterion.operator == "not_within_last")
    if inside:
        return Verdict(holds, f"session at {scope.clock.show(inside[-1])}")
    if facts.sessions:
        last = scope.clock.show(facts.sessions[-1])
        return Verdict(holds, f"no session in range; last session at {last}")
    return Verdict(holds, "no sessions at all")
