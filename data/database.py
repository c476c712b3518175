"""Opening a Segments database: checks first, then SQLite set up for sharing.

Several people and an import may use one file at once, so every connection
runs in WAL mode with a busy timeout; a file that is not ours, or that a newer
version wrote, is refused before anything is written to it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlmodel import SQLModel

from data import tables  # noqa: F401  (registers the tables on the metadata)

log = logging.getLogger(__name__)

APPLICATION_ID = 0x5345474D  # "SEGM" in the SQLite header
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 10_000
SQLITE_HEADER = b"SQLite format 3\x00"


class DatabaseError(Exception):
    """A database that cannot be used, with a message for the person."""


def default_database_path() -> Path:
    """Where the database lives without `--db` or `SEGMENTS_DB`."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "segments" / "segments.db"


def resolve_database_path(given: str | os.PathLike[str] | None) -> Path:
    """`--db` if given, else `SEGMENTS_DB`, else the default path."""
    if given:
        return Path(given).expanduser()
    if os.environ.get("SEGMENTS_DB"):
        return Path(os.environ["SEGMENTS_DB"]).expanduser()
    return default_database_path()


def open_database(path: Path, *, create: bool = False) -> Engine:
    """An engine on `path`, after checking the file is a Segments database.

    With `create`, a missing or empty file becomes a new database; without
    it, a missing file is an error, so a typo in `--db` creates nothing.
    """
    path = Path(path)
    state = _inspect(path)
    if state == "missing" and not create:
        raise DatabaseError(
            f"no database at {path}: create one with 'segments demo' "
            "or 'segments import'"
        )
    if state == "missing" and not path.parent.is_dir():
        if path != default_database_path().with_name(path.name):
            raise DatabaseError(f"no folder {path.parent} for the database {path.name}")
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )
    event.listen(engine, "connect", _configure_connection)
    if state != "ours":
        _create_schema(engine)
    return engine


def _inspect(path: Path) -> str:
    """'missing', 'empty' or 'ours'; raises for a file we must not touch."""
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return "missing"
    if not path.is_file():
        raise DatabaseError(f"{path} is not a file")
    with path.open("rb") as handle:
        if handle.read(16) != SQLITE_HEADER:
            raise DatabaseError(f"{path} is not a SQLite database; left untouched")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            application_id = connection.execute("PRAGMA application_id").fetchone()[0]
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            table_count = connection.execute(
                "SELECT count(*) FROM sqlite_schema"
            ).fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"{path} cannot be read: {error}") from error
    if application_id == 0 and table_count == 0:
        return "missing"
    if application_id != APPLICATION_ID:
        raise DatabaseError(f"{path} is not a Segments database; left untouched")
    if version > SCHEMA_VERSION:
        raise DatabaseError(
            f"{path} was written by a newer Segments (schema {version}, this one "
            f"reads {SCHEMA_VERSION}); left untouched"
        )
    return "ours"


def _configure_connection(connection: Any, _record: Any) -> None:
    """Per-connection settings: WAL, foreign keys and a busy timeout."""
    cursor = connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _create_schema(engine: Engine) -> None:
    """Create the tables and stamp the file as ours, in one transaction."""
    with engine.begin() as connection:
        SQLModel.metadata.create_all(connection)
        connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
    log.info("created a new Segments database")
