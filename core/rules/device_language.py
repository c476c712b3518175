"""Device language: contains / does not contain one or more language tags.

A listed tag covers a user's tag when it is equal or a prefix ending at a `-`
(`de` covers `de-at`; `pt-br` does not cover `pt-pt`). Unknown languages are
covered by no tag, so those users are always in `not_contains`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyroaring import BitMap

from core.problems import Fields
from core.scope import Scope, UserFacts, Verdict
from data import user_sets
from data.languages import display_language, normalise_language, tag_matches

KIND = "device_language"
OPERATORS = ("contains", "not_contains")


@dataclass(frozen=True)
class DeviceLanguage:
    """The criterion: an operator and the normalised tags it lists."""

    operator: str
    languages: tuple[str, ...]

    kind = KIND

    def to_json(self) -> dict[str, Any]:
        """The definition-file form."""
        shown = [display_language(tag) for tag in self.languages]
        return {"type": KIND, "operator": self.operator, "languages": shown}

    def describe(self) -> str:
        """Plain words, as the segment list and `count --json` show it."""
        shown = [display_language(tag) for tag in self.languages]
        if len(shown) == 1:
            verb = "is" if self.operator == "contains" else "is not"
            return f"language {verb} {shown[0]}"
        verb = "is one of" if self.operator == "contains" else "is none of"
        return f"language {verb} {', '.join(shown)}"


def parse(raw: Mapping[str, Any], position: int) -> DeviceLanguage:
    """Check a raw criterion and build it; raises `DefinitionError`."""
    fields = Fields(raw, position, KIND)
    operator = fields.choice("operator", OPERATORS)
    tags: list[str] = []
    for value in fields.text_list("languages"):
        tag = normalise_language(value)
        if tag is None:
            raise fields.fail("languages", f"{value!r} is not a language tag")
        if tag not in tags:
            tags.append(tag)
    return DeviceLanguage(operator, tuple(tags))


def members(criterion: DeviceLanguage, scope: Scope) -> BitMap:
    """The users the criterion holds for."""
    listed = [
        key
        for key, tag in scope.languages
        if any(tag_matches(wanted, tag) for wanted in criterion.languages)
    ]
    speakers = scope.sets(user_sets.LANGUAGE, listed)
    if criterion.operator == "contains":
        return speakers
    return scope.all_users - speakers


def covers(criterion: DeviceLanguage, language: str | None) -> bool:
    """Whether any listed tag covers `language`."""
    if language is None:
        return False
    return any(tag_matches(tag, language) for tag in criterion.languages)


def verdict(criterion: DeviceLanguage, facts: UserFacts, _scope: Scope) -> Verdict:
    """Judge one user, saying which language decided it."""
    shown = display_language(facts.language)
    matched = covers(criterion, facts.language)
    holds = matched == (criterion.operator == "contains")
    if facts.language is None:
        reason = "device language is unknown"
    elif matched:
        reason = f"device language {shown} is listed"
    else:
        reason = f"device language {shown} is not listed"
    return Verdict(holds, reason)
