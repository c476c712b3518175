"""Import speed: the real `segments import` of a native JSON Lines file.

The benchmark writes the file itself, for users that are not yet in the
database, and imports it as a subprocess into a copy of the benchmark
database, so the figure includes writing into indexes of full size.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

EVENTS_PER_USER = 50
YEAR_US = 365 * 86_400_000_000


@dataclass(frozen=True)
class ImportFile:
    """The file written, and the rows it should add."""

    path: Path
    events: int
    users: int
    sessions: int
    page_visits: int


@dataclass(frozen=True)
class ImportFigures:
    """How fast the import ran, and what it added."""

    events: int
    seconds: float
    events_per_s: float
    target: str
    added: dict[str, int]
    expected: dict[str, int]


def segments_command() -> str:
    """The `segments` script installed beside the running Python."""
    beside = Path(sys.executable).with_name("segments")
    if beside.exists():
        return str(beside)
    found = shutil.which("segments")
    if found is None:
        raise FileNotFoundError("the 'segments' command is not installed")
    return found


def write_import_file(
    path: Path, events: int, paths: list[str], now: int
) -> ImportFile:
    """`events` native records for `events / 50` new users, instants in ISO 8601.

    Each user has a user line, then sessions each followed by up to three page
    visits, at strictly increasing instants so that no record repeats another.
    """
    rng = random.Random(7)
    users = max(1, events // EVENTS_PER_USER)
    counts = {"user": 0, "session": 0, "page_visit": 0}
    with path.open("w", encoding="utf-8") as handle:
        for number in range(users):
            budget = events // users + (1 if number < events % users else 0)
            for record in _user_records(
                rng, f"bench-import-{number:07d}", budget, paths, now
            ):
                counts[record["type"]] += 1
                handle.write(json.dumps(record) + "\n")
    return ImportFile(
        path,
        sum(counts.values()),
        counts["user"],
        counts["session"],
        counts["page_visit"],
    )


def _user_records(
    rng: random.Random, user: str, budget: int, paths: list[str], now: int
) -> list[dict[str, str]]:
    """One user's records: `budget` lines in all, the user line first."""
    records = [
        {
            "type": "user",
            "user_id": user,
            "language": rng.choice(["en-US", "fr-FR", "de-DE", "pt-BR", ""]),
        }
    ]
    instant = now - int(YEAR_US * rng.random())
    while len(records) < budget:
        # Whole milliseconds, as the file shows them, so no two sessions meet.
        instant += 1000 * rng.randint(1, 3 * 86_400_000 // max(1, budget))
        records.append(
            {"type": "session", "user_id": user, "started_at": _iso(instant)}
        )
        for _ in range(min(rng.randint(0, 3), budget - len(records))):
            instant += rng.randint(1_000_000, 60_000_000)
            path = rng.choice(paths) + ("?ref=push" if rng.random() < 0.1 else "")
            records.append(
                {
                    "type": "page_visit",
                    "user_id": user,
                    "path": path,
                    "visited_at": _iso(instant),
                }
            )
    return records


def _iso(instant: int) -> str:
    """An instant as ISO 8601 text with milliseconds and a UTC offset."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=instant)
    return moment.isoformat(timespec="milliseconds")


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a (possibly open) SQLite database."""
    for name in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        name.unlink(missing_ok=True)
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        origin.backup(copy)
    finally:
        origin.close()
        copy.close()


def time_import(
    database: Path, work: Path, events: int, paths: list[str], now: int
) -> ImportFigures:
    """Import a fresh file into a copy of `database`; the copy is deleted after."""
    work.mkdir(parents=True, exist_ok=True)
    written = write_import_file(work / "import.jsonl", events, paths, now)
    copy = work / "import-copy.db"
    copy_database(database, copy)
    before = _row_counts(copy)
    try:
        started = time.perf_counter()
        done = subprocess.run(
            [segments_command(), "import", "--db", str(copy), str(written.path)],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(
                f"segments import failed ({done.returncode}): {done.stderr.strip()}"
            )
        after = _row_counts(copy)
    finally:
        for name in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm"), written.path):
            name.unlink(missing_ok=True)
    added = {table: after[table] - before[table] for table in after}
    expected = {
        "users": written.users,
        "app_sessions": written.sessions,
        "page_visits": written.page_visits,
    }
    return ImportFigures(
        written.events,
        seconds,
        written.events / seconds,
        "a copy of the benchmark database",
        added,
        expected,
    )


def _row_counts(path: Path) -> dict[str, int]:
    """Rows in the tables an import adds to."""
    connection = sqlite3.connect(path)
    try:
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("users", "app_sessions", "page_visits")
        }
    finally:
        connection.close()


def import_figures(database: Path, work: Path, events: int, now: int) -> dict[str, Any]:
    """The import speed and what was added, as the JSON reports them.

    The file's paths are the database's own pages, a tenth of them with a
    query string that the import must strip.
    """
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        paths = [page for (page,) in connection.execute("SELECT path FROM pages")]
    finally:
        connection.close()
    print(f"importing {events:,} events with segments import", file=sys.stderr)
    measured = time_import(database, work, events, paths, now)
    return {
        "import_events_per_s": measured.events_per_s,
        "import": {
            "events": measured.events,
            "seconds": measured.seconds,
            "into": measured.target,
            "added": measured.added,
            "expected": measured.expected,
        },
    }


def import_disagreements(measured: dict[str, Any]) -> list[str]:
    """Tables to which the import added other than the rows the file holds."""
    return [
        f"import added {measured['added'][table]:,} rows to {table}, expected {rows:,}"
        for table, rows in measured["expected"].items()
        if measured["added"][table] != rows
    ]
