"""The same segments answered by DuckDB, written by hand as an analyst would.

DuckDB cannot read SQLite here (its extension would need a download), so the
tables are copied once through CSV files into a DuckDB database kept beside
the SQLite one. Each segment becomes one hand-written SQL count over the same
shaped tables our engine uses, and a second, untimed count straight from the
events (sessions and page visits), so that both sides check each other.
"""

from __future__ import annotations

import csv
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from data.languages import normalise_language
from data.paths import normalise_path, strip_one_slash

DAY_US = 86_400_000_000
FETCH_ROWS = 200_000

TABLES = {
    "users": "id INTEGER, external_id VARCHAR, language VARCHAR,"
    " first_session_at BIGINT, last_session_at BIGINT",
    "app_sessions": "user_id INTEGER, started_at BIGINT",
    "pages": "id INTEGER, path VARCHAR",
    "page_visits": "user_id INTEGER, page_id INTEGER, visited_at BIGINT",
    "page_visitors": "page_id INTEGER, user_id INTEGER",
}


def available() -> bool:
    """Whether the `duckdb` package (the `bench` extra) is installed."""
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    return True


def duckdb_twin(sqlite_path: Path, duckdb_path: Path, rows: dict[str, int]) -> None:
    """Make the DuckDB copy of a SQLite database unless an up-to-date one exists.

    `rows` (rows per table) is stored in the copy and compared next time, so
    that a database generated again is copied again.
    """
    import duckdb

    if duckdb_path.exists() and _copied_rows(duckdb_path) == rows:
        return
    duckdb_path.unlink(missing_ok=True)
    partial = duckdb_path.with_suffix(".duckdb-partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    target = duckdb.connect(str(partial))
    try:
        for table, columns in TABLES.items():
            _copy_table(source, target, table, columns, partial.parent)
        target.execute("CREATE TABLE copied_rows (name VARCHAR, rows BIGINT)")
        target.executemany("INSERT INTO copied_rows VALUES (?, ?)", list(rows.items()))
    finally:
        source.close()
        target.close()
    partial.rename(duckdb_path)
    elapsed = time.perf_counter() - started
    print(f"copied the tables into DuckDB in {elapsed:,.1f} s", file=sys.stderr)


def _copied_rows(duckdb_path: Path) -> dict[str, int] | None:
    """The rows per table the copy was made from, or None if unreadable."""
    import duckdb

    try:
        with duckdb.connect(str(duckdb_path), read_only=True) as connection:
            found = connection.execute("SELECT name, rows FROM copied_rows").fetchall()
    except duckdb.Error:
        return None
    return dict(found)


def _copy_table(
    source: sqlite3.Connection, target: Any, table: str, columns: str, folder: Path
) -> None:
    """One table, through a CSV file that is deleted afterwards."""
    names = ", ".join(column.split()[0] for column in columns.split(","))
    staging = folder / f"{table}.csv"
    try:
        with staging.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            cursor = source.execute(f"SELECT {names} FROM {table}")
            while rows := cursor.fetchmany(FETCH_ROWS):
                writer.writerows(rows)
        target.execute(f"CREATE TABLE {table} ({columns})")
        target.execute(
            f"COPY {table} FROM '{staging}' (FORMAT csv, HEADER false, NULLSTR '')"
        )
    finally:
        staging.unlink(missing_ok=True)


def connect(duckdb_path: Path) -> Any:
    """A read-only DuckDB connection, kept open as an analyst's session would be."""
    import duckdb

    return duckdb.connect(str(duckdb_path), read_only=True)


def count_sql(definition: dict[str, Any], now: int, *, from_events: bool) -> str:
    """One SQL count of the segment's users.

    With `from_events`, sessions and page visits are read from the event
    tables rather than from the per-user columns and distinct visitors.
    """
    joiner = " AND " if definition["match"] == "all" else " OR "
    conditions = [
        _condition(criterion, now, from_events) for criterion in definition["criteria"]
    ]
    where = joiner.join(f"({condition})" for condition in conditions)
    return f"SELECT count(*) FROM users u WHERE {where}"


def _condition(criterion: dict[str, Any], now: int, from_events: bool) -> str:
    """The WHERE condition on `users u` for one criterion."""
    kind = criterion["type"]
    if kind == "device_language":
        return _language(criterion)
    if kind == "app_sessions":
        return _sessions(criterion, now, from_events)
    return _page(criterion, from_events)


def _text(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _language(criterion: dict[str, Any]) -> str:
    """Equal to a listed tag, or starting with it and a `-`; unknown never matches."""
    tags = [normalise_language(tag) for tag in criterion["languages"]]
    listed = ", ".join(_text(tag) for tag in tags if tag)
    prefixes = " OR ".join(
        f"starts_with(u.language, {_text(tag + '-')})" for tag in tags if tag
    )
    matched = f"coalesce(u.language IN ({listed}) OR {prefixes}, false)"
    return matched if criterion["operator"] == "contains" else f"NOT {matched}"


def _day(text: str, later: int = 0) -> str:
    """The first microsecond of a UTC calendar day, `later` days on."""
    return f"epoch_us(DATE {_text(text)} + INTERVAL {later} DAY)"


def _sessions(criterion: dict[str, Any], now: int, from_events: bool) -> str:
    """A session in the operator's window (none in it, for `not_within_last`)."""
    operator = criterion["operator"]
    if operator == "between":
        low, high = _day(criterion["start"]), _day(criterion["end"], 1)
        return _session_in(f"started_at >= {low} AND started_at < {high}")
    if operator == "before":
        bound = _day(criterion["date"])
        column, events = f"u.first_session_at < {bound}", f"started_at < {bound}"
    elif operator == "after":
        bound = _day(criterion["date"], 1)
        column, events = f"u.last_session_at >= {bound}", f"started_at >= {bound}"
    else:
        bound = str(now - criterion["days"] * DAY_US)
        column, events = f"u.last_session_at >= {bound}", f"started_at >= {bound}"
    found = _session_in(events) if from_events else f"coalesce({column}, false)"
    return f"NOT {found}" if operator == "not_within_last" else found


def _session_in(window: str) -> str:
    """The user has a session matching `window`."""
    return f"u.id IN (SELECT user_id FROM app_sessions WHERE {window})"


def _page(criterion: dict[str, Any], from_events: bool) -> str:
    """Visited (or not) a page whose normalised path matches."""
    table = "page_visits" if from_events else "page_visitors"
    visitors = (
        f"SELECT v.user_id FROM {table} v JOIN pages p ON p.id = v.page_id"
        f" WHERE {_path_test(criterion['match'], normalise_path(criterion['path']))}"
    )
    visited = f"u.id IN ({visitors})"
    return visited if criterion["operator"] == "visited" else f"NOT {visited}"


def _path_test(match: str, wanted: str) -> str:
    """The condition on `p.path`; `equals` ignores one trailing slash.

    DuckDB's string functions `contains`, `starts_with` and `ends_with` are
    named like the match types.
    """
    if match == "equals":
        bare = strip_one_slash(wanted)
        return f"p.path IN ({_text(bare)}, {_text(bare + '/')})"
    return f"{match}(p.path, {_text(wanted)})"


def timed_count(connection: Any, sql: str, runs: int) -> tuple[int, list[float]]:
    """The count and the milliseconds each run of the query took."""
    times, found = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        found = connection.execute(sql).fetchone()[0]
        times.append((time.perf_counter() - started) * 1000)
    return found, times


def single_count(connection: Any, sql: str) -> int:
    """The count, once, untimed."""
    return int(connection.execute(sql).fetchone()[0])
