"""Counting off the main thread: a newer request can stop an older query."""

from __future__ import annotations

import sqlite3
import threading
import time

from core.workspace import Workspace
from tests.conftest import NOW
from tui.counting import Counter, counted, explain

ENDLESS = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)"
    " SELECT count(*) FROM n"
)


def test_interrupt_stops_a_query_running_in_another_thread(
    workspace: Workspace,
) -> None:
    counter = Counter(workspace, NOW, "UTC")
    outcome: list[str] = []
    inside = threading.Event()

    def run() -> None:
        with counter.evaluation() as evaluation:
            inside.set()
            try:
                evaluation.connection.execute(ENDLESS).fetchone()
            except sqlite3.OperationalError as error:
                outcome.append(str(error))

    thread = threading.Thread(target=run)
    thread.start()
    assert inside.wait(10)
    deadline = time.monotonic() + 10
    while thread.is_alive() and time.monotonic() < deadline:
        counter.interrupt()
        thread.join(0.05)
    assert outcome == ["interrupted"]


def test_interrupt_with_nothing_running_touches_nothing(workspace: Workspace) -> None:
    counter = Counter(workspace, NOW, "UTC")
    counter.interrupt()
    with counter.evaluation() as evaluation:
        assert len(evaluation.scope.all_users) == 10


def test_each_screen_gets_its_own_counter(workspace: Workspace) -> None:
    counter = Counter(workspace, NOW, "UTC")
    other = counter.fresh()
    assert other is not counter
    assert (other.workspace, other.now, other.tz) == (workspace, NOW, "UTC")
    assert counter.clock().now == NOW


def test_messages_are_plain_words() -> None:
    assert counted(1, "user") == "1 user"
    assert counted(12345, "member") == "12,345 members"
    wrapped = sqlite3.OperationalError("database is locked\nmore detail")
    assert explain(wrapped) == "database is locked"
