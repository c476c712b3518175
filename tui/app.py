"""The Segments terminal app: the segment list, the form, help and commands.

Built for operations staff over SSH: an 80x24 terminal, the keyboard only,
slow links and one database shared by several people at once.
"""

from __future__ import annotations

import json
import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.command import CommandPalette
from textual.logging import TextualHandler
from textual.message import Message

from core.workspace import Workspace
from tui import actions
from tui.counting import QUERY_ERRORS, Counter
from tui.palette import ActionCommands
from tui.screens.confirm import ConfirmScreen
from tui.screens.form import SegmentFormScreen
from tui.screens.help import HelpScreen
from tui.screens.segments import SegmentsScreen

log = logging.getLogger(__name__)

WATCH_SECONDS = 1.0
"""How often to ask SQLite whether anyone wrote; the question costs microseconds."""


class SegmentsApp(App[None]):
    """Saved segments with exact member counts, built and edited by keyboard."""

    class DataChanged(Message):
        """Someone (an import, a colleague) wrote to the database."""

        def __init__(self, changed_at: str | None, first: bool) -> None:
            super().__init__()
            self.changed_at = changed_at
            self.first = first

    TITLE = "Segments"
    CSS_PATH = "app.tcss"
    BINDINGS = actions.bindings("app")
    COMMANDS = {ActionCommands}

    def __init__(
        self, workspace: Workspace, now: int | None = None, tz: str | None = None
    ) -> None:
        """`now` (µs since the epoch, UTC) and `tz` pin the clock counts use."""
        super().__init__()
        self.workspace = workspace
        self.counter = Counter(workspace, now, tz)
        attach_log_handler()

    def on_mount(self) -> None:
        """Start on the segment list.

        Pushed rather than made the default screen, because Textual loads a
        screen's `CSS_PATH` only for screens it pushes.
        """
        self.push_screen(SegmentsScreen(self.counter))
        self.watch = self.workspace.change_watch()
        self.watched = False
        self.set_interval(WATCH_SECONDS, self.look_for_changes)
        self.look_for_changes()

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def look_for_changes(self) -> None:
        """Tell the screens when the data moved, so their counts follow."""
        first = not self.watched
        self.watched = True
        try:
            if not self.watch.changed() and not first:
                return
            stamp = self.watch.changed_at()
            shown = self.counter.clock().show(stamp) if stamp is not None else None
        except QUERY_ERRORS as error:
            log.warning("could not watch the database for changes: %s", error)
            return
        self.post_message(self.DataChanged(shown, first))

    def on_segments_app_data_changed(self, message: DataChanged) -> None:
        """Every open screen that counts, counts again."""
        for screen in self.screen_stack:
            follow = getattr(screen, "data_changed", None)
            if follow is not None:
                follow(message.changed_at, recount=not message.first)

    def on_unmount(self) -> None:
        """Release the watch's connection."""
        watch = getattr(self, "watch", None)
        if watch is not None:
            watch.close()

    def _handle_exception(self, error: Exception) -> None:
        """Keep every unsaved form in a file before Textual stops the app.

        Textual ends the app on any error nobody caught, and there is no
        public hook for it; without this, what was typed would be lost.
        """
        kept = self.keep_unsaved_forms()
        if kept:
            files = ", ".join(str(path) for path in kept)
            db = self.workspace.path
            self.exit(
                return_code=1,
                message=(
                    f"Segments stopped on an error. Unsaved segment kept in {files};"
                    f" save it with: segments apply --db {db} FILE"
                ),
            )
        super()._handle_exception(error)

    def keep_unsaved_forms(self) -> list[Path]:
        """Write what each unsaved form holds to a JSON file; the files written."""
        kept: list[Path] = []
        for screen in self._screen_stack:
            if not isinstance(screen, SegmentFormScreen):
                continue
            try:
                if screen.is_dirty:
                    kept.append(keep_draft(screen.raw(), Path(self.workspace.path)))
            except Exception as failure:  # the app is failing already: keep going
                log.error("could not keep an unsaved segment: %r", failure)
        return kept

    def get_key_display(self, binding: Binding) -> str:
        """Keys in plain ASCII (no arrow glyphs), `^` for ctrl."""
        return binding.key_display or actions.shown_key(binding.key)

    def action_command_palette(self) -> None:
        """The palette, with a plain-ASCII prompt."""
        if not CommandPalette.is_open(self):
            prompt = "type a command, e.g. new segment"
            self.push_screen(CommandPalette(placeholder=prompt, id="--command-palette"))

    def action_help(self) -> None:
        """The keys of the screen in use, then the global ones."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(getattr(self.screen, "AREAS", ())))

    async def action_quit(self) -> None:
        """Quit, asking first if a form holds unsaved changes."""
        unsaved = [
            screen
            for screen in self.screen_stack
            if isinstance(screen, SegmentFormScreen) and screen.is_dirty
        ]
        if not unsaved:
            self.exit()
            return

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                self.exit()

        detail = "Your changes to the open segment will be lost."
        question = ConfirmScreen("Quit without saving?", detail, yes="Quit")
        self.push_screen(question, answered)


def keep_draft(raw: dict[str, Any], database: Path) -> Path:
    """Write a form's JSON beside the database (else in the temp folder)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    text = json.dumps(raw, indent=2, ensure_ascii=False) + "\n"
    for folder in (database.parent, Path(tempfile.gettempdir())):
        path = folder / f"unsaved-segment-{stamp}.json"
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            log.warning("could not write %s: %s", path, error)
            continue
        return path
    raise OSError("no folder to keep the unsaved segment in")


def attach_log_handler() -> None:
    """Send log records to Textual's log (seen with `textual console`), once."""
    root = logging.getLogger()
    if not any(isinstance(handler, TextualHandler) for handler in root.handlers):
        root.addHandler(TextualHandler(stderr=False))
