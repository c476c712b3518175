"""Running an import: every file in one transaction, or nothing at all.

All files are checked before anything is written, so a missing or unknown
file fails the import up front. The records then go through one writer in
one transaction that only a finished import commits: an error, a Ctrl-C or
`--strict` with a rejected line leaves the database exactly as it was.

A large import is read by a second process while this one writes (see
`read_ahead`); the records, their order and the rejections are the same.
"""

from __future__ import annotations

import gc
import logging
import sqlite3
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from os import PathLike
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine

from data.changes import mark_changed
from data.importing.access_log import AccessLogReader
from data.importing.chunks import Part, parts_of
from data.importing.detection import open_source
from data.importing.native import NativeReader
from data.importing.read_ahead import ReadAhead, worth_reading_ahead
from data.importing.records import Record, Rejection
from data.importing.report import ImportFailure, ImportReport
from data.importing.snowplow import SnowplowReader
from data.importing.source import Progress, ProgressCallback, SourceFile
from data.importing.writer import Writer

log = logging.getLogger(__name__)

# A page cache of 64 MiB (negative means KiB) while importing: the indexes
# of a large import stay in memory instead of being reread for every batch.
IMPORT_CACHE_SIZE = -64 * 1024


class Reader(Protocol):
    """What each format module offers: records per file, then at the end."""

    lines_read: int

    def read(self, source: SourceFile, progress: Progress) -> Iterable[Record]:
        """The records and rejections of one file."""
        ...

    def finish(self) -> Iterable[Record]:
        """Records that need every file first, such as access-log sessions."""
        ...


READERS: dict[str, Callable[[], Reader]] = {
    "native": NativeReader,
    "snowplow": SnowplowReader,
    "access-log": AccessLogReader,
}


def import_files(
    engine: Engine,
    paths: Sequence[str | PathLike[str]],
    *,
    format: str | None = None,
    strict: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import `paths` into the database behind `engine`, all or nothing.

    `format` None detects each file's format. Raises ImportFailure, having
    written nothing, when a file cannot be read or the database refuses.
    """
    sources = [open_source(Path(path), format) for path in paths]
    meter = Progress(sum(source.size for source in sources), progress)
    pooled = engine.raw_connection()
    db = pooled.driver_connection
    cache_size = db.execute("PRAGMA cache_size").fetchone()[0]
    try:
        db.execute(f"PRAGMA cache_size = {IMPORT_CACHE_SIZE}")
        with _garbage_collector_paused():
            report = _in_transaction(db, sources, strict, meter)
    except sqlite3.Error as error:
        raise ImportFailure(
            f"{engine.url.database}: nothing was imported: {error}"
        ) from error
    finally:
        db.execute(f"PRAGMA cache_size = {int(cache_size)}")
        pooled.close()
    return report


@contextmanager
def _garbage_collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while importing.

    An import makes a tuple or two per event, alive until its batch is
    written, and at the usual thresholds these set off collections that walk
    them all, again and again. Importing makes no reference cycles, so no
    garbage waits for the collector meanwhile.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _in_transaction(
    db: sqlite3.Connection, sources: list[SourceFile], strict: bool, meter: Progress
) -> ImportReport:
    """Run the import in one transaction; commit only a finished, kept one."""
    try:
        db.execute("BEGIN IMMEDIATE")
        report = _run(db, sources, strict, meter)
        if report.written:
            if report.users_added or report.sessions_added or report.page_visits_added:
                mark_changed(db)
            db.commit()
        else:
            db.rollback()
    except BaseException as error:
        if db.in_transaction:
            db.rollback()
        if isinstance(error, OSError):
            name = error.filename or "an input file"
            reason = error.strerror or error
            raise ImportFailure(f"{name}: cannot be read: {reason}") from error
        raise
    log.info(
        "import of %d file(s), written=%s: %d users, %d sessions, %d page visits "
        "added; %d lines read, %d rejected",
        len(sources),
        report.written,
        report.users_added,
        report.sessions_added,
        report.page_visits_added,
        report.lines_read,
        len(report.rejections),
    )
    return report


def _run(
    db: sqlite3.Connection, sources: list[SourceFile], strict: bool, meter: Progress
) -> ImportReport:
    """Read every file through its format's reader into one writer."""
    writer = Writer(db)
    if worth_reading_ahead(meter.total):
        lines_read, rejections = _write_read_ahead(sources, writer, strict, meter)
    else:
        lines_read, rejections = _write_in_turn(sources, writer, strict, meter)
    formats = {source.name: source.format for source in sources}
    if strict and rejections:
        return ImportReport(0, 0, 0, lines_read, rejections, False, formats)
    writer.finish()
    return ImportReport(
        writer.users_added,
        writer.sessions_added,
        writer.page_visits_added,
        lines_read,
        rejections,
        True,
        formats,
    )


def _write_in_turn(
    sources: list[SourceFile], writer: Writer, strict: bool, meter: Progress
) -> tuple[int, list[Rejection]]:
    """Read and write in this process, record by record; (lines, rejections)."""
    readers: dict[str, Reader] = {}
    rejections: list[Rejection] = []
    for source in sources:
        if source.format not in readers:
            readers[source.format] = READERS[source.format]()
        _feed(readers[source.format].read(source, meter), writer, rejections, strict)
    for reader in readers.values():
        _feed(reader.finish(), writer, rejections, strict)
    return sum(reader.lines_read for reader in readers.values()), rejections


def _write_read_ahead(
    sources: list[SourceFile], writer: Writer, strict: bool, meter: Progress
) -> tuple[int, list[Rejection]]:
    """Write the parts a child process reads; (lines read, rejections).

    Batches are written when full, or earlier when no part is waiting, so
    that the writer seldom idles while it holds records: it writes small
    batches at the start and large ones once the reader is ahead. Under `--strict` the
    first rejection dooms the import, so writing stops there while reading
    goes on to report every bad line.
    """
    rejections: list[Rejection] = []
    with ReadAhead(partial(_parts, sources), meter.total) as ahead:
        for part in ahead:
            rejections += part.rejections
            if not (strict and rejections):
                writer.add_chunk(part.chunk)
                if not ahead.has_part_waiting():
                    writer.flush_early()
            meter.reached(part.done)
        meter.reached(ahead.done)
    return ahead.lines_read, rejections


def _parts(sources: list[SourceFile], progress: Progress) -> Generator[Part, None, int]:
    """What `_write_in_turn` reads, in parts; returns the lines read.

    Native files are parsed a block of lines at a time; the other readers'
    records are gathered into parts as they come.
    """
    readers: dict[str, Reader] = {}
    for source in sources:
        if source.format not in readers:
            readers[source.format] = READERS[source.format]()
        reader = readers[source.format]
        if isinstance(reader, NativeReader):
            yield from reader.read_chunks(source, progress)
        else:
            yield from parts_of(reader.read(source, progress), progress)
    for reader in readers.values():
        yield from parts_of(reader.finish(), progress)
    return sum(reader.lines_read for reader in readers.values())


def _feed(
    records: Iterable[Record],
    writer: Writer,
    rejections: list[Rejection],
    strict: bool,
) -> None:
    """Pass records to the writer and collect rejections.

    Under `--strict` the first rejection dooms the import, so writing stops
    there while reading goes on to report every bad line.
    """
    add = writer.add
    for record in records:
        if type(record) is Rejection:
            rejections.append(record)
            if strict:
                add = _discard
        else:
            add(record)


def _discard(_record: Record) -> None:
    """Drop a record that would only be rolled back."""
