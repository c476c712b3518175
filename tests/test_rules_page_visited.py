"""Page visited: equals, contains, starts_with, ends_with over normalised paths.

Every character of a criterion is literal: `%`, `_`, `*`, `.` and `(` match
only themselves, whatever a database's pattern syntax would make of them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from core.evaluation import evaluation
from core.rules.page_visited import path_warning
from tests.factories import add_user, clock_at, members, new_database, segment

CLOCK = clock_at("2024-06-01T12:00:00Z", "Europe/Paris")
WHEN = "2024-05-20T10:00:00Z"

# external id -> the raw paths (or URLs) the source gave for their visits
VISITS = {
    "open_encoded": ["/blog/tags/open%20source"],
    "open_plain": ["/blog/tags/open source"],
    "logstash": ["/images/logstash_OSCON.pdf"],
    "logstash_x": ["/images/logstashXoscon.pdf"],
    "percent": ["/deals/100%25-off"],
    "no_percent": ["/deals/100x-off"],
    "shop": ["/shop"],
    "shop_slash": ["/shop/"],
    "shop_query": ["/Shop?ref=mail#top"],
    "shop_double": ["/shop//"],
    "shopping": ["/shopping"],
    "cart_fragment": ["/cart#summary"],
    "cart_bare": ["cart"],
    "checkout_url": ["https://www.example.com/Checkout/Complete?utm_source=x#y"],
    "dot": ["/a.b"],
    "not_dot": ["/axb"],
    "star": ["/x*y"],
    "not_star": ["/xzy"],
    "paren": ["/f(1)"],
    "sale": ["/summer-sale/shoes"],
    "question": ["/what%3F"],
    "cafe": ["/caf%C3%A9"],
    "several": ["/help", "/account/orders", "/search?q=cart"],
    "no_visits": [],
}
EVERYONE = frozenset(VISITS)


@pytest.fixture
def engine(tmp_path) -> Iterator[Engine]:
    """A database with the visits of VISITS, one hour apart per user."""
    engine = new_database(tmp_path)
    for external_id, paths in VISITS.items():
        times = [f"2024-05-20T{10 + hour:02d}:00:00Z" for hour in range(len(paths))]
        add_user(engine, external_id, visits=list(zip(paths, times, strict=True)))
    yield engine
    engine.dispose()


def page(match: str, path: str, operator: str = "visited") -> dict[str, str]:
    """A raw page_visited criterion."""
    return {"type": "page_visited", "operator": operator, "match": match, "path": path}


def visited(engine: Engine, match: str, path: str) -> frozenset[str]:
    """Who visited a page matching, after checking not_visited is the rest."""
    found = members(engine, CLOCK, page(match, path))
    assert members(engine, CLOCK, page(match, path, "not_visited")) == (
        EVERYONE - found
    )
    return found


def test_percent_encoding_is_decoded_on_both_sides(engine: Engine) -> None:
    both = {"open_encoded", "open_plain"}
    assert visited(engine, "equals", "/blog/tags/open%20source") == both
    assert visited(engine, "equals", "/blog/tags/open source") == both
    assert visited(engine, "contains", "open%20") == both
    assert visited(engine, "ends_with", "tags/open source") == both


def test_an_underscore_is_not_a_wildcard(engine: Engine) -> None:
    assert visited(engine, "contains", "_") == {"logstash"}
    assert visited(engine, "equals", "/images/logstash_OSCON.pdf") == {"logstash"}
    assert visited(engine, "starts_with", "/images/logstash_") == {"logstash"}
    assert visited(engine, "ends_with", "h_oscon.pdf") == {"logstash"}


def test_a_percent_sign_is_literal(engine: Engine) -> None:
    assert visited(engine, "contains", "%") == {"percent"}
    assert visited(engine, "contains", "100%25") == {"percent"}
    assert visited(engine, "equals", "/deals/100%-off") == {"percent"}
    assert visited(engine, "starts_with", "/deals/100%") == {"percent"}


def test_pattern_characters_are_literal(engine: Engine) -> None:
    assert visited(engine, "equals", "/a.b") == {"dot"}
    assert visited(engine, "contains", "x*y") == {"star"}
    assert visited(engine, "contains", "*") == {"star"}
    assert visited(engine, "starts_with", "/f(") == {"paren"}
    assert visited(engine, "ends_with", "(1)") == {"paren"}


def test_equals_ignores_one_trailing_slash(engine: Engine) -> None:
    shop = {"shop", "shop_slash", "shop_query"}
    assert visited(engine, "equals", "/shop") == shop
    assert visited(engine, "equals", "/shop/") == shop
    assert visited(engine, "equals", "/shop//") == {"shop_double"}


def test_other_matches_keep_the_trailing_slash(engine: Engine) -> None:
    assert visited(engine, "starts_with", "/shop/") == {"shop_slash", "shop_double"}
    assert visited(engine, "starts_with", "/shop") == {
        "shop",
        "shop_slash",
        "shop_query",
        "shop_double",
        "shopping",
    }
    assert visited(engine, "ends_with", "shop/") == {"shop_slash"}


def test_the_query_string_is_dropped(engine: Engine) -> None:
    assert visited(engine, "equals", "/shop?utm_source=mail") == {
        "shop",
        "shop_slash",
        "shop_query",
    }
    assert visited(engine, "contains", "ref") == set()
    assert visited(engine, "contains", "q=cart") == set()


def test_the_fragment_is_dropped(engine: Engine) -> None:
    assert visited(engine, "equals", "/cart") == {"cart_fragment"}
    assert visited(engine, "equals", "/cart#other") == {"cart_fragment"}
    assert visited(engine, "contains", "summary") == set()


def test_an_encoded_question_mark_stays_in_the_path(engine: Engine) -> None:
    assert visited(engine, "equals", "/what%3F") == {"question"}
    assert visited(engine, "equals", "/what") == set()


def test_a_full_url_is_reduced_to_its_path(engine: Engine) -> None:
    assert visited(engine, "equals", "/checkout/complete") == {"checkout_url"}
    url = "https://shop.example.org/CHECKOUT/complete/?step=3"
    assert visited(engine, "equals", url) == {"checkout_url"}
    assert visited(engine, "contains", "example.com") == set()


def test_case_is_ignored(engine: Engine) -> None:
    assert visited(engine, "equals", "/CART") == {"cart_fragment"}
    assert visited(engine, "contains", "OSCON") == {"logstash", "logstash_x"}
    assert visited(engine, "equals", "/CAFÉ") == {"cafe"}


def test_nothing_is_added_to_the_criterion_path(engine: Engine) -> None:
    assert visited(engine, "equals", "cart") == {"cart_bare"}
    assert visited(engine, "starts_with", "cart") == {"cart_bare"}
    assert visited(engine, "contains", "cart") == {"cart_fragment", "cart_bare"}
    assert visited(engine, "contains", "sale") == {"sale"}


def test_one_matching_visit_among_many_is_enough(engine: Engine) -> None:
    assert visited(engine, "starts_with", "/account/") == {"several"}


def test_users_without_visits_are_only_in_not_visited(engine: Engine) -> None:
    everything = members(engine, CLOCK, page("contains", "/"))
    assert "no_visits" not in everything
    assert members(engine, CLOCK, page("contains", "/", "not_visited")) == {
        "no_visits",
        "cart_bare",
    }


@pytest.mark.parametrize(
    ("match", "path", "warned"),
    [
        ("equals", "cart", True),
        ("starts_with", "cart", True),
        ("contains", "cart", False),
        ("ends_with", "cart", False),
        ("equals", "/cart", False),
        ("starts_with", "/cart", False),
    ],
)
def test_path_warning_for_a_missing_leading_slash(
    match: str, path: str, warned: bool
) -> None:
    criterion = segment(page(match, path)).criteria[0]
    assert criterion.kind == "page_visited"
    assert (path_warning(criterion) is not None) == warned  # type: ignore[arg-type]


def test_explanation_names_the_matching_visit(engine: Engine) -> None:
    definition = segment(page("starts_with", "/account"))
    with evaluation(engine, CLOCK) as current:
        several = current.explain(definition, "several")
        shop = current.explain(definition, "shop")
        nobody = current.explain(definition, "no_visits")
    assert several is not None and several.is_member
    assert several.verdicts[0].reason == (
        "visited /account/orders at 2024-05-20 13:00:00 CEST"
    )
    assert shop is not None and not shop.is_member
    assert shop.verdicts[0].reason == "none of 1 page visits match"
    assert nobody is not None
    assert nobody.verdicts[0].reason == "no page visits at all"


def test_pages_are_stored_normalised(engine: Engine) -> None:
    with engine.connect() as connection:
        paths = {row[0] for row in connection.exec_driver_sql("SELECT path FROM pages")}
    assert "/blog/tags/open source" in paths
    assert "/images/logstash_oscon.pdf" in paths
    assert "/checkout/complete" in paths
    assert not any("?" in path and path != "/what?" for path in paths)
