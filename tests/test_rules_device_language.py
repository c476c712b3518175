"""Device language: contains and not_contains, over normalised BCP 47 tags."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from core.evaluation import evaluation
from tests.factories import add_user, clock_at, members, new_database, segment

CLOCK = clock_at("2024-06-01T12:00:00Z")

# external id -> the raw device language the source gave
LANGUAGES = {
    "fr-upper": "fr-FR",
    "fr-underscore": "fr_fr",
    "fr-mixed": "FR-fr",
    "fr-plain": "fr",
    "fr-canada": "fr-CA",
    "de-plain": "de",
    "de-austria": "de-AT",
    "de-swiss": "de_CH",
    "pt-brazil": "pt-BR",
    "pt-portugal": "pt-PT",
    "ar-plain": "ar",
    "mapudungun": "arn",
    "en-britain": "en-GB",
    "chinese": "zh-Hans-CN",
    "empty": "",
    "null-text": "null",
    "undetermined": "und",
    "garbage": "not a language!",
    "missing": None,
}
UNKNOWN = {"empty", "null-text", "undetermined", "garbage", "missing"}
EVERYONE = frozenset(LANGUAGES)


@pytest.fixture
def engine(tmp_path) -> Iterator[Engine]:
    """A database holding one user per entry of LANGUAGES."""
    engine = new_database(tmp_path)
    for external_id, language in LANGUAGES.items():
        add_user(engine, external_id, language=language)
    yield engine
    engine.dispose()


def contains(*languages: str, operator: str = "contains") -> dict[str, object]:
    """A raw device_language criterion."""
    return {
        "type": "device_language",
        "operator": operator,
        "languages": list(languages),
    }


def test_region_spellings_are_one_tag(engine: Engine) -> None:
    for spelling in ("fr-FR", "fr_fr", "FR-fr", "Fr_Fr"):
        found = members(engine, CLOCK, contains(spelling))
        assert found == {"fr-upper", "fr-underscore", "fr-mixed"}


def test_a_bare_language_covers_its_regions(engine: Engine) -> None:
    assert members(engine, CLOCK, contains("de")) == {
        "de-plain",
        "de-austria",
        "de-swiss",
    }
    assert members(engine, CLOCK, contains("fr")) == {
        "fr-upper",
        "fr-underscore",
        "fr-mixed",
        "fr-plain",
        "fr-canada",
    }


def test_a_region_does_not_cover_another_region(engine: Engine) -> None:
    assert members(engine, CLOCK, contains("pt-BR")) == {"pt-brazil"}
    assert members(engine, CLOCK, contains("pt_pt")) == {"pt-portugal"}
    assert members(engine, CLOCK, contains("de-AT")) == {"de-austria"}


def test_a_prefix_must_end_at_a_dash(engine: Engine) -> None:
    assert members(engine, CLOCK, contains("ar")) == {"ar-plain"}
    assert members(engine, CLOCK, contains("arn")) == {"mapudungun"}


def test_a_script_subtag_is_part_of_the_prefix(engine: Engine) -> None:
    assert members(engine, CLOCK, contains("zh")) == {"chinese"}
    assert members(engine, CLOCK, contains("zh-Hans")) == {"chinese"}
    assert members(engine, CLOCK, contains("zh-Hant")) == set()


def test_any_listed_tag_is_enough(engine: Engine) -> None:
    found = members(engine, CLOCK, contains("de-AT", "pt-BR", "en"))
    assert found == {"de-austria", "pt-brazil", "en-britain"}


def test_not_contains_is_the_complement(engine: Engine) -> None:
    inside = members(engine, CLOCK, contains("de", "fr-FR"))
    outside = members(engine, CLOCK, contains("de", "fr-FR", operator="not_contains"))
    assert outside == EVERYONE - inside
    assert outside >= UNKNOWN


def test_unknown_languages_are_never_contained(engine: Engine) -> None:
    every_known_tag = [tag for key, tag in LANGUAGES.items() if key not in UNKNOWN]
    known = members(engine, CLOCK, contains(*every_known_tag))
    assert known == EVERYONE - UNKNOWN


def test_unknown_languages_are_in_not_contains(engine: Engine) -> None:
    found = members(engine, CLOCK, contains("en", operator="not_contains"))
    assert found == EVERYONE - {"en-britain"}
    assert found >= UNKNOWN


def test_unknown_language_is_stored_as_null(engine: Engine) -> None:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT external_id FROM users WHERE language IS NULL"
        )
        assert {row[0] for row in rows} == UNKNOWN


def test_explanation_names_the_language(engine: Engine) -> None:
    definition = segment(contains("de"))
    with evaluation(engine, CLOCK) as current:
        austrian = current.explain(definition, "de-austria")
        unknown = current.explain(definition, "garbage")
        nobody = current.explain(definition, "no such user")
    assert austrian is not None and austrian.is_member
    assert austrian.verdicts[0].reason == "device language de-AT is listed"
    assert unknown is not None and not unknown.is_member
    assert unknown.verdicts[0].reason == "device language is unknown"
    assert nobody is None


def test_an_empty_database_has_no_members(tmp_path) -> None:
    engine = new_database(tmp_path)
    assert members(engine, CLOCK, contains("en")) == set()
    assert members(engine, CLOCK, contains("en", operator="not_contains")) == set()
