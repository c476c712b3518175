"""A bulk load into SQLite: one transaction, a large cache, indexes built last.

Shared by nothing but the demo generator, which writes millions of rows in
one go for the benchmark database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

BULK_CACHE_KIB = 262_144


@contextmanager
def bulk_transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, set up for a bulk load and restored afterwards.

    BEGIN IMMEDIATE takes the write lock before the emptiness check, so no
    other writer can slip data in between. Foreign keys are not checked
    during the load: the rows reference each other by construction, and
    checking costs about 15% of a large load. SQLite only allows that
    switch outside a transaction, hence here.
    """
    isolation = connection.isolation_level
    cache = connection.execute("PRAGMA cache_size").fetchone()[0]
    foreign_keys = connection.execute("PRAGMA foreign_keys").fetchone()[0]
    connection.isolation_level = None
    connection.execute("PRAGMA foreign_keys = OFF")
    connection.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    finally:
        connection.execute(f"PRAGMA cache_size = {cache}")
        connection.execute(f"PRAGMA foreign_keys = {foreign_keys}")
        connection.isolation_level = isolation


@contextmanager
def indexes_built_afterwards(
    connection: sqlite3.Connection, tables: tuple[str, ...]
) -> Iterator[None]:
    """Drop the secondary indexes of `tables` and build them again at the end.

    Sessions arrive in user order, so their index by instant would take
    millions of scattered inserts; one sort when building is far cheaper.
    A failure rolls back the drop along with everything else.
    """
    marks = ", ".join("?" for _ in tables)
    indexes = connection.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index'"
        f" AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY name",
        tables,
    ).fetchall()
    for name, _ in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        connection.execute(sql)
