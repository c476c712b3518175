"""The keys of the screen underneath, then the keys that work everywhere."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui import actions
from tui.widgets.key_footer import KeyFooter


class HelpScreen(ModalScreen[None]):
    """Every key of the given areas, with what it does, from the registry."""

    CSS_PATH = "help.tcss"
    AREAS = ("help",)
    BINDINGS = actions.bindings("help")
    AUTO_FOCUS = "VerticalScroll"

    def __init__(self, areas: Sequence[str]) -> None:
        """`areas` are those of the screen help was asked on, most specific first."""
        super().__init__()
        self.areas = [*(area for area in areas if area != "app"), "app"]

    def compose(self) -> ComposeResult:
        """One table of keys per area."""
        with Vertical(id="help"):
            yield Static("Keys", id="heading")
            with VerticalScroll():
                yield Static(key_table(self.areas), id="keys")
        yield KeyFooter(compact=True)

    def action_close(self) -> None:
        """Back to the screen help was asked on."""
        self.dismiss(None)


def key_table(areas: Sequence[str]) -> Group:
    """Per area, a heading and two columns: the keys, and what they do."""
    sections: list[Text | Table] = []
    for number, area in enumerate(areas):
        heading = actions.AREAS[area].heading
        sections.append(Text(("\n" if number else "") + heading, style="bold"))
        table = Table.grid(padding=(0, 2))
        table.add_column(width=14, no_wrap=True)
        table.add_column()
        for action in actions.actions_in(area):
            table.add_row(Text(actions.shown_keys(action)), Text(action.title))
        sections.append(table)
    return Group(*sections)
