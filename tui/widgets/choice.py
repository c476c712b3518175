"""A one-line choice between a few fixed options, changed with the arrow keys.

Used for operators and ALL/ANY: one row high, no pop-up, and every option is
reached from the keyboard with left, right or space.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from tui import actions


class Choice(Widget, can_focus=True):
    """One of a few options, shown as `< label >` and cycled in place."""

    DEFAULT_CSS = """
    Choice {
        width: auto;
        height: 1;
        background: $boost;
        color: $foreground;
        margin-right: 1;
    }
    Choice:focus {
        background: $accent;
        color: $text;
        text-style: bold;
    }
    Choice.-problem {
        background: $error 30%;
    }
    """

    BINDINGS = actions.bindings("choice")

    value: reactive[str] = reactive("", init=False)

    class Changed(Message):
        """The chosen option changed."""

        def __init__(self, choice: Choice, value: str) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> Choice:
            """The choice that changed."""
            return self.choice

    def __init__(
        self,
        options: Sequence[tuple[str, str]],
        value: str | None = None,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`options` are (value, label) pairs; the first is chosen by default."""
        super().__init__(id=id, classes=classes)
        self.options = tuple(options)
        self.labels = dict(self.options)
        self.set_reactive(Choice.value, value or self.options[0][0])

    @property
    def label(self) -> str:
        """The label of the chosen option."""
        return self.labels.get(self.value, self.value)

    def render(self) -> Text:
        """`< label >`, padded to the longest label so the row never jumps."""
        widest = max(len(label) for _, label in self.options)
        return Text(f"< {self.label.ljust(widest)} >", no_wrap=True, end="")

    def get_content_width(self, container: Size, viewport: Size) -> int:
        """Wide enough for the longest label and the arrows."""
        return max(len(label) for _, label in self.options) + 4

    def action_next_option(self) -> None:
        """Choose the option after this one, wrapping round."""
        self._step(1)

    def action_previous_option(self) -> None:
        """Choose the option before this one, wrapping round."""
        self._step(-1)

    def watch_value(self, value: str) -> None:
        """Tell the form, which recounts and shows the fields this option needs."""
        self.post_message(self.Changed(self, value))

    def _step(self, offset: int) -> None:
        """Move `offset` options along."""
        values = [value for value, _ in self.options]
        position = values.index(self.value) if self.value in values else 0
        self.value = values[(position + offset) % len(values)]
