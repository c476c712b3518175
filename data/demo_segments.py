"""The example segments that a demo database starts with, one per use case.

Definitions are plain dictionaries in the stored JSON format; this layer does
not know the rule engine, which validates them in its own tests.
"""

from __future__ import annotations

from typing import Any

from data.demo_catalogue import DAY, SALES, YEAR, micros_to_date, sale_windows

SUMMER_SALE = next(sale for sale in SALES if sale.path == "/summer-sale")


def summer_sale_cutoff(now: int) -> str:
    """A date in the middle of the latest summer sale that the data covers.

    Some who saw that sale had used the app before it and some only joined
    during it, so "saw the sale before this date" is a real choice.
    """
    windows = [w for w in sale_windows(SUMMER_SALE, now) if w[0] + 14 * DAY <= now]
    start, end = windows[-1]
    covered_start, covered_end = max(start, now - YEAR), min(end, now)
    return micros_to_date((covered_start + covered_end) // 2).isoformat()


def example_segments(now: int) -> list[dict[str, Any]]:
    """The example segment definitions for data anchored at `now`."""
    cutoff = summer_sale_cutoff(now)
    return [
        {
            "name": "Cart abandoners - English",
            "match": "all",
            "criteria": [
                _language("contains", "en"),
                {"type": "app_sessions", "operator": "within_last", "days": 7},
                _page("visited", "starts_with", "/cart"),
                _page("not_visited", "equals", "/checkout/complete"),
            ],
        },
        {
            "name": "Inactive for 7 days",
            "match": "all",
            "criteria": [
                {"type": "app_sessions", "operator": "not_within_last", "days": 7}
            ],
        },
        {
            "name": "French speakers",
            "match": "all",
            "criteria": [_language("contains", "fr")],
        },
        {
            "name": f"Saw the summer sale before {cutoff}",
            "match": "all",
            "criteria": [
                _page("visited", "equals", SUMMER_SALE.path),
                {"type": "app_sessions", "operator": "before", "date": cutoff},
            ],
        },
    ]


def _language(operator: str, language: str) -> dict[str, Any]:
    """A device_language criterion on one language."""
    return {"type": "device_language", "operator": operator, "languages": [language]}


def _page(operator: str, match: str, path: str) -> dict[str, Any]:
    """A page_visited criterion."""
    return {"type": "page_visited", "operator": operator, "match": match, "path": path}
