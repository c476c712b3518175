"""The segment list: counts, filter, delete, refresh, help and literal names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.definition import parse_definition
from core.workspace import Workspace
from tests.conftest import (
    SEGMENTS,
    active_since,
    key,
    make_app,
    members_where,
    screen_text,
    seed,
    settle,
    speaks,
    visited_prefix,
)
from tui import actions
from tui.screens.confirm import ConfirmScreen
from tui.screens.form import SegmentFormScreen
from tui.screens.help import HelpScreen
from tui.screens.segments import SegmentsScreen

pytestmark = pytest.mark.usefixtures("quick_counts")

SIZE = (80, 24)


def cell(screen: SegmentsScreen, row: int, column: str) -> str:
    """The plain text of one cell."""
    table = screen.table
    return str(table.get_cell_at((row, list(table.columns).index(column))))


async def test_list_shows_members_and_share(workspace: Workspace) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SegmentsScreen)
        english = members_where(
            lambda p: speaks(p, "en") and visited_prefix(p, "/cart")
        )
        inactive = members_where(lambda p: not active_since(p, "2024-06-08T12:00:00"))
        assert [cell(screen, row, "name") for row in (0, 1)] == [
            "English cart visitors",
            "Inactive for 7 days",
        ]
        assert cell(screen, 0, "members") == str(english)
        assert cell(screen, 0, "share") == f"{english / 10:.1%}"
        assert cell(screen, 1, "members") == str(inactive)
        assert cell(screen, 0, "match") == "ALL"
        assert cell(screen, 0, "criteria").startswith("language is en and")
        text = screen_text(app)
        assert "language is en and visited a page starting with /cart" in text
        assert text.splitlines()[0].endswith("/segments.db  10 users")


async def test_counts_say_counting_until_they_arrive(workspace: Workspace) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, SegmentsScreen)
        await pilot.pause()
        members, share = screen.count_cells(999)
        assert members.plain == "counting" and share.plain == ""
        await settle(pilot)
        assert cell(screen, 0, "members") != "counting"


async def test_empty_state_says_how_to_create(empty_workspace: Workspace) -> None:
    app = make_app(empty_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "No segments yet. Press n to create one." in screen_text(app)
        await pilot.press(key("new_segment"))
        assert isinstance(app.screen, SegmentFormScreen)


async def test_filter_narrows_the_list_and_escape_clears(workspace: Workspace) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SegmentsScreen)
        await pilot.press(key("filter"), *"inactive")
        assert [s.definition.name for s in screen.shown] == ["Inactive for 7 days"]
        await pilot.press(key("done", "filter"))
        assert screen.table.has_focus
        await pilot.press(key("clear_filter"))
        assert len(screen.shown) == 2
        await pilot.press(key("filter"), *"nothing like it")
        assert "No segment matches nothing like it." in screen_text(app)
        await pilot.press("escape")
        assert len(screen.shown) == 2


async def test_delete_asks_and_no_is_the_default(workspace: Workspace) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key("delete_segment"))
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SegmentsScreen)
        assert len(workspace.segments()) == 2
        await pilot.press(key("delete_segment"), key("answer(True)", "dialog"))
        await settle(pilot)
        assert [s.definition.name for s in workspace.segments()] == [
            "Inactive for 7 days"
        ]
        assert [s.definition.name for s in app.screen.shown] == ["Inactive for 7 days"]


async def test_refresh_shows_what_others_saved(workspace: Workspace) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        other = Workspace.open(workspace.path)
        french = {**SEGMENTS[1], "name": "French", "criteria": [_french()]}
        other.save_segment(parse_definition(french))
        await pilot.press(key("refresh"))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SegmentsScreen)
        assert cell(screen, 1, "name") == "French"
        assert cell(screen, 1, "members") == str(
            members_where(lambda p: speaks(p, "fr"))
        )


async def test_names_and_paths_are_shown_literally(tmp_path: Path) -> None:
    name = "[bold]x[/] \u202ered"
    criterion = {"type": "page_visited", "operator": "visited", "match": "contains"}
    definition = {
        "name": name,
        "match": "any",
        "criteria": [{**criterion, "path": "[i]/cart\x1b[31m\x07[/i]"}],
    }
    workspace = seed(tmp_path / "odd.db", segments=[definition])
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[bold]x[/] \\u202ered" in text
        assert "visited a page containing [i]/cart\\x1b[31m\\x07[/i]" in text
        await pilot.press(key("delete_segment"))
        assert "Delete [bold]x[/] \\u202ered?" in screen_text(app)


async def test_a_segment_that_cannot_be_read_is_reported(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    with workspace.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE segments SET definition = ? WHERE name = 'Inactive for 7 days'",
            (json.dumps({"name": "Inactive for 7 days", "match": "some"}),),
        )
    app = make_app(workspace)
    notices: list[tuple[str, str]] = []
    monkeypatch.setattr(
        app,
        "notify",
        lambda message, severity="information", **_: notices.append(
            (severity, message)
        ),
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SegmentsScreen)
        assert notices and notices[0][0] == "error"
        assert "match" in notices[0][1]


async def test_help_lists_every_binding_of_the_screen(workspace: Workspace) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(80, 60)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press(key("help"))
        assert isinstance(app.screen, HelpScreen)
        lines = [line.strip(" │") for line in screen_text(app).splitlines()]
        bound = [
            *screen.BINDINGS,
            *screen.table.BINDINGS,
            *screen.query_one("#filter").BINDINGS,
            *app.BINDINGS,
        ]
        for binding in bound:
            action = _registered(binding.id)
            keys = actions.shown_keys(action)
            assert any(
                line.startswith(f"{keys}  ") and line.endswith(action.title)
                for line in lines
            ), (keys, action.title)
        assert lines.index("Segments list") < lines.index("Everywhere")
        await pilot.press("escape")
        assert app.screen is screen


async def test_palette_runs_commands_of_the_screen(workspace: Workspace) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key("command_palette"))
        await pilot.press(*"segments: new segment")
        await settle(pilot)
        assert "segments: new segment" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SegmentFormScreen)


async def test_q_quits_from_the_list(workspace: Workspace) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key("app.quit", "segments"))
        await pilot.pause()
    assert app.return_code == 0


def _registered(binding_id: str | None) -> actions.Action:
    """The registry entry a binding was made from."""
    assert binding_id is not None
    area, name = binding_id.split(".", 1)
    return next(a for a in actions.actions_in(area) if a.name == name)


def _french() -> dict[str, object]:
    """A criterion: device language French."""
    return {"type": "device_language", "operator": "contains", "languages": ["fr"]}


@pytest.mark.parametrize(
    ("size", "keys"),
    [((60, 20), ()), ((80, 24), ("slash", "c")), ((40, 20), ())],
)
async def test_help_and_quit_always_show_in_the_footer(
    workspace: Workspace, size: tuple[int, int], keys: tuple[str, ...]
) -> None:
    app = make_app(workspace)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "f1 help" in footer
        assert "q quit" in footer
        assert len(footer) <= size[0]


async def test_help_and_quit_show_on_a_narrow_form(workspace: Workspace) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await pilot.press(key("new_segment"))
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        shown = "^s save esc back ^n add ^r remove ^t match f1 help ^q quit"
        assert footer.split() == shown.split(" ")


async def test_a_long_description_is_cut_with_a_mark(tmp_path: Path) -> None:
    page = {"type": "page_visited", "operator": "visited", "match": "starts_with"}
    long = {
        "name": "Twelve pages",
        "match": "all",
        "criteria": [{**page, "path": f"/section-{n}/page"} for n in range(12)],
    }
    app = make_app(seed(tmp_path / "long.db", segments=[long]))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SegmentsScreen)
        detail = str(screen.query_one("#detail").render()).splitlines()
        assert len(detail) == 5
        assert detail[-1].endswith("...")
        assert all(len(line) <= 78 for line in detail)


async def test_the_dialog_footer_says_how_to_switch_answer(
    workspace: Workspace,
) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key("delete_segment"))
        await settle(pilot)
        assert "<- -> switch answer" in screen_text(app).splitlines()[-1]
