"""Our engine, timed in-process: count, the first page of members, one explain.

Every run opens its own evaluation, as the app and the command line do, so
the cost of a connection and a read snapshot is part of each figure.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.clock import Clock
from core.definition import SegmentDefinition
from core.evaluation import Evaluation, Explanation, Member, SegmentCount
from core.workspace import Workspace

PAGE_SIZE = 50


@dataclass(frozen=True)
class Timing:
    """The milliseconds of each run, and the figures reported from them."""

    runs_ms: list[float]

    @property
    def median_ms(self) -> float:
        """The median run."""
        return statistics.median(self.runs_ms)

    @property
    def max_ms(self) -> float:
        """The slowest run."""
        return max(self.runs_ms)


@dataclass(frozen=True)
class EngineFigures:
    """What our engine answered for one segment, and how fast."""

    count: SegmentCount
    count_timing: Timing
    first_page: list[Member]
    page_timing: Timing
    explained: Explanation | None
    explain_timing: Timing


def timed(
    action: Callable[[Evaluation], Any], workspace: Workspace, clock: Clock, runs: int
) -> tuple[Any, Timing]:
    """The last answer of `runs` runs of `action`, each in a fresh evaluation."""
    times, answer = [], None
    for _ in range(runs):
        started = time.perf_counter()
        with workspace.evaluation(clock) as evaluation:
            answer = action(evaluation)
        times.append((time.perf_counter() - started) * 1000)
    return answer, Timing(times)


def measure_segment(
    workspace: Workspace, clock: Clock, definition: SegmentDefinition, runs: int
) -> EngineFigures:
    """Count, first page and explain for one segment, each run `runs` times.

    The explained user is the first member, or the first user of all when the
    segment is empty, so an explanation is always asked for.
    """
    count, count_timing = timed(
        lambda evaluation: evaluation.count(definition), workspace, clock, runs
    )
    page, page_timing = timed(
        lambda evaluation: evaluation.member_page(definition, 0, PAGE_SIZE),
        workspace,
        clock,
        runs,
    )
    subject = page[0].external_id if page else first_external_id(workspace)
    explained, explain_timing = timed(
        lambda evaluation: evaluation.explain(definition, subject),
        workspace,
        clock,
        runs,
    )
    return EngineFigures(
        count, count_timing, page, page_timing, explained, explain_timing
    )


def first_external_id(workspace: Workspace) -> str:
    """The external id of the user with the lowest id."""
    with workspace.engine.connect() as connection:
        row = connection.exec_driver_sql(
            "SELECT external_id FROM users ORDER BY id LIMIT 1"
        ).one()
    return str(row[0])


def busiest_external_id(workspace: Workspace) -> tuple[str, int]:
    """The user with the most sessions, and how many: the slowest to explain."""
    with workspace.engine.connect() as connection:
        row = connection.exec_driver_sql(
            "SELECT users.external_id, busiest.sessions FROM users JOIN"
            " (SELECT user_id, count(*) AS sessions FROM app_sessions"
            "  GROUP BY user_id ORDER BY sessions DESC LIMIT 1) AS busiest"
            " ON users.id = busiest.user_id"
        ).one()
    return str(row[0]), int(row[1])
