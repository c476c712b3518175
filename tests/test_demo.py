"""The demo data generator: deterministic, realistic, exact, and careful."""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from data import demo
from data.database import open_database
from data.demo import DemoRefused, DemoSummary, generate_demo, start_of_utc_day
from data.demo_catalogue import SALES, build_catalogue
from data.demo_segments import example_segments, summer_sale_cutoff
from data.instants import to_micros
from data.languages import normalise_language
from data.paths import normalise_path

NOW = to_micros(datetime(2026, 5, 28, tzinfo=UTC))
DAY = 86_400_000_000
HALF_HOUR = 30 * 60 * 1_000_000
KEYS = {
    "users": "1",
    "app_sessions": "1, 2, 3",
    "pages": "1",
    "page_visits": "1, 2, 3",
    "page_visitors": "1, 2",
    "segments": "1",
}
TABLES = tuple(KEYS)
SHOP_PATH = re.compile(
    r"^/($|search$|cart$|checkout$|checkout/complete$|account$|spring-sale$"
    r"|summer-sale$|black-friday$|category/[a-z]+$|product/[a-z0-9-]+-\d+$)"
)


def _generated(path: Path, **options: object) -> Engine:
    """A new database at `path` filled with demo data."""
    engine = open_database(path, create=True)
    generate_demo(engine, **{"users": 400, "now": NOW, **options})
    return engine


def _query(engine: Engine, sql: str) -> list[tuple]:
    """All rows of a query, through the engine's raw connection."""
    with engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(sql)]


def _value(engine: Engine, sql: str) -> object:
    """The single value of a query."""
    return _query(engine, sql)[0][0]


def _contents(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every data table, in a fixed order."""
    return {t: _query(engine, f"SELECT * FROM {t} ORDER BY {KEYS[t]}") for t in KEYS}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """One demo database of 1,500 users, shared by the read-only tests."""
    return _generated(tmp_path_factory.mktemp("demo") / "shop.db", users=1_500)


def test_same_seed_and_anchor_give_identical_databases(tmp_path: Path) -> None:
    first = _generated(tmp_path / "a.db", seed=7)
    second = _generated(tmp_path / "b.db", seed=7)
    assert _contents(first) == _contents(second)


def test_a_different_seed_gives_different_data(tmp_path: Path) -> None:
    first = _contents(_generated(tmp_path / "a.db", seed=1))
    second = _contents(_generated(tmp_path / "b.db", seed=2))
    assert first["app_sessions"] != second["app_sessions"]
    assert first["page_visits"] != second["page_visits"]


def test_chunk_size_does_not_change_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _contents(_generated(tmp_path / "a.db", users=300))
    monkeypatch.setattr(demo, "CHUNK_USERS", 70)
    chunked = _contents(_generated(tmp_path / "b.db", users=300))
    assert chunked == whole


def test_progress_is_reported_after_each_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "CHUNK_USERS", 100)
    calls: list[tuple[int, int]] = []
    _generated(tmp_path / "a.db", users=250, progress=lambda *c: calls.append(c))
    assert calls == [(100, 250), (200, 250), (250, 250)]


def test_refuses_a_database_that_holds_users(tmp_path: Path) -> None:
    engine = open_database(tmp_path / "a.db", create=True)
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO users (external_id) VALUES ('alice')")
    with pytest.raises(DemoRefused, match=r"holds data.*--replace"):
        generate_demo(engine, users=50, now=NOW)
    assert _query(engine, "SELECT external_id FROM users") == [("alice",)]
    assert _value(engine, "SELECT count(*) FROM pages") == 0


def test_refuses_a_database_that_holds_segments(tmp_path: Path) -> None:
    engine = _generated(tmp_path / "a.db", users=50)
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM page_visitors")
        connection.exec_driver_sql("DELETE FROM page_visits")
        connection.exec_driver_sql("DELETE FROM app_sessions")
        connection.exec_driver_sql("DELETE FROM users")
        connection.exec_driver_sql("DELETE FROM pages")
    with pytest.raises(DemoRefused, match="segments"):
        generate_demo(engine, users=50, now=NOW)


def test_replace_deletes_the_old_data_first(tmp_path: Path) -> None:
    engine = _generated(tmp_path / "a.db", seed=1)
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO users (external_id) VALUES ('alice')")
    generate_demo(engine, users=400, seed=2, now=NOW, replace=True)
    assert _contents(engine) == _contents(_generated(tmp_path / "b.db", seed=2))


def test_a_failure_leaves_the_database_untouched(tmp_path: Path) -> None:
    engine = _generated(tmp_path / "a.db", users=100)
    before = _contents(engine)

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate_demo(engine, users=300, now=NOW, replace=True, progress=interrupt)
    assert _contents(engine) == before
    assert _value(engine, "PRAGMA foreign_keys") == 1


def test_rejects_fewer_than_one_user(tmp_path: Path) -> None:
    engine = open_database(tmp_path / "a.db", create=True)
    with pytest.raises(ValueError, match="at least 1 user"):
        generate_demo(engine, users=0, now=NOW)


def test_summary_counts_the_rows_written(tmp_path: Path) -> None:
    engine = open_database(tmp_path / "a.db", create=True)
    summary = generate_demo(engine, users=300, now=NOW)
    counts = [_value(engine, f"SELECT count(*) FROM {t}") for t in TABLES]
    users, sessions, pages, visits, _, segments = counts
    assert summary == DemoSummary(users, sessions, visits, pages, segments)
    assert summary.users == 300


def test_indexes_are_the_same_after_generation(tmp_path: Path) -> None:
    engine = open_database(tmp_path / "a.db", create=True)
    schema = "SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY 1"
    before = _query(engine, schema)
    generate_demo(engine, users=100, now=NOW)
    assert _query(engine, schema) == before


def test_first_and_last_session_are_exact(shop: Engine) -> None:
    mismatched = _value(
        shop,
        "SELECT count(*) FROM users u LEFT JOIN (SELECT user_id, min(started_at) AS"
        " first, max(started_at) AS last FROM app_sessions GROUP BY user_id) s"
        " ON s.user_id = u.id WHERE u.first_session_at IS NOT s.first"
        " OR u.last_session_at IS NOT s.last",
    )
    assert mismatched == 0


def test_page_visitors_are_the_distinct_page_visits(shop: Engine) -> None:
    visitors = _query(shop, "SELECT page_id, user_id FROM page_visitors ORDER BY 1, 2")
    distinct = _query(
        shop, "SELECT DISTINCT page_id, user_id FROM page_visits ORDER BY 1, 2"
    )
    assert visitors == distinct
    assert len(visitors) > 1_000


def test_references_are_intact(shop: Engine) -> None:
    assert _query(shop, "PRAGMA foreign_key_check") == []


def test_languages_are_a_normalised_real_world_mix(shop: Engine) -> None:
    counts = dict(_query(shop, "SELECT language, count(*) FROM users GROUP BY 1"))
    assert 0.03 < counts[None] / 1_500 < 0.12
    assert all(normalise_language(tag) == tag for tag in counts if tag)
    assert max(counts, key=counts.get) == "en-us"
    assert {"en", "fr", "fr-ca", "de-at", "pt-br", "ja-jp", "zh-cn"} <= set(counts)


def test_activity_is_heavy_tailed(shop: Engine) -> None:
    counts = [
        row[0]
        for row in _query(
            shop,
            "SELECT count(s.user_id) FROM users u LEFT JOIN app_sessions s"
            " ON s.user_id = u.id GROUP BY u.id",
        )
    ]
    assert 0.02 < counts.count(0) / len(counts) < 0.1
    assert sum(1 for c in counts if 1 <= c <= 3) / len(counts) > 0.3
    assert max(counts) > 300
    assert 10 < sum(counts) / len(counts) < 40


def test_recency_splits_the_users(shop: Engine) -> None:
    def share_since(days: int) -> float:
        since = NOW - days * DAY
        sql = f"SELECT avg(coalesce(last_session_at >= {since}, 0)) FROM users"
        return float(_value(shop, sql))

    assert 0.1 < share_since(7) < share_since(30) < 0.7


def test_instants_lie_in_the_year_before_the_anchor(shop: Engine) -> None:
    sessions = _query(shop, "SELECT min(started_at), max(started_at) FROM app_sessions")
    visits = _query(shop, "SELECT min(visited_at), max(visited_at) FROM page_visits")
    for earliest, latest in (*sessions, *visits):
        assert NOW - 365 * DAY <= earliest <= latest < NOW


def test_visits_lie_within_half_an_hour_of_a_session_start(shop: Engine) -> None:
    outside = _value(
        shop,
        "SELECT count(*) FROM page_visits v WHERE NOT EXISTS (SELECT 1 FROM"
        " app_sessions s WHERE s.user_id = v.user_id AND s.started_at"
        f" BETWEEN v.visited_at - {HALF_HOUR} AND v.visited_at)",
    )
    assert outside == 0


def test_visits_never_precede_the_first_session(shop: Engine) -> None:
    early = _value(
        shop,
        "SELECT count(*) FROM page_visits v JOIN users u ON u.id = v.user_id"
        " WHERE u.first_session_at IS NULL OR v.visited_at < u.first_session_at",
    )
    assert early == 0


def test_pages_are_those_of_a_shop(shop: Engine) -> None:
    paths = [row[0] for row in _query(shop, "SELECT path FROM pages")]
    assert all(SHOP_PATH.match(path) and normalise_path(path) == path for path in paths)
    assert sum(path.startswith("/product/") for path in paths) > 100


def test_the_checkout_funnel_narrows(shop: Engine) -> None:
    def visitors(path: str) -> int:
        sql = (
            "SELECT count(*) FROM page_visitors v JOIN pages p ON p.id = v.page_id"
            f" WHERE p.path = '{path}'"
        )
        return int(_value(shop, sql))

    assert visitors("/") > visitors("/cart") > visitors("/checkout")
    assert visitors("/checkout") > visitors("/checkout/complete") > 0


def test_sale_pages_are_visited_only_while_the_sale_runs(shop: Engine) -> None:
    for sale in SALES:
        days = _query(
            shop,
            "SELECT DISTINCT v.visited_at / 86400000000 FROM page_visits v"
            f" JOIN pages p ON p.id = v.page_id WHERE p.path = '{sale.path}'",
        )
        assert days, sale.path
        for (day,) in days:
            moment = date(1970, 1, 1) + timedelta(days=day)
            start = date(moment.year, sale.month, sale.day)
            assert start <= moment < start + timedelta(days=sale.days + 1)


def test_catalogue_grows_with_the_users() -> None:
    small = build_catalogue(random.Random(1), 10_000, NOW).paths
    large = build_catalogue(random.Random(1), 1_000_000, NOW).paths
    assert 200 < len(small) < 600
    assert 4_500 < len(large) < 5_500
    assert len(set(large)) == len(large)


def test_example_segments_are_stored(shop: Engine) -> None:
    rows = _query(shop, "SELECT * FROM segments ORDER BY id")
    expected = example_segments(NOW)
    assert [json.loads(row[3]) for row in rows] == expected
    for _, name, name_key, definition, created_at, updated_at in rows:
        assert name_key == name.casefold()
        assert created_at == updated_at == NOW
        assert set(json.loads(definition)) == {"name", "match", "criteria"}
    names = [row[1] for row in rows]
    assert names[:3] == [
        "Cart abandoners - English",
        "Inactive for 7 days",
        "French speakers",
    ]


def test_example_criteria_have_their_kinds_keys() -> None:
    keys = {
        "device_language": {"type", "operator", "languages"},
        "page_visited": {"type", "operator", "match", "path"},
    }
    for segment in example_segments(NOW):
        assert segment["match"] == "all"
        for criterion in segment["criteria"]:
            if criterion["type"] == "app_sessions":
                assert criterion["operator"] in {
                    "before",
                    "within_last",
                    "not_within_last",
                }
                assert set(criterion) - {"type", "operator"} <= {"days", "date"}
            else:
                assert set(criterion) == keys[criterion["type"]]


@pytest.mark.parametrize("month", range(1, 13))
def test_summer_sale_cutoff_falls_inside_a_covered_sale(month: int) -> None:
    now = to_micros(datetime(2026, month, 10, tzinfo=UTC))
    cutoff = date.fromisoformat(summer_sale_cutoff(now))
    today = date(2026, month, 10)
    assert today - timedelta(days=365) < cutoff < today
    assert date(cutoff.year, 6, 15) < cutoff < date(cutoff.year, 9, 1)


def test_the_summer_sale_segment_selects_some_users(shop: Engine) -> None:
    cutoff = to_micros(datetime.fromisoformat(summer_sale_cutoff(NOW)))
    members = _value(
        shop,
        "SELECT count(*) FROM page_visitors v JOIN pages p ON p.id = v.page_id"
        " JOIN users u ON u.id = v.user_id WHERE p.path = '/summer-sale'"
        f" AND u.first_session_at < {cutoff}",
    )
    assert members > 10


def test_the_default_anchor_is_the_start_of_the_utc_day() -> None:
    afternoon = datetime(2026, 5, 28, 15, 30, tzinfo=UTC)
    assert start_of_utc_day(afternoon) == NOW
    early_in_moscow = datetime.fromisoformat("2026-05-29T01:00:00+03:00")
    assert start_of_utc_day(early_in_moscow) == NOW
    assert start_of_utc_day() % DAY == 0
