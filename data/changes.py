"""When the events last changed, and how a reader notices that they did.

Writers stamp the instant in `settings` inside their own transaction, so the
stamp can never disagree with the data. Readers poll SQLite's data version,
which moves when another connection commits: one cheap PRAGMA, no query of the
data itself.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

CHANGED_AT = "data_changed_at"


def mark_changed(connection: sqlite3.Connection) -> None:
    """Record, inside the caller's transaction, that the events changed now."""
    connection.execute(
        "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
        (CHANGED_AT, str(time.time_ns() // 1000)),
    )


def changed_at(connection: sqlite3.Connection) -> int | None:
    """The instant the events last changed, if any writer recorded it."""
    row = connection.execute(
        "SELECT value FROM settings WHERE key = ?", (CHANGED_AT,)
    ).fetchone()
    return int(row[0]) if row else None


class ChangeWatch:
    """Tells whether anyone committed to the database since the last look.

    It keeps one connection of its own open, since the data version is only
    meaningful within one connection.
    """

    def __init__(self, path: Path) -> None:
        self._connection = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, check_same_thread=False
        )
        self._version = self._read()

    def _read(self) -> int:
        """The connection's current data version."""
        return int(self._connection.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        """Whether another connection committed since the previous call."""
        version = self._read()
        if version == self._version:
            return False
        self._version = version
        return True

    def changed_at(self) -> int | None:
        """When the events last changed, as writers recorded it."""
        return changed_at(self._connection)

    def close(self) -> None:
        """Release the connection."""
        self._connection.close()
