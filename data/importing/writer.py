"""Writing records in batches, straight through the DB-API connection.

Imports run to tens of millions of events, so nothing here touches one row
at a time: records wait in a batch (a `Chunk`), the batch's new users and
pages are inserted and looked up together, ids are remembered in dicts, and
every table gets one `executemany` per batch, its rows sorted by the first
column of the primary key so that neighbouring rows share B-tree pages.
`page_visitors` and the stored user sets (`data.user_sets`) are kept in
step in the same transaction. Counts come from the rows SQLite actually
changed, so a repeated import counts nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from itertools import chain, groupby
from operator import itemgetter

from data.importing import sessions
from data.importing.chunks import Chunk
from data.importing.facts import UserFacts
from data.importing.records import PageVisitRecord, SessionRecord, UserRecord
from data.user_sets import PAGE, UserSetChanges

BATCH_SIZE = 50_000
# The least a batch may hold to be written before it is full, when the
# writer would otherwise wait: below it, the cost per batch tells.
EARLY_BATCH_SIZE = 10_000
# (page, user) pairs gathered before they join the page sets, a few batches'.
VISITORS_WAITING = 200_000
# Keeps every `IN (...)` well under SQLite's limit on bound parameters.
LOOKUP_CHUNK = 500
# What a look-up of new ids reads: the value and id, and a user's facts.
FETCHED = {
    "users": "external_id, id, language, first_session_at, last_session_at",
    "pages": "path, id",
}
_LARGEST_USER_ID = "SELECT max(id) FROM users"
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


class Writer:
    """Adds records to the database inside the caller's transaction."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.users_added = 0
        self.sessions_added = 0
        self.page_visits_added = 0
        self._db = db
        self._batch = Chunk()
        self._user_ids: dict[str, int] = {}
        self._page_ids: dict[str, int] = {}
        self._facts = UserFacts(db)
        self._largest_user_id = self._facts.first_new_id - 1
        self._sets = UserSetChanges()
        self._visitors = _PageVisitors(self._sets)
        sessions.create_work_table(db)

    def add(self, record: UserRecord | SessionRecord | PageVisitRecord) -> None:
        """Queue one record; a full batch is written at once."""
        self._batch.add(record)
        if self._batch.records >= BATCH_SIZE:
            self.flush()

    def add_chunk(self, chunk: Chunk) -> None:
        """Queue the records of a chunk, as if added one by one in order."""
        self._batch.extend(chunk)
        if self._batch.records >= BATCH_SIZE:
            self.flush()

    def flush_early(self) -> None:
        """Write the queued records if there are enough to be worth it."""
        if self._batch.records >= EARLY_BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        """Write every queued record."""
        if not self._batch.records:
            return
        batch, self._batch = self._batch, Chunk()
        fresh = self._resolve_users(batch.users, batch.languages)
        self._resolve_pages(batch.pages)
        self._write_languages(batch.languages, fresh)
        self._write_sessions(batch)
        self._write_visits(batch)

    def finish(self) -> None:
        """Write what is queued, then settle per-user facts and user sets."""
        self.flush()
        self._visitors.record()
        self._facts.settle(self._sets)
        self._sets.apply(self._db)
        self._facts.drop()
        sessions.drop_work_table(self._db)

    def _write_languages(
        self, languages: dict[str, str | None], fresh: set[str]
    ) -> None:
        """Replace the language of users whose records gave one.

        Users added by this batch were inserted with theirs already.
        """
        ids = self._user_ids
        self._db.executemany(
            "UPDATE users SET language = ? WHERE id = ?",
            [
                (language, ids[user])
                for user, language in languages.items()
                if user not in fresh
            ],
        )

    def _write_sessions(self, batch: Chunk) -> None:
        """Insert sessions, and remember whose first and last may move."""
        ids = self._user_ids
        plain = list(
            zip(
                map(ids.__getitem__, batch.session_users),
                batch.session_starts,
                strict=True,
            )
        )
        # By user alone: a user's rows share B-tree pages whatever their order.
        plain.sort(key=_FIRST)
        keyed: dict[tuple[int, str], int] = {}
        for user, started_at, key in batch.keyed_sessions:
            user_key = (ids[user], key)
            if started_at < keyed.get(user_key, started_at + 1):
                keyed[user_key] = started_at
        db, sets = self._db, self._sets
        self.sessions_added += sessions.add_plain_sessions(db, plain, sets)
        self.sessions_added += sessions.add_keyed_sessions(db, keyed, sets)
        touched = {user for user, _start in plain}
        touched.update(user for user, _key in keyed)
        self._facts.sessions_changed(touched)

    def _write_visits(self, batch: Chunk) -> None:
        """Insert visits and the (page, user) pairs that `page_visitors` keeps."""
        visits = list(
            zip(
                map(self._user_ids.__getitem__, batch.visit_users),
                map(self._page_ids.__getitem__, batch.visit_paths),
                batch.visit_times,
                strict=True,
            )
        )
        visits.sort(key=_FIRST)
        cursor = self._db.executemany(
            "INSERT OR IGNORE INTO page_visits (user_id, page_id, visited_at) "
            "VALUES (?, ?, ?)",
            visits,
        )
        self.page_visits_added += cursor.rowcount
        # Taken from visits in user order, the distinct pairs need a stable
        # sort by page alone to be in primary key order.
        pages, users = map(_SECOND, visits), map(_FIRST, visits)
        pairs = list(dict.fromkeys(zip(pages, users, strict=True)))
        pairs.sort(key=_FIRST)
        self._db.executemany(
            "INSERT OR IGNORE INTO page_visitors (page_id, user_id) VALUES (?, ?)",
            pairs,
        )
        self._visitors.add(pairs)

    def _resolve_users(
        self, external_ids: Iterable[str], languages: dict[str, str | None]
    ) -> set[str]:
        """Give every user of a batch an id, adding those not in the table.

        New users are inserted with the language the batch gives them; the
        ones inserted are returned. Users that were there before the import
        have their facts remembered as they are when first met, so that the
        end can tell which stored sets they move between.
        """
        ids = self._user_ids
        missing = [user for user in external_ids if user not in ids]
        if not missing:
            return set()
        largest = self._largest_user_id
        added = self._db.executemany(
            "INSERT OR IGNORE INTO users (external_id, language) VALUES (?, ?)",
            [(user, languages.get(user)) for user in missing],
        ).rowcount
        self.users_added += added
        self._largest_user_id = self._db.execute(_LARGEST_USER_ID).fetchone()[0]
        if added == len(missing) and self._largest_user_id == largest + added:
            # All new, so numbered on from the largest id in the order given.
            ids.update(
                zip(missing, range(largest + 1, largest + 1 + added), strict=True)
            )
            return set(missing)
        found = self._look_up("users", "external_id", missing, ids)
        first_new_id = self._facts.first_new_id
        self._facts.remember(
            facts for _external_id, *facts in found if facts[0] < first_new_id
        )
        return {row[0] for row in found if row[1] >= first_new_id}

    def _resolve_pages(self, paths: Iterable[str]) -> None:
        """Give every page of a batch an id, adding those not in the table."""
        ids = self._page_ids
        missing = [path for path in paths if path not in ids]
        if missing:
            self._db.executemany(
                "INSERT OR IGNORE INTO pages (path) VALUES (?)",
                [(path,) for path in missing],
            )
            self._look_up("pages", "path", missing, ids)

    def _look_up(
        self, table: str, column: str, values: list[str], ids: dict[str, int]
    ) -> list[tuple]:
        """Learn the ids of `values`, all in `table`; the rows read.

        For users, the rows carry their stored facts too.
        """
        found: list[tuple] = []
        columns = FETCHED[table]
        for start in range(0, len(values), LOOKUP_CHUNK):
            chunk = values[start : start + LOOKUP_CHUNK]
            marks = ", ".join("?" * len(chunk))
            found += self._db.execute(
                f"SELECT {columns} FROM {table} WHERE {column} IN ({marks})", chunk
            )
        ids.update((row[0], row[1]) for row in found)
        return found


class _PageVisitors:
    """(page, user) pairs bound for the users' page sets, gathered a while.

    Each page's users go into its set in one update. A batch holds a few
    visits of many pages, so pairs wait for several batches first.
    """

    def __init__(self, changes: UserSetChanges) -> None:
        self._changes = changes
        self._batches: list[list[tuple[int, int]]] = []
        self._waiting = 0

    def add(self, pairs: list[tuple[int, int]]) -> None:
        """Queue the pairs of one batch."""
        self._batches.append(pairs)
        self._waiting += len(pairs)
        if self._waiting >= VISITORS_WAITING:
            self.record()

    def record(self) -> None:
        """Put every queued user in the set of the page they visited."""
        pairs = list(chain.from_iterable(self._batches))
        self._batches, self._waiting = [], 0
        pairs.sort(key=_FIRST)
        added = self._changes.added
        for page, group in groupby(pairs, key=_FIRST):
            added[PAGE, page].update(map(_SECOND, group))
