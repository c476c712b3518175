"""A one-row text field that keeps what is typed when the focus comes to it.

Textual's `Input` selects all its text on focus, so the next key replaces it:
one Backspace after a failed save would erase the name. Here the cursor goes
to the end instead, ready to add to the text.
"""

from __future__ import annotations

from textual.events import Focus
from textual.widgets import Input


class TextField(Input):
    """A compact `Input` with a steady cursor that lands after the text."""

    def __init__(
        self,
        value: str = "",
        *,
        placeholder: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(
            value,
            placeholder=placeholder,
            id=id,
            classes=classes,
            compact=True,
            select_on_focus=False,
        )
        self.cursor_blink = False

    def on_focus(self, _event: Focus) -> None:
        """Put the cursor after the text, wherever it was left."""
        self.cursor_position = len(self.value)
