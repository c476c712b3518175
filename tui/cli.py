"""The `segments` command: the app when run bare, subcommands for scripts.

Every subcommand is a thin shell over `core`; errors are one line on stderr
and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from tui import commands


class CommandLineError(Exception):
    """A mistake in how the command was called."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise CommandLineError(f"{message} (see '{self.prog} --help')")


def build_parser() -> Parser:
    """The whole command line: global options and every subcommand."""
    shared = Parser(add_help=False)
    shared.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="database file (default: $SEGMENTS_DB, else the data folder)",
    )
    clock = Parser(add_help=False)
    clock.add_argument(
        "--now",
        metavar="INSTANT",
        default=argparse.SUPPRESS,
        help="evaluate as of this ISO 8601 instant (default: now)",
    )
    clock.add_argument(
        "--tz",
        metavar="ZONE",
        default=argparse.SUPPRESS,
        help="count calendar days in this zone (default: the workspace's)",
    )
    parser = Parser(prog="segments", parents=[shared, clock], description=__doc__)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the app on a demo database, generating it first if needed",
    )
    subcommands = parser.add_subparsers(dest="command", parser_class=Parser)
    _add_import(subcommands, shared)
    _add_demo(subcommands, shared)
    _add_count(subcommands, shared, clock)
    listing = subcommands.add_parser(
        "list", parents=[shared, clock], help="every segment with its member count"
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    apply = subcommands.add_parser(
        "apply", parents=[shared], help="create or replace segments from a file"
    )
    apply.add_argument(
        "file", metavar="FILE", help="one definition or a list (- for stdin)"
    )
    zone = subcommands.add_parser(
        "timezone", parents=[shared], help="show or set the workspace time zone"
    )
    zone.add_argument("zone", metavar="ZONE", nargs="?", help="an IANA zone name")
    return parser


def _add_import(
    subcommands: argparse._SubParsersAction[Parser], shared: Parser
) -> None:
    """`segments import`."""
    command = subcommands.add_parser(
        "import", parents=[shared], help="import users, sessions and page visits"
    )
    command.add_argument(
        "--format",
        choices=["native", "snowplow", "access-log"],
        help="the files' format (default: recognised from the content)",
    )
    command.add_argument(
        "--strict", action="store_true", help="write nothing if any line is bad"
    )
    command.add_argument("files", metavar="FILE", nargs="+")


def _add_demo(subcommands: argparse._SubParsersAction[Parser], shared: Parser) -> None:
    """`segments demo`."""
    command = subcommands.add_parser(
        "demo", parents=[shared], help="fill a database with synthetic demo data"
    )
    command.add_argument("--users", type=int, default=10_000, metavar="N")
    command.add_argument("--seed", type=int, default=1, metavar="N")
    command.add_argument(
        "--now",
        metavar="INSTANT",
        default=argparse.SUPPRESS,
        help="the instant the activity ends at (default: the start of today, UTC)",
    )
    command.add_argument(
        "--replace", action="store_true", help="delete the data already there first"
    )


def _add_count(
    subcommands: argparse._SubParsersAction[Parser], shared: Parser, clock: Parser
) -> None:
    """`segments count`."""
    command = subcommands.add_parser(
        "count", parents=[shared, clock], help="the member count of one segment"
    )
    target = command.add_mutually_exclusive_group(required=True)
    target.add_argument("name", metavar="NAME", nargs="?", help="a saved segment")
    target.add_argument("--definition", metavar="FILE", help="a definition file")
    command.add_argument("--json", action="store_true", help="print JSON")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    try:
        options = build_parser().parse_args(argv)
        return commands.run(options)
    except (CommandLineError, commands.CommandError) as error:
        print(f"segments: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (`| head`) has gone: not an error, and nothing to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        print(f"segments: cannot write the output: {error.strerror}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("segments: interrupted", file=sys.stderr)
        return 130
