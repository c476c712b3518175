"""The segment form, driven by keys only: create, check, count, edit, leave."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label, Static

from core.definition import SegmentDefinition
from core.evaluation import SegmentCount
from core.workspace import SavedSegment, Workspace
from tests.conftest import (
    active_since,
    burst,
    key,
    make_app,
    members_where,
    screen_text,
    seed,
    settle,
    speaks,
    type_text,
    visited_prefix,
)
from tui.app import SegmentsApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.form import Draft, SegmentFormScreen
from tui.screens.segments import SegmentsScreen
from tui.widgets.choice import Choice
from tui.widgets.criterion_card import CriterionCard, PageCard

pytestmark = pytest.mark.usefixtures("quick_counts")

SIZE = (80, 24)


async def open_form(pilot: Pilot[None]) -> SegmentFormScreen:
    """Press `n` on the list and return the empty form."""
    await settle(pilot)
    await pilot.press(key("new_segment"))
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, SegmentFormScreen)
    return form


async def add_card(pilot: Pilot[None], number: str) -> None:
    """Add a criterion of the kind numbered `number` in the chooser."""
    await pilot.press(key("add_criterion"), number)
    await settle(pilot)


def members_badge(form: SegmentFormScreen) -> str:
    """The text of the form's member count."""
    return str(form.query_one("#members", Static).render())


def card_message(card: CriterionCard) -> str:
    """The problem or warning line under a card's fields."""
    line = card.query_one(".message", Static)
    return str(line.render()) if line.display and line.has_class("-shown") else ""


async def test_create_a_segment_of_all_three_kinds_by_keys(
    empty_workspace: Workspace,
) -> None:
    app = make_app(empty_workspace)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await type_text(pilot, "Cart English")
        await add_card(pilot, "1")
        await type_text(pilot, "en")
        await add_card(pilot, "2")
        await type_text(pilot, "7")
        await add_card(pilot, "3")
        await type_text(pilot, "/cart")
        await pilot.press("shift+tab")
        await pilot.press(key("next_option"), key("next_option"))
        await settle(pilot)
        expected = members_where(
            lambda p: (
                speaks(p, "en")
                and active_since(p, "2024-06-08T12:00:00")
                and visited_prefix(p, "/cart")
            )
        )
        assert members_badge(form) == f"members: {expected} of 10 users (20.0%)"
        await pilot.press(key("save"))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SegmentsScreen)
        name, match, criteria, members, share = map(str, screen.table.get_row_at(0))
        assert (name, match, members) == ("Cart English", "ALL", str(expected))
        assert share == f"{expected / 10:.1%}"
        assert criteria.startswith("language is en and a s")
        saved = empty_workspace.find_segment("cart english")
        assert saved is not None
        assert saved.definition.to_json()["criteria"] == [
            {"type": "device_language", "operator": "contains", "languages": ["en"]},
            {"type": "app_sessions", "operator": "within_last", "days": 7},
            {
                "type": "page_visited",
                "operator": "visited",
                "match": "starts_with",
                "path": "/cart",
            },
        ]


async def test_invalid_fields_are_marked_and_saving_refused(
    empty_workspace: Workspace,
) -> None:
    app = make_app(empty_workspace)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await type_text(pilot, "Broken")
        await add_card(pilot, "1")
        await add_card(pilot, "2")
        await type_text(pilot, "0")
        await add_card(pilot, "2")
        await pilot.press("shift+tab", key("previous_option"))
        await type_text(pilot, "")
        await settle(pilot)
        await pilot.press("tab", *"2024-06-10", "tab", *"2024-06-01")
        await settle(pilot)
        language, days, between = form.cards()
        assert card_message(language) == ""
        assert card_message(days) == "days: must be from 1 to 3650, got 0"
        assert card_message(between) == "end: 2024-06-01 is before the start 2024-06-10"
        assert between.query_one("#end", Input).has_class("-problem")
        await pilot.press(key("save"))
        await settle(pilot)
        assert app.screen is form
        assert card_message(language) == "languages: must list at least one value"
        assert language.query_one("#languages", Input).has_focus
        assert members_badge(form) == "members: complete the criteria"
        assert empty_workspace.segments() == []


async def test_a_taken_name_is_marked(workspace: Workspace) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await type_text(pilot, "inactive FOR 7 days")
        await add_card(pilot, "1")
        await type_text(pilot, "fr")
        await settle(pilot)
        problem = str(form.query_one("#name-problem", Static).render())
        assert problem == "name: a segment called 'Inactive for 7 days' exists"
        await pilot.press(key("save"))
        await settle(pilot)
        assert app.screen is form
        assert form.query_one("#name", Input).has_focus


async def test_path_warning_does_not_block_saving(empty_workspace: Workspace) -> None:
    app = make_app(empty_workspace)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await type_text(pilot, "Cart page")
        await add_card(pilot, "3")
        await type_text(pilot, "cart")
        await settle(pilot)
        (card,) = form.cards()
        assert card_message(card).startswith("note: path does not start with '/'")
        await pilot.press(key("save"))
        await settle(pilot)
        assert isinstance(app.screen, SegmentsScreen)
        assert empty_workspace.find_segment("Cart page") is not None


async def test_escape_with_changes_asks_and_no_stays(
    empty_workspace: Workspace,
) -> None:
    app = make_app(empty_workspace)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await type_text(pilot, "Half done")
        await pilot.press(key("back"))
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        assert app.screen is form
        assert form.query_one("#name", Input).value == "Half done"
        await pilot.press(key("back"), key("answer(False)", "dialog"))
        assert app.screen is form
        await pilot.press(key("back"), key("answer(True)", "dialog"))
        await settle(pilot)
        assert isinstance(app.screen, SegmentsScreen)
        assert empty_workspace.segments() == []


async def test_escape_without_changes_leaves_at_once(workspace: Workspace) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key("edit_segment"))
        await settle(pilot)
        assert isinstance(app.screen, SegmentFormScreen)
        await pilot.press(key("back"))
        assert isinstance(app.screen, SegmentsScreen)


async def test_quit_with_unsaved_changes_asks(empty_workspace: Workspace) -> None:
    app = make_app(empty_workspace)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await type_text(pilot, "x")
        await pilot.press(key("quit", "app"))
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.screen is form


async def test_live_count_follows_typing(empty_workspace: Workspace) -> None:
    app = make_app(empty_workspace)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        assert members_badge(form) == "members: add a criterion (^n)"
        await add_card(pilot, "1")
        await type_text(pilot, "de")
        await settle(pilot)
        german = members_where(lambda p: speaks(p, "de"))
        assert members_badge(form) == f"members: {german} of 10 users (20.0%)"
        await type_text(pilot, " fr")
        await settle(pilot)
        both = members_where(lambda p: speaks(p, "de") or speaks(p, "fr"))
        assert members_badge(form) == f"members: {both} of 10 users (30.0%)"
        (card,) = form.cards()
        assert card.border_subtitle == f"{both:,} users"
        await pilot.press("shift+tab", key("next_option"))
        await settle(pilot)
        assert members_badge(form) == f"members: {10 - both} of 10 users (70.0%)"


async def test_each_card_shows_its_own_count(empty_workspace: Workspace) -> None:
    app = make_app(empty_workspace)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await add_card(pilot, "1")
        await type_text(pilot, "en")
        await add_card(pilot, "3")
        await type_text(pilot, "/summer-sale")
        await pilot.press(key("toggle_match"))
        await settle(pilot)
        english, sale = form.cards()
        assert (
            english.border_subtitle
            == f"{members_where(lambda p: speaks(p, 'en'))} users"
        )
        assert sale.border_subtitle == "1 user"
        assert form.query_one("#match", Choice).value == "any"
        assert members_badge(form) == "members: 5 of 10 users (50.0%)"


async def test_a_superseded_count_is_dropped(empty_workspace: Workspace) -> None:
    app = make_app(empty_workspace)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await add_card(pilot, "1")
        await type_text(pilot, "en")
        await settle(pilot)
        shown = members_badge(form)
        stale = Draft(SegmentDefinition("draft", "all", ()), (0,), True)
        form.post_message(form.DraftCounted(stale, SegmentCount(9, 10, (9,)), ""))
        await settle(pilot)
        assert members_badge(form) == shown


async def test_sessions_card_shows_only_the_fields_its_operator_needs(
    empty_workspace: Workspace,
) -> None:
    app = make_app(empty_workspace)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await add_card(pilot, "2")
        (card,) = form.cards()

        def shown() -> list[str]:
            fields = card.query(".field")
            return [str(widget.id) for widget in fields if widget.display]

        assert shown() == ["operator", "days"]
        await pilot.press("shift+tab")
        for operator, fields in (
            ("not_within_last", ["operator", "days"]),
            ("before", ["operator", "date"]),
            ("after", ["operator", "date"]),
            ("between", ["operator", "start", "end"]),
        ):
            await pilot.press(key("next_option"))
            assert card.choice("operator") == operator
            assert shown() == fields


async def test_remove_criterion_renumbers_the_rest(empty_workspace: Workspace) -> None:
    app = make_app(empty_workspace)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await add_card(pilot, "1")
        await add_card(pilot, "2")
        await add_card(pilot, "3")
        await pilot.press("shift+tab", "shift+tab", "shift+tab", "shift+tab")
        assert form.focused_card() is form.cards()[1]
        await pilot.press(key("remove_criterion"))
        await settle(pilot)
        kinds = [(card.position, card.KIND) for card in form.cards()]
        assert kinds == [(1, "device_language"), (2, "page_visited")]
        assert form.cards()[1].border_title == "2 Page visited"


async def test_edit_changes_the_saved_segment(workspace: Workspace) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key("edit_segment"))
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SegmentFormScreen)
        assert form.query_one("#name", Input).value == "English cart visitors"
        assert "Edit segment English cart visitors" in screen_text(app)
        language = form.cards()[0]
        assert language.query_one("#languages", Input).value == "en"
        await pilot.press("tab", "tab", "tab")
        assert language.query_one("#languages", Input).has_focus
        await pilot.press("ctrl+u")
        await type_text(pilot, "fr")
        await pilot.press("shift+tab", "shift+tab", "shift+tab", "ctrl+u")
        await type_text(pilot, "Cart visitors, French")
        await pilot.press(key("save", "form"))
        await settle(pilot)
        assert isinstance(app.screen, SegmentsScreen)
        names = [segment.definition.name for segment in workspace.segments()]
        assert names == ["Cart visitors, French", "Inactive for 7 days"]
        french = members_where(lambda p: speaks(p, "fr") and visited_prefix(p, "/cart"))
        assert str(app.screen.table.get_row_at(0)[3]) == str(french)


async def test_help_on_the_form_lists_form_keys_first(workspace: Workspace) -> None:
    app = SegmentsApp(workspace)
    async with app.run_test(size=(80, 60)) as pilot:
        await open_form(pilot)
        await pilot.press(key("help"))
        lines = [line.strip(" │") for line in screen_text(app).splitlines()]
        for title in (
            "save segment",
            "add criterion",
            "remove criterion",
            "next option",
        ):
            assert any(line.endswith(title) for line in lines), title
        assert lines.index("Segment form") < lines.index("Everywhere")


async def test_a_locked_database_is_reported_and_the_form_stays(
    empty_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    save = empty_workspace.save_segment
    attempts: list[SegmentDefinition] = []

    def locked_once(
        definition: SegmentDefinition, replacing: int | None = None
    ) -> SavedSegment:
        attempts.append(definition)
        if len(attempts) == 1:
            raise sqlite3.OperationalError("database is locked")
        return save(definition, replacing)

    app = make_app(empty_workspace)
    notices: list[tuple[str, str]] = []
    monkeypatch.setattr(
        app,
        "notify",
        lambda message, severity="information", **_: notices.append(
            (severity, message)
        ),
    )
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await type_text(pilot, "Locked")
        await add_card(pilot, "1")
        await type_text(pilot, "fr")
        monkeypatch.setattr(empty_workspace, "save_segment", locked_once)
        await pilot.press(key("save"))
        await settle(pilot)
        assert app.screen is form
        assert ("error", "database is locked") in notices
        await pilot.press(key("save"))
        await settle(pilot)
        assert isinstance(app.screen, SegmentsScreen)


async def test_editing_shows_control_characters_as_escapes(tmp_path: Path) -> None:
    page = {"type": "page_visited", "operator": "visited", "match": "contains"}
    odd = {
        "name": "bad\u202ename",
        "match": "all",
        "criteria": [{**page, "path": "/a\x07b"}],
    }
    app = make_app(seed(tmp_path / "odd.db", segments=[odd]))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key("edit_segment"))
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SegmentFormScreen)
        assert form.query_one("#name", Input).value == "bad\\u202ename"
        assert form.cards()[0].query_one("#path", Input).value == "/a\\x07b"
        assert "\x1b" not in screen_text(app)


async def test_a_card_still_mounting_is_left_out_of_checks(
    empty_workspace: Workspace,
) -> None:
    app = make_app(empty_workspace)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await type_text(pilot, "Half mounted")
        mounting = form.query_one("#cards").mount(PageCard(1))
        assert form.raw()["criteria"] == []
        form.check()
        await mounting
        form.changed()
        await settle(pilot)
        assert form.raw()["criteria"][0]["type"] == "page_visited"


async def test_criteria_added_in_one_burst_each_get_their_keys(
    empty_workspace: Workspace,
) -> None:
    app = make_app(empty_workspace)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await type_text(pilot, "Burst")
        add = key("add_criterion")
        keys: list[str] = []
        for number in range(36):
            kind = "13"[number % 2]
            keys += [add, kind, *(f"/p{number}" if kind == "3" else f"l{number}")]
        burst(pilot, *keys)
        await settle(pilot)
        typed = [
            card.text("path" if card.KIND == "page_visited" else "languages")
            for card in form.cards()
        ]
        expected = [
            f"/p{number}" if number % 2 else f"l{number}" for number in range(36)
        ]
        assert typed == expected
        assert app.return_code is None


async def test_keys_after_the_kind_go_to_the_new_card(
    empty_workspace: Workspace,
) -> None:
    app = make_app(empty_workspace)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await add_card(pilot, "3")
        await type_text(pilot, "/p6")
        burst(pilot, key("add_criterion"), "3", "/", "x")
        await settle(pilot)
        assert [card.text("path") for card in form.cards()] == ["/p6", "/x"]
        burst(pilot, key("add_criterion"), "down", "enter", "7")
        await settle(pilot)
        assert form.cards()[2].KIND == "app_sessions"
        assert form.cards()[2].text("days") == "7"


async def test_a_new_card_is_scrolled_into_view(empty_workspace: Workspace) -> None:
    app = make_app(empty_workspace)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        for _ in range(9):
            await add_card(pilot, "3")
        await settle(pilot)
        last = form.cards()[-1]
        field = last.query_one("#path", Input)
        assert field.has_focus
        scroll = form.query_one("#cards")
        assert scroll.scroll_offset.y > 0
        assert scroll.can_view_entire(last)


async def test_a_51st_criterion_is_refused_at_once(tmp_path: Path) -> None:
    page = {"type": "page_visited", "operator": "visited", "match": "contains"}
    full = {
        "name": "Full",
        "match": "any",
        "criteria": [{**page, "path": f"/p{number}"} for number in range(50)],
    }
    app = make_app(seed(tmp_path / "full.db", segments=[full]))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key("edit_segment"))
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SegmentFormScreen)
        await pilot.press(key("add_criterion"))
        await settle(pilot)
        assert app.screen is form
        assert len(form.cards()) == 50
        messages = [notice.message for notice in app._notifications]
        assert any("at most 50 criteria" in message for message in messages)


async def test_focus_puts_the_cursor_after_the_text(workspace: Workspace) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key("edit_segment"))
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SegmentFormScreen)
        languages = form.cards()[0].query_one("#languages", Input)
        await pilot.press("tab", "tab", "tab")
        assert languages.has_focus
        await type_text(pilot, ",de")
        assert languages.value == "en,de"
        await pilot.press("shift+tab", "shift+tab", "shift+tab")
        name = form.query_one("#name", Input)
        await pilot.press("backspace")
        assert name.value == "English cart visitor"


async def test_after_a_failed_save_one_backspace_erases_one_character(
    workspace: Workspace,
) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await type_text(pilot, "Inactive for 7 days")
        await add_card(pilot, "1")
        await type_text(pilot, "fr")
        await pilot.press(key("save"))
        await settle(pilot)
        name = form.query_one("#name", Input)
        assert name.has_focus
        await pilot.press("backspace")
        assert name.value == "Inactive for 7 day"


async def test_one_day_is_singular(empty_workspace: Workspace) -> None:
    app = make_app(empty_workspace)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await add_card(pilot, "2")
        (card,) = form.cards()
        word = card.query_one("#days-word", Label)
        await type_text(pilot, "1")
        assert str(word.render()) == "day"
        await type_text(pilot, "4")
        assert str(word.render()) == "days"


async def test_an_unexpected_error_keeps_the_unsaved_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(seed(tmp_path / "segments.db"))

    def broken(_form: SegmentFormScreen, _text: str | None) -> None:
        raise RuntimeError("a bug in a handler")

    with pytest.raises(RuntimeError, match="a bug in a handler"):
        async with app.run_test(size=SIZE) as pilot:
            await open_form(pilot)
            await type_text(pilot, "Typed before the crash")
            monkeypatch.setattr(SegmentFormScreen, "show_members", broken)
            await add_card(pilot, "1")
    assert app.return_code == 1
    (kept,) = tmp_path.glob("unsaved-segment-*.json")
    assert json.loads(kept.read_text())["name"] == "Typed before the crash"
