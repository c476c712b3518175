"""Small builders of test data, and the two answers a segment gets over it.

Users are written the way every importer must write them: the language and the
paths normalised, first and last session on the user row equal to the min and
max of the sessions, and one `page_visitors` row per distinct (page, user).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from core.clock import Clock
from core.definition import SegmentDefinition, parse_definition
from core.evaluation import SegmentCount, evaluation
from data import user_sets
from data.database import open_database
from data.instants import parse_instant
from data.languages import normalise_language
from data.paths import normalise_path


def new_database(folder: Path) -> Engine:
    """A new, empty Segments database in `folder`."""
    return open_database(folder / "segments.db", create=True)


def add_user(
    engine: Engine,
    external_id: str,
    language: str | None = None,
    sessions: Iterable[str] = (),
    visits: Iterable[tuple[str, str]] = (),
) -> int:
    """Insert one user with their sessions and page visits; returns the user id.

    `language` and the paths are raw source values; instants are ISO 8601.
    """
    started = sorted(parse_instant(text) for text in sessions)
    with engine.begin() as connection:
        user_id = _insert_user(connection, external_id, language, started)
        for position, instant in enumerate(started):
            connection.exec_driver_sql(
                "INSERT INTO app_sessions (user_id, started_at, source_key)"
                " VALUES (?, ?, ?)",
                (user_id, instant, str(position)),
            )
        for path, when in visits:
            _insert_visit(connection, user_id, path, parse_instant(when))
        user_sets.rebuild(connection.connection.driver_connection)
    return user_id


def _insert_user(
    connection: Connection, external_id: str, language: str | None, started: list[int]
) -> int:
    """The user row, with its per-user facts already exact."""
    result = connection.exec_driver_sql(
        "INSERT INTO users (external_id, language, first_session_at,"
        " last_session_at) VALUES (?, ?, ?, ?)",
        (
            external_id,
            normalise_language(language),
            started[0] if started else None,
            started[-1] if started else None,
        ),
    )
    user_id = result.lastrowid
    assert isinstance(user_id, int)
    return user_id


def _insert_visit(connection: Connection, user_id: int, path: str, at: int) -> None:
    """One page visit, its page and its page visitor row."""
    normalised = normalise_path(path)
    connection.exec_driver_sql(
        "INSERT OR IGNORE INTO pages (path) VALUES (?)", (normalised,)
    )
    page_id = connection.exec_driver_sql(
        "SELECT id FROM pages WHERE path = ?", (normalised,)
    ).scalar_one()
    connection.exec_driver_sql(
        "INSERT OR IGNORE INTO page_visits (user_id, page_id, visited_at)"
        " VALUES (?, ?, ?)",
        (user_id, page_id, at),
    )
    connection.exec_driver_sql(
        "INSERT OR IGNORE INTO page_visitors (page_id, user_id) VALUES (?, ?)",
        (page_id, user_id),
    )


def clock_at(now: str, timezone: str = "UTC") -> Clock:
    """A clock pinned at the ISO 8601 instant `now`."""
    return Clock(parse_instant(now), timezone)


def segment(*criteria: Mapping[str, Any], match: str = "all") -> SegmentDefinition:
    """A checked definition of the given raw criteria."""
    raw = {"name": "Test segment", "match": match, "criteria": list(criteria)}
    return parse_definition(raw)


@dataclass(frozen=True)
class Answers:
    """A segment's members found as a set, and found by explaining each user."""

    members: frozenset[str]
    explained: frozenset[str]
    count: SegmentCount
    holds: tuple[frozenset[str], ...]
    criterion_sets: tuple[frozenset[str], ...]


def answers(engine: Engine, clock: Clock, definition: SegmentDefinition) -> Answers:
    """Both answers of the evaluator, by external id, from one snapshot."""
    with evaluation(engine, clock) as current:
        names = dict(current.connection.execute("SELECT id, external_id FROM users"))
        members = current.members(definition)
        sets = current.criterion_sets(definition)
        count = current.count(definition)
        explanations = [current.explain(definition, name) for name in names.values()]
    holds = [
        frozenset(
            found.external_id
            for found in explanations
            if found is not None and found.verdicts[index].holds
        )
        for index in range(len(definition.criteria))
    ]
    return Answers(
        members=frozenset(names[user_id] for user_id in members),
        explained=frozenset(
            found.external_id for found in explanations if found and found.is_member
        ),
        count=count,
        holds=tuple(holds),
        criterion_sets=tuple(frozenset(names[i] for i in found) for found in sets),
    )


def members(
    engine: Engine, clock: Clock, criterion: Mapping[str, Any]
) -> frozenset[str]:
    """The users one criterion holds for, after checking both answers agree."""
    found = answers(engine, clock, segment(criterion))
    if found.members != found.explained:
        raise AssertionError(
            f"set answer {sorted(found.members)} differs from the per-user"
            f" answer {sorted(found.explained)} for {criterion}"
        )
    if found.count.members != len(found.members):
        raise AssertionError(f"count {found.count} disagrees with the members")
    return found.members
