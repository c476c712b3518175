"""The small dialog that asks which kind of criterion to add."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tui import actions
from tui.widgets.criterion_card import CARDS


class KindChooser(ModalScreen[str | None]):
    """Pick a criterion kind with the arrows and enter, or by its number."""

    CSS_PATH = "chooser.tcss"
    AREAS = ("chooser",)
    BINDINGS = actions.bindings("chooser")
    AUTO_FOCUS = "OptionList"

    def compose(self) -> ComposeResult:
        """The kinds, numbered as their keys."""
        options = [
            Option(f"{number}  {card.TITLE}", id=kind)
            for number, (kind, card) in enumerate(CARDS.items(), start=1)
        ]
        with Vertical(id="chooser"):
            yield Static("Add a criterion", id="heading")
            yield OptionList(*options)
        yield Footer(compact=True)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a kind."""
        event.stop()
        self.dismiss(event.option.id)

    def action_pick(self, kind: str) -> None:
        """A kind chosen by its number."""
        self.dismiss(kind)

    def action_pick_highlighted(self) -> None:
        """The highlighted kind."""
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def action_cancel(self) -> None:
        """Add nothing."""
        self.dismiss(None)
