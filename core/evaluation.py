"""One evaluator, two ways of answering: which users, and why this user.

A count, a member list and an export are set computations over one read
snapshot; an explanation applies the same rules to one user's facts.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pyroaring import BitMap
from sqlalchemy import Engine

from core import rules
from core.clock import Clock
from core.definition import SegmentDefinition
from core.scope import Scope, UserFacts, Verdict


@dataclass(frozen=True)
class SegmentCount:
    """How many users are in a segment, and how many each criterion alone holds for."""

    members: int
    total_users: int
    criteria: tuple[int, ...]


@dataclass(frozen=True)
class Member:
    """One user of a segment, as a member list shows them."""

    user_id: int
    external_id: str
    language: str | None
    last_session_at: int | None


@dataclass(frozen=True)
class Explanation:
    """Whether one user is in a segment, criterion by criterion."""

    external_id: str
    language: str | None
    is_member: bool
    verdicts: tuple[Verdict, ...]


class Evaluation:
    """Answers against one consistent snapshot of the database."""

    def __init__(self, connection: sqlite3.Connection, clock: Clock) -> None:
        self.connection = connection
        self.scope = Scope(connection, clock)

    def criterion_sets(self, definition: SegmentDefinition) -> list[BitMap]:
        """The users each criterion holds for, in order."""
        return [
            rules.members(criterion, self.scope) for criterion in definition.criteria
        ]

    def members(self, definition: SegmentDefinition) -> BitMap:
        """The ids of the users in the segment."""
        return combine(definition.match, self.criterion_sets(definition))

    def count(self, definition: SegmentDefinition) -> SegmentCount:
        """The member count, with each criterion's own count beside it."""
        sets = self.criterion_sets(definition)
        return SegmentCount(
            members=len(combine(definition.match, sets)),
            total_users=len(self.scope.all_users),
            criteria=tuple(len(found) for found in sets),
        )

    def member_page(
        self, definition: SegmentDefinition, offset: int = 0, limit: int = 50
    ) -> list[Member]:
        """One page of members, in the order users were first seen."""
        ids = self.members(definition)
        chosen = [ids[index] for index in range(offset, min(offset + limit, len(ids)))]
        rows = self.connection.execute(
            "SELECT id, external_id, language, last_session_at FROM users"
            " WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            (json.dumps(chosen),),
        ).fetchall()
        return [Member(*row) for row in rows]

    def explain(
        self, definition: SegmentDefinition, external_id: str
    ) -> Explanation | None:
        """Why one user is in or out, or None when there is no such user."""
        row = self.connection.execute(
            "SELECT id FROM users WHERE external_id = ?", (external_id,)
        ).fetchone()
        facts = UserFacts.load(self.connection, row[0]) if row else None
        if facts is None:
            return None
        verdicts = tuple(
            rules.verdict(criterion, facts, self.scope)
            for criterion in definition.criteria
        )
        holds = [verdict.holds for verdict in verdicts]
        is_member = all(holds) if definition.match == "all" else any(holds)
        return Explanation(facts.external_id, facts.language, is_member, verdicts)

    def interrupt(self) -> None:
        """Stop the query running in another thread; it raises there."""
        self.connection.interrupt()


def combine(match: str, sets: list[BitMap]) -> BitMap:
    """ALL intersects the criteria's sets; ANY unites them."""
    if not sets:
        return BitMap()
    if match == "all":
        return BitMap.intersection(*sets) if len(sets) > 1 else BitMap(sets[0])
    return BitMap.union(*sets)


@contextmanager
def evaluation(engine: Engine, clock: Clock) -> Iterator[Evaluation]:
    """An `Evaluation` inside one read transaction, closed afterwards."""
    pooled = engine.raw_connection()
    connection = pooled.driver_connection
    assert isinstance(connection, sqlite3.Connection)
    try:
        connection.execute("BEGIN")
        yield Evaluation(connection, clock)
    finally:
        if connection.in_transaction:
            connection.rollback()
        pooled.close()
