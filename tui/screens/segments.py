"""The start screen: every saved segment, what it asks for and how many match.

The list opens at once; a thread worker reads the segments and then counts
them one by one in a single read snapshot, posting each count as it lands.
"""

from __future__ import annotations

import logging

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from core.evaluation import SegmentCount
from core.workspace import SavedSegment
from tui import actions
from tui.counting import (
    QUERY_ERRORS,
    Counter,
    counted,
    explain,
    members_text,
    share_text,
)
from tui.display import fit, fit_left, literal, visible, wrapped
from tui.screens.confirm import ConfirmScreen
from tui.screens.form import SegmentFormScreen
from tui.widgets.filter_input import FilterInput
from tui.widgets.key_footer import KeyFooter
from tui.widgets.segment_table import SegmentTable

log = logging.getLogger(__name__)

COLUMNS = ("name", "match", "criteria", "members", "share")
HEADINGS = {
    "name": "Name",
    "match": "Match",
    "criteria": "Criteria",
    "members": "Members",
    "share": "Share",
}
COMPACT_BELOW = 100
DETAIL_ROWS = 5
"""The detail panel's height at most, as `#detail` in segments.tcss says."""


def column_widths(width: int) -> dict[str, int]:
    """Cell widths for a table `width` wide: names and criteria share the rest."""
    fixed = {"match": 5, "members": 9, "share": 6}
    room = max(width - 2 * len(COLUMNS) - 1 - sum(fixed.values()), 20)
    name = min(32, max(12, room // 2))
    return {"name": name, "criteria": room - name, **fixed}


class SegmentsScreen(Screen[None]):
    """The saved segments with their member counts; the app starts here."""

    CSS_PATH = "segments.tcss"
    AREAS = ("segments", "table", "filter")
    BINDINGS = actions.bindings("segments")
    AUTO_FOCUS = "#segments"

    class Loaded(Message):
        """The saved segments were read."""

        def __init__(self, generation: int, segments: list[SavedSegment]) -> None:
            super().__init__()
            self.generation = generation
            self.segments = segments

    class TotalCounted(Message):
        """The number of users in the database."""

        def __init__(self, generation: int, total: int) -> None:
            super().__init__()
            self.generation = generation
            self.total = total

    class Counted(Message):
        """One segment's count."""

        def __init__(self, generation: int, segment_id: int, count: SegmentCount):
            super().__init__()
            self.generation = generation
            self.segment_id = segment_id
            self.count = count

    class Failed(Message):
        """Reading, counting or deleting went wrong."""

        def __init__(self, generation: int | None, message: str) -> None:
            super().__init__()
            self.generation = generation
            self.message = message

    class Deleted(Message):
        """A segment was deleted."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, counter: Counter) -> None:
        super().__init__()
        self.counter = counter
        self.segments: list[SavedSegment] = []
        self.shown: list[SavedSegment] = []
        self.counts: dict[int, SegmentCount] = {}
        self.total: int | None = None
        self.loaded = False
        self.failed = False
        self.generation = 0
        self.widths = column_widths(80)
        self.select_id: int | None = None
        self.changed_at: str | None = None

    def compose(self) -> ComposeResult:
        """Title line, filter (hidden until `/`), the table, the empty state."""
        yield Static(id="title")
        yield FilterInput(placeholder="filter by name or criteria", id="filter")
        yield SegmentTable(id="segments")
        yield Static(id="empty")
        yield Static(id="detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Lay out for the terminal's width and start reading."""
        self.lay_out(self.size.width)
        self.reload()

    def on_resize(self, event: Resize) -> None:
        """Compact below 100 columns; columns always fill the width."""
        self.lay_out(event.size.width)

    @property
    def table(self) -> SegmentTable:
        """The segment table."""
        return self.query_one(SegmentTable)

    @property
    def selected(self) -> SavedSegment | None:
        """The segment under the cursor, if any."""
        row = self.table.cursor_row
        return self.shown[row] if 0 <= row < len(self.shown) else None

    def reload(self, select_id: int | None = None) -> None:
        """Read the segments again and recount them, dropping older answers."""
        selected = self.selected
        self.select_id = select_id or (selected.id if selected else None)
        self.generation += 1
        self.workers.cancel_group(self, "segments")
        self.counter.interrupt()
        self.counts = {}
        self.failed = False
        self.load(self.generation)

    @work(thread=True, exclusive=True, group="segments", exit_on_error=False)
    def load(self, generation: int) -> None:
        """Read and count in the background; only messages leave this thread."""
        worker = get_current_worker()
        try:
            segments = self.counter.workspace.segments()
            self.post_message(self.Loaded(generation, segments))
            with self.counter.evaluation() as evaluation:
                total = len(evaluation.scope.all_users)
                self.post_message(self.TotalCounted(generation, total))
                for segment in segments:
                    if worker.is_cancelled:
                        return
                    count = evaluation.count(segment.definition)
                    self.post_message(self.Counted(generation, segment.id, count))
        except QUERY_ERRORS as error:
            if not worker.is_cancelled:
                log.warning("could not read or count segments: %s", error)
                self.post_message(self.Failed(generation, explain(error)))

    def on_segments_screen_loaded(self, message: Loaded) -> None:
        """Show the rows at once; counts follow."""
        if message.generation == self.generation:
            self.segments = message.segments
            self.loaded = True
            self.show_rows()

    def on_segments_screen_total_counted(self, message: TotalCounted) -> None:
        """The header's user count."""
        if message.generation == self.generation:
            self.total = message.total
            self.show_title()

    def on_segments_screen_counted(self, message: Counted) -> None:
        """Fill one row's count cells."""
        if message.generation != self.generation:
            return
        self.counts[message.segment_id] = message.count
        key = str(message.segment_id)
        if key in self.table.rows:
            members, share = self.count_cells(message.segment_id)
            self.table.update_cell(key, "members", members)
            self.table.update_cell(key, "share", share)
        selected = self.selected
        if selected is not None and selected.id == message.segment_id:
            self.show_detail()

    def on_segments_screen_failed(self, message: Failed) -> None:
        """Say what went wrong; rows left uncounted say so too."""
        if message.generation is None:
            self.notify(visible(message.message), severity="error", markup=False)
        elif message.generation == self.generation:
            self.failed = True
            self.notify(visible(message.message), severity="error", markup=False)
            self.show_rows()

    def on_segments_screen_deleted(self, message: Deleted) -> None:
        """Confirm the deletion and reread."""
        self.notify(visible(f"Deleted {message.name}"), markup=False)
        self.reload()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An error nobody expected still reaches the person, not a traceback."""
        if event.state == WorkerState.ERROR:
            log.error("worker %s failed: %r", event.worker.name, event.worker.error)
            self.notify(
                visible(explain(event.worker.error)), severity="error", markup=False
            )

    def lay_out(self, width: int) -> None:
        """Size the columns and the footer for the terminal's width."""
        self.query_one(KeyFooter).compact = width < COMPACT_BELOW
        widths = column_widths(width)
        if widths != self.widths or not self.table.columns:
            self.widths = widths
            self.table.clear(columns=True)
            for column in COLUMNS:
                label = Text(HEADINGS[column])
                if column in ("members", "share"):
                    label.justify = "right"
                self.table.add_column(label, width=widths[column], key=column)
            self.show_rows()
        self.show_title()

    def data_changed(self, changed_at: str | None, recount: bool) -> None:
        """The data moved under us: say when, and count again."""
        self.changed_at = changed_at
        if recount:
            self.reload()
        else:
            self.show_title()

    def show_title(self) -> None:
        """`Segments`, the database path, the number of users, when data changed."""
        users = "counting users" if self.total is None else counted(self.total, "user")
        changed = f"  changed {self.changed_at}" if self.changed_at else ""
        room = max(
            self.size.width - len("Segments") - len(users) - len(changed) - 8, 10
        )
        title = Text.assemble(
            ("Segments", "bold"),
            "  ",
            literal(fit_left(str(self.counter.workspace.path), room)),
            "  ",
            users,
            changed,
        )
        self.query_one("#title", Static).update(title)

    def show_rows(self) -> None:
        """Rebuild the rows that match the filter, keeping the cursor's segment."""
        table = self.table
        keep = self.select_id or (self.selected.id if self.selected else None)
        self.shown = [segment for segment in self.segments if self.matches(segment)]
        table.clear()
        for segment in self.shown:
            table.add_row(*self.cells(segment), key=str(segment.id))
        ids = [segment.id for segment in self.shown]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
            self.select_id = None
        self.show_empty_state()
        self.show_detail()

    def cells(self, segment: SavedSegment) -> list[Text]:
        """One row: name, ALL/ANY, the criteria in words, members and share."""
        definition = segment.definition
        members, share = self.count_cells(segment.id)
        return [
            literal(definition.name, self.widths["name"]),
            Text(definition.match.upper()),
            literal(definition.describe(), self.widths["criteria"]),
            members,
            share,
        ]

    def count_cells(self, segment_id: int) -> tuple[Text, Text]:
        """Members and share, `counting` until the count arrives."""
        count = self.counts.get(segment_id)
        if count is None:
            members = "error" if self.failed else "counting"
            return Text(members, style="dim", justify="right"), Text("")
        share = share_text(count.members, count.total_users)
        return (
            Text(members_text(count), justify="right"),
            Text(share, justify="right"),
        )

    def matches(self, segment: SavedSegment) -> bool:
        """Whether a segment passes the filter, by name or criteria, any case."""
        wanted = self.query_one(FilterInput).value.strip().casefold()
        definition = segment.definition
        return not wanted or any(
            wanted in text.casefold()
            for text in (definition.name, definition.describe())
        )

    def on_data_table_row_highlighted(self) -> None:
        """The detail line follows the cursor."""
        self.show_detail()

    def show_detail(self) -> None:
        """The name and criteria of the segment under the cursor.

        The table cuts the criteria to one cell; here they wrap onto the
        panel's rows, ending in `...` only if even those are too few.
        """
        segment = self.selected
        detail = self.query_one("#detail", Static)
        detail.display = segment is not None
        if segment is None:
            return
        definition = segment.definition
        count = self.counts.get(segment.id)
        members = (
            f"{counted(count.members, 'member')}, "
            f"{share_text(count.members, count.total_users)} of all users"
            if count
            else "counting members"
        )
        about = f"  {definition.match.upper()}, {members}"
        width = max(self.size.width - 2, 20)
        name_room = max(width - len(about), 10)
        describe = wrapped(definition.describe(), width, DETAIL_ROWS - 1)
        detail.update(
            Text.assemble(
                literal(definition.name, name_room, style="bold"),
                about,
                "\n",
                Text(describe, no_wrap=True, overflow="crop"),
            )
        )

    def show_empty_state(self) -> None:
        """Say how to create a segment, or that the filter hides them all."""
        empty = self.query_one("#empty", Static)
        wanted = self.query_one(FilterInput).value.strip()
        new = actions.shown_key(actions.key_for("new_segment"))
        if not self.loaded:
            message = Text("Reading segments...")
        elif not self.segments:
            message = Text(f"No segments yet. Press {new} to create one.")
        elif not self.shown:
            message = Text.assemble(
                "No segment matches ",
                literal(fit(wanted, 30)),
                ". Press esc to clear the filter.",
            )
        else:
            message = Text("")
        empty.update(message)
        empty.display = bool(message.plain)
        self.table.display = bool(self.shown)
        if self.shown and self.focused is None:
            self.table.focus()
        elif not self.shown and self.table.has_focus:
            self.set_focus(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide clearing when nothing is filtered; dim what needs a segment."""
        if action == "clear_filter":
            return self.query_one(FilterInput).has_class("-shown")
        if action in ("edit_segment", "delete_segment"):
            return True if self.shown else None
        return True

    def action_new_segment(self) -> None:
        """Open an empty form."""
        self.open_form(None)

    def action_edit_segment(self) -> None:
        """Open the form on the segment under the cursor."""
        if self.selected is not None:
            self.open_form(self.selected)

    def on_data_table_row_selected(self, event: SegmentTable.RowSelected) -> None:
        """Enter on a row edits it."""
        event.stop()
        self.action_edit_segment()

    def open_form(self, segment: SavedSegment | None) -> None:
        """Push the form; come back to the list, showing the saved segment."""

        def saved(result: SavedSegment | None) -> None:
            if result is not None:
                self.notify(visible(f"Saved {result.definition.name}"), markup=False)
                self.reload(select_id=result.id)

        self.app.push_screen(SegmentFormScreen(self.counter.fresh(), segment), saved)

    def action_delete_segment(self) -> None:
        """Ask first; the dialog starts on No."""
        segment = self.selected
        if segment is None:
            return
        question = Text.assemble("Delete ", literal(segment.definition.name, 40), "?")
        detail = "It is removed for everyone using this database."

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(segment)

        self.app.push_screen(ConfirmScreen(question, detail, yes="Delete"), answered)

    @work(thread=True, group="write", exit_on_error=False)
    def delete(self, segment: SavedSegment) -> None:
        """Delete in the background; the list rereads after."""
        try:
            self.counter.workspace.delete_segment(segment.id)
        except QUERY_ERRORS as error:
            log.warning("could not delete segment %s: %s", segment.id, error)
            self.post_message(self.Failed(None, explain(error)))
        else:
            self.post_message(self.Deleted(segment.definition.name))

    def action_refresh(self) -> None:
        """Reread and recount: others may have changed the database."""
        self.reload()

    def action_filter(self) -> None:
        """Show the filter field and type in it."""
        field = self.query_one(FilterInput)
        field.add_class("-shown")
        field.focus()
        self.refresh_bindings()

    def action_clear_filter(self) -> None:
        """Empty and hide the filter; back to the whole list."""
        field = self.query_one(FilterInput)
        field.value = ""
        field.remove_class("-shown")
        self.table.focus()
        self.refresh_bindings()

    @on(Input.Changed, "#filter")
    def filter_changed(self) -> None:
        """Refilter on every keystroke: the list is short."""
        self.show_rows()

    def on_filter_input_done(self) -> None:
        """Move in the filtered list."""
        self.table.focus()
