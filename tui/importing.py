"""`segments import` on the command line: progress, rejected lines, exit status."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from core.workspace import Workspace
from data.importing import ImportFailure, ImportReport, import_files

EXIT_ALL_TAKEN = 0
EXIT_SOME_REJECTED = 1
EXIT_NOTHING_READ = 2


def missing_file(names: list[str]) -> str | None:
    """What is wrong with the first name that is not a readable file, if any."""
    for name in names:
        path = Path(name)
        if not path.exists():
            return f"{name}: no such file"
        if not path.is_file():
            return f"{name}: not a file"
    return None


def run_import(workspace: Workspace, options: argparse.Namespace) -> int:
    """Import the files named on the command line; returns the exit status."""
    paths = [Path(name) for name in options.files]
    console = Console(stderr=True)
    try:
        with _progress(console) as progress:
            task = progress.add_task("importing", total=None)
            report = import_files(
                workspace.engine,
                paths,
                format=options.format,
                strict=options.strict,
                progress=lambda done, total: progress.update(
                    task, completed=done, total=total
                ),
            )
    except ImportFailure as error:
        print(f"segments: {error}", file=sys.stderr)
        return EXIT_NOTHING_READ
    return _summarise(report, strict=options.strict)


def _progress(console: Console) -> Progress:
    """A progress bar on stderr, drawn only where stderr is a terminal."""
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def _summarise(report: ImportReport, *, strict: bool) -> int:
    """Print rejected lines and totals, and choose the exit status."""
    for rejection in report.rejections:
        print(str(rejection), file=sys.stderr)
    if report.rejections and strict:
        print(
            f"segments: {_lines(len(report.rejections))} rejected; --strict: nothing "
            "was written",
            file=sys.stderr,
        )
        return EXIT_SOME_REJECTED
    print(
        f"added {report.users_added:,} users, {report.sessions_added:,} sessions, "
        f"{report.page_visits_added:,} page visits"
        + (f"; rejected {_lines(len(report.rejections))}" if report.rejections else "")
    )
    return EXIT_SOME_REJECTED if report.rejections else EXIT_ALL_TAKEN


def _lines(count: int) -> str:
    """`1 line`, `2 lines`."""
    return f"{count:,} line" if count == 1 else f"{count:,} lines"
