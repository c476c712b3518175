"""The tables, shaped for the counting queries rather than for the events.

Per-user facts (language, first and last session) sit on the user row so that
most operators are one indexed range. Visits keep every event for explaining
one user; `page_visitors` keeps each distinct (page, user) pair so that "who
visited these pages" never scans the visits. Paths are matched against the
small `pages` table, never against the visits.

Instants are integers: microseconds since the epoch, UTC (see `instants`).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, String
from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    """One person, known by the id the source data gave them."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(unique=True)
    language: str | None = Field(default=None, index=True)
    first_session_at: int | None = Field(default=None, index=True)
    last_session_at: int | None = Field(default=None, index=True)


class AppSession(SQLModel, table=True):
    """The start of one app session.

    `source_key` tells apart sessions that begin at the same instant but are
    distinct in the source (two Snowplow session ids); it is empty otherwise.
    """

    __tablename__ = "app_sessions"
    __table_args__ = {"sqlite_with_rowid": False}

    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
        )
    )
    started_at: int = Field(sa_column=Column(Integer, primary_key=True))
    source_key: str = Field(
        default="", sa_column=Column(String, primary_key=True, default="")
    )


class Page(SQLModel, table=True):
    """A distinct page path, in normalised form (see `paths`)."""

    __tablename__ = "pages"

    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(unique=True)


class PageVisit(SQLModel, table=True):
    """One visit of one page by one user."""

    __tablename__ = "page_visits"
    __table_args__ = {"sqlite_with_rowid": False}

    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
        )
    )
    page_id: int = Field(
        sa_column=Column(Integer, ForeignKey("pages.id"), primary_key=True)
    )
    visited_at: int = Field(sa_column=Column(Integer, primary_key=True))


class PageVisitor(SQLModel, table=True):
    """That a user visited a page at least once: the set behind `visited`."""

    __tablename__ = "page_visitors"
    __table_args__ = {"sqlite_with_rowid": False}

    page_id: int = Field(
        sa_column=Column(Integer, ForeignKey("pages.id"), primary_key=True)
    )
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
        )
    )


class SegmentRecord(SQLModel, table=True):
    """A saved segment: its definition as JSON, plus its name for look-ups."""

    __tablename__ = "segments"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)
    definition: str
    created_at: int
    updated_at: int


class Setting(SQLModel, table=True):
    """A workspace setting, such as its time zone."""

    __tablename__ = "settings"

    key: str = Field(primary_key=True)
    value: str


class Language(SQLModel, table=True):
    """A distinct device language tag, numbered for its set in `user_sets`."""

    __tablename__ = "languages"

    id: int | None = Field(default=None, primary_key=True)
    tag: str = Field(unique=True)


class UserSet(SQLModel, table=True):
    """A serialised Roaring bitmap of user ids sharing one fact (see `user_sets`)."""

    __tablename__ = "user_sets"
    __table_args__ = {"sqlite_with_rowid": False}

    kind: str = Field(sa_column=Column(String, primary_key=True))
    key: int = Field(sa_column=Column(Integer, primary_key=True))
    users: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
