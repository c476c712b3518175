"""A card on the segment form for one criterion: its kind's fields and count.

Each kind shows only the fields its operator needs. A card knows how to turn
its fields into the criterion's JSON and how to mark a problem on a field; it
does no checking or counting itself, the form does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from tui.display import literal, visible
from tui.widgets.choice import Choice
from tui.widgets.text_field import TextField

_TAG_SEPARATORS = re.compile(r"[,\s]+")


class CriterionCard(Vertical):
    """One criterion of the segment being edited, numbered from 1."""

    DEFAULT_CSS = """
    CriterionCard {
        height: auto;
        border: round $border-blurred;
        border-title-color: $foreground;
        border-subtitle-color: $foreground;
        padding: 0 1;
    }
    CriterionCard:focus-within {
        border: round $border;
        border-title-style: bold;
    }
    CriterionCard > .fields {
        height: 1;
    }
    CriterionCard Label {
        width: auto;
        margin-right: 1;
    }
    CriterionCard Input {
        width: 1fr;
        margin-right: 1;
    }
    CriterionCard Input.day {
        width: 12;
    }
    CriterionCard Input.days {
        width: 7;
    }
    CriterionCard > .message {
        display: none;
        height: auto;
        color: $text-error;
    }
    CriterionCard > .message.-shown {
        display: block;
    }
    CriterionCard > .message.-warning {
        color: $text-warning;
    }
    """

    KIND: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""

    def __init__(self, position: int, raw: Mapping[str, Any] | None = None) -> None:
        """A card at `position` (from 1), filled from a criterion's JSON if given."""
        super().__init__()
        self.position = position
        self.initial: Mapping[str, Any] = raw or {}
        self.leaving = False

    @property
    def ready(self) -> bool:
        """Whether the card's fields can be read: mounted and not being removed.

        A card joins the form before its fields are composed, and stays in it
        while it is removed; timers and counts must skip it meanwhile.
        """
        return self.is_mounted and not self.leaving

    def compose(self) -> ComposeResult:
        """The kind's fields on one row, then a line for a problem or warning."""
        with Horizontal(classes="fields"):
            yield from self.compose_fields()
        yield Static(classes="message")

    def compose_fields(self) -> Iterator[Widget]:
        """The widgets of this kind's fields, each with the field's name as id."""
        raise NotImplementedError

    def raw(self) -> dict[str, Any]:
        """The criterion as JSON, exactly as typed; the form checks it."""
        raise NotImplementedError

    def on_mount(self) -> None:
        """Number the card once it is on screen."""
        self.renumber(self.position)

    def renumber(self, position: int) -> None:
        """Show the card's place after a card before it was removed."""
        self.position = position
        self.border_title = f"{position} {self.TITLE}"

    def show_count(self, text: str) -> None:
        """Show how many users this criterion alone holds for."""
        self.border_subtitle = text

    def show_problem(self, field: str | None, message: str, warning: str) -> None:
        """Mark `field` invalid with `message`, or show a non-blocking warning."""
        for widget in self.query(".field"):
            widget.set_class(widget.id == field, "-problem")
        line = self.query_one(".message", Static)
        text = f"{field}: {message}" if field and message else message
        shown = text or (f"note: path {warning}" if warning else "")
        line.update(literal(shown))
        line.set_class(bool(shown), "-shown")
        line.set_class(not text and bool(warning), "-warning")

    def has_value(self, field: str) -> bool:
        """Whether something was typed in `field` (empty fields wait for save)."""
        widget = self.field_widget(field)
        return not isinstance(widget, Input) or bool(widget.value.strip())

    def field_widget(self, field: str) -> Widget | None:
        """The widget of a field, if the card has one by that name."""
        found = self.query(f"#{field}") if field.isidentifier() else []
        return next(iter(found), None)

    def first_field(self) -> Widget | None:
        """Where typing starts: the first visible text field, else the operator.

        None while the card's own fields are still being composed.
        """
        for widget in self.query(Input):
            if widget.display:
                return widget
        return next(iter(self.query(Choice)), None)

    def choice(self, field: str) -> str:
        """The value of a choice field."""
        return self.query_one(f"#{field}", Choice).value

    def text(self, field: str) -> str:
        """The value of a text field."""
        return self.query_one(f"#{field}", Input).value

    def text_field(self, field: str, placeholder: str, classes: str = "") -> Input:
        """A one-row text field filled from the criterion's JSON, shown literally."""
        value = self.initial.get(field)
        return TextField(
            "" if value is None else visible(str(value)),
            placeholder=placeholder,
            id=field,
            classes=f"field {classes}",
        )

    def choice_field(self, field: str, options: tuple[tuple[str, str], ...]) -> Choice:
        """A choice filled from the criterion's JSON."""
        return Choice(options, self.initial.get(field), id=field, classes="field")


class LanguageCard(CriterionCard):
    """Device language: contains or does not contain some language tags."""

    KIND = "device_language"
    TITLE = "Device language"
    OPERATORS = (("contains", "contains"), ("not_contains", "does not contain"))

    def compose_fields(self) -> Iterator[Widget]:
        """Operator, then the tags."""
        yield self.choice_field("operator", self.OPERATORS)
        languages = self.initial.get("languages") or []
        field_input = self.text_field("languages", "language tags, e.g. en, de-AT")
        field_input.value = ", ".join(str(tag) for tag in languages)
        yield field_input

    def raw(self) -> dict[str, Any]:
        """Tags may be separated by commas or spaces."""
        tags = [tag for tag in _TAG_SEPARATORS.split(self.text("languages")) if tag]
        return {
            "type": self.KIND,
            "operator": self.choice("operator"),
            "languages": tags,
        }


class SessionsCard(CriterionCard):
    """App sessions: before, after or between days, or within the last days."""

    KIND = "app_sessions"
    TITLE = "App sessions"
    OPERATORS = (
        ("within_last", "within last"),
        ("not_within_last", "not within last"),
        ("before", "before"),
        ("after", "after"),
        ("between", "between"),
    )
    SHOWN: ClassVar[dict[str, tuple[str, ...]]] = {
        "before": ("date",),
        "after": ("date",),
        "between": ("start", "to", "end"),
        "within_last": ("days", "days-word"),
        "not_within_last": ("days", "days-word"),
    }

    def compose_fields(self) -> Iterator[Widget]:
        """Operator, then every field any operator needs; `show_fields` hides some."""
        yield self.choice_field("operator", self.OPERATORS)
        yield self.text_field("date", "YYYY-MM-DD", "day")
        yield self.text_field("start", "YYYY-MM-DD", "day")
        yield Label("to", id="to")
        yield self.text_field("end", "YYYY-MM-DD", "day")
        yield self.text_field("days", "days", "days")
        yield Label("days", id="days-word")

    def on_mount(self) -> None:
        """Show the fields of the starting operator."""
        super().on_mount()
        self.show_fields(self.choice("operator"))

    def on_choice_changed(self, event: Choice.Changed) -> None:
        """A new operator needs other fields; the form still hears of it."""
        if event.choice.id == "operator":
            self.show_fields(event.value)

    def on_input_changed(self, event: Input.Changed) -> None:
        """`1 day`, not `1 days`; the form still hears of the change."""
        if event.input.id == "days":
            word = "day" if event.value.strip() == "1" else "days"
            self.query_one("#days-word", Label).update(word)

    def show_fields(self, operator: str) -> None:
        """Show only the fields `operator` needs."""
        shown = self.SHOWN.get(operator, ())
        for widget in self.query_one(".fields").children:
            if widget.id != "operator":
                widget.display = widget.id in shown

    def raw(self) -> dict[str, Any]:
        """The operator with the fields it needs, days as a number if it is one."""
        operator = self.choice("operator")
        shape: dict[str, Any] = {"type": self.KIND, "operator": operator}
        if operator in ("before", "after"):
            shape["date"] = self.text("date")
        elif operator == "between":
            shape.update(start=self.text("start"), end=self.text("end"))
        else:
            shape["days"] = _whole_number(self.text("days"))
        return shape


class PageCard(CriterionCard):
    """Page visited: visited or not a path, by how the path is matched."""

    KIND = "page_visited"
    TITLE = "Page visited"
    OPERATORS = (("visited", "visited"), ("not_visited", "not visited"))
    MATCHES = (
        ("equals", "equals"),
        ("contains", "contains"),
        ("starts_with", "starts with"),
        ("ends_with", "ends with"),
    )

    def compose_fields(self) -> Iterator[Widget]:
        """Operator, how to match, then the path."""
        yield self.choice_field("operator", self.OPERATORS)
        yield self.choice_field("match", self.MATCHES)
        yield self.text_field("path", "path, e.g. /cart")

    def raw(self) -> dict[str, Any]:
        """The path exactly as typed; the engine normalises it."""
        return {
            "type": self.KIND,
            "operator": self.choice("operator"),
            "match": self.choice("match"),
            "path": self.text("path"),
        }


CARDS: dict[str, type[CriterionCard]] = {
    card.KIND: card for card in (LanguageCard, SessionsCard, PageCard)
}


def card_for(raw: Mapping[str, Any], position: int) -> CriterionCard:
    """The card for a criterion's JSON, by its type."""
    return CARDS[str(raw.get("type"))](position, raw)


def _whole_number(text: str) -> int | str | None:
    """Days as typed: a number when it is one, so the engine can say what is wrong."""
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return text
