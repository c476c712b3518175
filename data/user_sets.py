"""Sets of user ids kept beside the events, so that counts never scan them.

Each row of `user_sets` is a compressed bitmap (Roaring) of the users that
share one fact: speak a language, visited a page, started a session in a given
UTC hour, had their first or last session on a given UTC day. Writers add to
them in the same transaction as the events, so they are exact whenever the
events are; a count reads a few of them and combines them in memory.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable

from pyroaring import BitMap

ALL = "all"
LANGUAGE = "language"
PAGE = "page"
SESSION_DAY = "session_day"
SESSION_QUARTER = "session_quarter"
FIRST_DAY = "first_day"
LAST_DAY = "last_day"

# Every time zone in use today is offset from UTC by whole quarter hours, so
# any local day starts on a quarter-hour boundary: whole UTC days plus
# quarter hours at the edges answer "a session between two days" exactly.
QUARTER = 15 * 60 * 1_000_000
DAY = 96 * QUARTER
SESSION_BUCKETS = ((SESSION_DAY, DAY), (SESSION_QUARTER, QUARTER))

Facts = tuple[str | None, int | None, int | None]
"""A user's language, first session and last session, as stored on `users`."""


def day_of(instant: int) -> int:
    """The UTC day (days since the epoch) an instant falls in."""
    return instant // DAY


class UserSetChanges:
    """Additions and removals gathered while writing, applied in one go."""

    def __init__(self) -> None:
        self.added: defaultdict[tuple[str, int], BitMap] = defaultdict(BitMap)
        self.removed: defaultdict[tuple[str, int], BitMap] = defaultdict(BitMap)

    def add(self, kind: str, key: int, user_id: int) -> None:
        """Put one user in one set."""
        self.added[kind, key].add(user_id)

    def remove(self, kind: str, key: int, user_id: int) -> None:
        """Take one user out of one set (an addition to the same set wins)."""
        self.removed[kind, key].add(user_id)

    def remove_session(
        self, connection: sqlite3.Connection, user_id: int, started_at: int
    ) -> None:
        """Withdraw a deleted session start from the day and quarter it was in.

        The user stays in a bucket that another of their sessions is in; an
        addition made earlier in this write, from the deleted start, goes too.
        """
        for kind, width in SESSION_BUCKETS:
            bucket = started_at // width
            still_there = connection.execute(
                "SELECT 1 FROM app_sessions WHERE user_id = ? AND started_at >= ?"
                " AND started_at < ? LIMIT 1",
                (user_id, bucket * width, (bucket + 1) * width),
            ).fetchone()
            if still_there:
                continue
            pending = self.added.get((kind, bucket))
            if pending is not None:
                pending.discard(user_id)
            self.remove(kind, bucket, user_id)

    def add_page_visit(self, user_id: int, page_id: int) -> None:
        """A visit, for `visited`."""
        self.add(PAGE, page_id, user_id)

    def add_users(
        self,
        connection: sqlite3.Connection,
        rows: Iterable[tuple[int, str, str | None, int | None, int | None]],
    ) -> None:
        """New users as (id, external id, language, first, last session)."""
        languages: dict[str, int] = {}
        for user_id, _external_id, language, first, last in rows:
            self.add(ALL, 0, user_id)
            if language is not None:
                if language not in languages:
                    languages[language] = language_id(connection, language)
                self.add(LANGUAGE, languages[language], user_id)
            if first is not None and last is not None:
                self.add(FIRST_DAY, day_of(first), user_id)
                self.add(LAST_DAY, day_of(last), user_id)

    def add_sessions(self, rows: Iterable[tuple[int, int]]) -> None:
        """Session starts as (user id, started at), for `between`."""
        quarters: defaultdict[int, list[int]] = defaultdict(list)
        for user_id, started_at in rows:
            quarters[started_at // QUARTER].append(user_id)
        days: defaultdict[int, BitMap] = defaultdict(BitMap)
        for quarter, user_ids in quarters.items():
            self.added[SESSION_QUARTER, quarter].update(user_ids)
            days[quarter * QUARTER // DAY].update(user_ids)
        for day, users in days.items():
            self.added[SESSION_DAY, day] |= users

    def add_page_visits(self, rows: Iterable[tuple[int, int, int]]) -> None:
        """Visits as (user id, page id, visited at), for `visited`."""
        grouped: defaultdict[int, list[int]] = defaultdict(list)
        for user_id, page_id, _visited_at in rows:
            grouped[page_id].append(user_id)
        for page_id, user_ids in grouped.items():
            self.added[PAGE, page_id].update(user_ids)

    def apply(self, connection: sqlite3.Connection) -> None:
        """Write every changed set back, inside the caller's transaction."""
        for kind, key in set(self.added) | set(self.removed):
            current = read(connection, kind, [key])
            current -= self.removed.get((kind, key), BitMap())
            current |= self.added.get((kind, key), BitMap())
            write(connection, kind, key, current)
        self.added.clear()
        self.removed.clear()


def write(connection: sqlite3.Connection, kind: str, key: int, users: BitMap) -> None:
    """Store one set, or drop its row when it is empty."""
    if not users:
        connection.execute(
            "DELETE FROM user_sets WHERE kind = ? AND key = ?", (kind, key)
        )
        return
    users.run_optimize()
    connection.execute(
        "INSERT OR REPLACE INTO user_sets (kind, key, users) VALUES (?, ?, ?)",
        (kind, key, users.serialize()),
    )


def read(connection: sqlite3.Connection, kind: str, keys: Iterable[int]) -> BitMap:
    """The union of the sets of `kind` with the given keys."""
    rows = connection.execute(
        "SELECT users FROM user_sets WHERE kind = ?"
        " AND key IN (SELECT value FROM json_each(?))",
        (kind, json.dumps(list(keys))),
    )
    return _union(rows)


def read_range(
    connection: sqlite3.Connection, kind: str, low: int | None, high: int | None
) -> BitMap:
    """The union of the sets of `kind` with keys in [low, high); None is open."""
    rows = connection.execute(
        "SELECT users FROM user_sets WHERE kind = ? AND key >= ? AND key < ?",
        (kind, -(2**62) if low is None else low, 2**62 if high is None else high),
    )
    return _union(rows)


def _union(rows: Iterable[tuple[bytes]]) -> BitMap:
    """One bitmap from serialised ones."""
    sets = [BitMap.deserialize(blob) for (blob,) in rows]
    if not sets:
        return BitMap()
    return BitMap.union(*sets) if len(sets) > 1 else sets[0]


def language_id(connection: sqlite3.Connection, tag: str) -> int:
    """The key of a language tag's set, registering the tag on first use."""
    connection.execute("INSERT OR IGNORE INTO languages (tag) VALUES (?)", (tag,))
    row = connection.execute(
        "SELECT id FROM languages WHERE tag = ?", (tag,)
    ).fetchone()
    return int(row[0])


def read_facts(
    connection: sqlite3.Connection, user_ids: Iterable[int]
) -> dict[int, Facts]:
    """Language, first and last session of each given user that exists."""
    rows = connection.execute(
        "SELECT id, language, first_session_at, last_session_at FROM users"
        " WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(user_ids)),),
    )
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def record_fact_changes(
    connection: sqlite3.Connection,
    changes: UserSetChanges,
    before: dict[int, Facts],
    user_ids: Iterable[int],
) -> None:
    """Move users between language, first-day and last-day sets.

    `before` holds the facts read before writing (users absent from it are
    new); the facts now on `users` say where each user belongs after.
    """
    after = read_facts(connection, user_ids)
    moves = _Moves(connection)
    for user_id, (language, first, last) in after.items():
        old = before.get(user_id)
        if old is None:
            moves.joining[ALL, 0].append(user_id)
            old = (None, None, None)
        if old[0] != language:
            moves.language(user_id, old[0], language)
        if old[1] != first:
            moves.day(FIRST_DAY, user_id, old[1], first)
        if old[2] != last:
            moves.day(LAST_DAY, user_id, old[2], last)
    moves.record(changes)


class _Moves:
    """Users leaving and joining sets, gathered per set to be recorded at once.

    An import moves every new user into four or five sets; one bulk update
    per set costs far less than a call per user and set.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.joining: defaultdict[tuple[str, int], list[int]] = defaultdict(list)
        self.leaving: defaultdict[tuple[str, int], list[int]] = defaultdict(list)
        self._connection = connection
        # A handful of tags serve every user, so each is looked up once.
        self._language_ids: dict[str, int] = {}

    def language(self, user_id: int, old: str | None, new: str | None) -> None:
        """Move a user from one language's set to another's."""
        if old is not None:
            self.leaving[LANGUAGE, self._language_id(old)].append(user_id)
        if new is not None:
            self.joining[LANGUAGE, self._language_id(new)].append(user_id)

    def day(self, kind: str, user_id: int, old: int | None, new: int | None) -> None:
        """Move a user from one day's set to another's."""
        if old is not None:
            self.leaving[kind, day_of(old)].append(user_id)
        if new is not None:
            self.joining[kind, day_of(new)].append(user_id)

    def record(self, changes: UserSetChanges) -> None:
        """Hand every move to `changes`."""
        for (kind, key), user_ids in self.leaving.items():
            changes.removed[kind, key].update(user_ids)
        for (kind, key), user_ids in self.joining.items():
            changes.added[kind, key].update(user_ids)

    def _language_id(self, tag: str) -> int:
        """`language_id`, remembered for the rest of this round of moves."""
        key = self._language_ids.get(tag)
        if key is None:
            key = self._language_ids[tag] = language_id(self._connection, tag)
        return key


def rebuild(connection: sqlite3.Connection) -> None:
    """Recompute every set from the tables, inside the caller's transaction."""
    connection.execute("DELETE FROM user_sets")
    connection.execute("DELETE FROM languages")
    changes = UserSetChanges()
    changes.add_users(
        connection,
        connection.execute(
            "SELECT id, external_id, language, first_session_at, last_session_at"
            " FROM users"
        ),
    )
    changes.add_sessions(
        connection.execute("SELECT user_id, started_at FROM app_sessions")
    )
    changes.add_page_visits(
        connection.execute("SELECT user_id, page_id, 0 FROM page_visitors")
    )
    changes.apply(connection)
