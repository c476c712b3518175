"""A yes-or-no question in a dialog that answers No unless told otherwise.

Deleting a segment and leaving unsaved changes both ask here; `enter` on the
dialog as it opens is No.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui import actions
from tui.widgets.key_footer import KeyFooter


class ConfirmScreen(ModalScreen[bool]):
    """Ask one question; dismissed with True for yes, False for no."""

    CSS_PATH = "confirm.tcss"
    AREAS = ("dialog",)
    BINDINGS = actions.bindings("dialog")
    AUTO_FOCUS = "#no"

    def __init__(
        self, question: str | Text, detail: str | Text = "", yes: str = "Yes"
    ) -> None:
        """`question` and `detail` are shown as given; pass `Text` for data."""
        super().__init__()
        self.question = question
        self.detail = detail
        self.yes = yes

    def compose(self) -> ComposeResult:
        """The question, what it means, and No before Yes."""
        with Vertical(id="dialog"):
            yield Static(self.question, id="question", markup=False)
            yield Static(self.detail, id="detail", markup=False)
            with Horizontal(id="answers"):
                yield Button("No (n)", id="no", compact=True)
                yield Button(f"{self.yes} (y)", id="yes", compact=True)
        yield KeyFooter(compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Enter or a click on an answer."""
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        """`y` or `n` (or escape) answer without moving to a button."""
        self.dismiss(yes)
