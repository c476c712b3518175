"""Small seeded databases and helpers for driving the app in tests.

The people below are few enough that a test can work out any segment's
members by hand (see `members_where`), independently of the engine.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.worker import WorkerState

from core.definition import parse_definition
from core.workspace import Workspace
from data.instants import parse_instant, to_micros
from data.paths import normalise_path
from tests.factories import add_user
from tui import actions
from tui.app import SegmentsApp
from tui.screens.form import SegmentFormScreen

NOW = to_micros(datetime(2024, 6, 15, 12, 0, tzinfo=UTC))
"""The pinned clock: 15 June 2024, noon UTC."""


@dataclass(frozen=True)
class Person:
    """One seeded user: language, session starts and page visits (ISO text)."""

    external_id: str
    language: str | None
    sessions: tuple[str, ...] = ()
    visits: tuple[tuple[str, str], ...] = ()


PEOPLE: tuple[Person, ...] = (
    Person("u01", "en", ("2024-06-14T10:00:00",), (("/cart", "2024-06-14T10:05:00"),)),
    Person(
        "u02",
        "en-GB",
        ("2024-05-20T09:00:00", "2024-06-10T09:00:00"),
        (
            ("/cart/items", "2024-06-10T09:01:00"),
            ("/checkout/complete", "2024-06-10T09:09:00"),
        ),
    ),
    Person(
        "u03",
        "de",
        ("2024-05-01T08:00:00",),
        (("/products/shoes", "2024-05-01T08:01:00"),),
    ),
    Person(
        "u04", "de-AT", ("2024-06-13T20:00:00",), (("/cart", "2024-06-13T20:02:00"),)
    ),
    Person("u05", "fr", ("2024-06-15T08:00:00",)),
    Person("u06", None, ("2024-01-01T00:30:00",), (("/cart", "2024-01-01T00:31:00"),)),
    Person("u07", "en-US"),
    Person(
        "u08",
        "pt-BR",
        ("2024-06-09T12:00:00", "2024-06-14T12:00:00"),
        (("/summer-sale", "2024-06-09T12:01:00"),),
    ),
    Person("u09", "en", ("2024-03-03T03:03:00",), (("/cart", "2024-03-03T03:04:00"),)),
    Person(
        "u10", "es", ("2024-06-12T12:00:00",), (("/Cart?x=1", "2024-06-12T12:01:00"),)
    ),
)

SEGMENTS: tuple[dict[str, Any], ...] = (
    {
        "name": "English cart visitors",
        "match": "all",
        "criteria": [
            {"type": "device_language", "operator": "contains", "languages": ["en"]},
            {
                "type": "page_visited",
                "operator": "visited",
                "match": "starts_with",
                "path": "/cart",
            },
        ],
    },
    {
        "name": "Inactive for 7 days",
        "match": "all",
        "criteria": [
            {"type": "app_sessions", "operator": "not_within_last", "days": 7}
        ],
    },
)


def seed(
    path: Path,
    people: Iterable[Person] = PEOPLE,
    segments: Sequence[dict[str, Any]] = (),
) -> Workspace:
    """A new database at `path` holding `people` and the given segments.

    Users go in through the engine's own test factory, which keeps every
    derived table (first/last session, page visitors, user sets) exact.
    """
    workspace = Workspace.open(path, create=True)
    for person in people:
        add_user(
            workspace.engine,
            person.external_id,
            person.language,
            person.sessions,
            person.visits,
        )
    for definition in segments:
        workspace.save_segment(parse_definition(definition))
    return workspace


def members_where(
    test: Callable[[Person], bool], people: Iterable[Person] = PEOPLE
) -> int:
    """How many seeded people pass `test`: the expected count, worked out by hand."""
    return sum(1 for person in people if test(person))


def speaks(person: Person, tag: str) -> bool:
    """Whether the person's language is `tag` or a sub-tag of it."""
    language = (person.language or "").lower()
    return language == tag or language.startswith(tag + "-")


def active_since(person: Person, instant: str) -> bool:
    """Whether the person has a session at or after `instant`."""
    return any(
        parse_instant(start) >= parse_instant(instant) for start in person.sessions
    )


def visited_prefix(person: Person, prefix: str) -> bool:
    """Whether the person visited a page whose normalised path starts with `prefix`."""
    return any(normalise_path(path).startswith(prefix) for path, _ in person.visits)


@pytest.fixture
def quick_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Count a millisecond after a change: tests wait on work, never on time."""
    monkeypatch.setattr(SegmentFormScreen, "COUNT_DELAY", 0.001)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """The seeded people and two saved segments."""
    return seed(tmp_path / "segments.db", segments=SEGMENTS)


@pytest.fixture
def empty_workspace(tmp_path: Path) -> Workspace:
    """The seeded people and no segments."""
    return seed(tmp_path / "segments.db")


def make_app(workspace: Workspace) -> SegmentsApp:
    """The app on `workspace`, its clock pinned to `NOW` in UTC."""
    return SegmentsApp(workspace, now=NOW, tz="UTC")


def key(action: str, area: str | None = None) -> str:
    """The key of an action, from the registry, as tests press it."""
    return actions.key_for(action, area)


async def settle(pilot: Pilot[Any], rounds: int = 60) -> None:
    """Wait until no worker runs, no key waits and no form waits to count or save."""
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not _busy(pilot.app):
            return
    raise AssertionError("the app kept working")


def _busy(app: App[Any]) -> bool:
    """Whether any worker or form is still on its way."""
    running = (WorkerState.PENDING, WorkerState.RUNNING)
    if any(worker.state in running for worker in app.workers):
        return True
    if not app._message_queue.empty():
        return True
    return any(
        isinstance(screen, SegmentFormScreen) and screen.pending
        for screen in app.screen_stack
    )


def burst(pilot: Pilot[Any], *keys: str) -> None:
    """Send keys the way a slow link delivers them: all at once, no waiting.

    `pilot.press` waits for the app to go idle after each key, which hides
    any key that overtakes another; over SSH a whole burst lands in one read.
    """
    driver = pilot.app._driver
    assert driver is not None
    for pressed in keys:
        character = pressed if len(pressed) == 1 else None
        event = events.Key(
            _character_to_key(pressed) if character else pressed, character
        )
        event.set_sender(pilot.app)
        driver.send_message(event)


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type `text` into whatever has the focus."""
    await pilot.press(*text)


def screen_text(app: App[Any]) -> str:
    """What the terminal shows, as plain lines, read from a screenshot."""
    svg = app.export_screenshot()
    width, height = app.size
    grid = [[" "] * width for _ in range(height)]
    for x, line, text in _SVG_TEXT.findall(svg):
        column = round(float(x) / _CELL_WIDTH)
        for offset, character in enumerate(html.unescape(text).replace("\xa0", " ")):
            if character != "\n" and 0 <= column + offset < width:
                grid[int(line)][column + offset] = character
    return "\n".join("".join(row).rstrip() for row in grid)


_CELL_WIDTH = 12.2
_SVG_TEXT = re.compile(
    r'<text[^>]* x="([\d.]+)"[^>]*clip-path="url\(#terminal-[\w-]*?line-(\d+)\)">'
    r"([^<]*)</text>"
)
