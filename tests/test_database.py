"""Opening a database: files that are not ours stay untouched; ours is shared."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from data.database import (
    APPLICATION_ID,
    BUSY_TIMEOUT_MS,
    SCHEMA_VERSION,
    DatabaseError,
    default_database_path,
    open_database,
    resolve_database_path,
)


def other_application(path: Path, journal_mode: str = "delete") -> None:
    """A SQLite file that some other program wrote."""
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA journal_mode = {journal_mode}")
    connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    connection.execute("INSERT INTO notes (body) VALUES ('keep me')")
    connection.commit()
    connection.close()


def files_in(folder: Path) -> set[str]:
    """The names of the files in `folder`."""
    return {path.name for path in folder.iterdir()}


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"shopping list\n" * 200)
    before = path.read_bytes()
    for create in (False, True):
        with pytest.raises(DatabaseError, match="not a SQLite database"):
            open_database(path, create=create)
    assert path.read_bytes() == before
    assert files_in(tmp_path) == {"notes.txt"}


def test_a_sqlite_file_of_another_application_is_refused_untouched(
    tmp_path: Path,
) -> None:
    path = tmp_path / "other.db"
    other_application(path)
    before = path.read_bytes()
    for create in (False, True):
        with pytest.raises(DatabaseError, match="not a Segments database"):
            open_database(path, create=create)
    assert path.read_bytes() == before
    assert files_in(tmp_path) == {"other.db"}


def test_a_wal_file_of_another_application_keeps_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    other_application(path, journal_mode="wal")
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="not a Segments database"):
        open_database(path, create=True)
    assert path.read_bytes() == before


def test_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "segments.db"
    open_database(path, create=True).dispose()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="newer Segments") as caught:
        open_database(path, create=True)
    assert f"schema {SCHEMA_VERSION + 1}" in str(caught.value)
    assert path.read_bytes() == before


def test_a_missing_file_without_create_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "typo" / "segmnets.db"
    with pytest.raises(DatabaseError, match="no database at"):
        open_database(path)
    assert not path.parent.exists()
    assert files_in(tmp_path) == set()


def test_create_refuses_a_missing_folder_and_makes_none(tmp_path: Path) -> None:
    path = tmp_path / "typo" / "segments.db"
    with pytest.raises(DatabaseError, match="no folder"):
        open_database(path, create=True)
    assert not path.parent.exists()


def test_create_makes_the_default_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = resolve_database_path(None)
    open_database(path, create=True).dispose()
    assert path.is_file()


def test_create_makes_a_stamped_database(tmp_path: Path) -> None:
    path = tmp_path / "segments.db"
    open_database(path, create=True).dispose()
    connection = sqlite3.connect(path)
    stamp = connection.execute("PRAGMA application_id").fetchone()[0]
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    tables = {
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_schema WHERE type='table'"
        )
    }
    connection.close()
    assert (stamp, version) == (APPLICATION_ID, SCHEMA_VERSION)
    assert {"users", "app_sessions", "pages", "page_visits", "page_visitors"} <= tables
    assert {"segments", "settings"} <= tables


def test_an_empty_file_becomes_a_database_only_with_create(tmp_path: Path) -> None:
    path = tmp_path / "segments.db"
    path.touch()
    with pytest.raises(DatabaseError):
        open_database(path)
    assert path.read_bytes() == b""
    open_database(path, create=True).dispose()
    assert path.read_bytes().startswith(b"SQLite format 3\x00")


def test_reopening_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "segments.db"
    engine = open_database(path, create=True)
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO users (external_id) VALUES ('u1')")
    engine.dispose()
    engine = open_database(path)
    with engine.connect() as connection:
        count = connection.exec_driver_sql("SELECT count(*) FROM users").scalar()
    engine.dispose()
    assert count == 1


def test_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = open_database(tmp_path / "segments.db", create=True)
    with engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO app_sessions (user_id, started_at, source_key)"
            " VALUES (999, 0, '')"
        )
    engine.dispose()


def test_the_db_option_comes_first(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SEGMENTS_DB", str(tmp_path / "from-env.db"))
    given = tmp_path / "given.db"
    assert resolve_database_path(str(given)) == given
    assert resolve_database_path(given) == given


def test_the_environment_comes_second(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SEGMENTS_DB", str(tmp_path / "from-env.db"))
    assert resolve_database_path(None) == tmp_path / "from-env.db"
    assert resolve_database_path("") == tmp_path / "from-env.db"


def test_the_default_comes_last(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SEGMENTS_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    expected = tmp_path / "xdg" / "segments" / "segments.db"
    assert resolve_database_path(None) == expected
    monkeypatch.setenv("SEGMENTS_DB", "")
    assert resolve_database_path(None) == expected
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_database_path() == (
        tmp_path / "home" / ".local" / "share" / "segments" / "segments.db"
    )


def test_a_home_relative_path_is_expanded(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_database_path("~/mine.db") == tmp_path / "mine.db"
    monkeypatch.setenv("SEGMENTS_DB", "~/env.db")
    assert resolve_database_path(None) == tmp_path / "env.db"
