"""Importing Snowplow enriched events (CSV or TSV with a header row)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest

from data.importing import ImportFailure, import_files, writer
from data.languages import normalise_language
from tests.import_fixtures import (
    count,
    micros,
    new_database,
    real_file,
    rows,
    session_facts_exact,
    snapshot,
    user_sessions,
    user_sets_exact,
    user_visits,
    users,
    visitors_in_step,
)

COLUMNS = [
    "app_id",
    "event",
    "domain_userid",
    "page_urlpath",
    "br_lang",
    "domain_sessionid",
    "derived_tstamp",
    "event_name",
]


def event(
    user: str,
    at: str,
    session: str = "s-1",
    name: str = "page_ping",
    path: str = "/",
    language: str = "",
) -> dict[str, str]:
    """One Snowplow event row."""
    return {
        "app_id": "site",
        "event": "page_view" if name == "page_view" else "unstruct",
        "domain_userid": user,
        "page_urlpath": path,
        "br_lang": language,
        "domain_sessionid": session,
        "derived_tstamp": at,
        "event_name": name,
    }


def events_file(
    tmp_path: Path, events: list[dict[str, str]], name: str = "events.csv"
) -> Path:
    """A Snowplow CSV (or, for a .tsv name, TSV) file of these events."""
    buffer = io.StringIO()
    if name.endswith(".tsv"):
        buffer.write("\t".join(COLUMNS) + "\n")
        for row in events:
            buffer.write("\t".join(row[column] for column in COLUMNS) + "\n")
    else:
        writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(events)
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_sessions_start_at_the_earliest_event_of_each_session_id(
    tmp_path: Path,
) -> None:
    engine = new_database(tmp_path)
    events = [
        event("a", "2021-03-03 21:27:22.334", session="s-1"),
        event("a", "2021-03-03 21:20:00.000", session="s-1"),
        event("a", "2021-03-03 21:25:00.000", session="s-1"),
        event("a", "2021-03-03 21:20:00.000", session="s-2"),
        event("a", "2021-03-04 08:00:00", session="s-3"),
        event("a", "", session="s-4"),
        event("a", "2021-03-05 08:00:00", session=""),
    ]

    report = import_files(engine, [events_file(tmp_path, events)])

    start = micros(2021, 3, 3, 21, 20)
    assert user_sessions(engine, "a") == [
        (start, "s-1"),
        (start, "s-2"),
        (micros(2021, 3, 4, 8), "s-3"),
    ]
    assert report.sessions_added == 3 and report.rejections == []
    assert users(engine)["a"][1:] == (start, micros(2021, 3, 4, 8))
    assert user_sets_exact(engine)


def test_page_views_are_visits_with_normalised_paths(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    events = [
        event("a", "2021-03-03 21:27:22.334", name="page_view", path="/Docs/"),
        event("a", "2021-03-03 21:28:00", name="link_click", path="/other"),
        event("a", "2021-03-03 21:29:00", name="page_ping", path="/other"),
        event("a", "2021-03-03 21:30:00", name="page_view", path="/a%20b"),
    ]

    report = import_files(engine, [events_file(tmp_path, events)])

    assert user_visits(engine, "a") == [
        ("/docs/", micros(2021, 3, 3, 21, 27, 22, 334_000)),
        ("/a b", micros(2021, 3, 3, 21, 30)),
    ]
    assert report.page_visits_added == 2 and visitors_in_step(engine)


def test_page_view_is_read_from_event_name(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    row = event("a", "2021-03-03 21:27:22", name="page_view")
    row["event"] = "unstruct"
    other = event("b", "2021-03-03 21:27:22", name="cmp_visible")
    other["event"] = "page_view"
    import_files(engine, [events_file(tmp_path, [row, other])])
    assert len(user_visits(engine, "a")) == 1 and user_visits(engine, "b") == []


def test_language_is_the_latest_non_empty_br_lang(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    events = [
        event("a", "2021-03-03 10:00:00", language="fr-FR"),
        event("a", "2021-03-03 09:00:00", language="de-DE"),
        event("a", "2021-03-03 11:00:00", language=""),
        event("b", "2021-03-03 10:00:00", language="en-gb"),
        event("c", "2021-03-03 10:00:00"),
    ]
    import_files(engine, [events_file(tmp_path, events)])
    assert {name: facts[0] for name, facts in users(engine).items()} == {
        "a": "fr-fr",
        "b": "en-gb",
        "c": None,
    }


def test_a_later_import_without_language_leaves_it(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    first = events_file(tmp_path, [event("a", "2021-03-03 10:00", language="el-GR")])
    import_files(engine, [first])
    second = events_file(tmp_path, [event("a", "2021-03-04 10:00")], "2.csv")
    import_files(engine, [second])
    assert users(engine)["a"][0] == "el-gr"


def test_bad_rows_are_rejected_and_take_nothing(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    events = [
        event("a", "2021-03-03 10:00:00", name="page_view", language="fr"),
        event("", "2021-03-03 10:00:00", name="page_view"),
        event("b", "half past ten", session="s-9", language="de"),
        event("c", "", name="page_view"),
        event("d", "2021-03-03 10:00:00", name="page_view", path=""),
    ]
    path = events_file(tmp_path, events)

    report = import_files(engine, [path])

    reasons = {rejection.line: rejection.reason for rejection in report.rejections}
    assert sorted(reasons) == [3, 4, 5, 6]
    assert "domain_userid" in reasons[3]
    assert "derived_tstamp" in reasons[4]
    assert "derived_tstamp" in reasons[5]
    assert "page_urlpath" in reasons[6]
    assert str(report.rejections[0]).startswith(f"{path}:3: ")
    assert list(users(engine)) == ["a"]
    assert report.exit_code == 1 and report.lines_read == 5


def test_a_row_with_the_wrong_number_of_fields_is_rejected(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    path = events_file(tmp_path, [event("a", "2021-03-03 10:00:00")])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("site,unstruct,b\n")
    report = import_files(engine, [path])
    assert [(r.line, r.reason) for r in report.rejections] == [
        (3, "has 3 fields, the header has 8")
    ]


def test_line_numbers_count_line_breaks_inside_quoted_fields(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    events = [
        event("a", "2021-03-03 10:00:00", path="/one\ntwo\nthree"),
        event("", "2021-03-03 10:00:00"),
        event("b", "2021-03-03 10:00:00"),
        event("c", "not a time"),
    ]
    report = import_files(engine, [events_file(tmp_path, events)])
    assert [r.line for r in report.rejections] == [5, 7]
    assert sorted(users(engine)) == ["a", "b"]


def test_tsv_files_are_read(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    events = [
        event("a", "2021-03-03 10:00:00", name="page_view", path='/"quoted"'),
        event("a", "2021-03-03 10:05:00", language="en-AU"),
    ]
    report = import_files(engine, [events_file(tmp_path, events, "events.tsv")])
    assert report.formats == {str(tmp_path / "events.tsv"): "snowplow"}
    assert user_visits(engine, "a") == [('/"quoted"', micros(2021, 3, 3, 10))]
    assert users(engine)["a"][0] == "en-au"


def test_a_header_without_the_needed_columns_fails(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("domain_userid,derived_tstamp\nabc,2021-03-03 10:00:00\n")
    with pytest.raises(ImportFailure, match="lacks domain_sessionid"):
        import_files(new_database(tmp_path), [path])


def test_one_session_id_stays_one_session_across_imports(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    late = events_file(tmp_path, [event("a", "2021-03-03 10:30:00")], "late.csv")
    early = events_file(tmp_path, [event("a", "2021-03-03 10:00:00")], "early.csv")
    later = events_file(tmp_path, [event("a", "2021-03-03 11:00:00")], "later.csv")

    first = import_files(engine, [late])
    second = import_files(engine, [early])
    third = import_files(engine, [later])

    assert (first.sessions_added, second.sessions_added) == (1, 0)
    assert third.sessions_added == 0
    start = micros(2021, 3, 3, 10)
    assert user_sessions(engine, "a") == [(start, "s-1")]
    assert users(engine)["a"][1:] == (start, start) and session_facts_exact(engine)
    assert user_sets_exact(engine)


def test_reimport_adds_nothing_and_strict_writes_nothing(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    good = events_file(tmp_path, [event("a", "2021-03-03 10:00", name="page_view")])
    import_files(engine, [good])
    before = snapshot(engine)

    again = import_files(engine, [good])
    bad = events_file(
        tmp_path, [event("b", "2021-03-04 10:00"), event("", "x")], "bad.csv"
    )
    strict = import_files(engine, [bad], strict=True)

    assert (again.users_added, again.sessions_added, again.page_visits_added) == (
        0,
        0,
        0,
    )
    assert not strict.written and [r.line for r in strict.rejections] == [3]
    assert snapshot(engine) == before


# The real sample, checked against a deliberately plain reading of the rules.


def expected_from_real(path: Path) -> dict[str, object]:
    """Users, sessions, visits, pages and languages, computed with DictReader."""
    with path.open(newline="", encoding="utf-8") as handle:
        events = [row for row in csv.DictReader(handle) if row["domain_userid"]]
    session_starts: dict[tuple[str, str], datetime] = {}
    visits = set()
    latest_language: dict[str, tuple[datetime, str]] = {}
    for row in events:
        user, at = row["domain_userid"], plain_instant(row["derived_tstamp"])
        key = (user, row["domain_sessionid"])
        if row["domain_sessionid"] and (
            key not in session_starts or at < session_starts[key]
        ):
            session_starts[key] = at
        if row["event_name"] == "page_view":
            visits.add((user, unquote(row["page_urlpath"]).lower(), at))
        if row["br_lang"] and (
            user not in latest_language or at >= latest_language[user][0]
        ):
            latest_language[user] = (at, row["br_lang"])
    all_users = {row["domain_userid"] for row in events}
    languages = {
        u: normalise_language(latest_language.get(u, (0, ""))[1]) for u in all_users
    }
    return {
        "users": len(all_users),
        "sessions": len(session_starts),
        "visits": len(visits),
        "pages": len({page for _user, page, _at in visits}),
        "languages": languages,
        "first_sessions": {
            user: min(at for (u, _s), at in session_starts.items() if u == user)
            for user, _s in session_starts
        },
    }


def plain_instant(text: str) -> datetime:
    """A Snowplow timestamp such as `2021-03-03 21:27:22.334`, as UTC."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)


def test_the_real_snowplow_sample(tmp_path: Path) -> None:
    path = real_file("snowplow_web_events.csv")
    engine = new_database(tmp_path)
    expected = expected_from_real(path)

    report = import_files(engine, [path])

    assert report.users_added == count(engine, "users") == expected["users"]
    assert report.sessions_added == count(engine, "app_sessions")
    assert report.sessions_added == expected["sessions"]
    assert report.page_visits_added == count(engine, "page_visits")
    assert report.page_visits_added == expected["visits"]
    assert count(engine, "pages") == expected["pages"]
    found = users(engine)
    assert {user: facts[0] for user, facts in found.items()} == expected["languages"]
    first_sessions = {
        user: int(at.timestamp() * 1_000_000)
        for user, at in expected["first_sessions"].items()
    }
    assert {u: f[1] for u, f in found.items() if f[1] is not None} == first_sessions
    assert visitors_in_step(engine) and session_facts_exact(engine)
    assert user_sets_exact(engine)
    assert [(r.line, "domain_userid" in r.reason) for r in report.rejections] == [
        (44, True)
    ]
    assert report.exit_code == 1 and report.lines_read == 160


def test_the_real_snowplow_sample_by_hand_checked_figures(tmp_path: Path) -> None:
    path = real_file("snowplow_web_events.csv")
    engine = new_database(tmp_path)

    report = import_files(engine, [path])

    assert (report.users_added, report.sessions_added) == (42, 47)
    assert report.page_visits_added == 48 and count(engine, "pages") == 18
    languages = defaultdict(int)
    for language, _first, _last in users(engine).values():
        languages[language] += 1
    assert dict(languages) == {
        "el-gr": 26,
        "en-gb": 12,
        "en-us": 2,
        "en-au": 1,
        "fr-fr": 1,
    }
    # Its only row has an empty domain_sessionid (the "NULL domain_sessionid"
    # scenario of the sample), so this user has no session.
    without_session = "4f1b6638e7f4988acf087f9f041834d61597dc8abe9d8c17242094cc7aa053ac"
    assert rows(
        engine, "SELECT external_id FROM users WHERE first_session_at IS NULL"
    ) == [(without_session,)]


def test_a_session_moved_earlier_in_one_import_leaves_its_old_hour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "BATCH_SIZE", 1)
    engine = new_database(tmp_path)
    events = [
        event("a", "2021-03-03 12:30:00", session="s-1"),
        event("a", "2021-03-03 12:10:00", session="s-2"),
        event("a", "2021-03-03 10:00:00", session="s-1"),
        event("b", "2021-03-03 12:30:00", session="s-3"),
        event("b", "2021-03-03 09:00:00", session="s-3"),
    ]

    report = import_files(engine, [events_file(tmp_path, events)])

    assert report.sessions_added == 3
    assert user_sessions(engine, "a") == [
        (micros(2021, 3, 3, 10), "s-1"),
        (micros(2021, 3, 3, 12, 10), "s-2"),
    ]
    assert user_sessions(engine, "b") == [(micros(2021, 3, 3, 9), "s-3")]
    assert user_sets_exact(engine) and session_facts_exact(engine)
