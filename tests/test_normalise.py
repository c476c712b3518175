"""The one form languages, paths and instants are compared and stored in."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.clock import Clock
from data.instants import InstantError, from_micros, parse_instant, to_micros
from data.languages import display_language, normalise_language, tag_matches
from data.paths import normalise_path, strip_one_slash


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("fr-FR", "fr-fr"),
        ("fr_fr", "fr-fr"),
        ("FR-fr", "fr-fr"),
        (" en_GB ", "en-gb"),
        ("de", "de"),
        ("pt-BR", "pt-br"),
        ("zh-Hans-CN", "zh-hans-cn"),
        ("es-419", "es-419"),
        ("iw", "he"),
        ("eng", "en"),
        ("", None),
        ("   ", None),
        ("null", None),
        ("und", None),
        ("und-US", None),
        ("english", None),
        ("not a language!", None),
        ("123", None),
        (None, None),
        (42, None),
    ],
)
def test_normalise_language(raw: object, tag: str | None) -> None:
    assert normalise_language(raw) == tag


@pytest.mark.parametrize("tag", ["fr-fr", "en-gb", "zh-hans-cn", "sr-latn", "de"])
def test_display_language_reads_back_as_the_same_tag(tag: str) -> None:
    assert normalise_language(display_language(tag)) == tag


def test_display_language() -> None:
    assert display_language("en-gb") == "en-GB"
    assert display_language("zh-hans-cn") == "zh-Hans-CN"
    assert display_language(None) == "unknown"


@pytest.mark.parametrize(
    ("listed", "tag", "matches"),
    [
        ("de", "de", True),
        ("de", "de-at", True),
        ("de-at", "de", False),
        ("pt-br", "pt-pt", False),
        ("ar", "arn", False),
        ("zh-hans", "zh-hans-cn", True),
        ("zh", "zh-hans-cn", True),
    ],
)
def test_tag_matches(listed: str, tag: str, matches: bool) -> None:
    assert tag_matches(listed, tag) is matches


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ("/blog/tags/open%20source", "/blog/tags/open source"),
        ("/blog/tags/open source", "/blog/tags/open source"),
        ("/images/logstash_OSCON.pdf", "/images/logstash_oscon.pdf"),
        ("/Shop/", "/shop/"),
        ("/shop?ref=mail", "/shop"),
        ("/shop#top", "/shop"),
        ("/shop?ref=mail#top", "/shop"),
        ("/a#b?c", "/a"),
        ("https://Example.com/Cart/?step=2#summary", "/cart/"),
        ("HTTP://example.com", "/"),
        ("/what%3F", "/what?"),
        ("/what%3F?x=1", "/what?"),
        ("/100%25", "/100%"),
        ("/100%", "/100%"),
        ("/%zz", "/%zz"),
        ("/caf%C3%A9", "/café"),
        ("  /padded  ", "/padded"),
        ("cart", "cart"),
        ("?only=query", ""),
        ("#only-fragment", ""),
    ],
)
def test_normalise_path(raw: str, path: str) -> None:
    assert normalise_path(raw) == path


def test_normalising_twice_changes_nothing_more_for_plain_paths() -> None:
    for raw in ("/Shop/", "/blog/tags/open%20source", "https://x.org/A?b"):
        once = normalise_path(raw)
        assert normalise_path(once) == once


@pytest.mark.parametrize(
    ("path", "bare"), [("/shop/", "/shop"), ("/shop", "/shop"), ("/shop//", "/shop/")]
)
def test_strip_one_slash(path: str, bare: str) -> None:
    assert strip_one_slash(path) == bare


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01T10:00:00Z", datetime(2024, 1, 1, 10, tzinfo=UTC)),
        ("2024-01-01T10:00:00", datetime(2024, 1, 1, 10, tzinfo=UTC)),
        ("2024-01-01 10:00:00+02:00", datetime(2024, 1, 1, 8, tzinfo=UTC)),
        ("2024-01-01T10:00:00.000001+05:30", datetime(2024, 1, 1, 4, 30, 0, 1, UTC)),
        ("2024-01-01", datetime(2024, 1, 1, tzinfo=UTC)),
        (
            "1969-12-31T23:59:59.999999Z",
            datetime(1969, 12, 31, 23, 59, 59, 999999, UTC),
        ),
    ],
)
def test_parse_instant(text: str, expected: datetime) -> None:
    micros = parse_instant(text)
    assert micros == to_micros(expected)
    assert from_micros(micros) == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "yesterday", "2024-13-01T00:00:00Z", "10:00", "P1D"]
)
def test_parse_instant_refuses(text: str) -> None:
    with pytest.raises(InstantError):
        parse_instant(text)


def test_naive_datetimes_are_utc() -> None:
    assert to_micros(datetime(1970, 1, 1, 0, 0, 1)) == 1_000_000


@pytest.mark.parametrize(
    ("zone", "day", "first"),
    [
        ("UTC", date(2024, 1, 1), "2024-01-01T00:00:00Z"),
        ("Asia/Kolkata", date(2024, 3, 10), "2024-03-09T18:30:00Z"),
        ("Europe/Paris", date(2024, 3, 31), "2024-03-30T23:00:00Z"),
        ("Europe/Paris", date(2024, 4, 1), "2024-03-31T22:00:00Z"),
        # Midnight twice (01:00 back to 00:00): the first one.
        ("Atlantic/Azores", date(2024, 10, 27), "2024-10-27T00:00:00Z"),
        ("America/Havana", date(2024, 11, 3), "2024-11-03T04:00:00Z"),
        # No midnight (00:00 forward to 01:00): 01:00.
        ("America/Sao_Paulo", date(2018, 11, 4), "2018-11-04T03:00:00Z"),
    ],
)
def test_day_start_is_the_first_instant_of_the_local_day(
    zone: str, day: date, first: str
) -> None:
    clock = Clock(0, zone)
    assert clock.day_start(day) == parse_instant(first)
    assert from_micros(parse_instant(first) - 1, zone).date() < day
