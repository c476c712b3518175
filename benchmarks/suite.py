"""The fixed suite of segments the benchmark times.

Every operator of every kind alone, each page match type visited and not
visited, then two sets of four criteria under ALL and under ANY.

Dates are placed relative to the demo's anchor instant so that every window
holds users at any size; the `contains` path is picked from the pages table so
that it matches about a thousand distinct paths.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

CONTAINS_TARGET = 1_000
CONTAINS_TOLERANCE = 0.15
LANGUAGE_SET = ["fr", "de", "pt-BR"]


@dataclass(frozen=True)
class SuiteSegment:
    """One benchmark segment: a short label and its definition JSON."""

    label: str
    definition: dict[str, Any]


@dataclass(frozen=True)
class ContainsChoice:
    """The substring used for `contains`, and how many distinct paths it matches."""

    text: str
    paths: int


def choose_contains(connection: sqlite3.Connection) -> ContainsChoice:
    """A substring of product slugs that matches about a thousand distinct paths.

    The longest substring within the tolerance of the target wins, then the one
    closest to it; a small database aims at a fifth of its paths instead.
    """
    paths = [path for (path,) in connection.execute("SELECT path FROM pages")]
    target = min(CONTAINS_TARGET, max(1, len(paths) // 5))
    counts = _substring_counts(paths)
    near = [
        text
        for text, found in counts.items()
        if abs(found - target) <= CONTAINS_TOLERANCE * target
    ]
    if near:
        best = min(
            near, key=lambda text: (-len(text), abs(counts[text] - target), text)
        )
    else:
        best = min(counts, key=lambda text: (abs(counts[text] - target), text))
    return ContainsChoice(best, counts[best])


def _substring_counts(paths: list[str]) -> Counter[str]:
    """For each short substring of a product slug, how many paths hold it.

    Substrings are taken from the slugs so that the choice is a real `contains`,
    not a disguised prefix such as `/product/s`; they are counted over all paths.
    """
    slugs = [path.rsplit("/", 1)[-1] for path in paths if path.startswith("/product/")]
    candidates = set().union(*(_inner_substrings(slug) for slug in slugs))
    counts: Counter[str] = Counter()
    for path in paths:
        counts.update(text for text in _inner_substrings(path) if text in candidates)
    return counts


def _inner_substrings(path: str) -> set[str]:
    """Every distinct substring of 2 to 10 characters of `path`."""
    return {
        path[i : i + size] for size in range(2, 11) for i in range(len(path) - size + 1)
    }


def anchor_date(now: int) -> date:
    """The UTC calendar day of the anchor instant."""
    return datetime.fromtimestamp(now / 1_000_000, UTC).date()


def build_suite(now: int, contains: ContainsChoice) -> list[SuiteSegment]:
    """The segments, in the order the table prints them."""
    return [
        *_language_segments(),
        *_session_segments(anchor_date(now)),
        *_page_segments(contains.text),
        *_combinations(contains.text),
    ]


def _one(label: str, criterion: dict[str, Any]) -> SuiteSegment:
    """A segment of one criterion."""
    return SuiteSegment(label, _definition(label, "all", [criterion]))


def _definition(
    name: str, match: str, criteria: list[dict[str, Any]]
) -> dict[str, Any]:
    """A definition in the stored JSON format."""
    return {"name": name, "match": match, "criteria": criteria}


def _language(operator: str, languages: list[str]) -> dict[str, Any]:
    """A device_language criterion."""
    return {"type": "device_language", "operator": operator, "languages": languages}


def _page(operator: str, match: str, path: str) -> dict[str, Any]:
    """A page_visited criterion."""
    return {"type": "page_visited", "operator": operator, "match": match, "path": path}


def _language_segments() -> list[SuiteSegment]:
    """Languages in, and not in, a set (prefix and exact tags mixed)."""
    listed = ", ".join(LANGUAGE_SET)
    return [
        _one(f"language in {listed}", _language("contains", LANGUAGE_SET)),
        _one(f"language not in {listed}", _language("not_contains", LANGUAGE_SET)),
    ]


def _session(operator: str, **fields: object) -> dict[str, Any]:
    """An app_sessions criterion."""
    return {"type": "app_sessions", "operator": operator, **fields}


def _session_segments(today: date) -> list[SuiteSegment]:
    """Each app_sessions operator, with dates a few months before the anchor."""
    early = (today - timedelta(days=270)).isoformat()
    late = (today - timedelta(days=30)).isoformat()
    start = (today - timedelta(days=120)).isoformat()
    end = (today - timedelta(days=91)).isoformat()
    return [
        _one(f"session before {early}", _session("before", date=early)),
        _one(f"session after {late}", _session("after", date=late)),
        _one(
            f"session between {start} and {end}",
            _session("between", start=start, end=end),
        ),
        _one("session within last 7 days", _session("within_last", days=7)),
        _one("no session within last 30 days", _session("not_within_last", days=30)),
    ]


def _page_paths(contains: str) -> list[tuple[str, str]]:
    """One path per match type; `equals` is given with a trailing slash."""
    return [
        ("equals", "/cart/"),
        ("contains", contains),
        ("starts_with", "/category/"),
        ("ends_with", "-sale"),
    ]


def _page_segments(contains: str) -> list[SuiteSegment]:
    """Visited and not visited, for each match type."""
    segments = []
    for operator in ("visited", "not_visited"):
        for match, path in _page_paths(contains):
            label = f"{operator.replace('_', ' ')} {match} {path}"
            segments.append(_one(label, _page(operator, match, path)))
    return segments


def _combinations(contains: str) -> list[SuiteSegment]:
    """Two sets of four criteria, each under ALL and under ANY."""
    abandoners = [
        _language("contains", ["en"]),
        _session("within_last", days=7),
        _page("visited", "starts_with", "/cart"),
        _page("not_visited", "equals", "/checkout/complete"),
    ]
    browsers = [
        _language("not_contains", ["en"]),
        _session("not_within_last", days=30),
        _page("visited", "contains", contains),
        _page("not_visited", "ends_with", "-sale"),
    ]
    segments = []
    for name, criteria in (
        ("cart abandoners", abandoners),
        ("lapsed browsers", browsers),
    ):
        for match in ("all", "any"):
            label = f"{name}: {match.upper()} of 4"
            segments.append(SuiteSegment(label, _definition(label, match, criteria)))
    return segments
