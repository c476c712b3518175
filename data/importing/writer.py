"""Writing records in batches, straight through the DB-API connection.

Imports run to tens of millions of events, so nothing here touches one row
at a time: records wait in a batch, the batch's new users and pages are
inserted and looked up together, ids are remembered in dicts, and every
table gets one `executemany` per batch, its rows sorted by primary key so
that neighbouring rows share B-tree pages. `page_visitors` and the stored
user sets (`data.user_sets`) are kept in step in the same transaction.
Counts come from the rows SQLite actually changed, so a repeated import
counts nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from data.importing import sessions
from data.importing.facts import UserFacts
from data.importing.records import (
    PageVisitRecord,
    Record,
    SessionRecord,
    UserRecord,
)
from data.user_sets import UserSetChanges

BATCH_SIZE = 10_000
# Keeps every `IN (...)` well under SQLite's limit on bound parameters.
LOOKUP_CHUNK = 500
# What a look-up of new ids reads: the value and id, and a user's facts.
FETCHED = {
    "users": "external_id, id, language, first_session_at, last_session_at",
    "pages": "path, id",
}


class Writer:
    """Adds records to the database inside the caller's transaction."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.users_added = 0
        self.sessions_added = 0
        self.page_visits_added = 0
        self._db = db
        self._batch: list[Record] = []
        self._user_ids: dict[str, int] = {}
        self._page_ids: dict[str, int] = {}
        self._facts = UserFacts(db)
        self._sets = UserSetChanges()
        sessions.create_work_table(db)

    def add(self, record: Record) -> None:
        """Queue one record; a full batch is written at once."""
        self._batch.append(record)
        if len(self._batch) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        """Write every queued record."""
        batch, self._batch = self._batch, []
        self._resolve_users(record[0] for record in batch)
        paths = (record[1] for record in batch if type(record) is PageVisitRecord)
        self._resolve_pages(paths)
        self._write(batch)

    def finish(self) -> None:
        """Write what is queued, then settle per-user facts and user sets."""
        self.flush()
        self._facts.settle(self._sets)
        self._sets.apply(self._db)
        self._facts.drop()
        sessions.drop_work_table(self._db)

    def _write(self, batch: list[Record]) -> None:
        """Insert the rows of a batch whose users and pages all have ids."""
        users, pages = self._user_ids, self._page_ids
        languages: dict[int, str | None] = {}
        plain: list[tuple[int, int]] = []
        keyed: dict[tuple[int, str], int] = {}
        visits: list[tuple[int, int, int]] = []
        for record in batch:
            kind, user = type(record), users[record[0]]
            if kind is PageVisitRecord:
                visits.append((user, pages[record[1]], record[2]))
            elif kind is SessionRecord:
                started_at, key = record[1], record[2]
                if not key:
                    plain.append((user, started_at))
                elif started_at < keyed.get((user, key), started_at + 1):
                    keyed[(user, key)] = started_at
            elif kind is UserRecord and record[2]:
                languages[user] = record[1]
        self._write_languages(languages)
        self._write_sessions(plain, keyed)
        self._write_visits(visits)

    def _write_languages(self, languages: dict[int, str | None]) -> None:
        """Replace the language of users whose records gave one."""
        self._db.executemany(
            "UPDATE users SET language = ? WHERE id = ?",
            [(language, user) for user, language in languages.items()],
        )

    def _write_sessions(
        self, plain: list[tuple[int, int]], keyed: dict[tuple[int, str], int]
    ) -> None:
        """Insert sessions, and remember whose first and last may move."""
        plain.sort()
        db, sets = self._db, self._sets
        self.sessions_added += sessions.add_plain_sessions(db, plain, sets)
        self.sessions_added += sessions.add_keyed_sessions(db, keyed, sets)
        touched = {user for user, _start in plain}
        touched.update(user for user, _key in keyed)
        self._facts.sessions_changed(touched)

    def _write_visits(self, visits: list[tuple[int, int, int]]) -> None:
        """Insert visits and the (page, user) pairs that `page_visitors` keeps."""
        visits.sort()
        cursor = self._db.executemany(
            "INSERT OR IGNORE INTO page_visits (user_id, page_id, visited_at) "
            "VALUES (?, ?, ?)",
            visits,
        )
        self.page_visits_added += cursor.rowcount
        self._db.executemany(
            "INSERT OR IGNORE INTO page_visitors (page_id, user_id) VALUES (?, ?)",
            sorted({(page, user) for user, page, _at in visits}),
        )
        self._sets.add_page_visits(visits)

    def _resolve_users(self, external_ids: Iterable[str]) -> None:
        """Give every user of a batch an id, adding those not in the table.

        A user's facts are remembered as they are when first met, so that
        the end of the import can tell which stored sets they move between.
        """
        added, found = self._resolve(
            "users", "external_id", external_ids, self._user_ids
        )
        self.users_added += added
        self._facts.remember(facts for _external_id, *facts in found)

    def _resolve_pages(self, paths: Iterable[str]) -> None:
        """Give every page of a batch an id, adding those not in the table."""
        self._resolve("pages", "path", paths, self._page_ids)

    def _resolve(
        self, table: str, column: str, values: Iterable[str], ids: dict[str, int]
    ) -> tuple[int, list[tuple]]:
        """Insert the values not yet in `ids`, then learn all their ids.

        Returns how many rows were new to the table, and the rows read for
        the values newly learnt (for users, with their stored facts).
        """
        missing = [value for value in dict.fromkeys(values) if value not in ids]
        if not missing:
            return 0, []
        added = self._db.executemany(
            f"INSERT OR IGNORE INTO {table} ({column}) VALUES (?)",
            [(value,) for value in missing],
        ).rowcount
        found: list[tuple] = []
        columns = FETCHED[table]
        for start in range(0, len(missing), LOOKUP_CHUNK):
            chunk = missing[start : start + LOOKUP_CHUNK]
            marks = ", ".join("?" * len(chunk))
            found += self._db.execute(
                f"SELECT {columns} FROM {table} WHERE {column} IN ({marks})", chunk
            )
        ids.update((row[0], row[1]) for row in found)
        return added, found
