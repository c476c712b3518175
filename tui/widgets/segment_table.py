"""The table of saved segments, moved through with arrows or j, k, g and G."""

from __future__ import annotations

from textual.widgets import DataTable

from tui import actions


class SegmentTable(DataTable[object]):
    """A row-cursor table with vi-style movement keys besides the arrows."""

    DEFAULT_CSS = """
    SegmentTable {
        height: 1fr;
        width: 1fr;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
    }
    """

    BINDINGS = actions.bindings("table")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
