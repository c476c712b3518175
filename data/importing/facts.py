"""The per-user facts an import changes, and the user sets that follow them.

`users.first_session_at`/`last_session_at` are recomputed from the session
rows of every user whose sessions changed, so they stay exact. The facts of
each user that was there before the import are kept as they were when the
import first met the user; at the end the old and new facts move the user
between the stored sets of languages and of first and last session days
(`data.user_sets`). New users need no such record: they are the ids above
the largest before the import, and they join the set of all users.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from data.user_sets import Facts, UserSetChanges, record_fact_changes

BEFORE = "temp.import_facts_before"
SESSIONS_CHANGED = "temp.import_session_users"
# Users compared per step at the end, so memory stays flat however many.
SETTLE_CHUNK = 10_000

_RECOMPUTE_SESSION_FACTS = f"""
UPDATE users SET
    first_session_at = (
        SELECT min(started_at) FROM app_sessions WHERE user_id = users.id),
    last_session_at = (
        SELECT max(started_at) FROM app_sessions WHERE user_id = users.id)
WHERE id IN (SELECT user_id FROM {SESSIONS_CHANGED})
"""


class UserFacts:
    """What this import has done to users, for settling their facts at the end."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        # Ids are handed out above the largest, and the write lock is held.
        largest = db.execute("SELECT max(id) FROM users").fetchone()[0]
        self.first_new_id: int = (largest or 0) + 1
        db.execute(
            f"CREATE TABLE {BEFORE} (user_id INTEGER PRIMARY KEY, language TEXT,"
            " first_session_at INTEGER, last_session_at INTEGER)"
        )
        db.execute(f"CREATE TABLE {SESSIONS_CHANGED} (user_id INTEGER PRIMARY KEY)")

    def remember(
        self, users: Iterable[tuple[int, str | None, int | None, int | None]]
    ) -> None:
        """Keep (id, language, first, last) of users met for the first time.

        Only users that were there before the import need remembering.
        """
        self._db.executemany(
            f"INSERT OR IGNORE INTO {BEFORE} VALUES (?, ?, ?, ?)", users
        )

    def sessions_changed(self, user_ids: Iterable[int]) -> None:
        """Note users whose first and last session may have moved."""
        self._db.executemany(
            f"INSERT OR IGNORE INTO {SESSIONS_CHANGED} (user_id) VALUES (?)",
            [(user,) for user in user_ids],
        )

    def settle(self, changes: UserSetChanges) -> None:
        """Recompute session facts, then move users between the fact sets."""
        self._db.execute(_RECOMPUTE_SESSION_FACTS)
        self._settle_users_met(changes)
        largest = self._db.execute("SELECT max(id) FROM users").fetchone()[0] or 0
        for start in range(self.first_new_id, largest + 1, SETTLE_CHUNK):
            new_users = range(start, min(start + SETTLE_CHUNK, largest + 1))
            record_fact_changes(self._db, changes, {}, new_users)

    def _settle_users_met(self, changes: UserSetChanges) -> None:
        """Move the users from before the import, from their remembered facts."""
        last_seen = 0
        while True:
            rows = self._db.execute(
                f"SELECT * FROM {BEFORE} WHERE user_id > ? ORDER BY user_id LIMIT ?",
                (last_seen, SETTLE_CHUNK),
            ).fetchall()
            if not rows:
                return
            before: dict[int, Facts] = {
                user: (language, first, last) for user, language, first, last in rows
            }
            record_fact_changes(self._db, changes, before, list(before))
            last_seen = rows[-1][0]

    def drop(self) -> None:
        """Remove the temporary tables, so the pooled connection is left clean."""
        self._db.execute(f"DROP TABLE IF EXISTS {BEFORE}")
        self._db.execute(f"DROP TABLE IF EXISTS {SESSIONS_CHANGED}")
