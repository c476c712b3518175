"""What an import tells the person: rows added, lines rejected, or failure."""

from __future__ import annotations

from dataclasses import dataclass, field

from data.importing.records import Rejection


class ImportFailure(Exception):
    """An import that could not run at all; nothing was written.

    The message names the file (or the database) and what is wrong with it:
    missing, unreadable, or not in a format that can be read.
    """


@dataclass
class ImportReport:
    """Rows an import added, and every line it did not take.

    The counts are rows actually added, so a second import of the same file
    reports zeros. `written` is False when `--strict` refused the import
    because of a rejected line; the counts are then zero.
    """

    users_added: int
    sessions_added: int
    page_visits_added: int
    lines_read: int
    rejections: list[Rejection]
    written: bool
    formats: dict[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 when every line was taken, 1 when some were rejected."""
        return 1 if self.rejections else 0
