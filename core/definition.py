"""Segment definitions: the JSON format, checked field by field.

The same format is read by `--definition`, `segments apply`, the database and
the form, so one parser says what is valid everywhere.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.problems import DefinitionError, Problem
from core.rules import KINDS, Criterion

MATCHES = ("all", "any")
MAX_NAME = 100
MAX_CRITERIA = 50


@dataclass(frozen=True)
class SegmentDefinition:
    """A segment: its name, ALL or ANY, and its criteria in order."""

    name: str
    match: str
    criteria: tuple[Criterion, ...]

    def to_json(self) -> dict[str, Any]:
        """The definition-file form."""
        return {
            "name": self.name,
            "match": self.match,
            "criteria": [criterion.to_json() for criterion in self.criteria],
        }

    def describe(self) -> str:
        """The criteria in short plain words, joined by their match rule."""
        joiner = " and " if self.match == "all" else " or "
        return joiner.join(criterion.describe() for criterion in self.criteria)


def parse_definition(raw: object) -> SegmentDefinition:
    """Check a raw definition and build it; raises `DefinitionError`.

    Every problem found is reported at once, so a form can mark them all.
    """
    if not isinstance(raw, Mapping):
        raise DefinitionError([Problem("must be a JSON object", "definition")])
    problems: list[Problem] = []
    name = _name(raw.get("name"), problems)
    match = raw.get("match")
    if match not in MATCHES:
        problems.append(Problem(f"must be 'all' or 'any', got {match!r}", "match"))
    criteria = _criteria(raw.get("criteria"), problems)
    if problems:
        raise DefinitionError(problems)
    return SegmentDefinition(name, str(match), tuple(criteria))


def _name(value: object, problems: list[Problem]) -> str:
    """The segment's name, noting what is wrong with it."""
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem("must be non-empty text", "name"))
        return ""
    name = value.strip()
    control = next((c for c in name if unicodedata.category(c) == "Cc"), None)
    if control is not None:
        problems.append(
            Problem(f"must not hold control characters (U+{ord(control):04X})", "name")
        )
    if len(name) > MAX_NAME:
        problems.append(
            Problem(f"is {len(name)} characters; at most {MAX_NAME}", "name")
        )
    return name


def _criteria(value: object, problems: list[Problem]) -> list[Criterion]:
    """Each criterion parsed by its kind's module, noting what is wrong."""
    if not isinstance(value, list) or not value:
        problems.append(Problem("must be a list of 1 to 50 criteria", "criteria"))
        return []
    if len(value) > MAX_CRITERIA:
        problems.append(
            Problem(f"has {len(value)} criteria; at most {MAX_CRITERIA}", "criteria")
        )
    parsed: list[Criterion] = []
    for position, raw in enumerate(value, start=1):
        try:
            parsed.append(parse_criterion(raw, position))
        except DefinitionError as error:
            problems.extend(error.problems)
    return parsed


def parse_criterion(raw: object, position: int) -> Criterion:
    """One criterion, by the module of its `type`; raises `DefinitionError`."""
    if not isinstance(raw, Mapping):
        raise DefinitionError([Problem("must be a JSON object", "", position)])
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in KINDS:
        known = ", ".join(KINDS)
        message = f"must be one of {known}, got {kind!r}"
        raise DefinitionError([Problem(message, "type", position)])
    return KINDS[kind].parse(raw, position)  # type: ignore[no-any-return]
