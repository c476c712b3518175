"""The `segments` command line, called as scripts call it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.factories import add_user, new_database
from tui.cli import main

NOW = "2025-07-10T12:00:00Z"
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"

CART = {
    "name": "Cart visitors",
    "match": "all",
    "criteria": [
        {
            "type": "page_visited",
            "operator": "visited",
            "match": "equals",
            "path": "/cart",
        },
        {"type": "device_language", "operator": "contains", "languages": ["en"]},
    ],
}


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A small database: two English cart visitors, one French, one unknown."""
    engine = new_database(tmp_path)
    add_user(engine, "a", "en-GB", ["2025-07-09T10:00:00Z"], [("/cart/", NOW)])
    add_user(engine, "b", "en_us", ["2025-07-01T10:00:00Z"], [("/CART?x=1", NOW)])
    add_user(engine, "c", "fr-FR", ["2025-07-09T10:00:00Z"], [("/cart", NOW)])
    add_user(engine, "d", None)
    return tmp_path / "segments.db"


def write_json(folder: Path, content: object) -> Path:
    """A definition file."""
    path = folder / "definition.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def test_count_of_a_definition_file(database, tmp_path, capsys):
    definition = write_json(tmp_path, CART)
    code = main(["count", "--db", str(database), "--definition", str(definition)])
    assert code == 0
    assert capsys.readouterr().out == "2\n"


def test_count_json_reports_each_criterion(database, tmp_path, capsys):
    definition = write_json(tmp_path, CART)
    argv = ["--db", str(database), "count", "--definition", str(definition)]
    assert main([*argv, "--json", "--now", NOW, "--tz", "Europe/Paris"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["name"] == "Cart visitors"
    assert (report["members"], report["total_users"]) == (2, 4)
    assert report["timezone"] == "Europe/Paris"
    assert report["now"] == "2025-07-10T14:00:00+02:00"
    assert [item["members"] for item in report["criteria"]] == [3, 2]
    assert report["criteria"][0]["description"] == "visited a page equal to /cart"


def test_apply_then_list_and_count_by_name(database, tmp_path, capsys):
    inactive = {
        "name": "Inactive",
        "match": "any",
        "criteria": [
            {"type": "app_sessions", "operator": "not_within_last", "days": 7}
        ],
    }
    path = write_json(tmp_path, [CART, inactive])
    assert main(["apply", "--db", str(database), str(path)]) == 0
    assert capsys.readouterr().out == "created Cart visitors\ncreated Inactive\n"
    assert main(["apply", "--db", str(database), str(path)]) == 0
    assert "replaced Inactive" in capsys.readouterr().out
    assert main(["list", "--db", str(database), "--json", "--now", NOW]) == 0
    listed = {
        row["name"]: row["members"] for row in json.loads(capsys.readouterr().out)
    }
    assert listed == {"Cart visitors": 2, "Inactive": 2}
    assert main(["count", "--db", str(database), "cart VISITORS"]) == 0
    assert capsys.readouterr().out == "2\n"


def test_apply_writes_nothing_when_one_definition_is_invalid(
    database, tmp_path, capsys
):
    broken = {"name": "Broken", "match": "all", "criteria": [{"type": "app_sessions"}]}
    path = write_json(tmp_path, [CART, broken])
    assert main(["apply", "--db", str(database), str(path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "definition 2: criterion 1 (app_sessions): operator: is missing" in error
    assert main(["list", "--db", str(database), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["count", "Nobody"], "no segment called 'Nobody'"),
        (["count", "--definition", "missing.json"], "cannot read missing.json"),
        (["list", "--tz", "Mars/Base"], "unknown time zone 'Mars/Base'"),
        (["list", "--now", "yesterday"], "not an ISO 8601 instant"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["demo", "--users", "0"], "--users must be at least 1"),
    ],
)
def test_errors_are_one_line_and_exit_2(database, argv, message, capsys):
    assert main([*argv, "--db", str(database)]) == 2
    error = capsys.readouterr().err
    assert message in error
    assert error.count("\n") == 1 and "Traceback" not in error


def test_a_missing_database_is_not_created(tmp_path, capsys):
    path = tmp_path / "typo.db"
    assert main(["list", "--db", str(path)]) == 2
    assert "no database at" in capsys.readouterr().err
    assert not path.exists()


def test_database_from_the_environment(database, monkeypatch, capsys):
    monkeypatch.setenv("SEGMENTS_DB", str(database))
    assert main(["timezone", "America/New_York"]) == 0
    assert main(["timezone"]) == 0
    assert capsys.readouterr().out.splitlines() == ["America/New_York"] * 2


def test_demo_refuses_data_then_replaces_it(database, capsys):
    argv = ["demo", "--db", str(database), "--users", "50", "--now", NOW]
    assert main(argv) == 2
    assert "--replace" in capsys.readouterr().err
    assert main([*argv, "--replace"]) == 0
    assert "50 users" in capsys.readouterr().out
    assert main(["list", "--db", str(database), "--json", "--now", NOW]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 4


def test_import_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.jsonl"
    good.write_text('{"type": "user", "user_id": "u-1", "language": "fr"}\n')
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "user", "user_id": "u-2"}\n{"type": "session"}\n')
    db = str(tmp_path / "new.db")
    assert main(["import", "--db", db, str(good)]) == 0
    assert "added 1 users" in capsys.readouterr().out
    assert main(["import", "--db", db, "--strict", str(bad)]) == 1
    assert f"{bad}:2:" in capsys.readouterr().err
    assert main(["import", "--db", db, str(bad)]) == 1
    assert main(["import", "--db", db, str(tmp_path / "absent.jsonl")]) == 2


@pytest.mark.skipif(not REAL.is_dir(), reason=f"real data folder {REAL} is absent")
def test_real_files_import_and_count(tmp_path, capsys):
    db = str(tmp_path / "real.db")
    files = [str(REAL / "apache_logs"), str(REAL / "snowplow_web_events.csv")]
    assert main(["import", "--db", db, *files]) == 1
    captured = capsys.readouterr()
    assert "apache_logs:8899:" in captured.err
    assert "added 1,335 users, 2,386 sessions, 4,424 page visits" in captured.out
    english = {
        "name": "English",
        "match": "all",
        "criteria": [
            {"type": "device_language", "operator": "contains", "languages": ["en"]}
        ],
    }
    definition = write_json(tmp_path, english)
    assert main(["count", "--db", db, "--definition", str(definition)]) == 0
    assert capsys.readouterr().out == "15\n"


def test_import_of_a_missing_file_creates_no_database(tmp_path, capsys):
    db = tmp_path / "new.db"
    good = tmp_path / "good.jsonl"
    good.write_text('{"type": "user", "user_id": "u-1"}\n')
    assert main(["import", "--db", str(db), str(good), "absent.jsonl"]) == 2
    assert "absent.jsonl: no such file" in capsys.readouterr().err
    assert not db.exists()


def test_a_database_in_a_missing_folder_is_refused(tmp_path, capsys):
    good = tmp_path / "good.jsonl"
    good.write_text('{"type": "user", "user_id": "u-1"}\n')
    db = tmp_path / "no" / "such" / "x.db"
    assert main(["import", "--db", str(db), str(good)]) == 2
    assert "no folder" in capsys.readouterr().err
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize(
    ("criterion", "message"),
    [
        ({"operator": "after", "date": "9999-12-31"}, "outside 1900-01-01 to 2999"),
        ({"operator": "before", "date": "0001-01-01"}, "outside 1900-01-01 to 2999"),
    ],
)
def test_dates_outside_the_calendar_range_are_refused(
    database, tmp_path, capsys, criterion, message
):
    raw = {"name": "Far", "match": "all", "criteria": [{"type": "app_sessions"}]}
    raw["criteria"][0].update(criterion)
    path = write_json(tmp_path, raw)
    assert main(["apply", "--db", str(database), str(path)]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("now", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_a_now_outside_the_calendar_range_is_refused(database, tmp_path, capsys, now):
    path = write_json(tmp_path, CART)
    argv = ["count", "--db", str(database), "--definition", str(path), "--now", now]
    assert main(argv) == 2
    assert "years 1900 to 2999" in capsys.readouterr().err


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "Factory", "right/UTC"])
def test_zones_that_name_no_place_are_refused(database, zone, capsys):
    assert main(["timezone", "--db", str(database), zone]) == 2
    assert "unknown time zone" in capsys.readouterr().err


def test_control_characters_in_names_are_refused(database, tmp_path, capsys):
    raw = dict(CART, name="Esc \x1b]0;pwned\x07 t")
    path = write_json(tmp_path, raw)
    assert main(["apply", "--db", str(database), str(path)]) == 2
    error = capsys.readouterr().err
    assert "control characters (U+001B)" in error
    assert "\x1b" not in error


def test_long_names_do_not_widen_the_list(database, tmp_path, capsys):
    path = write_json(tmp_path, [dict(CART, name="n" * 100), dict(CART, name="x")])
    assert main(["apply", "--db", str(database), str(path)]) == 0
    capsys.readouterr()
    assert main(["list", "--db", str(database), "--now", NOW]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= 80


def test_a_busy_database_is_one_line(database, tmp_path, capsys):
    import sqlite3

    holder = sqlite3.connect(database)
    holder.execute("BEGIN IMMEDIATE")
    try:
        path = write_json(tmp_path, CART)
        assert main(["apply", "--db", str(database), str(path)]) == 2
    finally:
        holder.rollback()
        holder.close()
    error = capsys.readouterr().err
    assert "the database is busy" in error and error.count("\n") == 1
