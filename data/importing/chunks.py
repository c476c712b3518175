"""Records gathered by kind: what the writer writes in one go.

Readers hand over records one at a time, or, for large imports read in a
second process, whole chunks of lines at once. Either way they end up in a
`Chunk`, which keeps what the writer needs and nothing more: which users
appear, in the order they first do (their ids are handed out in that
order), the pages likewise, the visits and sessions column by column, and
each user's last given language. A chunk is also what crosses between the
processes, so it pickles small: each user's external id is one string
object for all their records (`users` maps it to itself), which pickle
writes once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from data.importing.records import (
    PageVisitRecord,
    Record,
    Rejection,
    SessionRecord,
    UserRecord,
)
from data.importing.source import Progress

# Records per part when a reader hands them over one at a time.
PART_RECORDS = 10_000


@dataclass(slots=True)
class Chunk:
    """Users, page visits, session starts and languages, by kind.

    Visits and unkeyed sessions are kept column by column, which pickles
    smaller and turns into rows of ids without a Python loop.
    """

    users: dict[str, str] = field(default_factory=dict)
    pages: dict[str, None] = field(default_factory=dict)
    visit_users: list[str] = field(default_factory=list)
    visit_paths: list[str] = field(default_factory=list)
    visit_times: list[int] = field(default_factory=list)
    session_users: list[str] = field(default_factory=list)
    session_starts: list[int] = field(default_factory=list)
    keyed_sessions: list[tuple[str, int, str]] = field(default_factory=list)
    languages: dict[str, str | None] = field(default_factory=dict)
    records: int = 0

    def add(self, record: UserRecord | SessionRecord | PageVisitRecord) -> None:
        """Take one record."""
        user = self.users.setdefault(record.external_id, record.external_id)
        if isinstance(record, PageVisitRecord):
            self.pages[record.path] = None
            self.visit_users.append(user)
            self.visit_paths.append(record.path)
            self.visit_times.append(record.visited_at)
        elif isinstance(record, SessionRecord):
            if record.source_key:
                self.keyed_sessions.append((user, record.started_at, record.source_key))
            else:
                self.session_users.append(user)
                self.session_starts.append(record.started_at)
        elif record.language_given:
            self.languages[user] = record.language
        self.records += 1

    def extend(self, other: Chunk) -> None:
        """Take every record of a later chunk."""
        self.users.update(other.users)
        self.pages.update(other.pages)
        self.visit_users += other.visit_users
        self.visit_paths += other.visit_paths
        self.visit_times += other.visit_times
        self.session_users += other.session_users
        self.session_starts += other.session_starts
        self.keyed_sessions += other.keyed_sessions
        self.languages.update(other.languages)
        self.records += other.records


@dataclass(slots=True)
class Part:
    """A chunk of one import's records, the lines it rejected, and how far.

    `done` counts the bytes read so far across every file of the import.
    """

    chunk: Chunk
    rejections: list[Rejection]
    done: int


def parts_of(
    records: Iterable[Record], progress: Progress, size: int = PART_RECORDS
) -> Iterator[Part]:
    """Records and rejections in parts of about `size`, in their order."""
    chunk, rejections = Chunk(), []
    for record in records:
        if isinstance(record, Rejection):
            rejections.append(record)
        else:
            chunk.add(record)
        if chunk.records + len(rejections) >= size:
            yield Part(chunk, rejections, progress.done)
            chunk, rejections = Chunk(), []
    if chunk.records or rejections:
        yield Part(chunk, rejections, progress.done)
