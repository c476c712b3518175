"""Screenshots of the screens that matter, at 80x24 unless said otherwise.

Each app runs on a seeded database opened by a relative path (so the title
line is the same on every machine) with the clock pinned, and every count is
waited for before the picture is taken. Update with `--snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.conftest import SEGMENTS, key, make_app, seed, settle
from tui.app import SegmentsApp

pytestmark = pytest.mark.usefixtures("quick_counts")

Steps = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a fresh folder, so the database path shows as `segments.db`."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def app_with(segments: Sequence[dict[str, Any]] = SEGMENTS) -> SegmentsApp:
    """The app on `segments.db` in the current folder."""
    return make_app(seed(Path("segments.db"), segments=segments))


def pressing(*keys: str | tuple[str, ...]) -> Steps:
    """Wait for the counts, press each key or `typed` text, waiting after each."""

    async def steps(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for pressed in keys:
            await pilot.press(*((pressed,) if isinstance(pressed, str) else pressed))
            await settle(pilot)

    return steps


def typed(text: str) -> tuple[str, ...]:
    """Text to type, one key per character."""
    return tuple(text)


THREE_CARDS = (
    key("new_segment"),
    typed("Cart abandoners"),
    key("add_criterion"),
    "1",
    typed("en de"),
    key("add_criterion"),
    "2",
    typed("7"),
    key("add_criterion"),
    "3",
    typed("/cart"),
    "shift+tab",
    "right",
    "right",
)


def test_segment_list_with_counts(here: Path, snap_compare: Any) -> None:
    assert snap_compare(app_with(), run_before=pressing())


def test_segment_list_wide(here: Path, snap_compare: Any) -> None:
    assert snap_compare(app_with(), terminal_size=(120, 30), run_before=pressing())


def test_empty_state(here: Path, snap_compare: Any) -> None:
    assert snap_compare(app_with(()), run_before=pressing())


def test_filter(here: Path, snap_compare: Any) -> None:
    steps = pressing(key("filter"), typed("cart"))
    assert snap_compare(app_with(), run_before=steps)


def test_names_shown_literally(here: Path, snap_compare: Any) -> None:
    odd = {**SEGMENTS[1], "name": "[bold]not bold[/] \u202ered"}
    assert snap_compare(app_with([odd]), run_before=pressing())


def test_delete_confirmation(here: Path, snap_compare: Any) -> None:
    steps = pressing(key("delete_segment"))
    assert snap_compare(app_with(), run_before=steps)


def test_help_on_the_list(here: Path, snap_compare: Any) -> None:
    assert snap_compare(app_with(), run_before=pressing(key("help")))


def test_form_empty(here: Path, snap_compare: Any) -> None:
    steps = pressing(key("new_segment"))
    assert snap_compare(app_with(), run_before=steps)


def test_kind_chooser(here: Path, snap_compare: Any) -> None:
    steps = pressing(key("new_segment"), key("add_criterion"))
    assert snap_compare(app_with(), run_before=steps)


def test_form_with_three_cards(here: Path, snap_compare: Any) -> None:
    assert snap_compare(app_with(), run_before=pressing(*THREE_CARDS))


def test_form_with_inline_errors(here: Path, snap_compare: Any) -> None:
    steps = pressing(
        key("new_segment"),
        key("add_criterion"),
        "1",
        key("add_criterion"),
        "2",
        typed("0"),
        key("save"),
    )

    async def without_toasts(pilot: Pilot[Any]) -> None:
        await steps(pilot)
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(app_with(), run_before=without_toasts)


def test_form_scrolls_when_cards_overflow(here: Path, snap_compare: Any) -> None:
    add = key("add_criterion")
    more = (add, "3", typed("/checkout"), add, "2", typed("30"), add, "1", typed("fr"))
    more += (add, "3", typed("/help"), add, "1", typed("pt"))
    steps = pressing(*THREE_CARDS, *more)
    assert snap_compare(app_with(), run_before=steps)


def test_form_editing_a_segment(here: Path, snap_compare: Any) -> None:
    steps = pressing(key("edit_segment"))
    assert snap_compare(app_with(), run_before=steps)


def test_help_on_the_form(here: Path, snap_compare: Any) -> None:
    steps = pressing(key("new_segment"), key("help"))
    assert snap_compare(app_with(), run_before=steps)


def test_unsaved_changes_dialog(here: Path, snap_compare: Any) -> None:
    steps = pressing(key("new_segment"), typed("Half done"), key("back"))
    assert snap_compare(app_with(), run_before=steps)
