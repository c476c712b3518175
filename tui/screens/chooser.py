"""The small dialog that asks which kind of criterion to add.

Over SSH keys arrive in bursts: `ctrl+n 3 /cart` may come as one read. The
chooser's keys are therefore priority bindings, run by the app in the order
the keys came, and the new card is mounted and focused before the chooser
closes, so the keys after the kind are typed into the new card.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui import actions
from tui.widgets.criterion_card import CARDS
from tui.widgets.key_footer import KeyFooter

AddCard = Callable[[str], Awaitable[object]]


class KindChooser(ModalScreen[str | None]):
    """Pick a criterion kind with the arrows and enter, or by its number."""

    CSS_PATH = "chooser.tcss"
    AREAS = ("chooser",)
    BINDINGS = actions.bindings("chooser")
    AUTO_FOCUS = "OptionList"

    def __init__(self, add: AddCard) -> None:
        """`add` puts a card of the chosen kind on the form, and focuses it."""
        super().__init__()
        self.add = add
        self.picked = False

    def compose(self) -> ComposeResult:
        """The kinds, numbered as their keys."""
        options = [
            Option(f"{number}  {card.TITLE}", id=kind)
            for number, (kind, card) in enumerate(CARDS.items(), start=1)
        ]
        with Vertical(id="chooser"):
            yield Static("Add a criterion", id="heading")
            yield OptionList(*options)
        yield KeyFooter(compact=True)

    async def on_option_list_option_selected(
        self, event: OptionList.OptionSelected
    ) -> None:
        """A click on a kind."""
        event.stop()
        if event.option.id is not None:
            await self.action_pick(event.option.id)

    async def action_pick(self, kind: str) -> None:
        """Add a card of `kind`, then close; a second pick meanwhile is ignored."""
        if self.picked:
            return
        self.picked = True
        await self.add(kind)
        self.dismiss(kind)

    async def action_pick_highlighted(self) -> None:
        """The highlighted kind."""
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        kind = options.get_option_at_index(options.highlighted).id
        if kind is not None:
            await self.action_pick(kind)

    def action_highlight_next(self) -> None:
        """Highlight the kind below."""
        self.query_one(OptionList).action_cursor_down()

    def action_highlight_previous(self) -> None:
        """Highlight the kind above."""
        self.query_one(OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        """Add nothing."""
        if not self.picked:
            self.dismiss(None)
