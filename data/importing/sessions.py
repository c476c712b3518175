"""Session rows, with keyed sessions kept to one per key.

A Snowplow session id names one session, but its events may arrive across
batches, files or imports; whichever start is earliest is the one kept, and
a later start already stored is deleted. Every session start also puts its
user in the set of its UTC hour (see `data.user_sets`), and a deleted start
takes the user out of it when no other session of theirs is in that hour.
"""

from __future__ import annotations

import sqlite3

from data.user_sets import UserSetChanges

KEYED = "temp.import_keyed_sessions"

_LATER_STARTS = f"""
SELECT a.user_id, a.started_at, a.source_key
FROM {KEYED} AS s JOIN app_sessions AS a
ON a.user_id = s.user_id AND a.source_key = s.source_key
AND a.started_at > s.started_at
"""
_ADD_EARLIEST = f"""
INSERT OR IGNORE INTO app_sessions (user_id, started_at, source_key)
SELECT s.user_id, s.started_at, s.source_key FROM {KEYED} AS s
WHERE NOT EXISTS (
    SELECT 1 FROM app_sessions AS a
    WHERE a.user_id = s.user_id AND a.source_key = s.source_key
    AND a.started_at < s.started_at)
"""
_KEPT_STARTS = f"""
SELECT s.user_id, s.started_at FROM {KEYED} AS s JOIN app_sessions AS a
ON a.user_id = s.user_id AND a.started_at = s.started_at
AND a.source_key = s.source_key
"""


def create_work_table(db: sqlite3.Connection) -> None:
    """The temporary table that keyed sessions are merged through."""
    db.execute(
        f"CREATE TABLE {KEYED} (user_id INTEGER, source_key TEXT, "
        "started_at INTEGER, PRIMARY KEY (user_id, source_key))"
    )


def drop_work_table(db: sqlite3.Connection) -> None:
    """Remove the temporary table, so the pooled connection is left clean."""
    db.execute(f"DROP TABLE IF EXISTS {KEYED}")


def add_plain_sessions(
    db: sqlite3.Connection, rows: list[tuple[int, int]], changes: UserSetChanges
) -> int:
    """Insert (user id, start) sessions without a key; the number added."""
    cursor = db.executemany(
        "INSERT OR IGNORE INTO app_sessions (user_id, started_at, source_key) "
        "VALUES (?, ?, '')",
        rows,
    )
    changes.add_sessions(rows)
    return cursor.rowcount


def add_keyed_sessions(
    db: sqlite3.Connection,
    starts: dict[tuple[int, str], int],
    changes: UserSetChanges,
) -> int:
    """Merge {(user id, key): earliest start} into the table; the net added."""
    if not starts:
        return 0
    db.executemany(
        f"INSERT INTO {KEYED} (user_id, source_key, started_at) VALUES (?, ?, ?)",
        [(user, key, start) for (user, key), start in starts.items()],
    )
    later = db.execute(_LATER_STARTS).fetchall()
    db.executemany(
        "DELETE FROM app_sessions WHERE user_id = ? AND started_at = ?"
        " AND source_key = ?",
        later,
    )
    added = db.execute(_ADD_EARLIEST).rowcount
    changes.add_sessions(db.execute(_KEPT_STARTS))
    for user, started_at, _key in later:
        changes.remove_session(db, user, started_at)
    db.execute(f"DELETE FROM {KEYED}")
    return added - len(later)
