"""Demo data: the users, sessions and page visits of a made-up shopping app.

The same generator fills the small database shown on first start and the
benchmark database of a million users, so it writes through the raw SQLite
connection in large batches, a chunk of users at a time, in key order. Every
choice comes from one seeded random stream and every instant is placed
relative to an anchor, so the same seed and anchor give the same database.
"""

from __future__ import annotations

import json
import logging
import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from data.changes import mark_changed
from data.demo_activity import Activity, Chunk
from data.demo_bulk import bulk_transaction, indexes_built_afterwards
from data.demo_catalogue import Catalogue, build_catalogue
from data.demo_segments import example_segments
from data.instants import to_micros
from data.user_sets import UserSetChanges

log = logging.getLogger(__name__)

CHUNK_USERS = 2_000
# Children before parents; settings (such as the time zone) are not data here.
DATA_TABLES = (
    "user_sets",
    "languages",
    "page_visitors",
    "page_visits",
    "app_sessions",
    "users",
    "pages",
    "segments",
)

__all__ = [
    "DemoRefused",
    "DemoSummary",
    "example_segments",
    "generate_demo",
    "start_of_utc_day",
]


class DemoRefused(Exception):
    """The database already holds data, and replacing it was not asked for."""


@dataclass(frozen=True)
class DemoSummary:
    """How many rows of each kind the demo wrote."""

    users: int
    sessions: int
    page_visits: int
    pages: int
    segments: int


def start_of_utc_day(moment: datetime | None = None) -> int:
    """The instant the UTC day of `moment` (default: now) began, in µs."""
    moment = moment or datetime.now(UTC)
    day = moment.astimezone(UTC).date()
    return to_micros(datetime(day.year, day.month, day.day, tzinfo=UTC))


def generate_demo(
    engine: Engine,
    *,
    users: int = 10_000,
    seed: int = 1,
    now: int | None = None,
    replace: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Fill the database with demo users, their activity and example segments.

    All instants lie in the year before `now` (default: the start of today,
    UTC). A database holding data is refused unless `replace`, which deletes
    that data in the same transaction. `progress(done, total)` is called
    after each chunk of users.
    """
    if users < 1:
        raise ValueError(f"the demo needs at least 1 user, not {users}")
    anchor = start_of_utc_day() if now is None else now
    rng = random.Random(seed)
    catalogue = build_catalogue(rng, users, anchor)
    raw = engine.raw_connection()
    driver = raw.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    try:
        with bulk_transaction(driver) as connection:
            _clear_or_refuse(connection, replace)
            summary = _write(connection, rng, catalogue, users, anchor, progress)
    finally:
        raw.close()
    log.info("generated demo data: %s", summary)
    return summary


def _clear_or_refuse(connection: sqlite3.Connection, replace: bool) -> None:
    """Delete all existing data if `replace`, else refuse when there is any."""
    held = [
        table
        for table in DATA_TABLES
        if connection.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]
    ]
    if held and not replace:
        raise DemoRefused(
            f"the database already holds data ({', '.join(held)}); "
            "pass --replace to delete it and generate demo data instead"
        )
    for table in held:
        connection.execute(f"DELETE FROM {table}")
    if held:
        log.info("deleted existing data from %s", ", ".join(held))


def _write(
    connection: sqlite3.Connection,
    rng: random.Random,
    catalogue: Catalogue,
    users: int,
    now: int,
    progress: Callable[[int, int], None] | None,
) -> DemoSummary:
    """Write pages, then users chunk by chunk, then the example segments."""
    connection.executemany(
        "INSERT INTO pages (id, path) VALUES (?, ?)", enumerate(catalogue.paths, 1)
    )
    activity = Activity(rng, catalogue, now)
    width = max(7, len(str(users)))
    sessions = visits = 0
    sets = UserSetChanges()
    with indexes_built_afterwards(connection, ("users", "app_sessions")):
        for first in range(1, users + 1, CHUNK_USERS):
            count = min(CHUNK_USERS, users + 1 - first)
            chunk = activity.chunk(first, count, width)
            _insert_chunk(connection, chunk)
            sets.add_users(connection, chunk.users)
            sets.add_sessions(chunk.sessions)
            sets.add_page_visits(chunk.visits)
            sessions += len(chunk.sessions)
            visits += len(chunk.visits)
            if progress is not None:
                progress(first + count - 1, users)
    sets.apply(connection)
    mark_changed(connection)
    return DemoSummary(
        users=users,
        sessions=sessions,
        page_visits=visits,
        pages=_drop_unvisited_pages(connection),
        segments=_insert_segments(connection, now),
    )


def _insert_chunk(connection: sqlite3.Connection, chunk: Chunk) -> None:
    """Write one chunk's rows, users first so that references resolve."""
    connection.executemany(
        "INSERT INTO users (id, external_id, language, first_session_at,"
        " last_session_at) VALUES (?, ?, ?, ?, ?)",
        chunk.users,
    )
    connection.executemany(
        "INSERT INTO app_sessions (user_id, started_at, source_key) VALUES (?, ?, '')",
        chunk.sessions,
    )
    connection.executemany(
        "INSERT INTO page_visits (user_id, page_id, visited_at) VALUES (?, ?, ?)",
        chunk.visits,
    )
    connection.execute(
        "INSERT INTO page_visitors (page_id, user_id)"
        " SELECT DISTINCT page_id, user_id FROM page_visits"
        " WHERE user_id BETWEEN ? AND ? ORDER BY page_id, user_id",
        (chunk.users[0][0], chunk.users[-1][0]),
    )


def _drop_unvisited_pages(connection: sqlite3.Connection) -> int:
    """Delete catalogue pages nobody visited, as an import would never have them.

    Returns how many pages remain.
    """
    connection.execute(
        "DELETE FROM pages WHERE NOT EXISTS"
        " (SELECT 1 FROM page_visitors WHERE page_visitors.page_id = pages.id)"
    )
    return int(connection.execute("SELECT count(*) FROM pages").fetchone()[0])


def _insert_segments(connection: sqlite3.Connection, now: int) -> int:
    """Write the example segments, stamped with the anchor instant."""
    rows = [
        (s["name"], s["name"].casefold(), json.dumps(s), now, now)
        for s in example_segments(now)
    ]
    connection.executemany(
        "INSERT INTO segments (name, name_key, definition, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)
