"""One row of figures per suite segment: our engine beside DuckDB, checked.

Each row holds our count, first page and explain timings, DuckDB's timed
count, and DuckDB's count from the raw events; any disagreement between
them is collected as a mismatch, never silently dropped.
"""

from __future__ import annotations

import sys
from typing import Any

import duck
import suite
import timing

from core.clock import Clock
from core.definition import parse_definition
from core.workspace import Workspace


def measure_all(
    workspace: Workspace,
    clock: Clock,
    segments: list[suite.SuiteSegment],
    connection: Any | None,
    runs: int,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Every segment's row of figures, and every disagreement found."""
    rows, mismatches = [], []
    for number, segment in enumerate(segments, 1):
        print(f"[{number}/{len(segments)}] {segment.label}", file=sys.stderr)
        definition = parse_definition(segment.definition)
        ours = timing.measure_segment(workspace, clock, definition, runs)
        row = engine_row(segment, ours)
        row.update(duckdb_row(connection, segment, clock.now, runs))
        mismatches.extend(disagreements(row, ours))
        rows.append(row)
    return rows, mismatches


def engine_row(
    segment: suite.SuiteSegment, ours: timing.EngineFigures
) -> dict[str, Any]:
    """Our engine's figures for one segment."""
    explained = ours.explained
    return {
        "segment": segment.label,
        "definition": segment.definition,
        "members": ours.count.members,
        "total_users": ours.count.total_users,
        "criteria_members": list(ours.count.criteria),
        "median_ms": ours.count_timing.median_ms,
        "max_ms": ours.count_timing.max_ms,
        "runs_ms": ours.count_timing.runs_ms,
        "members_first_page_ms": ours.page_timing.median_ms,
        "members_first_page_max_ms": ours.page_timing.max_ms,
        "first_page_rows": len(ours.first_page),
        "explain_ms": ours.explain_timing.median_ms,
        "explain_max_ms": ours.explain_timing.max_ms,
        "explained_user": explained.external_id if explained else None,
        "explained_is_member": explained.is_member if explained else None,
    }


def duckdb_row(
    connection: Any | None, segment: suite.SuiteSegment, now: int, runs: int
) -> dict[str, Any]:
    """DuckDB's timed count over the shaped tables, and its count from the events."""
    if connection is None:
        return dict.fromkeys(
            ("duckdb_ms", "duckdb_max_ms", "duckdb_members", "duckdb_events_members")
        )
    shaped = duck.count_sql(segment.definition, now, from_events=False)
    found, times = duck.timed_count(connection, shaped, runs)
    spent = timing.Timing(times)
    events = duck.count_sql(segment.definition, now, from_events=True)
    return {
        "duckdb_ms": spent.median_ms,
        "duckdb_max_ms": spent.max_ms,
        "duckdb_members": found,
        "duckdb_events_members": duck.single_count(connection, events),
        "duckdb_sql": shaped,
    }


def disagreements(row: dict[str, Any], ours: timing.EngineFigures) -> list[str]:
    """What does not add up in a row: DuckDB's counts, the page, the explanation."""
    found = []
    name, members = row["segment"], row["members"]
    for key in ("duckdb_members", "duckdb_events_members"):
        if row[key] is not None and row[key] != members:
            found.append(f"{name}: the engine counts {members:,}, {key} {row[key]:,}")
    if len(ours.first_page) != min(timing.PAGE_SIZE, members):
        found.append(f"{name}: the first page has {len(ours.first_page)} rows")
    if members and not row["explained_is_member"]:
        found.append(f"{name}: explain says the first member is not a member")
    return found


def busiest_explain(
    workspace: Workspace, clock: Clock, segment: suite.SuiteSegment, runs: int
) -> dict[str, Any]:
    """Explain timed for the user with the most sessions: the worst case."""
    subject, sessions = timing.busiest_external_id(workspace)
    definition = parse_definition(segment.definition)
    _, spent = timing.timed(
        lambda evaluation: evaluation.explain(definition, subject),
        workspace,
        clock,
        runs,
    )
    return {
        "user": subject,
        "sessions": sessions,
        "segment": segment.label,
        "median_ms": spent.median_ms,
        "max_ms": spent.max_ms,
    }
