"""Small factories for the import tests: databases, input files, table rows."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyroaring import BitMap
from sqlalchemy import Engine

from data import user_sets
from data.database import open_database

REAL_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
DATA_TABLES = (
    "users",
    "app_sessions",
    "pages",
    "page_visits",
    "page_visitors",
    "languages",
    "user_sets",
)


def real_file(name: str) -> Path:
    """A file of the shared real data, or a skip when it is not there."""
    path = REAL_DATA / name
    if not path.is_file():
        pytest.skip(f"real data file {path} is not present")
    return path


def new_database(tmp_path: Path) -> Engine:
    """A fresh Segments database in the test's temporary folder."""
    return open_database(tmp_path / "segments.db", create=True)


def write_file(tmp_path: Path, name: str, lines: list[str]) -> Path:
    """A UTF-8 input file with one line per item."""
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def rows(engine: Engine, sql: str, *params: object) -> list[tuple]:
    """The rows of a query, as plain tuples."""
    raw = engine.raw_connection()
    try:
        return [tuple(row) for row in raw.driver_connection.execute(sql, params)]
    finally:
        raw.close()


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table an import writes, to compare before/after."""
    return {
        table: sorted(rows(engine, f"SELECT * FROM {table}")) for table in DATA_TABLES
    }


def count(engine: Engine, table: str) -> int:
    """The number of rows in `table`."""
    return rows(engine, f"SELECT count(*) FROM {table}")[0][0]


def users(engine: Engine) -> dict[str, tuple]:
    """{external id: (language, first session, last session)}."""
    found = rows(
        engine,
        "SELECT external_id, language, first_session_at, last_session_at FROM users",
    )
    return {external_id: tuple(facts) for external_id, *facts in found}


def micros(*parts: int) -> int:
    """Microseconds since the epoch of a UTC calendar time, computed plainly."""
    moment = datetime(*parts, tzinfo=UTC)
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def user_sessions(engine: Engine, external_id: str) -> list[tuple[int, str]]:
    """(start, source key) of a user's sessions, in time order."""
    return rows(
        engine,
        "SELECT started_at, source_key FROM app_sessions JOIN users "
        "ON users.id = app_sessions.user_id WHERE external_id = ? "
        "ORDER BY started_at, source_key",
        external_id,
    )


def user_visits(engine: Engine, external_id: str) -> list[tuple[str, int]]:
    """(path, instant) of a user's page visits, in time order."""
    return rows(
        engine,
        "SELECT path, visited_at FROM page_visits "
        "JOIN users ON users.id = page_visits.user_id "
        "JOIN pages ON pages.id = page_visits.page_id "
        "WHERE external_id = ? ORDER BY visited_at, path",
        external_id,
    )


def visitors_in_step(engine: Engine) -> bool:
    """Whether page_visitors holds exactly the distinct pairs of page_visits."""
    from_visits = rows(
        engine, "SELECT DISTINCT page_id, user_id FROM page_visits ORDER BY 1, 2"
    )
    kept = rows(engine, "SELECT page_id, user_id FROM page_visitors ORDER BY 1, 2")
    return from_visits == kept


def session_facts_exact(engine: Engine) -> bool:
    """Whether every user's first/last session equals min/max of the rows."""
    wrong = rows(
        engine,
        "SELECT count(*) FROM users u WHERE "
        "u.first_session_at IS NOT (SELECT min(started_at) FROM app_sessions s "
        "WHERE s.user_id = u.id) OR "
        "u.last_session_at IS NOT (SELECT max(started_at) FROM app_sessions s "
        "WHERE s.user_id = u.id)",
    )
    return wrong[0][0] == 0


def user_sets_exact(engine: Engine) -> bool:
    """Whether the stored user sets equal the ones rebuilt from the tables.

    Language sets are compared by tag, since a rebuild numbers tags anew.
    """
    raw = engine.raw_connection()
    db = raw.driver_connection
    try:
        stored = _named_sets(db)
        db.execute("BEGIN")
        user_sets.rebuild(db)
        rebuilt = _named_sets(db)
        db.rollback()
    finally:
        raw.close()
    return stored == rebuilt


def _named_sets(db: sqlite3.Connection) -> dict[tuple[str, object], list[int]]:
    """Every stored set as sorted user ids, keyed by kind and key (or tag)."""
    tags = dict(db.execute("SELECT id, tag FROM languages"))
    found: dict[tuple[str, object], list[int]] = {}
    for kind, key, blob in db.execute("SELECT kind, key, users FROM user_sets"):
        name = tags[key] if kind == user_sets.LANGUAGE else key
        found[kind, name] = list(BitMap.deserialize(blob))
    return found
