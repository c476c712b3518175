"""Large imports: files read in a child process, in blocks, into chunks.

The import tests of every format run here a second time with the child
process reading every import however small (see `always_read_ahead`), so
each rule they check holds on both paths. The tests below check what only
the fast path has: blocks of lines, chunks, the child's errors and exits.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.importing import (
    ImportFailure,
    import_files,
    native,
    read_ahead,
    source,
    writer,
)
from data.importing.chunks import Chunk, Part, parts_of
from data.importing.native import NativeReader
from data.importing.source import Block, Progress, SourceFile
from tests import (
    test_cli,
    test_import_access_log,
    test_import_native,
    test_import_snowplow,
)
from tests.import_fixtures import (
    new_database,
    rows,
    session_facts_exact,
    snapshot,
    user_sets_exact,
    visitors_in_step,
    write_file,
)

# Tests that replace `Writer.add` to fail midway: with the child reading,
# records reach the writer a chunk at a time (see the tests below instead).
RECORD_BY_RECORD = {"test_one_transaction_covers_all_files"}


def _tests_of(*modules: object) -> dict[str, object]:
    """The test functions of `modules`, to collect again in this module."""
    found = {}
    for module in modules:
        for name, test in vars(module).items():
            if name.startswith("test_") and name not in RECORD_BY_RECORD:
                found[f"{name}__read_ahead"] = test
    return found


globals().update(
    _tests_of(test_import_native, test_import_snowplow, test_import_access_log)
)
test_cli_import_exit_codes__read_ahead = test_cli.test_import_exit_codes
test_cli_real_files__read_ahead = test_cli.test_real_files_import_and_count


@pytest.fixture(autouse=True)
def always_read_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every import of this module reads in a child process."""
    monkeypatch.setattr(read_ahead, "READ_AHEAD_BYTES", 0)


def native_lines(users: int) -> list[str]:
    """A user line, sessions and visits for each of `users` users."""
    lines = []
    for number in range(users):
        user = f"u-{number}"
        language = ["fr-FR", "en_gb", None, "de"][number % 4]
        lines.append(
            json.dumps({"type": "user", "user_id": user, "language": language})
        )
        for day in range(1, 4):
            at = f"2025-07-{day:02d}T{number % 24:02d}:00:00Z"
            lines.append(
                json.dumps({"type": "session", "user_id": user, "started_at": at})
            )
            lines.append(
                json.dumps(
                    {
                        "type": "page_visit",
                        "user_id": user,
                        "path": f"/p/{(number * day) % 7}",
                        "visited_at": at,
                    }
                )
            )
    return lines


def import_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: list[list[Path]]
) -> tuple[dict, dict]:
    """Snapshots and reports of importing each list of files, both ways.

    One fresh database is written in process, the other read ahead.
    """
    found = {}
    for way, threshold in (("in_turn", 1 << 60), ("read_ahead", 0)):
        monkeypatch.setattr(read_ahead, "READ_AHEAD_BYTES", threshold)
        (tmp_path / way).mkdir()
        engine = new_database(tmp_path / way)
        reports = [import_files(engine, paths) for paths in files]
        assert user_sets_exact(engine) and session_facts_exact(engine)
        assert visitors_in_step(engine)
        found[way] = (snapshot(engine), reports)
    return found["in_turn"], found["read_ahead"]


def test_both_ways_write_the_same_rows_ids_included(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "BATCH_SIZE", 97)
    monkeypatch.setattr(writer, "EARLY_BATCH_SIZE", 40)
    monkeypatch.setattr(source, "BLOCK_BYTES", 1000)
    lines = native_lines(300)
    first = write_file(tmp_path, "first.jsonl", lines[: len(lines) // 2])
    relanguaged = [
        json.dumps({"type": "user", "user_id": f"u-{n}", "language": "es"})
        for n in range(0, 300, 3)
    ]
    bad = ["{oops", json.dumps({"type": "session", "user_id": "u-1"})]
    second = write_file(tmp_path, "second.jsonl", lines + relanguaged + bad)

    in_turn, ahead = import_both_ways(tmp_path, monkeypatch, [[first], [second]])

    assert in_turn == ahead
    assert [len(report.rejections) for report in ahead[1]] == [0, 2]


def test_new_users_are_numbered_in_order_of_first_appearance(
    tmp_path: Path,
) -> None:
    engine = new_database(tmp_path)
    old = write_file(tmp_path, "old.jsonl", native_lines(3)[:1])
    import_files(engine, [old])
    visits = [
        json.dumps(
            {"type": "page_visit", "user_id": name, "path": "/", "visited_at": "2025"}
        )
        for name in ["b", "u-0", "a", "b", "c"]
    ]
    import_files(engine, [write_file(tmp_path, "new.jsonl", visits)])

    numbered = rows(engine, "SELECT external_id FROM users ORDER BY id")
    assert [name for (name,) in numbered] == ["u-0", "b", "a", "c"]


@settings(max_examples=60, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(
            [b"{}", b"a", b"\xe9t\xe9", b"\xef\xbb\xbf", b"\r", b" ", b"\n", b"\n\n"]
        ),
        max_size=40,
    ),
    block_bytes=st.integers(min_value=1, max_value=12),
)
def test_blocks_hold_the_same_lines_as_reading_line_by_line(
    tmp_path_factory: pytest.TempPathFactory,
    pieces: list[bytes],
    block_bytes: int,
) -> None:
    path = tmp_path_factory.mktemp("blocks") / "lines"
    path.write_bytes(b"".join(pieces))
    file = SourceFile(path, "native", path.stat().st_size, "")
    by_line = [
        (number, text.removesuffix("\n"), clean)
        for number, text, clean in file.lines(Progress(file.size, None))
    ]
    original = source.BLOCK_BYTES
    source.BLOCK_BYTES = block_bytes
    try:
        by_block = [
            (number, text, number not in block.unclean)
            for block in file.blocks(Progress(file.size, None))
            for number, text in enumerate(block.lines, block.first)
        ]
    finally:
        source.BLOCK_BYTES = original

    assert by_block == by_line


def test_a_native_file_in_chunks_gives_what_it_gives_record_by_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source, "BLOCK_BYTES", 200)
    lines = [*native_lines(20), "", "  ", "[1]", json.dumps({"type": "user"})]
    path = write_file(tmp_path, "a.jsonl", lines)
    file = SourceFile(path, "native", path.stat().st_size, lines[0])

    one_by_one = NativeReader()
    [expected] = parts_of(
        one_by_one.read(file, Progress(file.size, None)), Progress(1, None), size=10**6
    )
    by_block = NativeReader()
    parts = list(by_block.read_chunks(file, Progress(file.size, None)))
    chunk, rejections = Chunk(), []
    for part in parts:
        chunk.extend(part.chunk)
        rejections += part.rejections

    assert len(parts) > 1
    assert chunk == expected.chunk and rejections == expected.rejections
    assert list(chunk.users) == list(expected.chunk.users)
    assert list(chunk.pages) == list(expected.chunk.pages)
    assert [r.line for r in rejections] == [len(lines) - 1, len(lines)]
    assert by_block.lines_read == one_by_one.lines_read == len(lines) - 2


_values = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=6),
    st.sampled_from(["2025-07-01T09:30:00Z", "2025-13-01", " ", "", "/a?b", "fr"]),
)
_fields = st.dictionaries(
    st.sampled_from(["user_id", "path", "visited_at", "started_at", "language"]),
    _values,
    max_size=5,
)
_lines = st.one_of(
    st.builds(
        lambda fields, kind: json.dumps({**fields, "type": kind}),
        _fields,
        st.sampled_from(["user", "session", "page_visit", "other", 1]),
    ),
    _fields.map(json.dumps),
    st.text(max_size=12),
)


@settings(max_examples=500, deadline=None)
@given(lines=st.lists(_lines, max_size=8))
def test_lines_in_chunks_are_read_as_parse_line_reads_them(lines: list[str]) -> None:
    by_record, rejected = Chunk(), []
    for text in lines:
        try:
            by_record.add(native.parse_line(text))
        except native.LineError as error:
            rejected.append(str(error))
    direct, also_rejected = Chunk(), []
    for text in lines:
        try:
            native._add_line(text, direct)
        except native.LineError as error:
            also_rejected.append(str(error))

    assert direct == by_record and also_rejected == rejected
    assert list(direct.users) == list(by_record.users)


def big_import(tmp_path: Path) -> tuple[object, list[Path], dict]:
    """A database with one user imported, a larger file, and a snapshot."""
    engine = new_database(tmp_path)
    import_files(engine, [write_file(tmp_path, "0.jsonl", native_lines(1))])
    path = write_file(tmp_path, "big.jsonl", native_lines(400))
    return engine, [path], snapshot(engine)


def test_ctrl_c_while_writing_stops_the_child_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, paths, before = big_import(tmp_path)
    monkeypatch.setattr(source, "BLOCK_BYTES", 1000)
    monkeypatch.setattr(writer, "BATCH_SIZE", 10)
    real_add_chunk = writer.Writer.add_chunk
    chunks = []

    def add_then_interrupt(self: writer.Writer, chunk: Chunk) -> None:
        real_add_chunk(self, chunk)
        chunks.append(chunk)
        if len(chunks) == 3:
            assert self.page_visits_added > 0
            raise KeyboardInterrupt

    monkeypatch.setattr(writer.Writer, "add_chunk", add_then_interrupt)

    with pytest.raises(KeyboardInterrupt):
        import_files(engine, paths)

    assert multiprocessing.active_children() == []
    assert snapshot(engine) == before


def test_one_transaction_covers_all_files_read_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = new_database(tmp_path)
    first = write_file(tmp_path, "1.jsonl", native_lines(50))
    second = write_file(tmp_path, "2.jsonl", ['{"type": "user", "user_id": "late"}'])
    monkeypatch.setattr(writer, "BATCH_SIZE", 1)
    real_add_chunk = writer.Writer.add_chunk

    def add_then_fail(self: writer.Writer, chunk: Chunk) -> None:
        real_add_chunk(self, chunk)
        if "late" in chunk.users:
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(writer.Writer, "add_chunk", add_then_fail)

    with pytest.raises(RuntimeError):
        import_files(engine, [first, second])

    assert rows(engine, "SELECT count(*) FROM users") == [(0,)]


def test_an_unreadable_file_found_by_the_child_fails_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, paths, before = big_import(tmp_path)
    monkeypatch.setattr(source, "BLOCK_BYTES", 1000)
    real_blocks = SourceFile.blocks

    def blocks_then_fail(self: SourceFile, progress: Progress) -> Iterator[Block]:
        for number, block in enumerate(real_blocks(self, progress)):
            if number == 3:
                raise OSError(5, "Input/output error", str(self.path))
            yield block

    monkeypatch.setattr(SourceFile, "blocks", blocks_then_fail)

    with pytest.raises(ImportFailure, match="cannot be read: Input/output error"):
        import_files(engine, paths)

    assert multiprocessing.active_children() == []
    assert snapshot(engine) == before


def test_a_child_that_dies_fails_the_import_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, paths, before = big_import(tmp_path)
    monkeypatch.setattr(source, "BLOCK_BYTES", 1000)
    real_blocks = SourceFile.blocks

    def blocks_then_die(self: SourceFile, progress: Progress) -> Iterator[Block]:
        for number, block in enumerate(real_blocks(self, progress)):
            if number == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            yield block

    monkeypatch.setattr(SourceFile, "blocks", blocks_then_die)

    with pytest.raises(ImportFailure, match="stopped unexpectedly") as failure:
        import_files(engine, paths)

    assert f"exit status {-signal.SIGKILL}" in str(failure.value)
    assert multiprocessing.active_children() == []
    assert snapshot(engine) == before


_STALLED_IMPORT = """
import multiprocessing, sys, time
from data.database import open_database
from data.importing import import_files, read_ahead, writer
read_ahead.READ_AHEAD_BYTES = 0
def stall(self, chunk):
    print(multiprocessing.active_children()[0].pid, flush=True)
    time.sleep(60)
writer.Writer.add_chunk = stall
import_files(open_database(sys.argv[1], create=True), [sys.argv[2]])
"""


def running(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see processes")
def test_the_child_goes_when_the_parent_is_killed(tmp_path: Path) -> None:
    path = write_file(tmp_path, "big.jsonl", native_lines(3000))
    stalled = subprocess.Popen(
        [sys.executable, "-c", _STALLED_IMPORT, str(tmp_path / "a.db"), str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        child = int(stalled.stdout.readline())
    finally:
        stalled.kill()
        stalled.wait()
    deadline = time.monotonic() + 20
    while running(child) and time.monotonic() < deadline:
        time.sleep(0.05)

    assert not running(child)


def test_an_error_in_the_child_is_raised_in_the_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, paths, before = big_import(tmp_path)

    def fail(
        self: NativeReader, file: SourceFile, progress: Progress
    ) -> Iterator[Part]:
        raise ValueError("a reader bug")
        yield

    monkeypatch.setattr(NativeReader, "read_chunks", fail)

    with pytest.raises(ValueError, match="a reader bug"):
        import_files(engine, paths)

    assert multiprocessing.active_children() == []
    assert snapshot(engine) == before


def test_strict_reads_every_file_to_the_end_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, [path], before = big_import(tmp_path)
    monkeypatch.setattr(source, "BLOCK_BYTES", 1000)
    late_lines = [*native_lines(2), "{worse"]
    late_lines[1] = "{bad"
    late = write_file(tmp_path, "late.jsonl", late_lines)

    report = import_files(engine, [path, late], strict=True)

    assert not report.written
    assert [(r.file, r.line) for r in report.rejections] == [
        (str(late), 2),
        (str(late), 15),
    ]
    assert all("invalid JSON" in r.reason for r in report.rejections)
    assert report.lines_read == len(native_lines(400)) + 15
    assert (report.users_added, report.page_visits_added) == (0, 0)
    assert snapshot(engine) == before


def test_only_large_imports_on_linux_read_ahead(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(read_ahead, "READ_AHEAD_BYTES", 4 << 20)
    assert not read_ahead.worth_reading_ahead((4 << 20) - 1)
    monkeypatch.setattr(read_ahead.sys, "platform", "linux")
    assert read_ahead.worth_reading_ahead(4 << 20)
    monkeypatch.setattr(read_ahead.sys, "platform", "darwin")
    assert not read_ahead.worth_reading_ahead(4 << 20)


def test_each_language_is_looked_up_once_when_settling(tmp_path: Path) -> None:
    engine = new_database(tmp_path)
    path = write_file(tmp_path, "a.jsonl", native_lines(200))
    raw = engine.raw_connection()
    statements: list[str] = []
    raw.driver_connection.set_trace_callback(statements.append)
    try:
        raw.close()
        import_files(engine, [path])
    finally:
        raw = engine.raw_connection()
        raw.driver_connection.set_trace_callback(None)
        raw.close()

    lookups = [s for s in statements if s.startswith("SELECT id FROM languages")]
    assert 0 < len(lookups) <= 3
    assert rows(engine, "SELECT count(*) FROM languages")[0][0] == 3


def test_a_database_error_while_reading_ahead_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, paths, before = big_import(tmp_path)

    def refuse(self: writer.Writer) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(writer.Writer, "flush", refuse)

    with pytest.raises(ImportFailure, match="nothing was imported: disk I/O error"):
        import_files(engine, paths)

    assert multiprocessing.active_children() == []
    assert snapshot(engine) == before
