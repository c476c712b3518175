"""The benchmark database: demo data at a chosen size, generated once and kept.

A database is only given its cached name once generation has finished, so an
interrupted run never leaves a half-filled file that a later run would reuse.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from data.database import open_database
from data.demo import generate_demo

# Every cached database is anchored at the same instant, so that the suite's
# dates and "last X days" mean the same thing in every run.
ANCHOR_ISO = "2025-12-01T00:00:00+00:00"
ANCHOR = 1_764_547_200_000_000
DEFAULT_CACHE = Path(__file__).resolve().parent / "cache"


@dataclass(frozen=True)
class BenchmarkDatabase:
    """A cached demo database and the seconds it took to generate."""

    path: Path
    users: int
    seed: int
    generated_s: float | None


def cached_path(cache: Path, users: int, seed: int, suffix: str = "db") -> Path:
    """Where the database (or its DuckDB twin) for a size and seed is kept."""
    return cache / f"demo-{users}-{seed}.{suffix}"


def demo_database(
    cache: Path, users: int, seed: int, *, regenerate: bool = False
) -> BenchmarkDatabase:
    """The cached database for `users` and `seed`, generating it if missing.

    A cached file whose schema differs from the one this code creates was
    made by an older version, and is generated again.
    """
    path = cached_path(cache, users, seed)
    cache.mkdir(parents=True, exist_ok=True)
    timing = path.with_suffix(".generation.json")
    if path.exists() and not regenerate and _schema(path) == _current_schema(cache):
        seconds = json.loads(timing.read_text())["seconds"] if timing.exists() else None
        return BenchmarkDatabase(path, users, seed, seconds)
    if path.exists():
        print(f"generating {path.name} again (asked, or older schema)", file=sys.stderr)
    _remove_database(path)
    cached_path(cache, users, seed, "duckdb").unlink(missing_ok=True)
    partial = path.with_suffix(".partial")
    _remove_database(partial)
    started = time.perf_counter()
    engine = open_database(partial, create=True)
    try:
        generate_demo(engine, users=users, seed=seed, now=ANCHOR, progress=_progress)
    finally:
        engine.dispose()
    _checkpoint(partial)
    elapsed = time.perf_counter() - started
    print(f"\rgenerated {users:,} users in {elapsed:,.1f} s", file=sys.stderr)
    partial.rename(path)
    timing.write_text(json.dumps({"seconds": elapsed}))
    return BenchmarkDatabase(path, users, seed, elapsed)


def _schema(path: Path) -> set[tuple[str, str, str]]:
    """Every table and index of a database, with the SQL that made it."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT type, name, sql FROM sqlite_schema")
        return {(kind, name, sql or "") for kind, name, sql in rows}
    finally:
        connection.close()


def _current_schema(cache: Path) -> set[tuple[str, str, str]]:
    """The schema that `open_database` creates today, read from a new file."""
    probe = cache / "schema-probe.db"
    _remove_database(probe)
    open_database(probe, create=True).dispose()
    try:
        return _schema(probe)
    finally:
        _remove_database(probe)


def _progress(done: int, total: int) -> None:
    """A one-line progress report on stderr."""
    print(
        f"\rgenerating demo data: {done:,} / {total:,} users", end="", file=sys.stderr
    )


def _checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file, so the file alone is the database."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)


def _remove_database(path: Path) -> None:
    """Delete a database file and its write-ahead log files, if there."""
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        name.unlink(missing_ok=True)


def size_on_disk_mb(path: Path) -> float:
    """The database file plus its write-ahead log, in megabytes."""
    files = (path, Path(f"{path}-wal"))
    return sum(name.stat().st_size for name in files if name.exists()) / 1e6


def table_rows(path: Path) -> dict[str, int]:
    """How many rows each data table holds."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in (
                "users",
                "app_sessions",
                "page_visits",
                "page_visitors",
                "pages",
            )
        }
    finally:
        connection.close()
