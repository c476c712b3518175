"""Importing Apache/Nginx access logs (combined or common log format)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest

from data.importing import import_files
from tests.import_fixtures import (
    count,
    micros,
    new_database,
    real_file,
    session_facts_exact,
    snapshot,
    user_sessions,
    user_sets_exact,
    user_visits,
    users,
    visitors_in_step,
    write_file,
)

START = datetime(2015, 5, 17, 10, 5, 3, tzinfo=UTC)
STATIC = {
    "css", "js", "map", "png", "jpg", "jpeg", "gif", "ico", "svg", "webp",
    "woff", "woff2", "ttf", "eot",
}  # fmt: skip
MONTH_NUMBERS = {
    name: number
    for number, name in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]
        + ["Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        1,
    )
}


def hit(
    address: str = "10.0.0.1",
    request: str = "GET / HTTP/1.1",
    status: int = 200,
    at: datetime = START,
    combined: bool = True,
) -> str:
    """One log line, in combined format unless `combined` is False."""
    month = list(MONTH_NUMBERS)[at.month - 1]
    stamp = at.strftime(f"%d/{month}/%Y:%H:%M:%S %z")
    line = f'{address} - - [{stamp}] "{request}" {status} 1234'
    return line + ' "-" "Mozilla/5.0 (X11)"' if combined else line


def import_log(tmp_path: Path, lines: list[str], name: str = "access.log"):
    """A fresh database with `lines` imported, and the report."""
    engine = new_database(tmp_path)
    return engine, import_files(engine, [write_file(tmp_path, name, lines)])


def test_successful_get_and_post_of_pages_are_visits(tmp_path: Path) -> None:
    lines = [
        hit(request="GET /blog/tags/puppet?flav=rss20 HTTP/1.1"),
        hit(request="POST /login HTTP/1.1", status=302),
        hit(request="GET /Old HTTP/1.0", status=301),
        hit(request="GET /cached HTTP/1.1", status=304),
        hit(request="GET /blog/tags/open%20source HTTP/1.1", status=206),
    ]
    engine, report = import_log(tmp_path, lines)
    assert [path for path, _at in user_visits(engine, "10.0.0.1")] == [
        "/blog/tags/open source",
        "/blog/tags/puppet",
        "/cached",
        "/login",
        "/old",
    ]
    assert report.page_visits_added == 5 and report.rejections == []
    assert visitors_in_step(engine)


def test_other_methods_failed_requests_and_static_files_are_skipped(
    tmp_path: Path,
) -> None:
    skipped = [
        hit("10.0.0.2", "HEAD / HTTP/1.1"),
        hit("10.0.0.2", "OPTIONS * HTTP/1.1"),
        hit("10.0.0.2", "PUT /upload HTTP/1.1"),
        hit("10.0.0.2", "GET /missing HTTP/1.1", status=404),
        hit("10.0.0.2", "GET /broken HTTP/1.1", status=500),
        hit("10.0.0.2", "GET /continue HTTP/1.1", status=100),
        hit("10.0.0.2", "-", status=400),
    ]
    suffixes = ".css .js .map .png .jpg .jpeg .gif .ico .svg .webp .woff .woff2"
    for suffix in (suffixes + " .ttf .eot").split():
        skipped.append(
            hit("10.0.0.2", f"GET /static/file{suffix.upper()}?v=2 HTTP/1.1")
        )
        skipped.append(hit("10.0.0.2", f"GET /static/file{suffix} HTTP/1.1"))
    kept = [
        hit("10.0.0.3", "GET /style.css.html HTTP/1.1"),
        hit("10.0.0.3", "GET /files/report.pdf HTTP/1.1"),
    ]

    engine, report = import_log(tmp_path, skipped + kept)

    assert list(users(engine)) == ["10.0.0.3"]
    assert report.page_visits_added == 2 and report.rejections == []
    assert report.lines_read == len(skipped) + len(kept)


def test_a_new_session_starts_after_more_than_30_minutes(tmp_path: Path) -> None:
    gap = timedelta(minutes=30)
    times = [
        START,
        START + gap,
        START + gap * 2 + timedelta(seconds=1),
        START + gap * 3 + timedelta(seconds=1),
        START + gap * 3 + timedelta(seconds=2),
        START + gap * 4 + timedelta(seconds=3),
    ]
    lines = [hit(request=f"GET /p{n} HTTP/1.1", at=at) for n, at in enumerate(times)]

    engine, report = import_log(tmp_path, list(reversed(lines)))

    expected = [times[0], times[2], times[5]]
    assert user_sessions(engine, "10.0.0.1") == [
        (micros(*at.timetuple()[:6]), "") for at in expected
    ]
    assert report.sessions_added == 3
    first, last = users(engine)["10.0.0.1"][1:]
    assert (first, last) == (
        micros(*times[0].timetuple()[:6]),
        micros(*times[5].timetuple()[:6]),
    )


def test_sessions_are_cut_across_all_files_of_one_import(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    first = write_file(tmp_path, "1.log", [hit(at=START)])
    second = write_file(tmp_path, "2.log", [hit(at=START + timedelta(minutes=20))])
    report = import_files(engine, [first, second])
    assert report.sessions_added == 1 and report.page_visits_added == 2


def test_static_only_requests_of_a_user_make_no_sessions(tmp_path: Path) -> None:
    lines = [
        hit(request="GET /page HTTP/1.1", at=START),
        hit(request="GET /late.png HTTP/1.1", at=START + timedelta(hours=2)),
    ]
    engine, report = import_log(tmp_path, lines)
    assert report.sessions_added == 1


def test_the_common_log_format_and_time_offsets(tmp_path: Path) -> None:
    line = '10.0.0.9 - frank [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326'
    engine, report = import_log(tmp_path, [line, hit(combined=False)])
    assert user_visits(engine, "10.0.0.9") == [("/a", micros(2000, 10, 10, 20, 55, 36))]
    assert report.users_added == 2 and report.rejections == []


def test_month_names_are_read_without_the_locale(tmp_path: Path) -> None:
    lines = [
        hit(f"10.0.{month}.1", f"GET /m{month} HTTP/1.1", at=START.replace(month=month))
        for month in range(1, 13)
    ]
    engine, report = import_log(tmp_path, lines)
    for month in range(1, 13):
        assert user_visits(engine, f"10.0.{month}.1") == [
            (f"/m{month}", micros(2015, month, 17, 10, 5, 3))
        ]


def test_malformed_lines_are_rejected_with_a_reason(tmp_path: Path) -> None:
    truncated = hit()[:-5]
    lines = [
        hit(),
        truncated,
        "just some words",
        hit().replace("May", "Foo"),
        hit().replace("17/May", "31/Jun"),
        hit().replace("10:05:03", "25:05:03"),
        hit().replace("[17/May/2015:10:05:03 +0000]", "[yesterday]"),
        hit(address="10.0.0.5"),
    ]

    engine, report = import_log(tmp_path, lines)

    reasons = {rejection.line: rejection.reason for rejection in report.rejections}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7]
    assert "truncated" in reasons[2] and "log format" in reasons[2]
    assert "log format" in reasons[3]
    assert "month 'Foo'" in reasons[4]
    assert "31/Jun/2015" in reasons[5]
    assert "25:05:03" in reasons[6]
    assert "timestamp" in reasons[7]
    assert sorted(users(engine)) == ["10.0.0.1", "10.0.0.5"]
    assert report.exit_code == 1


def test_reimport_adds_nothing_and_strict_writes_nothing(tmp_path: Path) -> None:
    lines = [hit(at=START + timedelta(hours=n)) for n in range(3)]
    engine, first = import_log(tmp_path, lines)
    before = snapshot(engine)
    path = tmp_path / "access.log"

    again = import_files(engine, [path])
    bad = write_file(tmp_path, "bad.log", [hit("10.9.9.9"), "garbage"])
    strict = import_files(engine, [bad], strict=True)

    assert (first.users_added, first.sessions_added, first.page_visits_added) == (
        1,
        3,
        3,
    )
    assert (again.users_added, again.sessions_added, again.page_visits_added) == (
        0,
        0,
        0,
    )
    assert not strict.written and snapshot(engine) == before


# The real sample, checked against a deliberately plain reading of the rules.

PLAIN_LINE = re.compile(
    r'^(\S+) \S+ \S+ \[([^\]]+)\] "([^"]*)" (\d+) \S+( "[^"]*" "[^"]*")?$'
)


def plain_time(stamp: str) -> datetime:
    """`17/May/2015:10:05:03 +0000` as an aware datetime, read by hand."""
    day, month, rest = stamp.split("/")
    year, hour, minute, second_and_zone = rest.split(":")
    second, zone = second_and_zone.split(" ")
    sign = 1 if zone[0] == "+" else -1
    offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:])) * sign
    local = datetime(
        int(year), MONTH_NUMBERS[month], int(day), int(hour), int(minute), int(second)
    )
    return (local - offset).replace(tzinfo=UTC)


def expected_from_real(path: Path) -> dict[str, object]:
    """Users, sessions, visits, pages and bad lines, read the simple way."""
    visits, bad_lines = set(), []
    times: dict[str, list[datetime]] = defaultdict(list)
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = PLAIN_LINE.match(line)
        if not match:
            bad_lines.append(number)
            continue
        address, stamp, request, status = match.groups()[:4]
        parts = request.split(" ")
        if parts[0] not in ("GET", "POST") or not 200 <= int(status) <= 399:
            continue
        page = unquote(parts[1].split("?")[0]).lower()
        if any(page.endswith("." + suffix) for suffix in STATIC):
            continue
        visits.add((address, page, plain_time(stamp)))
        times[address].append(plain_time(stamp))
    sessions = 0
    for moments in times.values():
        moments.sort()
        gaps = [b - a for a, b in zip(moments, moments[1:], strict=False)]
        sessions += 1 + sum(1 for gap in gaps if gap > timedelta(minutes=30))
    return {
        "users": len(times),
        "sessions": sessions,
        "visits": len(visits),
        "pages": len({page for _a, page, _t in visits}),
        "bad_lines": bad_lines,
    }


def test_the_real_apache_log(tmp_path: Path) -> None:
    path = real_file("apache_logs")
    engine = new_database(tmp_path)
    expected = expected_from_real(path)

    report = import_files(engine, [path])

    assert report.users_added == count(engine, "users") == expected["users"]
    assert report.sessions_added == count(engine, "app_sessions")
    assert report.sessions_added == expected["sessions"]
    assert report.page_visits_added == count(engine, "page_visits")
    assert report.page_visits_added == expected["visits"]
    assert count(engine, "pages") == expected["pages"]
    assert [r.line for r in report.rejections] == expected["bad_lines"] == [8899]
    assert str(report.rejections[0]).startswith(f"{path}:8899: ")
    assert report.exit_code == 1 and report.lines_read == 10_000
    assert visitors_in_step(engine) and session_facts_exact(engine)
    assert user_sets_exact(engine)
    assert all(language is None for language, _f, _l in users(engine).values())


def test_the_real_apache_log_by_hand_checked_figures(tmp_path: Path) -> None:
    path = real_file("apache_logs")
    engine = new_database(tmp_path)

    report = import_files(engine, [path])

    assert (report.users_added, report.sessions_added) == (1293, 2339)
    assert report.page_visits_added == 4376
    assert count(engine, "pages") == 843


@pytest.mark.parametrize("status", [199, 400])
def test_status_bounds(tmp_path: Path, status: int) -> None:
    engine, report = import_log(tmp_path, [hit(status=status)])
    assert count(engine, "users") == 0 and report.rejections == []
