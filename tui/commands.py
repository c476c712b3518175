"""What each `segments` subcommand does, over the engine in `core`."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from sqlalchemy.exc import OperationalError

from core.clock import Clock, ClockError
from core.definition import SegmentDefinition, parse_definition
from core.problems import DefinitionError
from core.workspace import Workspace
from data.database import DatabaseError, resolve_database_path
from data.instants import InstantError, parse_instant
from tui.counting import share_text
from tui.display import fit, visible

DEMO_DATABASE = "demo.db"
NAME_WIDTH = 40


class CommandError(Exception):
    """A command that cannot go on; the message is for the person."""


def run(options: argparse.Namespace) -> int:
    """Dispatch to the subcommand; the bare command opens the app."""
    handlers = {
        None: open_app,
        "import": import_files,
        "demo": demo,
        "count": count,
        "list": list_segments,
        "apply": apply,
        "timezone": timezone,
    }
    try:
        return handlers[options.command](options)
    except (DatabaseError, DefinitionError, ClockError, InstantError) as error:
        raise CommandError(str(error)) from error
    except (sqlite3.OperationalError, OperationalError) as error:
        if "locked" in str(error) or "busy" in str(error):
            raise CommandError(
                "the database is busy: another process (an import?) is writing "
                "to it; try again when it has finished"
            ) from error
        raise CommandError(f"the database cannot be used: {error}") from error


def _workspace(options: argparse.Namespace, *, create: bool = False) -> Workspace:
    """The workspace named by `--db`, `SEGMENTS_DB` or the default."""
    return Workspace.open(getattr(options, "db", None), create=create)


def _clock(workspace: Workspace, options: argparse.Namespace) -> Clock:
    """The clock from `--now` and `--tz`, else the present and the setting."""
    now = getattr(options, "now", None)
    instant = parse_instant(now) if now else None
    return workspace.clock(instant, getattr(options, "tz", None))


def open_app(options: argparse.Namespace) -> int:
    """Open the terminal app, on the demo database with `--demo`."""
    from tui.app import SegmentsApp

    workspace = _demo_workspace(options) if options.demo else _workspace(options)
    clock = _clock(workspace, options)
    now = clock.now if getattr(options, "now", None) else None
    app = SegmentsApp(workspace, now=now, tz=getattr(options, "tz", None))
    app.run()
    return app.return_code or 0


def _demo_workspace(options: argparse.Namespace) -> Workspace:
    """The demo database, generated on first use."""
    from data.demo import generate_demo

    given = getattr(options, "db", None)
    path = (
        Path(given) if given else resolve_database_path(None).with_name(DEMO_DATABASE)
    )
    workspace = Workspace.open(path, create=True)
    if workspace.total_users() == 0 and not workspace.segments():
        print(f"Generating demo data in {path} ...", file=sys.stderr)
        generate_demo(workspace.engine)
    return workspace


def demo(options: argparse.Namespace) -> int:
    """`segments demo`: fill a database with synthetic data."""
    from data.demo import DemoRefused, generate_demo

    workspace = _workspace(options, create=True)
    now = getattr(options, "now", None)
    try:
        summary = generate_demo(
            workspace.engine,
            users=_positive(options.users, "--users"),
            seed=options.seed,
            now=parse_instant(now) if now else None,
            replace=options.replace,
        )
    except DemoRefused as error:
        raise CommandError(str(error)) from error
    print(
        f"{workspace.path}: {summary.users:,} users, {summary.sessions:,} sessions, "
        f"{summary.page_visits:,} page visits over {summary.pages:,} pages, "
        f"{summary.segments} example segments"
    )
    return 0


def _positive(value: int, option: str) -> int:
    """A count option that must be at least 1."""
    if value < 1:
        raise CommandError(f"{option} must be at least 1, got {value}")
    return value


def count(options: argparse.Namespace) -> int:
    """`segments count`: one segment's member count."""
    workspace = _workspace(options)
    if options.definition:
        definition = parse_definition(_read_json(options.definition))
    else:
        definition = _saved(workspace, options.name)
    clock = _clock(workspace, options)
    with workspace.evaluation(clock) as evaluation:
        result = evaluation.count(definition)
    if not options.json:
        print(result.members)
        return 0
    report = {
        "name": definition.name,
        "match": definition.match,
        "members": result.members,
        "total_users": result.total_users,
        "now": clock.iso(clock.now),
        "timezone": clock.timezone,
        "criteria": [
            {
                "description": criterion.describe(),
                "members": members,
                "definition": criterion.to_json(),
            }
            for criterion, members in zip(
                definition.criteria, result.criteria, strict=True
            )
        ],
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


def _saved(workspace: Workspace, name: str) -> SegmentDefinition:
    """A saved segment's definition, by name."""
    saved = workspace.find_segment(name)
    if saved is None:
        shown = visible(name)
        raise CommandError(f"no segment called {shown!r} (see 'segments list')")
    return saved.definition


def list_segments(options: argparse.Namespace) -> int:
    """`segments list`: every segment with its member count."""
    workspace = _workspace(options)
    clock = _clock(workspace, options)
    rows: list[dict[str, Any]] = []
    with workspace.evaluation(clock) as evaluation:
        for saved in workspace.segments():
            result = evaluation.count(saved.definition)
            rows.append(
                {
                    "name": saved.definition.name,
                    "match": saved.definition.match,
                    "members": result.members,
                    "total_users": result.total_users,
                    "description": saved.definition.describe(),
                }
            )
    if options.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        _print_table(rows)
    return 0


def _print_table(rows: list[dict[str, Any]]) -> None:
    """Segments as aligned plain-text columns."""
    if not rows:
        print("no segments yet (create one in the app, or with 'segments apply')")
        return
    names = [fit(row["name"], NAME_WIDTH) for row in rows]
    width = max(cell_len(name) for name in names)
    for name, row in zip(names, rows, strict=True):
        share = share_text(row["members"], row["total_users"])
        padding = " " * (width - cell_len(name))
        print(f"{name}{padding}  {row['members']:>10,}  {share:>6}")


def apply(options: argparse.Namespace) -> int:
    """`segments apply`: create or replace segments, all or nothing."""
    raw = _read_json(options.file)
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise CommandError(f"{options.file}: holds no definitions")
    definitions = []
    for position, item in enumerate(items, start=1):
        try:
            definitions.append(parse_definition(item))
        except DefinitionError as error:
            where = f"definition {position}: " if isinstance(raw, list) else ""
            raise CommandError(f"{options.file}: {where}{error}") from error
    workspace = _workspace(options)
    for line in workspace.apply(definitions):
        print(visible(line))
    return 0


def timezone(options: argparse.Namespace) -> int:
    """`segments timezone`: show or set the zone days are counted in."""
    workspace = _workspace(options)
    if options.zone:
        workspace.set_time_zone(options.zone)
    print(workspace.time_zone())
    return 0


def _read_json(name: str) -> Any:
    """A JSON file's content (`-` reads standard input)."""
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"cannot read {name}: {error}") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(
            f"{name}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}"
        ) from error


def import_files(options: argparse.Namespace) -> int:
    """`segments import`: see `tui.importing`."""
    from tui.importing import EXIT_NOTHING_READ, missing_file, run_import

    problem = missing_file(options.files)
    if problem is not None:
        # Checked before the database is opened, so a typo creates nothing.
        print(f"segments: {problem}", file=sys.stderr)
        return EXIT_NOTHING_READ
    return run_import(_workspace(options, create=True), options)
