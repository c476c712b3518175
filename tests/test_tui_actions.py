"""The action registry: one source for bindings, footer, help and palette."""

from __future__ import annotations

from typing import Any

import pytest
from textual.binding import Binding
from textual.dom import DOMNode

from core.workspace import Workspace
from tests.conftest import make_app, settle
from tui import actions
from tui.app import SegmentsApp
from tui.palette import ActionCommands
from tui.screens.chooser import KindChooser
from tui.screens.confirm import ConfirmScreen
from tui.screens.form import SegmentFormScreen
from tui.screens.help import HelpScreen
from tui.screens.segments import SegmentsScreen
from tui.widgets.choice import Choice
from tui.widgets.filter_input import FilterInput
from tui.widgets.segment_table import SegmentTable

pytestmark = pytest.mark.usefixtures("quick_counts")

HOLDERS: dict[str, type[DOMNode]] = {
    "segments": SegmentsScreen,
    "table": SegmentTable,
    "filter": FilterInput,
    "form": SegmentFormScreen,
    "choice": Choice,
    "chooser": KindChooser,
    "dialog": ConfirmScreen,
    "help": HelpScreen,
    "app": SegmentsApp,
}


@pytest.mark.parametrize("area", sorted(HOLDERS))
def test_every_action_of_an_area_is_bound_where_it_works(area: str) -> None:
    holder = HOLDERS[area]
    bound = {binding.id for binding in _bindings(holder)}
    for action in actions.actions_in(area):
        assert f"{area}.{action.name}" in bound
        assert action.keys and action.title
        assert _has_action(holder, action.name), action.name


def test_every_area_has_a_holder_and_heading() -> None:
    assert set(actions.AREAS) == set(HOLDERS)
    assert {action.area for action in actions.ACTIONS} == set(HOLDERS)


def test_keys_that_type_are_never_priority_where_one_can_type() -> None:
    for area in actions.AREAS:
        if not actions.AREAS[area].has_text_fields:
            continue
        for binding in actions.bindings(area):
            if binding.priority:
                assert len(binding.key) > 1 and binding.key not in (
                    "space",
                    "slash",
                    "colon",
                    "question_mark",
                )


def test_footer_shows_one_key_per_action() -> None:
    shown = [binding for binding in actions.bindings("form") if binding.show]
    assert [binding.key for binding in shown] == [
        "ctrl+s",
        "escape",
        "ctrl+n",
        "ctrl+r",
        "ctrl+t",
    ]


def test_keys_are_shown_in_plain_ascii() -> None:
    for action in actions.ACTIONS:
        assert actions.shown_keys(action).isascii()
    assert actions.shown_key("ctrl+s") == "^s"
    assert actions.shown_key("question_mark") == "?"


def test_the_chooser_reads_its_keys_in_order() -> None:
    picks = [b for b in actions.bindings("chooser") if b.action.startswith("pick")]
    assert [b.key for b in picks] == ["1", "2", "3", "enter"]
    assert all(binding.priority for binding in picks)


def test_key_for_names_the_first_key() -> None:
    assert actions.key_for("save") == "ctrl+s"
    assert actions.key_for("answer(True)", "dialog") == "y"
    with pytest.raises(KeyError):
        actions.key_for("fly")


async def test_palette_titles_read_area_verb_object(workspace: Workspace) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [title for title, _, _ in ActionCommands(app.screen).commands()]
        assert titles[:6] == [
            "segments: new segment",
            "segments: edit segment",
            "segments: delete segment",
            "segments: refresh counts",
            "segments: filter segments",
            "app: show help",
        ]
        assert "segments: clear filter" not in titles
        assert "app: quit" in titles


def _bindings(holder: type[DOMNode]) -> list[Binding]:
    """The bindings a class declares itself, not those it inherits."""
    own: list[Any] = list(holder.__dict__.get("BINDINGS", []))
    return [binding for binding in own if isinstance(binding, Binding)]


def _has_action(holder: type[DOMNode], name: str) -> bool:
    """Whether the class (or the app, for `app.` names) has the action."""
    if name.startswith("app."):
        holder, name = SegmentsApp, name.removeprefix("app.")
    method = name.split("(")[0]
    return hasattr(holder, f"action_{method}")
