"""Benchmark: time a fixed suite of segments on demo data at a chosen size.

    python benchmarks/run.py [--users N] [--seed N] [--json FILE]

For each segment it times our engine's count, first page of members and one
explain, and the same count written by hand for DuckDB, whose answers must
equal ours. It also measures the database size, the import speed of the real
`segments import` and the app's peak memory, and judges every figure against
the goals. Exit status 1 means a count disagreed: a correctness failure.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import app_memory
import duck
import form_latency
import import_speed
import report
import segment_rows
import suite
from demo_cache import (
    ANCHOR,
    ANCHOR_ISO,
    DEFAULT_CACHE,
    BenchmarkDatabase,
    cached_path,
    demo_database,
    size_on_disk_mb,
    table_rows,
)

from core.definition import parse_definition
from core.workspace import Workspace


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000, metavar="N")
    parser.add_argument("--seed", type=int, default=1, metavar="N")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write figures here")
    parser.add_argument("--runs", type=int, default=7, metavar="N")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, metavar="DIR")
    parser.add_argument("--import-events", type=int, default=1_000_000, metavar="N")
    parser.add_argument("--app-timeout", type=float, default=900.0, metavar="S")
    parser.add_argument(
        "--regenerate", action="store_true", help="generate the database again"
    )
    parser.add_argument("--no-duckdb", action="store_true", help="skip DuckDB")
    parser.add_argument("--no-app", action="store_true", help="skip the app")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the whole benchmark; returns 1 when any answer disagreed."""
    options = parse_arguments(argv)
    figures = measure(options)
    judge_and_print(figures)
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {options.json}", file=sys.stderr)
    return 1 if figures["mismatches"] else 0


def measure(options: argparse.Namespace) -> dict[str, Any]:
    """Every figure: the suite, then the busiest explain, the import, the app."""
    database = demo_database(
        options.cache, options.users, options.seed, regenerate=options.regenerate
    )
    workspace = Workspace.open(database.path)
    clock = workspace.clock(ANCHOR, "UTC")
    contains = choose_contains(database.path)
    segments = suite.build_suite(ANCHOR, contains)
    tables = table_rows(database.path)
    connection = duckdb_connection(options, database.path, tables)
    try:
        rows, mismatches = segment_rows.measure_all(
            workspace, clock, segments, connection, options.runs
        )
    finally:
        if connection is not None:
            connection.close()
    figures = base_figures(options, database, tables, contains, rows)
    figures["mismatches"] = mismatches
    figures["explain_busiest_user"] = segment_rows.busiest_explain(
        workspace, clock, segments[-2], options.runs
    )
    work = options.cache / "import-work"
    figures.update(
        import_speed.import_figures(database.path, work, options.import_events, ANCHOR)
    )
    figures["mismatches"] += import_speed.import_disagreements(figures["import"])
    figures.update(app_figures(options, workspace, segments))
    figures.update(form_latency.measure_form(database.path, ANCHOR))
    return figures


def choose_contains(path: Path) -> suite.ContainsChoice:
    """The `contains` substring, read from the pages table, and said."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        contains = suite.choose_contains(connection)
    finally:
        connection.close()
    print(
        f"contains {contains.text!r} matches {contains.paths:,} distinct paths",
        file=sys.stderr,
    )
    return contains


def duckdb_connection(
    options: argparse.Namespace, path: Path, tables: dict[str, int]
) -> Any | None:
    """A DuckDB connection on the twin database, or None when skipped."""
    if options.no_duckdb or not duck.available():
        print("DuckDB skipped (not installed, or --no-duckdb)", file=sys.stderr)
        return None
    twin = cached_path(options.cache, options.users, options.seed, "duckdb")
    duck.duckdb_twin(path, twin, tables)
    return duck.connect(twin)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    described: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "duckdb": None,
    }
    if duck.available():
        import duckdb

        described["duckdb"] = duckdb.__version__
    return described


def base_figures(
    options: argparse.Namespace,
    database: BenchmarkDatabase,
    tables: dict[str, int],
    contains: suite.ContainsChoice,
    rows: list[dict[str, Any]],
) -> dict[str, Any]:
    """The JSON document, before the import and app figures."""
    return {
        "users": options.users,
        "seed": options.seed,
        "now": ANCHOR_ISO,
        "timezone": "UTC",
        "runs": options.runs,
        "machine": machine(),
        "generation_s": database.generated_s,
        "db_size_mb": size_on_disk_mb(database.path),
        "rows": tables,
        "contains": {"text": contains.text, "distinct_paths": contains.paths},
        "counts": rows,
        "members_first_page_ms": max(row["members_first_page_ms"] for row in rows),
        "explain_ms": max(row["explain_ms"] for row in rows),
    }


def app_figures(
    options: argparse.Namespace,
    workspace: Workspace,
    segments: list[suite.SuiteSegment],
) -> dict[str, Any]:
    """The app's peak memory, with the suite saved beside the demo's segments."""
    skipped = {"app_peak_rss_mb": None, "app": None}
    if options.no_app or not app_memory.available():
        print("app memory skipped (no tmux, or --no-app)", file=sys.stderr)
        return skipped
    if importlib.util.find_spec("tui.app") is None:
        print("app memory skipped: the app (tui.app) is not there", file=sys.stderr)
        return skipped
    workspace.apply([parse_definition(segment.definition) for segment in segments])
    command = [import_speed.segments_command(), "--db", str(workspace.path)]
    command += ["--now", ANCHOR_ISO, "--tz", "UTC"]
    print("measuring the app's memory in tmux", file=sys.stderr)
    try:
        measured = app_memory.measure_app(
            command, f"{workspace.total_users():,} users", options.app_timeout
        )
    except (app_memory.AppMemoryError, OSError, subprocess.SubprocessError) as error:
        print(f"app memory not measured: {error}", file=sys.stderr)
        return skipped
    return {
        "app_peak_rss_mb": measured.peak_rss_mb,
        "app": {"counted_s": measured.counted_s, "screen": measured.screen},
    }


def judge_and_print(figures: dict[str, Any]) -> None:
    """Add the verdicts to the figures, and print them with the table."""
    goals = [goal for row in figures["counts"] for goal in report.segment_goals(row)]
    goals += report.overall_goals(figures)
    figures["goals"] = [goal.to_json() for goal in goals]
    print(report.summary(figures, goals))
    if figures["mismatches"]:
        print(f"\n{len(figures['mismatches'])} MISMATCHES: the answers disagree")
    for mismatch in figures["mismatches"]:
        print(f"MISMATCH {mismatch}")


if __name__ == "__main__":
    sys.exit(main())
