"""What a rule sees when it answers: the users as a set, or one user's facts.

`Scope` is the set side: one read transaction on the database, so that every
criterion of a count sees the same data. `UserFacts` is the one-user side, the
evidence an explanation is built from.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from pyroaring import BitMap

from core.clock import Clock


@dataclass
class Scope:
    """A consistent view of the database for computing sets of user ids."""

    connection: sqlite3.Connection
    clock: Clock

    @cached_property
    def all_users(self) -> BitMap:
        """Every user id."""
        return self.user_ids("SELECT id FROM users")

    @cached_property
    def pages(self) -> list[tuple[int, str]]:
        """Every distinct page as (id, normalised path): thousands, not millions."""
        return self.connection.execute("SELECT id, path FROM pages").fetchall()

    def user_ids(self, sql: str, parameters: Sequence[object] = ()) -> BitMap:
        """The user ids in the first column of a query's rows."""
        rows = self.connection.execute(sql, parameters)
        return BitMap(row[0] for row in rows)

    def visitors(self, page_ids: Iterable[int]) -> BitMap:
        """The users who visited at least one of `page_ids`."""
        ids = json.dumps(list(page_ids))
        return self.user_ids(
            "SELECT user_id FROM page_visitors"
            " WHERE page_id IN (SELECT value FROM json_each(?))",
            (ids,),
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
