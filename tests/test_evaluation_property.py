"""Property: counting a segment and explaining each user always agree.

Random small datasets and random definitions; the set answer must be exactly
the users whose explanation says member, criterion by criterion, and both must
agree with the rules as written in the brief, checked here from raw facts.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.clock import Clock
from core.definition import SegmentDefinition, parse_definition
from data.languages import normalise_language, tag_matches
from data.paths import normalise_path, strip_one_slash
from tests.factories import add_user, answers, new_database

ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Atlantic/Azores"]
USER_LANGUAGES = [
    "en", "en-GB", "en_us", "fr-FR", "FR_fr", "fr", "de", "de-AT", "pt-BR",
    "pt-PT", "ar", "arn", "zh-Hans-CN", None, "", "null", "und", "garbage!",
]  # fmt: skip
CRITERION_LANGUAGES = ["en", "en-gb", "fr_FR", "fr", "de", "pt-BR", "pt", "ar", "zh"]
VISIT_PATHS = [
    "/shop", "/shop/", "/Shop?ref=mail", "https://example.com/SHOP/#top",
    "/blog/tags/open%20source", "/blog/tags/open source",
    "/images/logstash_OSCON.pdf", "/images/logstashXoscon.pdf",
    "/deals/100%25-off", "/deals/100x-off", "cart", "/cart", "/a.b", "/axb",
]  # fmt: skip
CRITERION_PATHS = [
    "/shop", "/shop/", "SHOP", "shop/", "_", "%", "100%25", "/deals/100%-off",
    "open%20source", "open source", "cart", "/cart", ".", "/a.b", "logstash_",
]  # fmt: skip
NOW = datetime(2024, 10, 30, 12, 0, tzinfo=UTC)
SPAN = timedelta(days=60)
FIRST_DAY = (NOW - SPAN).date()
# Clocks change on these days in some of ZONES: drawn more often than chance.
CHANGE_DAYS = [date(2024, 10, 26), date(2024, 10, 27), date(2024, 11, 3)]


def day_numbers() -> st.SearchStrategy[int]:
    """Days since FIRST_DAY, favouring the days clocks change."""
    changes = [(day - FIRST_DAY).days for day in CHANGE_DAYS]
    return st.one_of(st.integers(0, 62), st.sampled_from(changes))


@dataclass(frozen=True)
class Person:
    """One generated user: raw language, session instants, raw page visits."""

    language: str | None
    sessions: tuple[datetime, ...]
    visits: tuple[tuple[str, datetime], ...]


def local_midnight(day: date, zone: str) -> datetime:
    """A local midnight, as an aware instant, so edges are drawn often."""
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone))


@st.composite
def instants(draw: st.DrawFn, zone: str) -> datetime:
    """Any instant in the span, or one microsecond around a local midnight."""
    if draw(st.booleans()):
        offset = draw(st.integers(0, int(SPAN.total_seconds() * 1.1)))
        return NOW - SPAN + timedelta(seconds=offset)
    day = FIRST_DAY + timedelta(days=draw(day_numbers()))
    nudge = timedelta(microseconds=draw(st.sampled_from([-1, 0, 1])))
    return local_midnight(day, zone).astimezone(UTC) + nudge


def people(zone: str) -> st.SearchStrategy[list[Person]]:
    """A few dozen users with random languages, sessions and visits."""
    person = st.builds(
        Person,
        st.sampled_from(USER_LANGUAGES),
        st.lists(instants(zone), max_size=4).map(tuple),
        st.lists(
            st.tuples(st.sampled_from(VISIT_PATHS), instants(zone)), max_size=3
        ).map(tuple),
    )
    return st.lists(person, min_size=1, max_size=30)


def days() -> st.SearchStrategy[str]:
    """A calendar day in the span, as YYYY-MM-DD."""
    return day_numbers().map(lambda n: str(FIRST_DAY + timedelta(days=n)))


def criteria() -> st.SearchStrategy[dict[str, Any]]:
    """Any raw criterion of any kind."""
    language = st.fixed_dictionaries(
        {
            "type": st.just("device_language"),
            "operator": st.sampled_from(["contains", "not_contains"]),
            "languages": st.lists(
                st.sampled_from(CRITERION_LANGUAGES), min_size=1, max_size=3
            ),
        }
    )
    dated = st.fixed_dictionaries(
        {
            "type": st.just("app_sessions"),
            "operator": st.sampled_from(["before", "after"]),
            "date": days(),
        }
    )
    between = st.tuples(days(), days()).map(
        lambda pair: {
            "type": "app_sessions",
            "operator": "between",
            "start": min(pair),
            "end": max(pair),
        }
    )
    recent = st.fixed_dictionaries(
        {
            "type": st.just("app_sessions"),
            "operator": st.sampled_from(["within_last", "not_within_last"]),
            "days": st.one_of(st.integers(1, 70), st.just(3650)),
        }
    )
    page = st.fixed_dictionaries(
        {
            "type": st.just("page_visited"),
            "operator": st.sampled_from(["visited", "not_visited"]),
            "match": st.sampled_from(
                ["equals", "contains", "starts_with", "ends_with"]
            ),
            "path": st.sampled_from(CRITERION_PATHS),
        }
    )
    return st.one_of(language, dated, between, recent, page)


def definitions() -> st.SearchStrategy[SegmentDefinition]:
    """A checked definition of one to four criteria, ALL or ANY."""
    raw = st.fixed_dictionaries(
        {
            "name": st.just("Random segment"),
            "match": st.sampled_from(["all", "any"]),
            "criteria": st.lists(criteria(), min_size=1, max_size=4),
        }
    )
    return raw.map(parse_definition)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[str, list[Person], SegmentDefinition]:
    """A time zone, users drawn with edges in that zone, and a definition."""
    zone = draw(st.sampled_from(ZONES))
    return zone, draw(people(zone)), draw(definitions())


def azores_midnight() -> tuple[str, list[Person], SegmentDefinition]:
    """A session at the first of two midnights: rare for the generator."""
    session = datetime(2024, 10, 27, 0, 0, tzinfo=UTC)
    before = {"type": "app_sessions", "operator": "before", "date": "2024-10-27"}
    after = {"type": "app_sessions", "operator": "after", "date": "2024-10-26"}
    raw = {"name": "Azores", "match": "any", "criteria": [before, after]}
    return "Atlantic/Azores", [Person("en", (session,), ())], parse_definition(raw)


AZORES_MIDNIGHT = azores_midnight()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenarios())
@example(AZORES_MIDNIGHT)
def test_sets_and_explanations_agree(
    scenario: tuple[str, list[Person], SegmentDefinition],
) -> None:
    zone, persons, definition = scenario
    assert parse_definition(definition.to_json()) == definition
    clock = Clock(int(NOW.timestamp()) * 1_000_000, zone)

    with tempfile.TemporaryDirectory() as folder:
        engine = new_database(Path(folder))
        for number, person in enumerate(persons):
            add_user(
                engine,
                f"user-{number}",
                language=person.language,
                sessions=[moment.isoformat() for moment in person.sessions],
                visits=[(path, moment.isoformat()) for path, moment in person.visits],
            )
        found = answers(engine, clock, definition)
        engine.dispose()

    assert found.members == found.explained
    assert found.count.members == len(found.members)
    assert found.count.total_users == len(persons)
    for index, criterion in enumerate(definition.to_json()["criteria"]):
        assert found.criterion_sets[index] == found.holds[index]
        assert found.count.criteria[index] == len(found.holds[index])
        expected = {
            f"user-{number}"
            for number, person in enumerate(persons)
            if holds(criterion, person, clock)
        }
        assert found.holds[index] == expected, criterion


def holds(criterion: dict[str, Any], person: Person, clock: Clock) -> bool:
    """The brief's rule for one raw criterion and one raw user, from scratch."""
    kind, operator = criterion["type"], criterion["operator"]
    if kind == "device_language":
        tag = normalise_language(person.language)
        listed = [normalise_language(value) for value in criterion["languages"]]
        contained = tag is not None and any(tag_matches(t, tag) for t in listed)
        return contained == (operator == "contains")
    if kind == "page_visited":
        hit = any(path_matches(criterion, path) for path, _ in person.visits)
        return hit == (operator == "visited")
    return session_holds(criterion, person, clock)


def path_matches(criterion: dict[str, Any], raw_path: str) -> bool:
    """One visit's path against a page_visited criterion."""
    path, wanted = normalise_path(raw_path), normalise_path(criterion["path"])
    match = criterion["match"]
    if match == "equals":
        return strip_one_slash(path) == strip_one_slash(wanted)
    if match == "contains":
        return wanted in path
    if match == "starts_with":
        return path.startswith(wanted)
    return path.endswith(wanted)


def session_holds(criterion: dict[str, Any], person: Person, clock: Clock) -> bool:
    """An app_sessions criterion, judged on local calendar dates."""
    zone = ZoneInfo(clock.timezone)
    local_days = [moment.astimezone(zone).date() for moment in person.sessions]
    operator = criterion["operator"]
    if operator == "before":
        return any(day < date.fromisoformat(criterion["date"]) for day in local_days)
    if operator == "after":
        return any(day > date.fromisoformat(criterion["date"]) for day in local_days)
    if operator == "between":
        start = date.fromisoformat(criterion["start"])
        end = date.fromisoformat(criterion["end"])
        return any(start <= day <= end for day in local_days)
    # The same wall-clock time, `days` calendar days back; in these zones the
    # wall-clock time of NOW is hours away from any clock change, so it
    # exists exactly once on every day.
    local_now = NOW.astimezone(zone).replace(tzinfo=None)
    boundary = (local_now - timedelta(days=criterion["days"])).replace(tzinfo=zone)
    recent = any(moment >= boundary for moment in person.sessions)
    return recent == (operator == "within_last")
