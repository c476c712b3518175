"""A workspace: one database, its time zone and its saved segments.

The app and the command line both start here, so opening, saving and counting
behave the same in each.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from core.clock import Clock, check_now, check_time_zone
from core.definition import SegmentDefinition, parse_definition
from core.evaluation import Evaluation, evaluation
from core.problems import DefinitionError, Problem
from data.changes import ChangeWatch
from data.database import open_database, resolve_database_path
from data.tables import SegmentRecord, Setting, User

log = logging.getLogger(__name__)

DEFAULT_TIME_ZONE = "UTC"


@dataclass(frozen=True)
class SavedSegment:
    """A segment as stored: its id, its definition and when it last changed."""

    id: int
    definition: SegmentDefinition
    updated_at: int


class Workspace:
    """One Segments database and what is kept in it besides the events."""

    def __init__(self, engine: Engine, path: Path) -> None:
        self.engine = engine
        self.path = path

    @classmethod
    def open(
        cls, given: str | Path | None = None, *, create: bool = False
    ) -> Workspace:
        """Open the database named by `--db`, `SEGMENTS_DB` or the default."""
        path = resolve_database_path(given)
        return cls(open_database(path, create=create), path)

    def time_zone(self) -> str:
        """The zone calendar days are counted in (a setting, UTC by default)."""
        with Session(self.engine) as session:
            setting = session.get(Setting, "timezone")
        return setting.value if setting else DEFAULT_TIME_ZONE

    def set_time_zone(self, name: str) -> None:
        """Change the workspace time zone, after checking the name."""
        with Session(self.engine) as session:
            session.merge(Setting(key="timezone", value=check_time_zone(name)))
            session.commit()

    def clock(self, now: int | None = None, tz: str | None = None) -> Clock:
        """The clock evaluations use: `now` and `tz` override the defaults."""
        zone = check_time_zone(tz) if tz else self.time_zone()
        return Clock(check_now(now) if now is not None else to_micros_now(), zone)

    @contextmanager
    def evaluation(self, clock: Clock) -> Iterator[Evaluation]:
        """A consistent read snapshot for counting and explaining."""
        with evaluation(self.engine, clock) as current:
            yield current

    def change_watch(self) -> ChangeWatch:
        """A cheap way to learn that anyone has written to the database."""
        return ChangeWatch(self.path)

    def total_users(self) -> int:
        """How many users the database holds."""
        with Session(self.engine) as session:
            return session.exec(select(func.count()).select_from(User)).one()

    def segments(self) -> list[SavedSegment]:
        """Every saved segment, by name."""
        with Session(self.engine) as session:
            records = session.exec(select(SegmentRecord)).all()
        saved = [_saved(record) for record in records]
        return sorted(saved, key=lambda segment: segment.definition.name.casefold())

    def find_segment(self, name: str) -> SavedSegment | None:
        """The saved segment called `name`, ignoring case."""
        with Session(self.engine) as session:
            record = session.exec(
                select(SegmentRecord).where(SegmentRecord.name_key == _key(name))
            ).first()
        return _saved(record) if record else None

    def save_segment(
        self, definition: SegmentDefinition, replacing: int | None = None
    ) -> SavedSegment:
        """Store a new segment, or replace segment `replacing`.

        A name already taken by another segment, ignoring case, is refused.
        """
        with Session(self.engine) as session:
            clash = session.exec(
                select(SegmentRecord).where(
                    SegmentRecord.name_key == _key(definition.name)
                )
            ).first()
            if clash is not None and clash.id != replacing:
                raise DefinitionError(
                    [Problem(f"a segment called {clash.name!r} exists", "name")]
                )
            record = session.get(SegmentRecord, replacing) if replacing else None
            record = _write(session, record, definition)
            session.commit()
            session.refresh(record)
            return _saved(record)

    def apply(self, definitions: Sequence[SegmentDefinition]) -> list[str]:
        """Create or replace segments by name, all in one transaction.

        Returns what happened to each, as 'created NAME' or 'replaced NAME'.
        """
        seen: set[str] = set()
        for definition in definitions:
            if _key(definition.name) in seen:
                message = f"{definition.name!r} appears twice, ignoring case"
                raise DefinitionError([Problem(message, "name")])
            seen.add(_key(definition.name))
        outcome = []
        with Session(self.engine) as session:
            for definition in definitions:
                record = session.exec(
                    select(SegmentRecord).where(
                        SegmentRecord.name_key == _key(definition.name)
                    )
                ).first()
                verb = "replaced" if record else "created"
                _write(session, record, definition)
                outcome.append(f"{verb} {definition.name}")
            session.commit()
        return outcome

    def delete_segment(self, segment_id: int) -> None:
        """Remove a saved segment."""
        with Session(self.engine) as session:
            record = session.get(SegmentRecord, segment_id)
            if record is not None:
                session.delete(record)
                session.commit()


def _write(
    session: Session, record: SegmentRecord | None, definition: SegmentDefinition
) -> SegmentRecord:
    """Fill a new or existing record from a definition and add it."""
    now = to_micros_now()
    if record is None:
        record = SegmentRecord(
            name="", name_key="", definition="", created_at=now, updated_at=now
        )
    record.name = definition.name
    record.name_key = _key(definition.name)
    record.definition = json.dumps(definition.to_json(), ensure_ascii=False)
    record.updated_at = now
    session.add(record)
    return record


def _saved(record: SegmentRecord) -> SavedSegment:
    """A stored record as a checked definition."""
    assert record.id is not None
    definition = parse_definition(json.loads(record.definition))
    return SavedSegment(record.id, definition, record.updated_at)


def _key(name: str) -> str:
    """Names are unique ignoring case."""
    return name.strip().casefold()


def to_micros_now() -> int:
    """The current instant, as stored."""
    return time.time_ns() // 1000
