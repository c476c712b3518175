"""Segment definitions: every way to get one wrong, and the exact round trip."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.definition import parse_definition
from core.problems import DefinitionError, Problem
from core.workspace import Workspace

VALID = {"type": "device_language", "operator": "contains", "languages": ["en"]}


def definition(*criteria: Any, name: Any = "Segment", match: Any = "all") -> dict:
    """A raw definition around the given raw criteria."""
    return {"name": name, "match": match, "criteria": list(criteria)}


def problems_of(raw: object) -> list[Problem]:
    """The problems parsing `raw` reports; fails if it parses."""
    with pytest.raises(DefinitionError) as caught:
        parse_definition(raw)
    assert str(caught.value) == "; ".join(str(p) for p in caught.value.problems)
    return caught.value.problems


def language(**fields: Any) -> dict:
    """A raw device_language criterion with `fields` changed."""
    return {"type": "device_language", "operator": "contains", **fields}


def sessions(**fields: Any) -> dict:
    """A raw app_sessions criterion with `fields` set."""
    return {"type": "app_sessions", **fields}


def page(**fields: Any) -> dict:
    """A raw page_visited criterion with `fields` changed."""
    base = {"type": "page_visited", "operator": "visited", "match": "equals"}
    return {**base, "path": "/cart", **fields}


INVALID_CRITERIA = [
    ({"type": "app_visits", "operator": "before"}, "type", None),
    ({"operator": "contains", "languages": ["en"]}, "type", None),
    ({"type": ["app_sessions"], "operator": "before"}, "type", None),
    ({"type": {"name": "app_sessions"}}, "type", None),
    (language(operator="is"), "operator", "device_language"),
    ({"type": "device_language", "languages": ["en"]}, "operator", "device_language"),
    (language(operator=5, languages=["en"]), "operator", "device_language"),
    (language(), "languages", "device_language"),
    (language(languages=[]), "languages", "device_language"),
    (language(languages="en"), "languages", "device_language"),
    (language(languages=[""]), "languages", "device_language"),
    (language(languages=["en", 3]), "languages", "device_language"),
    (language(languages=["not a language"]), "languages", "device_language"),
    (language(languages=["und"]), "languages", "device_language"),
    (sessions(operator="since", date="2024-01-01"), "operator", "app_sessions"),
    (sessions(operator="before"), "date", "app_sessions"),
    (sessions(operator="before", date="2024-13-01"), "date", "app_sessions"),
    (sessions(operator="after", date="2024-02-30"), "date", "app_sessions"),
    (sessions(operator="after", date="24-01-01"), "date", "app_sessions"),
    (sessions(operator="after", date="2024/01/01"), "date", "app_sessions"),
    (sessions(operator="after", date="2024-01-01T00:00"), "date", "app_sessions"),
    (sessions(operator="before", date=20240101), "date", "app_sessions"),
    (sessions(operator="before", date=""), "date", "app_sessions"),
    (
        sessions(operator="between", start="2024-02-02", end="2024-02-01"),
        "end",
        "app_sessions",
    ),
    (sessions(operator="between", start="2024-02-02"), "end", "app_sessions"),
    (
        sessions(operator="between", start="yesterday", end="2024-02-01"),
        "start",
        "app_sessions",
    ),
    (sessions(operator="within_last"), "days", "app_sessions"),
    (sessions(operator="within_last", days=0), "days", "app_sessions"),
    (sessions(operator="within_last", days=3651), "days", "app_sessions"),
    (sessions(operator="not_within_last", days=-1), "days", "app_sessions"),
    (sessions(operator="within_last", days="7"), "days", "app_sessions"),
    (sessions(operator="within_last", days=7.5), "days", "app_sessions"),
    (sessions(operator="within_last", days=True), "days", "app_sessions"),
    (sessions(operator="not_within_last", days=None), "days", "app_sessions"),
    (page(operator="seen"), "operator", "page_visited"),
    (page(match="regex"), "match", "page_visited"),
    (
        {"type": "page_visited", "operator": "visited", "path": "/"},
        "match",
        "page_visited",
    ),
    (page(path=""), "path", "page_visited"),
    (page(path="   "), "path", "page_visited"),
    (page(path="?utm_source=mail"), "path", "page_visited"),
    (page(path="#top"), "path", "page_visited"),
    (page(path=5), "path", "page_visited"),
    (page(path=None), "path", "page_visited"),
]


@pytest.mark.parametrize(("criterion", "field", "kind"), INVALID_CRITERIA)
def test_an_invalid_criterion_is_named_with_its_field(
    criterion: dict, field: str, kind: str | None
) -> None:
    problems = problems_of(definition(VALID, criterion))

    assert len(problems) == 1
    problem = problems[0]
    assert (problem.criterion, problem.field) == (2, field)
    if kind is not None:
        assert problem.kind == kind
        assert str(problem).startswith(f"criterion 2 ({kind}): {field}: ")
    else:
        assert str(problem).startswith("criterion 2")
        assert f"{field}: " in str(problem)
    assert problem.message


def test_a_criterion_that_is_not_an_object() -> None:
    problems = problems_of(definition("device_language"))
    assert [(p.criterion, p.field) for p in problems] == [(1, "")]
    assert str(problems[0]) == "criterion 1: must be a JSON object"


def test_the_date_problem_quotes_the_value() -> None:
    problems = problems_of(definition(sessions(operator="before", date="2024-02-30")))
    assert str(problems[0]) == (
        "criterion 1 (app_sessions): date: '2024-02-30' is not a date (YYYY-MM-DD)"
    )


def test_the_days_problem_gives_the_range() -> None:
    problems = problems_of(definition(sessions(operator="within_last", days=0)))
    assert str(problems[0]) == (
        "criterion 1 (app_sessions): days: must be from 1 to 3650, got 0"
    )


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (definition(VALID, name=""), "name"),
        (definition(VALID, name="   "), "name"),
        (definition(VALID, name=None), "name"),
        (definition(VALID, name=42), "name"),
        (definition(VALID, name="x" * 101), "name"),
        (definition(VALID, match="both"), "match"),
        (definition(VALID, match="ALL"), "match"),
        (definition(VALID, match=None), "match"),
        (definition(), "criteria"),
        ({"name": "Segment", "match": "all"}, "criteria"),
        ({"name": "Segment", "match": "all", "criteria": VALID}, "criteria"),
        (definition(*[VALID] * 51), "criteria"),
        (["not", "an", "object"], "definition"),
    ],
)
def test_an_invalid_segment_field(raw: object, field: str) -> None:
    problems = problems_of(raw)
    assert [(p.criterion, p.field) for p in problems] == [(None, field)]
    assert str(problems[0]).startswith(f"{field}: ")


def test_the_limits_themselves_are_valid() -> None:
    longest = parse_definition(definition(*[VALID] * 50, name="x" * 100))
    assert len(longest.criteria) == 50
    assert longest.name == "x" * 100
    assert parse_definition(definition(VALID, name="  Padded  ")).name == "Padded"


def test_every_problem_is_reported_at_once() -> None:
    raw = definition(
        VALID,
        sessions(operator="within_last", days=0),
        page(match="like"),
        name="",
        match="some",
    )
    problems = problems_of(raw)
    assert [(p.criterion, p.field) for p in problems] == [
        (None, "name"),
        (None, "match"),
        (2, "days"),
        (3, "match"),
    ]


ROUND_TRIPS = [
    definition(VALID),
    definition(
        {"type": "device_language", "operator": "contains", "languages": ["en"]},
        {"type": "app_sessions", "operator": "within_last", "days": 7},
        {
            "type": "page_visited",
            "operator": "visited",
            "match": "starts_with",
            "path": "/cart",
        },
        {
            "type": "page_visited",
            "operator": "not_visited",
            "match": "equals",
            "path": "/checkout/complete",
        },
        name="Cart abandoners - English",
    ),
    definition(
        language(operator="not_contains", languages=["fr_fr", "PT-br", "zh-Hans-CN"]),
        sessions(operator="before", date="2024-01-31"),
        sessions(operator="after", date="2023-12-01"),
        sessions(operator="between", start="2024-03-31", end="2024-03-31"),
        sessions(operator="not_within_last", days=3650),
        sessions(operator="within_last", days=1),
        page(match="contains", path="open%20source"),
        page(match="ends_with", path="logstash_OSCON.pdf", operator="not_visited"),
        page(match="equals", path="cart"),
        name="Everything — once",
        match="any",
    ),
]


@pytest.mark.parametrize("raw", ROUND_TRIPS)
def test_to_json_then_parse_is_identity(raw: dict) -> None:
    parsed = parse_definition(raw)
    again = parse_definition(json.loads(json.dumps(parsed.to_json())))
    assert again == parsed
    assert again.to_json() == parsed.to_json()


def test_to_json_is_the_definition_file_format() -> None:
    raw = ROUND_TRIPS[1]
    assert parse_definition(raw).to_json() == raw
    spelled = parse_definition(definition(language(languages=["fr_fr", "fr-FR"])))
    assert spelled.to_json()["criteria"][0]["languages"] == ["fr-FR"]
    between = sessions(operator="between", start="2024-01-01", end="2024-01-02")
    assert parse_definition(definition(between)).to_json()["criteria"] == [between]


def test_names_are_unique_ignoring_case(tmp_path) -> None:
    workspace = Workspace.open(tmp_path / "segments.db", create=True)
    saved = workspace.save_segment(parse_definition(definition(VALID, name="Cart")))
    clash = parse_definition(definition(VALID, name="CART"))
    with pytest.raises(DefinitionError) as caught:
        workspace.save_segment(clash)
    assert caught.value.problems[0].field == "name"
    renamed = workspace.save_segment(clash, replacing=saved.id)
    assert renamed.id == saved.id and renamed.definition.name == "CART"
    with pytest.raises(DefinitionError, match="twice"):
        workspace.apply([clash, parse_definition(definition(VALID, name="cart"))])
    workspace.engine.dispose()
