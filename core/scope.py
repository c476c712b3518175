"""What a rule sees when it answers: the users as a set, or one user's facts.

`Scope` is the set side: one read transaction on the database, so that every
criterion of a count sees the same data. `UserFacts` is the one-user side, the
evidence an explanation is built from.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from pyroaring import BitMap

from core.clock import Clock
from data import user_sets


@dataclass
class Scope:
    """A consistent view of the database for computing sets of user ids."""

    connection: sqlite3.Connection
    clock: Clock

    @cached_property
    def all_users(self) -> BitMap:
        """Every user id."""
        return user_sets.read(self.connection, user_sets.ALL, [0])

    @cached_property
    def pages(self) -> list[tuple[int, str]]:
        """Every distinct page as (id, normalised path): thousands, not millions."""
        return self.connection.execute("SELECT id, path FROM pages").fetchall()

    @cached_property
    def languages(self) -> list[tuple[int, str]]:
        """Every distinct device language as (id, normalised tag)."""
        return self.connection.execute("SELECT id, tag FROM languages").fetchall()

    def sets(self, kind: str, keys: Iterable[int]) -> BitMap:
        """The users in any of the stored sets of `kind` with these keys."""
        return user_sets.read(self.connection, kind, keys)

    def first_session_before(self, instant: int) -> BitMap:
        """Users whose first session started before `instant`."""
        day = user_sets.day_of(instant)
        whole_days = user_sets.read_range(
            self.connection, user_sets.FIRST_DAY, None, day
        )
        return whole_days | self.user_ids(
            "SELECT id FROM users WHERE first_session_at >= ? AND first_session_at < ?",
            (day * user_sets.DAY, instant),
        )

    def last_session_from(self, instant: int) -> BitMap:
        """Users whose last session started at or after `instant`.

        Days wholly after `instant` come from the day sets; only the part of
        its own day from `instant` on is read from the users' index.
        """
        day = -(-instant // user_sets.DAY)
        later_days = user_sets.read_range(
            self.connection, user_sets.LAST_DAY, day, None
        )
        if instant == day * user_sets.DAY:
            return later_days
        return later_days | self.user_ids(
            "SELECT id FROM users WHERE last_session_at >= ? AND last_session_at < ?",
            (instant, day * user_sets.DAY),
        )

    def session_between(self, low: int, high: int) -> BitMap:
        """Users with a session that started in [low, high).

        Whole UTC days come from the day sets, the edges from quarter-hour
        sets; a bound off the quarter-hour grid (a zone's old local mean
        time) falls back to reading the sessions.
        """
        quarter = user_sets.QUARTER
        if low % quarter or high % quarter:
            return self.user_ids(
                "SELECT DISTINCT user_id FROM app_sessions"
                " WHERE started_at >= ? AND started_at < ?",
                (low, high),
            )
        first_day = -(-low // user_sets.DAY)
        end_day = high // user_sets.DAY
        if first_day >= end_day:
            return self._quarters(low, high)
        return (
            self._quarters(low, first_day * user_sets.DAY)
            | user_sets.read_range(
                self.connection, user_sets.SESSION_DAY, first_day, end_day
            )
            | self._quarters(end_day * user_sets.DAY, high)
        )

    def user_ids(self, sql: str, parameters: Sequence[object] = ()) -> BitMap:
        """The user ids in the first column of a query's rows."""
        rows = self.connection.execute(sql, parameters)
        return BitMap(row[0] for row in rows)

    def _quarters(self, low: int, high: int) -> BitMap:
        """Users with a session in [low, high), both on the quarter-hour grid."""
        if low >= high:
            return BitMap()
        quarter = user_sets.QUARTER
        return user_sets.read_range(
            self.connection, user_sets.SESSION_QUARTER, low // quarter, high // quarter
        )


@dataclass(frozen=True)
class Visit:
    """One page visit of one user."""

    path: str
    visited_at: int


@dataclass(frozen=True)
class UserFacts:
    """Everything the rules need to judge one user."""

    user_id: int
    external_id: str
    language: str | None
    sessions: tuple[int, ...] = ()
    visits: tuple[Visit, ...] = field(default=())

    @classmethod
    def load(cls, connection: sqlite3.Connection, user_id: int) -> UserFacts | None:
        """Read one user's facts, or None when there is no such user."""
        row = connection.execute(
            "SELECT external_id, language FROM users WHERE id = ?", (user_id,)
        ).fetchone()
        if row is None:
            return None
        sessions = connection.execute(
            "SELECT started_at FROM app_sessions WHERE user_id = ? ORDER BY started_at",
            (user_id,),
        ).fetchall()
        visits = connection.execute(
            "SELECT pages.path, page_visits.visited_at FROM page_visits"
            " JOIN pages ON pages.id = page_visits.page_id"
            " WHERE page_visits.user_id = ? ORDER BY page_visits.visited_at",
            (user_id,),
        ).fetchall()
        return cls(
            user_id=user_id,
            external_id=row[0],
            language=row[1],
            sessions=tuple(started for (started,) in sessions),
            visits=tuple(Visit(path, at) for path, at in visits),
        )


@dataclass(frozen=True)
class Verdict:
    """Whether one criterion holds for one user, and the evidence why."""

    holds: bool
    reason: str
