"""Importing native JSON Lines, and the rules every import shares."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from data import database
from data.importing import (
    ImportFailure,
    Rejection,
    detect_format,
    import_files,
    writer,
)
from data.importing.records import instant_micros
from data.instants import parse_instant
from tests.import_fixtures import (
    count,
    micros,
    new_database,
    rows,
    session_facts_exact,
    snapshot,
    user_sessions,
    user_sets_exact,
    user_visits,
    users,
    visitors_in_step,
    write_file,
)


def line(**fields: object) -> str:
    """One native record."""
    return json.dumps(fields)


def session(user: str, at: str) -> str:
    """A native session record."""
    return line(type="session", user_id=user, started_at=at)


def visit(user: str, path: str, at: str) -> str:
    """A native page-visit record."""
    return line(type="page_visit", user_id=user, path=path, visited_at=at)


def user(user_id: str, **fields: object) -> str:
    """A native user record."""
    return line(type="user", user_id=user_id, **fields)


def test_session_of_an_unknown_user_creates_the_user_with_unknown_language(
    tmp_path: Path,
) -> None:
    engine = new_database(tmp_path)
    path = write_file(tmp_path, "a.jsonl", [session("u-1", "2025-07-01T09:30:00Z")])

    report = import_files(engine, [path])

    start = micros(2025, 7, 1, 9, 30)
    assert users(engine) == {"u-1": (None, start, start)}
    assert (report.users_added, report.sessions_added) == (1, 1)
    assert report.rejections == [] and report.exit_code == 0 and report.written


def test_user_records_set_replace_keep_and_clear_the_language(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    steps = [
        ([user("u-1", language="fr-FR")], "fr-fr"),
        ([user("u-1", language="en_GB")], "en-gb"),
        ([user("u-1"), user("u-1", other="ignored")], "en-gb"),
        ([user("u-1", language="")], None),
        ([user("u-1", language="de")], "de"),
        ([user("u-1", language=None)], None),
        ([user("u-1", language="pt-BR"), user("u-1", language="not a tag!")], None),
    ]
    for number, (records, expected) in enumerate(steps):
        import_files(engine, [write_file(tmp_path, f"{number}.jsonl", records)])
        assert users(engine)["u-1"][0] == expected, records
        assert user_sets_exact(engine)


def test_the_last_language_in_a_file_wins(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    records = [user("u-1", language="fr"), visit("u-1", "/", "2025-07-01T09:00:00")]
    records += [user("u-1", language="es"), user("u-1")]
    import_files(engine, [write_file(tmp_path, "a.jsonl", records)])
    assert users(engine)["u-1"][0] == "es"


def test_an_instant_without_offset_is_utc_and_offsets_are_applied(
    tmp_path: Path,
) -> None:
    engine = new_database(tmp_path)
    records = [
        session("naive", "2025-07-01T09:30:00"),
        session("zulu", "2025-07-01T09:30:00Z"),
        session("paris", "2025-07-01T09:30:00+02:00"),
        visit("naive", "/Cart?step=2", "2025-07-01 09:31:00.250"),
    ]
    import_files(engine, [write_file(tmp_path, "a.jsonl", records)])

    assert user_sessions(engine, "naive") == [(micros(2025, 7, 1, 9, 30), "")]
    assert user_sessions(engine, "zulu") == [(micros(2025, 7, 1, 9, 30), "")]
    assert user_sessions(engine, "paris") == [(micros(2025, 7, 1, 7, 30), "")]
    expected_visit = micros(2025, 7, 1, 9, 31, 0, 250_000)
    assert user_visits(engine, "naive") == [("/cart", expected_visit)]


def test_bad_lines_are_rejected_with_file_line_and_field(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    records = [
        session("ok", "2025-07-01T09:30:00Z"),
        "{not json",
        line(type="session", started_at="2025-07-01T09:30:00Z"),
        line(type="session", user_id=7, started_at="2025-07-01T09:30:00Z"),
        line(type="session", user_id="u-2"),
        session("u-3", "yesterday at noon"),
        line(type="purchase", user_id="u-4"),
        visit("u-5", "", "2025-07-01T09:30:00Z"),
        line(type="page_visit", user_id="u-6", path=["/"], visited_at="2025"),
        user("u-7", language=42),
        "[1, 2]",
        line(user_id="u-8"),
        session("u-9", "2025-13-01T09:30:00Z"),
    ]
    path = write_file(tmp_path, "bad.jsonl", records)

    report = import_files(engine, [path])

    reasons = {rejection.line: rejection.reason for rejection in report.rejections}
    assert sorted(reasons) == list(range(2, 14))
    assert "invalid JSON" in reasons[2]
    assert "'user_id'" in reasons[3] and "missing" in reasons[3]
    assert "'user_id'" in reasons[4] and "string" in reasons[4]
    assert "'started_at'" in reasons[5]
    assert "'started_at'" in reasons[6]
    assert "'type'" in reasons[7] and "purchase" in reasons[7]
    assert "'path'" in reasons[8]
    assert "'path'" in reasons[9]
    assert "'language'" in reasons[10]
    assert "JSON object" in reasons[11]
    assert "'type'" in reasons[12]
    assert "'started_at'" in reasons[13]
    assert str(report.rejections[0]) == f"{path}:2: {reasons[2]}"
    assert list(users(engine)) == ["ok"]
    assert report.exit_code == 1 and report.written
    assert report.lines_read == 13


def test_a_line_nested_too_deeply_is_rejected_not_fatal(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    records = [session("u-1", "2025-07-01T09:30:00Z"), "[" * 100_000]
    path = write_file(tmp_path, "deep.jsonl", records)

    report = import_files(engine, [path])

    assert [str(r) for r in report.rejections] == [
        f"{path}:2: invalid JSON: nested too deeply"
    ]
    assert list(users(engine)) == ["u-1"]


def test_blank_lines_are_skipped_and_line_numbers_stay_physical(
    tmp_path: Path,
) -> None:
    engine = new_database(tmp_path)
    records = ["", session("u-1", "2025-07-01T09:30:00Z"), "   ", "", "{oops"]
    path = write_file(tmp_path, "a.jsonl", records)

    report = import_files(engine, [path])

    assert [str(r) for r in report.rejections] == [
        f"{path}:5: invalid JSON: Expecting property name enclosed in double "
        "quotes at column 2"
    ]
    assert report.lines_read == 2


def test_a_line_that_is_not_utf8_is_rejected_and_the_rest_imported(
    tmp_path: Path,
) -> None:
    engine = new_database(tmp_path)
    path = tmp_path / "latin1.jsonl"
    good = session("u-1", "2025-07-01T09:30:00Z").encode()
    bad = user("u-2", language="fr").encode().replace(b"u-2", b"\xe9t\xe9")
    path.write_bytes(good + b"\n" + bad + b"\n" + good.replace(b"u-1", b"u-3"))

    report = import_files(engine, [path])

    assert report.rejections == [Rejection(str(path), 2, "not valid UTF-8")]
    assert sorted(users(engine)) == ["u-1", "u-3"]


def test_importing_the_same_file_twice_adds_nothing_the_second_time(
    tmp_path: Path,
) -> None:
    engine = new_database(tmp_path)
    records = [
        user("u-1", language="fr-FR"),
        session("u-1", "2025-07-01T09:30:00Z"),
        session("u-2", "2025-07-02T09:30:00Z"),
        visit("u-1", "/cart", "2025-07-01T09:31:00Z"),
        visit("u-1", "/cart?again=1", "2025-07-01T09:32:00Z"),
        visit("u-2", "/cart", "2025-07-02T09:31:00Z"),
    ]
    path = write_file(tmp_path, "a.jsonl", records)

    first = import_files(engine, [path])
    before = snapshot(engine)
    second = import_files(engine, [path])

    assert (first.users_added, first.sessions_added, first.page_visits_added) == (
        2,
        2,
        3,
    )
    assert (second.users_added, second.sessions_added) == (0, 0)
    assert second.page_visits_added == 0
    assert snapshot(engine) == before
    assert count(engine, "pages") == 1 and count(engine, "page_visitors") == 2
    assert visitors_in_step(engine) and user_sets_exact(engine)


def test_duplicate_lines_count_once(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    records = [visit("u-1", "/a", "2025-07-01T09:31:00Z")] * 3
    report = import_files(engine, [write_file(tmp_path, "a.jsonl", records)])
    assert (report.users_added, report.page_visits_added) == (1, 1)


def test_existing_users_are_reused_and_session_facts_recomputed(
    tmp_path: Path,
) -> None:
    engine = new_database(tmp_path)
    import_files(
        engine,
        [write_file(tmp_path, "1.jsonl", [session("u-1", "2025-07-10T00:00:00Z")])],
    )
    later = [
        session("u-1", "2025-07-01T00:00:00Z"),
        session("u-1", "2025-07-20T00:00:00Z"),
        visit("u-1", "/", "2025-07-20T00:00:00Z"),
    ]
    report = import_files(engine, [write_file(tmp_path, "2.jsonl", later)])

    assert report.users_added == 0 and report.sessions_added == 2
    assert users(engine) == {
        "u-1": (None, micros(2025, 7, 1), micros(2025, 7, 20)),
    }
    assert session_facts_exact(engine) and user_sets_exact(engine)


def test_strict_writes_nothing_when_a_line_is_bad(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    import_files(
        engine,
        [write_file(tmp_path, "0.jsonl", [session("old", "2025-01-01T00:00:00Z")])],
    )
    before = snapshot(engine)
    good = write_file(tmp_path, "good.jsonl", [session("u-1", "2025-07-01")])
    bad = write_file(tmp_path, "bad.jsonl", [session("u-2", "2025-07-01"), "{x", "]"])

    report = import_files(engine, [good, bad], strict=True)

    assert not report.written
    assert [r.line for r in report.rejections] == [2, 3]
    assert (report.users_added, report.sessions_added) == (0, 0)
    assert snapshot(engine) == before
    assert import_files(engine, [good], strict=True).written


def test_an_error_in_the_middle_leaves_the_database_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = new_database(tmp_path)
    import_files(
        engine,
        [write_file(tmp_path, "0.jsonl", [session("old", "2025-01-01T00:00:00Z")])],
    )
    before = snapshot(engine)
    records = [visit(f"u-{n}", f"/p{n}", "2025-07-01T09:00:00Z") for n in range(10)]
    path = write_file(tmp_path, "a.jsonl", records)
    monkeypatch.setattr(writer, "BATCH_SIZE", 3)
    flushes = []
    real_flush = writer.Writer.flush

    def flush_then_fail(self: writer.Writer) -> None:
        real_flush(self)
        flushes.append(1)
        if len(flushes) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(writer.Writer, "flush", flush_then_fail)

    with pytest.raises(KeyboardInterrupt):
        import_files(engine, [path])

    assert len(flushes) == 2
    assert snapshot(engine) == before
    monkeypatch.setattr(writer.Writer, "flush", real_flush)
    assert import_files(engine, [path]).users_added == 10


def test_one_transaction_covers_all_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = new_database(tmp_path)
    first = write_file(tmp_path, "1.jsonl", [session("u-1", "2025-07-01")])
    second = write_file(tmp_path, "2.jsonl", [session("u-2", "2025-07-01")])
    monkeypatch.setattr(writer, "BATCH_SIZE", 1)
    seen = []
    real_add = writer.Writer.add

    def add_then_fail(self: writer.Writer, record: object) -> None:
        real_add(self, record)
        seen.append(record)
        if record[0] == "u-2":
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(writer.Writer, "add", add_then_fail)

    with pytest.raises(RuntimeError):
        import_files(engine, [first, second])

    assert len(seen) == 2 and count(engine, "users") == 0


def test_progress_is_told_in_bytes_up_to_the_total(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    records = [visit(f"u-{n}", "/", "2025-07-01T09:00:00Z") for n in range(5000)]
    first = write_file(tmp_path, "1.jsonl", records)
    second = write_file(tmp_path, "2.jsonl", records[:10])
    total = first.stat().st_size + second.stat().st_size
    calls: list[tuple[int, int]] = []

    import_files(engine, [first, second], progress=lambda *c: calls.append(c))

    assert len(calls) >= 3
    assert all(reported_total == total for _done, reported_total in calls)
    done = [reported_done for reported_done, _total in calls]
    assert done == sorted(done) and done[-1] == total


def test_a_missing_or_unrecognised_file_fails_before_anything_is_written(
    tmp_path: Path,
) -> None:
    engine = new_database(tmp_path)
    good = write_file(tmp_path, "good.jsonl", [session("u-1", "2025-07-01")])
    missing = tmp_path / "missing.jsonl"
    unknown = write_file(tmp_path, "notes.txt", ["hello there", "{}"])
    empty = write_file(tmp_path, "empty.jsonl", ["", "  "])

    for other, words in [
        (missing, "no such file"),
        (unknown, "not recognised"),
        (empty, "empty"),
        (tmp_path, "not a regular file"),
    ]:
        with pytest.raises(ImportFailure, match=words) as failure:
            import_files(engine, [good, other])
        assert str(other) in str(failure.value)
    assert count(engine, "users") == 0


def test_a_format_that_does_not_fit_the_file_fails(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    path = write_file(tmp_path, "a.jsonl", [session("u-1", "2025-07-01")])
    for wrong in ("snowplow", "access-log"):
        with pytest.raises(ImportFailure, match=f"not a {wrong} file"):
            import_files(engine, [path], format=wrong)
    assert import_files(engine, [path], format="native").users_added == 1


def test_format_detection(tmp_path: Path) -> None:
    log_line = (
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 12 "-" "x"'
    )
    cases = {
        "native": ["", '  {"type": "user", "user_id": "u"}'],
        "snowplow": ["app_id,domain_userid,derived_tstamp"],
        "access-log": [log_line],
    }
    for expected, lines in cases.items():
        assert detect_format(write_file(tmp_path, expected, lines)) == expected
    tsv = write_file(tmp_path, "events.tsv", ["app_id\tdomain_userid\tevent"])
    assert detect_format(tsv) == "snowplow"
    for name, lines in [("json-list", ["[1]"]), ("csv", ["user,domain"])]:
        with pytest.raises(ImportFailure, match="not recognised"):
            detect_format(write_file(tmp_path, name, lines))


def test_report_names_the_detected_format_of_each_file(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    path = write_file(tmp_path, "a.jsonl", [session("u-1", "2025-07-01")])
    assert import_files(engine, [path]).formats == {str(path): "native"}


_offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
_moments = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)
).map(lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000))
_shapes = st.sampled_from(
    [
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%d %H:%M:%S.%f",
        "%Y-%m-%dT%H:%M:%S.%f%z",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%SZ",
        "isoformat",
    ]
)


@given(moment=_moments, offset=_offsets, shape=_shapes)
def test_the_fast_instant_reader_agrees_with_parse_instant(
    moment: datetime, offset: timezone, shape: str
) -> None:
    aware = moment.replace(tzinfo=offset)
    text = aware.isoformat() if shape == "isoformat" else aware.strftime(shape)
    assert instant_micros(text) == parse_instant(text)


def test_instants_the_fast_reader_does_not_take_still_parse() -> None:
    assert instant_micros("2025-07-01") == micros(2025, 7, 1)
    assert instant_micros("20250701T093000Z") == micros(2025, 7, 1, 9, 30)
    utc_noon = datetime(2025, 7, 1, 12, tzinfo=UTC)
    assert instant_micros("2025-07-01T14:00:00+02:00") == micros(
        *utc_noon.timetuple()[:6]
    )


def test_page_visitors_stay_in_step_with_visits(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    records = [
        visit("u-1", "/a", "2025-07-01T09:00:00Z"),
        visit("u-1", "/A", "2025-07-01T09:01:00Z"),
        visit("u-1", "/b", "2025-07-01T09:02:00Z"),
        visit("u-2", "/a", "2025-07-01T09:03:00Z"),
    ]
    import_files(engine, [write_file(tmp_path, "a.jsonl", records)])
    assert rows(engine, "SELECT count(*) FROM page_visitors")[0][0] == 3
    assert visitors_in_step(engine)


def test_a_locked_database_fails_the_import_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 50)
    engine = new_database(tmp_path)
    path = write_file(tmp_path, "a.jsonl", [session("u-1", "2025-07-01")])
    other = sqlite3.connect(tmp_path / "segments.db")
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(ImportFailure, match="nothing was imported"):
            import_files(engine, [path])
    finally:
        other.rollback()
        other.close()
    assert count(engine, "users") == 0
    assert import_files(engine, [path]).users_added == 1


def test_the_connection_is_left_as_it_was(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    before = rows(engine, "PRAGMA cache_size")
    path = write_file(tmp_path, "a.jsonl", [session("u-1", "2025-07-01")])
    import_files(engine, [path])
    assert rows(engine, "SELECT name FROM sqlite_temp_master") == []
    assert rows(engine, "PRAGMA cache_size") == before
