"""Counting for the screens: off the main thread, stoppable, said in words.

Each screen has its own `Counter`, so a new count on the form can stop the
form's old query without touching the segment list's counts.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError

from core.clock import Clock
from core.evaluation import Evaluation, SegmentCount
from core.workspace import Workspace
from data.database import DatabaseError

QUERY_ERRORS = (sqlite3.Error, SQLAlchemyError, DatabaseError, ValueError)
"""What reading or writing the database can raise that a person must hear of.

`ValueError` covers a stored definition that no longer parses and a bad time
zone setting.
"""


class Counter:
    """A workspace and a pinned clock, with the evaluations now running."""

    def __init__(
        self, workspace: Workspace, now: int | None = None, tz: str | None = None
    ) -> None:
        self.workspace = workspace
        self.now = now
        self.tz = tz
        self._lock = threading.Lock()
        self._running: set[Evaluation] = set()

    def fresh(self) -> Counter:
        """A counter on the same workspace and clock, for another screen."""
        return Counter(self.workspace, self.now, self.tz)

    def clock(self) -> Clock:
        """The clock to count with; reads the time-zone setting, so not on the UI."""
        return self.workspace.clock(self.now, self.tz)

    @contextmanager
    def evaluation(self) -> Iterator[Evaluation]:
        """An evaluation that `interrupt` can stop from another thread."""
        with self.workspace.evaluation(self.clock()) as current:
            with self._lock:
                self._running.add(current)
            try:
                yield current
            finally:
                with self._lock:
                    self._running.discard(current)

    def interrupt(self) -> None:
        """Stop every query this counter is running; they raise in their thread.

        Only evaluations still open are interrupted, so a connection handed
        back to the pool is never hit.
        """
        with self._lock:
            for current in self._running:
                current.interrupt()


def members_text(count: SegmentCount) -> str:
    """The member count with thousands separators."""
    return f"{count.members:,}"


def counted(number: int, noun: str) -> str:
    """`1 user`, `1,234 users`: the number and its noun, in the plural if needed."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def share_text(members: int, total: int) -> str:
    """The share of all users, e.g. `12.3%`; `-` when there are no users.

    A share is never rounded to a claim it does not hold: a few members of
    many are `<0.1%`, all but a few are `>99.9%`; only none is `0.0%` and only
    everyone is `100.0%`.
    """
    if total <= 0:
        return "-"
    if members <= 0 or members >= total:
        return "0.0%" if members <= 0 else "100.0%"
    shown = f"{members / total:.1%}"
    if shown == "0.0%":
        return "<0.1%"
    return ">99.9%" if shown == "100.0%" else shown


def explain(error: BaseException) -> str:
    """A one-line message for a person, without SQLAlchemy's wrapping."""
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__
