"""Reading input files: numbered lines, decoded one by one, with progress.

Files are read as bytes so that one line that is not UTF-8 costs that line
only, and so that progress can be told in bytes of the files themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from data.importing.report import ImportFailure

ProgressCallback = Callable[[int, int], None]

# Progress is told every so many lines: often enough to move a bar
# smoothly, rarely enough to cost nothing.
LINES_PER_TICK = 2048
# Lines are read ahead in blocks of about this many bytes: enough to make the
# work per block large beside its overhead, little enough to keep memory low.
BLOCK_BYTES = 1 << 20
BOM = "\ufeff"


class Progress:
    """Bytes read so far across every file of an import, told to a callback."""

    def __init__(self, total: int, callback: ProgressCallback | None) -> None:
        self.total = total
        self.callback = callback
        self.done_before = 0
        self.done = 0

    def tell(self, offset_in_file: int) -> None:
        """Report that the current file has been read up to `offset_in_file`."""
        self.reached(self.done_before + offset_in_file)

    def reached(self, done: int) -> None:
        """Report `done` bytes read across every file, as counted elsewhere."""
        self.done = min(done, self.total)
        if self.callback is not None:
            self.callback(self.done, self.total)

    def file_done(self, size: int) -> None:
        """Count a whole file as read and move on to the next."""
        self.done_before += size
        self.tell(0)


@dataclass
class SourceFile:
    """One input file: its format, size in bytes and first non-blank line."""

    path: Path
    format: str
    size: int
    first_line: str

    @property
    def name(self) -> str:
        """The file as the person named it, for messages."""
        return str(self.path)

    def lines(self, progress: Progress) -> Iterator[tuple[int, str, bool]]:
        """(line number, text with its line end, whether it was valid UTF-8)."""
        with self.path.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                if number % LINES_PER_TICK == 0:
                    progress.tell(handle.tell())
                try:
                    text, clean = raw.decode("utf-8"), True
                except UnicodeDecodeError:
                    text, clean = raw.decode("utf-8", errors="replace"), False
                if number == 1 and text.startswith(BOM):
                    text = text[1:]
                yield number, text, clean
        progress.file_done(self.size)

    def blocks(self, progress: Progress) -> Iterator[Block]:
        """The same lines as `lines`, about a megabyte of them at a time.

        A whole block is decoded at once; only a block that is not valid
        UTF-8 is decoded line by line, to tell which lines are at fault.
        """
        number = 1
        with self.path.open("rb") as handle:
            while data := handle.read(BLOCK_BYTES):
                data += handle.readline()
                block = _decoded(number, data)
                if number == 1 and block.lines[0].startswith(BOM):
                    block.lines[0] = block.lines[0][1:]
                progress.tell(handle.tell())
                yield block
                number += len(block.lines)
        progress.file_done(self.size)


@dataclass(slots=True)
class Block:
    """Consecutive lines of a file, without their line ends.

    `first` is the number of the first line; `unclean` holds the numbers of
    the lines that were not valid UTF-8 (decoded with replacement marks).
    """

    first: int
    lines: list[str]
    unclean: set[int]


def _decoded(first: int, data: bytes) -> Block:
    """The lines of `data`, which holds whole lines from line number `first`."""
    try:
        lines = data.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        return _decoded_by_line(first, data)
    if not lines[-1]:
        lines.pop()
    return Block(first, lines, set())


def _decoded_by_line(first: int, data: bytes) -> Block:
    """Lines decoded one by one, remembering those that are not UTF-8."""
    pieces = data.split(b"\n")
    if not pieces[-1]:
        pieces.pop()
    lines: list[str] = []
    unclean: set[int] = set()
    for number, raw in enumerate(pieces, first):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(raw.decode("utf-8", errors="replace"))
            unclean.add(number)
    return Block(first, lines, unclean)


def first_line(path: Path) -> str | None:
    """The first non-blank line of `path`, or None for a file of blanks."""
    try:
        with path.open("rb") as handle:
            for raw in handle:
                text = raw.decode("utf-8", errors="replace").lstrip(BOM).strip()
                if text:
                    return text
    except OSError as error:
        raise ImportFailure(f"{path}: cannot be read: {error.strerror}") from error
    return None


def file_size(path: Path) -> int:
    """The size of a regular file, or ImportFailure saying why it is unusable."""
    if not path.exists():
        raise ImportFailure(f"{path}: no such file")
    if not path.is_file():
        raise ImportFailure(f"{path}: not a regular file")
    return path.stat().st_size
