"""The one-line field that filters a list as you type."""

from __future__ import annotations

from textual.message import Message

from tui import actions
from tui.widgets.text_field import TextField


class FilterInput(TextField):
    """Typing filters; `enter` or `down` goes back to the list, keeping the filter."""

    DEFAULT_CSS = """
    FilterInput {
        display: none;
    }
    FilterInput.-shown {
        display: block;
    }
    """

    BINDINGS = actions.bindings("filter")

    class Done(Message):
        """The person wants to move in the filtered list."""

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id)

    def action_done(self) -> None:
        """Hand the keys back to the list."""
        self.post_message(self.Done())
