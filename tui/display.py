"""How text from the data is shown: literally, with control characters visible.

Segment names, paths and database paths are typed by people or imported, so
they may hold markup-like brackets, escape sequences or line breaks; none of
that may style, move or break the screen.
"""

from __future__ import annotations

import io
import unicodedata

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

CUT = "..."
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}
_MEASURE = Console(file=io.StringIO(), color_system=None, width=1000)
"""Only measures text for wrapping; never writes anywhere."""


def visible(value: str) -> str:
    """`value` with every control or format character written as an escape."""
    return "".join(_shown(character) for character in value)


def fit(value: str, width: int) -> str:
    """`value` made visible and cut to `width` cells, ending in `...` if cut."""
    shown = visible(value)
    if cell_len(shown) <= width:
        return shown
    if width <= len(CUT):
        return CUT[:width]
    kept = []
    used = 0
    for character in shown:
        size = cell_len(character)
        if used + size > width - len(CUT):
            break
        kept.append(character)
        used += size
    return "".join(kept) + CUT


def fit_left(value: str, width: int) -> str:
    """Like `fit`, but keeps the end (the file name of a long path)."""
    shown = visible(value)
    if cell_len(shown) <= width:
        return shown
    return fit(shown[::-1], width)[::-1]


def wrapped(value: str, width: int, rows: int) -> str:
    """`value` made visible and wrapped into at most `rows` lines of `width`.

    Text that does not fit ends in `...` on its last line, so a cut is seen.
    """
    width = max(width, len(CUT) + 1)
    lines = [line.plain for line in Text(visible(value)).wrap(_MEASURE, width)]
    if len(lines) <= rows:
        return "\n".join(lines)
    kept = lines[: max(rows, 1)]
    last = kept[-1].rstrip()
    while cell_len(last) > width - len(CUT):
        last = last[:-1]
    kept[-1] = last.rstrip() + CUT
    return "\n".join(kept)


def literal(value: str, width: int | None = None, style: str = "") -> Text:
    """A `Text` that shows `value` as typed, never read as markup."""
    shown = visible(value) if width is None else fit(value, width)
    return Text(shown, style=style, no_wrap=True, end="")


def _shown(character: str) -> str:
    """One character, or its escape when it would not show as itself."""
    if character in _NAMED:
        return _NAMED[character]
    if unicodedata.category(character) not in _INVISIBLE:
        return character
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
