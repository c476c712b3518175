"""App sessions: before, after, between calendar days; within the last days.

Days are calendar days in the workspace time zone, so each boundary is checked
at its first and last microsecond, in zones east and west of UTC and on days
of 23 and 25 hours.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine

from core.clock import TimeZoneError
from core.evaluation import evaluation
from core.workspace import Workspace
from data.instants import parse_instant
from tests.factories import add_user, clock_at, members, new_database, segment


def sessions(operator: str, **fields: object) -> dict[str, object]:
    """A raw app_sessions criterion."""
    return {"type": "app_sessions", "operator": operator, **fields}


@pytest.fixture
def engine(tmp_path) -> Iterator[Engine]:
    """An empty database, closed afterwards."""
    engine = new_database(tmp_path)
    yield engine
    engine.dispose()


@dataclass(frozen=True)
class Day:
    """One calendar day in one zone, with the instants around its edges."""

    zone: str
    day: str
    hours: int
    just_before: str
    first: str
    last: str
    next: str

    def previous_day(self) -> str:
        """The calendar day before, as YYYY-MM-DD."""
        return str(date.fromisoformat(self.day) - timedelta(days=1))

    def following_day(self) -> str:
        """The calendar day after, as YYYY-MM-DD."""
        return str(date.fromisoformat(self.day) + timedelta(days=1))


DAYS = [
    Day(
        "Europe/Paris",
        "2024-01-15",
        24,
        "2024-01-14T23:59:59.999999+01:00",
        "2024-01-15T00:00:00+01:00",
        "2024-01-15T23:59:59.999999+01:00",
        "2024-01-16T00:00:00+01:00",
    ),
    Day(
        "America/New_York",
        "2024-07-04",
        24,
        "2024-07-03T23:59:59.999999-04:00",
        "2024-07-04T00:00:00-04:00",
        "2024-07-04T23:59:59.999999-04:00",
        "2024-07-05T00:00:00-04:00",
    ),
    Day(
        "Asia/Kolkata",
        "2024-03-10",
        24,
        "2024-03-09T23:59:59.999999+05:30",
        "2024-03-10T00:00:00+05:30",
        "2024-03-10T23:59:59.999999+05:30",
        "2024-03-11T00:00:00+05:30",
    ),
    Day(
        "Europe/Paris",
        "2024-03-31",
        23,
        "2024-03-30T23:59:59.999999+01:00",
        "2024-03-31T00:00:00+01:00",
        "2024-03-31T23:59:59.999999+02:00",
        "2024-04-01T00:00:00+02:00",
    ),
    Day(
        "Europe/Paris",
        "2024-10-27",
        25,
        "2024-10-26T23:59:59.999999+02:00",
        "2024-10-27T00:00:00+02:00",
        "2024-10-27T23:59:59.999999+01:00",
        "2024-10-28T00:00:00+01:00",
    ),
    Day(
        "America/New_York",
        "2024-03-10",
        23,
        "2024-03-09T23:59:59.999999-05:00",
        "2024-03-10T00:00:00-05:00",
        "2024-03-10T23:59:59.999999-04:00",
        "2024-03-11T00:00:00-04:00",
    ),
    Day(
        "America/New_York",
        "2024-11-03",
        25,
        "2024-11-02T23:59:59.999999-04:00",
        "2024-11-03T00:00:00-04:00",
        "2024-11-03T23:59:59.999999-05:00",
        "2024-11-04T00:00:00-05:00",
    ),
    # Clocks go back from 01:00 to 00:00: midnight happens twice, and the
    # day begins at the first one.
    Day(
        "Atlantic/Azores",
        "2024-10-27",
        25,
        "2024-10-26T23:59:59.999999+00:00",
        "2024-10-27T00:00:00+00:00",
        "2024-10-27T23:59:59.999999-01:00",
        "2024-10-28T00:00:00-01:00",
    ),
    # Clocks went forward from 00:00 to 01:00: the day began at 01:00.
    Day(
        "America/Sao_Paulo",
        "2018-11-04",
        23,
        "2018-11-03T23:59:59.999999-03:00",
        "2018-11-04T01:00:00-02:00",
        "2018-11-04T23:59:59.999999-02:00",
        "2018-11-05T00:00:00-02:00",
    ),
]


@pytest.fixture(params=DAYS, ids=lambda day: f"{day.zone}-{day.day}")
def edges(request, engine: Engine) -> Day:
    """One user per edge instant of a day, and one with no sessions."""
    day: Day = request.param
    for name in ("just_before", "first", "last", "next"):
        add_user(engine, name, sessions=[getattr(day, name)])
    add_user(engine, "no_sessions")
    return day


def test_the_day_has_the_expected_length(edges: Day) -> None:
    length = parse_instant(edges.next) - parse_instant(edges.first)
    assert length == edges.hours * 3_600_000_000


def test_before_excludes_the_day_itself(engine: Engine, edges: Day) -> None:
    clock = clock_at("2025-01-01T00:00:00Z", edges.zone)
    found = members(engine, clock, sessions("before", date=edges.day))
    assert found == {"just_before"}


def test_after_excludes_the_day_itself(engine: Engine, edges: Day) -> None:
    clock = clock_at("2025-01-01T00:00:00Z", edges.zone)
    found = members(engine, clock, sessions("after", date=edges.day))
    assert found == {"next"}


def test_between_one_day_holds_its_first_and_last_instant(
    engine: Engine, edges: Day
) -> None:
    clock = clock_at("2025-01-01T00:00:00Z", edges.zone)
    criterion = sessions("between", start=edges.day, end=edges.day)
    assert members(engine, clock, criterion) == {"first", "last"}


def test_between_includes_both_end_days(engine: Engine, edges: Day) -> None:
    clock = clock_at("2025-01-01T00:00:00Z", edges.zone)
    earlier = sessions("between", start=edges.previous_day(), end=edges.day)
    later = sessions("between", start=edges.day, end=edges.following_day())
    assert members(engine, clock, earlier) == {"just_before", "first", "last"}
    assert members(engine, clock, later) == {"first", "last", "next"}


def test_the_time_zone_moves_the_days(engine: Engine) -> None:
    add_user(engine, "kolkata_midnight", sessions=["2024-03-10T00:00:00+05:30"])
    criterion = sessions("between", start="2024-03-10", end="2024-03-10")
    kolkata = clock_at("2025-01-01T00:00:00Z", "Asia/Kolkata")
    utc = clock_at("2025-01-01T00:00:00Z", "UTC")
    assert members(engine, kolkata, criterion) == {"kolkata_midnight"}
    assert members(engine, utc, criterion) == set()
    assert members(engine, utc, sessions("before", date="2024-03-10")) == {
        "kolkata_midnight"
    }


def test_between_needs_a_session_inside_the_range(engine: Engine) -> None:
    around = ["2024-05-09T12:00:00Z", "2024-05-12T12:00:00Z"]
    add_user(engine, "around", sessions=around)
    add_user(engine, "inside", sessions=[*around, "2024-05-11T08:00:00Z"])
    clock = clock_at("2025-01-01T00:00:00Z")
    criterion = sessions("between", start="2024-05-10", end="2024-05-11")
    assert members(engine, clock, criterion) == {"inside"}
    assert members(engine, clock, sessions("before", date="2024-05-10")) == {
        "around",
        "inside",
    }
    assert members(engine, clock, sessions("after", date="2024-05-11")) == {
        "around",
        "inside",
    }


@pytest.mark.parametrize(
    ("now", "boundary", "hours_off", "hours_off_inside"),
    [
        # Spring forward inside the week: the boundary is 167 hours ago.
        (
            "2024-04-02T12:00:00+02:00",
            "2024-03-26T12:00:00+01:00",
            "2024-03-26T11:00:00+01:00",
            False,
        ),
        # Fall back inside the week: the boundary is 169 hours ago.
        (
            "2024-10-30T12:00:00+01:00",
            "2024-10-23T12:00:00+02:00",
            "2024-10-23T12:30:00+02:00",
            True,
        ),
    ],
    ids=["spring", "autumn"],
)
def test_within_last_keeps_the_wall_clock_time_across_a_dst_change(
    engine: Engine, now: str, boundary: str, hours_off: str, hours_off_inside: bool
) -> None:
    add_user(engine, "at_boundary", sessions=[boundary])
    add_user(engine, "just_before", sessions=[_iso(parse_instant(boundary) - 1)])
    add_user(engine, "hours_off", sessions=[hours_off])
    add_user(engine, "no_sessions")
    clock = clock_at(now, "Europe/Paris")

    inside = members(engine, clock, sessions("within_last", days=7))
    outside = members(engine, clock, sessions("not_within_last", days=7))

    expected = {"at_boundary", "hours_off"} if hours_off_inside else {"at_boundary"}
    assert inside == expected
    assert outside == {"at_boundary", "just_before", "hours_off", "no_sessions"} - (
        expected
    )
    # Seven times 24 hours would have judged `hours_off` the other way.
    week_in_hours = parse_instant(now) - 7 * 24 * 3_600_000_000
    assert (parse_instant(hours_off) >= week_in_hours) != hours_off_inside


def test_within_last_counts_a_session_stamped_in_the_future(engine: Engine) -> None:
    add_user(engine, "clock_ahead", sessions=["2024-06-20T09:00:00Z"])
    add_user(engine, "long_ago", sessions=["2023-01-01T09:00:00Z"])
    add_user(engine, "no_sessions")
    clock = clock_at("2024-06-15T08:00:00Z", "America/New_York")
    assert members(engine, clock, sessions("within_last", days=30)) == {"clock_ahead"}
    assert members(engine, clock, sessions("not_within_last", days=30)) == {
        "long_ago",
        "no_sessions",
    }


@pytest.mark.parametrize("days", [1, 3650])
def test_within_last_at_its_bounds(engine: Engine, days: int) -> None:
    now = datetime(2024, 6, 15, 8, 0, tzinfo=UTC)
    boundary = now - timedelta(days=days)
    add_user(engine, "at_boundary", sessions=[boundary.isoformat()])
    add_user(engine, "just_before", sessions=[_iso(parse_instant(str(boundary)) - 1)])
    add_user(engine, "no_sessions")
    clock = clock_at(now.isoformat())
    inside = members(engine, clock, sessions("within_last", days=days))
    outside = members(engine, clock, sessions("not_within_last", days=days))
    assert inside == {"at_boundary"}
    assert outside == {"just_before", "no_sessions"}


def test_users_without_sessions_meet_no_dated_operator(engine: Engine) -> None:
    add_user(engine, "no_sessions")
    clock = clock_at("2024-06-15T08:00:00Z")
    for criterion in (
        sessions("before", date="2100-01-01"),
        sessions("after", date="1970-01-01"),
        sessions("between", start="1970-01-01", end="2100-01-01"),
        sessions("within_last", days=3650),
    ):
        assert members(engine, clock, criterion) == set()
    assert members(engine, clock, sessions("not_within_last", days=1)) == {
        "no_sessions"
    }


def test_explanation_names_the_deciding_session(engine: Engine) -> None:
    add_user(engine, "active", sessions=["2024-06-14T22:30:00Z"])
    add_user(engine, "no_sessions")
    clock = clock_at("2024-06-15T08:00:00Z", "Europe/Paris")
    definition = segment(sessions("within_last", days=1))
    with evaluation(engine, clock) as current:
        active = current.explain(definition, "active")
        idle = current.explain(definition, "no_sessions")
    assert active is not None and active.is_member
    assert active.verdicts[0].reason == "session at 2024-06-15 00:30:00 CEST"
    assert idle is not None and not idle.is_member
    assert idle.verdicts[0].reason == "no sessions at all"


def test_the_workspace_time_zone_and_its_override(tmp_path) -> None:
    workspace = Workspace.open(tmp_path / "workspace.db", create=True)
    add_user(workspace.engine, "kolkata_midnight", sessions=["2024-03-09T18:30:00Z"])
    criterion = sessions("between", start="2024-03-10", end="2024-03-10")
    now = parse_instant("2025-01-01T00:00:00Z")
    assert workspace.clock(now).timezone == "UTC"
    assert members(workspace.engine, workspace.clock(now), criterion) == set()
    workspace.set_time_zone("Asia/Kolkata")
    assert members(workspace.engine, workspace.clock(now), criterion) == {
        "kolkata_midnight"
    }
    assert members(workspace.engine, workspace.clock(now, tz="UTC"), criterion) == set()
    with pytest.raises(TimeZoneError, match="Mars/Olympus"):
        workspace.set_time_zone("Mars/Olympus")
    workspace.engine.dispose()


def _iso(micros: int) -> str:
    """A stored instant back as ISO 8601 text, in UTC."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
    return moment.isoformat()
