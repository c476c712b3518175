"""What is wrong with a definition, said so that a person can find and fix it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One mistake: where it is (criterion and field) and what is wrong."""

    message: str
    field: str
    criterion: int | None = None
    kind: str | None = None

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        if self.criterion is None:
            return f"{where}{self.message}"
        kind = f" ({self.kind})" if self.kind else ""
        return f"criterion {self.criterion}{kind}: {where}{self.message}"


class DefinitionError(ValueError):
    """A definition that cannot be used; holds every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class Fields:
    """Typed access to the fields of one raw criterion, raising on mistakes."""

    raw: Mapping[str, Any]
    criterion: int
    kind: str

    def fail(self, field: str, message: str) -> DefinitionError:
        """The error for `field`, ready to raise."""
        return DefinitionError([Problem(message, field, self.criterion, self.kind)])

    def text(self, field: str) -> str:
        """A required, non-empty string field."""
        value = self.raw.get(field)
        if value is None:
            raise self.fail(field, "is missing")
        if not isinstance(value, str):
            raise self.fail(field, f"must be text, got {_json_kind(value)}")
        if not value.strip():
            raise self.fail(field, "must not be empty")
        return value

    def choice(self, field: str, options: Sequence[str]) -> str:
        """A string field that must be one of `options`."""
        value = self.text(field)
        if value not in options:
            allowed = ", ".join(options)
            raise self.fail(field, f"must be one of {allowed}, got {value!r}")
        return value

    def whole_number(self, field: str, low: int, high: int) -> int:
        """An integer field within `low`..`high`, both included."""
        value = self.raw.get(field)
        if value is None:
            raise self.fail(field, "is missing")
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(field, f"must be a whole number, got {_json_kind(value)}")
        if not low <= value <= high:
            raise self.fail(field, f"must be from {low} to {high}, got {value}")
        return value

    def text_list(self, field: str) -> list[str]:
        """A required, non-empty list of non-empty strings."""
        value = self.raw.get(field)
        if value is None:
            raise self.fail(field, "is missing")
        if not isinstance(value, list):
            raise self.fail(field, f"must be a list, got {_json_kind(value)}")
        if not value:
            raise self.fail(field, "must list at least one value")
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise self.fail(field, f"must hold only non-empty text, got {item!r}")
        return value


def _json_kind(value: object) -> str:
    """How a JSON value is called in messages."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"
