"""The form that creates or edits a segment, counting its members as you type.

The fields are checked by the same parser that reads definition files
(`parse_definition`), and every problem is marked on its field. Counting runs
in an exclusive thread worker, 150 ms after the last keystroke; each answer
carries the draft it was computed for and is dropped if the form has moved on.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Label, Static
from textual.worker import Worker, WorkerState, get_current_worker

from core.definition import (
    MAX_CRITERIA,
    SegmentDefinition,
    parse_criterion,
    parse_definition,
)
from core.evaluation import SegmentCount
from core.problems import DefinitionError, Problem
from core.rules import Criterion
from core.rules.page_visited import PageVisited, path_warning
from core.workspace import SavedSegment
from tui import actions
from tui.counting import QUERY_ERRORS, Counter, counted, explain, share_text
from tui.display import literal, visible
from tui.screens.chooser import KindChooser
from tui.screens.confirm import ConfirmScreen
from tui.widgets.choice import Choice
from tui.widgets.criterion_card import CARDS, CriterionCard, card_for
from tui.widgets.key_footer import KeyFooter
from tui.widgets.text_field import TextField

log = logging.getLogger(__name__)

MATCHES = (("all", "ALL criteria"), ("any", "ANY criterion"))
WAIT_WHILE_SAVING = {"save", "back", "add_criterion", "remove_criterion"}


@dataclass(frozen=True)
class Draft:
    """What one count on the form was for: the valid criteria and their cards."""

    definition: SegmentDefinition
    positions: tuple[int, ...]
    complete: bool


FIELD_WAITS = 200
FIELD_WAIT_S = 0.01


class SegmentFormScreen(Screen[SavedSegment | None]):
    """Name, ALL or ANY, and criterion cards; dismissed with the saved segment."""

    CSS_PATH = "form.tcss"
    AREAS = ("form", "choice")
    BINDINGS = actions.bindings("form")
    AUTO_FOCUS = "#name"
    COUNT_DELAY = 0.05

    class DraftCounted(Message):
        """A count of what was on the form."""

        def __init__(self, draft: Draft, count: SegmentCount | None, error: str):
            super().__init__()
            self.draft = draft
            self.count = count
            self.error = error

    class NameChecked(Message):
        """Whether another segment already has the typed name."""

        def __init__(self, name: str, clash: str | None) -> None:
            super().__init__()
            self.name = name
            self.clash = clash

    class Stored(Message):
        """The outcome of saving: the segment, or the problems, or an error."""

        def __init__(
            self,
            segment: SavedSegment | None,
            problems: list[Problem] | None = None,
            error: str = "",
        ) -> None:
            super().__init__()
            self.segment = segment
            self.problems = problems or []
            self.error = error

    def __init__(self, counter: Counter, segment: SavedSegment | None = None) -> None:
        """An empty form, or one filled from `segment` to replace it."""
        super().__init__()
        self.counter = counter
        self.segment = segment
        self.replacing = segment.id if segment else None
        self.saved_raw: dict[str, Any] = {}
        self.save_attempted = False
        self.saving = False
        self.timer: Timer | None = None
        self.wanted: Draft | None = None
        self.on_screen: Draft | None = None
        self.checked_name = ""
        self.clash: tuple[str, str] | None = None
        self.saved: SavedSegment | None = None
        self.added: CriterionCard | None = None
        # A refused save moves the cursor only if the person has not moved it.
        self.focus_at_save: Widget | None = None

    def compose(self) -> ComposeResult:
        """Heading, name, match with the member count, then the cards."""
        definition = self.segment.definition if self.segment else None
        yield Static(self.heading(), id="heading")
        with Horizontal(id="name-row"):
            yield Label("Name", classes="label")
            yield self.name_field(definition.name if definition else "")
        yield Static(id="name-problem", classes="problem")
        with Horizontal(id="match-row"):
            yield Label("Match", classes="label")
            yield Choice(MATCHES, definition.match if definition else "all", id="match")
            yield Static(id="members")
        yield Static(id="criteria-problem", classes="problem")
        with VerticalScroll(id="cards", can_focus=False):
            criteria = definition.to_json()["criteria"] if definition else []
            for position, raw in enumerate(criteria, start=1):
                yield card_for(raw, position)
        yield KeyFooter()

    def heading(self) -> Text:
        """`New segment`, or `Edit segment` and its name."""
        if self.segment is None:
            return Text("New segment", style="bold")
        name = literal(self.segment.definition.name, 60)
        return Text.assemble(("Edit segment ", "bold"), name)

    def name_field(self, name: str) -> Input:
        """The name, one row high, any control characters in it shown as escapes."""
        return TextField(visible(name), placeholder="segment name", id="name")

    def on_mount(self) -> None:
        """Remember what was loaded (to spot changes), then count it."""
        self.remember_loaded()
        self.lay_out(self.size.width)
        self.check()

    def remember_loaded(self) -> None:
        """Keep the loaded form's JSON, once every loaded card can be read."""
        if all(card.ready for card in self.query(CriterionCard)):
            self.saved_raw = self.raw()
        else:
            self.call_after_refresh(self.remember_loaded)

    def on_resize(self, event: Resize) -> None:
        """Compact footer below 100 columns."""
        self.lay_out(event.size.width)

    def lay_out(self, width: int) -> None:
        """Switch the compact layout on or off."""
        self.set_class(width < 100, "-compact")
        self.query_one(KeyFooter).compact = width < 100

    @property
    def pending(self) -> bool:
        """Whether a check, count or save is still on its way (tests wait on it)."""
        return self.timer is not None or self.wanted is not None or self.saving

    @property
    def is_dirty(self) -> bool:
        """Whether anything differs from what the form opened with."""
        return self.raw() != self.saved_raw

    def cards(self) -> list[CriterionCard]:
        """The criterion cards whose fields can be read, in order.

        A card still mounting (or being removed) is left out; once mounted,
        adding it asks for a new check, which counts it.
        """
        return [card for card in self.query(CriterionCard) if card.ready]

    def card_total(self) -> int:
        """How many cards the form holds or is adding, not counting removals."""
        return sum(1 for card in self.query(CriterionCard) if not card.leaving)

    def raw(self) -> dict[str, Any]:
        """The definition as JSON, exactly as typed."""
        return {
            "name": self.query_one("#name", Input).value,
            "match": self.query_one("#match", Choice).value,
            "criteria": [card.raw() for card in self.cards()],
        }

    def on_input_changed(self, event: Input.Changed) -> None:
        """Any keystroke: check and recount once typing pauses."""
        event.stop()
        self.changed()

    def on_choice_changed(self, event: Choice.Changed) -> None:
        """A new operator or match rule: check and recount."""
        event.stop()
        self.changed()

    def changed(self) -> None:
        """Drop any count on its way and wait for typing to pause."""
        self.wanted = None
        if self.timer is not None:
            self.timer.stop()
        self.timer = self.set_timer(self.COUNT_DELAY, self.check)

    def check(self) -> list[Problem]:
        """Mark what is wrong, check the name, and count what is valid."""
        self.timer = None
        raw = self.raw()
        problems = self.show_problems(raw)
        name = raw["name"].strip()
        if name and name.casefold() != self.checked_name.casefold():
            self.checked_name = name
            self.check_name(name)
        self.request_count(raw)
        return problems

    def name_clashes(self) -> bool:
        """Whether the typed name is one another segment is known to have."""
        name = self.query_one("#name", Input).value.strip().casefold()
        return self.clash is not None and self.clash[0] == name

    def show_problems(self, raw: dict[str, Any]) -> list[Problem]:
        """Mark each problem on its field; empty fields wait for a save attempt."""
        problems = problems_in(raw)
        self.show_name_problem(raw["name"], problems)
        general = [p for p in problems if p.criterion is None and p.field != "name"]
        self.show_criteria_problem(general)
        for position, card in enumerate(self.cards(), start=1):
            self.show_card_problem(card, raw["criteria"][position - 1], problems)
        return problems

    def show_name_problem(self, name: str, problems: list[Problem]) -> None:
        """The name's problem, or a clash with another segment's name."""
        found = [p for p in problems if p.criterion is None and p.field == "name"]
        message = ""
        if found and (self.save_attempted or name.strip()):
            message = f"name: {found[0].message}"
        elif self.clash and self.name_clashes():
            message = f"name: {self.clash[1]}"
        self.query_one("#name", Input).set_class(bool(message), "-problem")
        self.show_line("#name-problem", message)

    def show_criteria_problem(self, problems: list[Problem]) -> None:
        """Problems of the whole list of criteria, such as there being none."""
        add = actions.shown_key(actions.key_for("add_criterion"))
        if not self.cards():
            message = f"No criteria yet: press {add} to add one."
            self.show_line("#criteria-problem", message, error=self.save_attempted)
        else:
            self.show_line("#criteria-problem", "; ".join(map(str, problems)))

    def show_card_problem(
        self, card: CriterionCard, raw: dict[str, Any], problems: list[Problem]
    ) -> None:
        """A card's first problem on its field, or its path warning."""
        found = [p for p in problems if p.criterion == card.position]
        if found and (self.save_attempted or card.has_value(found[0].field)):
            card.show_problem(found[0].field, found[0].message, "")
            return
        criterion = criterion_in(raw, card.position)
        warning = ""
        if isinstance(criterion, PageVisited):
            warning = path_warning(criterion) or ""
        card.show_problem(None, "", warning)

    def show_line(self, selector: str, message: str, error: bool = True) -> None:
        """Fill or hide one of the form's message lines."""
        line = self.query_one(selector, Static)
        line.update(literal(message))
        line.display = bool(message)
        line.set_class(error, "-error")

    def data_changed(self, _changed_at: str | None, recount: bool) -> None:
        """The data moved under us: the draft's count is stale, count again."""
        if recount:
            self.on_screen = None
            self.changed()

    def request_count(self, raw: dict[str, Any]) -> None:
        """Count the valid criteria, unless that exact draft is on screen."""
        cards = self.cards()
        parsed = [criterion_in(item, n) for n, item in enumerate(raw["criteria"], 1)]
        positions = tuple(n for n, item in enumerate(parsed) if item is not None)
        if not positions:
            self.wanted = self.on_screen = None
            self.show_members(None)
            for card in cards:
                card.show_count("")
            return
        chosen = tuple(parsed[n] for n in positions if parsed[n] is not None)
        definition = SegmentDefinition("draft", raw["match"], chosen)
        draft = Draft(definition, positions, len(positions) == len(cards))
        if draft == self.on_screen:
            return
        self.wanted = draft
        self.on_screen = None
        self.workers.cancel_group(self, "draft-count")
        self.counter.interrupt()
        self.show_members("counting")
        for number, card in enumerate(cards):
            card.show_count("counting" if number in positions else "")
        self.count_draft(draft)

    @work(thread=True, exclusive=True, group="draft-count", exit_on_error=False)
    def count_draft(self, draft: Draft) -> None:
        """Count in the background; a newer draft cancels this one."""
        worker = get_current_worker()
        try:
            with self.counter.evaluation() as evaluation:
                count = evaluation.count(draft.definition)
        except QUERY_ERRORS as error:
            if not worker.is_cancelled:
                log.warning("could not count the draft: %s", error)
                self.post_message(self.DraftCounted(draft, None, explain(error)))
            return
        if not worker.is_cancelled:
            self.post_message(self.DraftCounted(draft, count, ""))

    def on_segment_form_screen_draft_counted(self, message: DraftCounted) -> None:
        """Show the count if it is for what is on the form now."""
        if message.draft != self.wanted:
            return
        self.wanted = None
        if message.count is None:
            self.notify(visible(message.error), severity="error", markup=False)
            self.show_members("could not count")
            return
        self.on_screen = message.draft
        count = message.count
        cards = self.cards()
        for position, members in zip(
            message.draft.positions, count.criteria, strict=True
        ):
            cards[position].show_count(counted(members, "user"))
        if message.draft.complete:
            share = share_text(count.members, count.total_users)
            total = counted(count.total_users, "user")
            self.show_members(f"{count.members:,} of {total} ({share})")
        else:
            self.show_members(None)

    def show_members(self, text: str | None) -> None:
        """The member-count badge; None says why there is no count."""
        if text is None:
            add = actions.shown_key(actions.key_for("add_criterion"))
            cards = self.cards()
            text = f"add a criterion ({add})" if not cards else "complete the criteria"
        self.query_one("#members", Static).update(Text(f"members: {text}"))

    @work(thread=True, exclusive=True, group="name-check", exit_on_error=False)
    def check_name(self, name: str) -> None:
        """Look for another segment with this name, ignoring case."""
        try:
            found = self.counter.workspace.find_segment(name)
        except QUERY_ERRORS as error:
            log.warning("could not check the name %r: %s", name, error)
            return
        taken = found is not None and found.id != self.replacing
        clash = found.definition.name if found is not None and taken else None
        self.post_message(self.NameChecked(name, clash))

    def on_segment_form_screen_name_checked(self, message: NameChecked) -> None:
        """Mark a name that another segment has."""
        name = self.query_one("#name", Input).value.strip()
        if message.clash is not None:
            said = f"a segment called {message.clash!r} exists"
            self.clash = (message.name.casefold(), said)
        elif self.clash and self.clash[0] == message.name.casefold():
            self.clash = None
        if name.casefold() == message.name.casefold():
            self.show_name_problem(name, problems_in(self.raw()))

    def action_save(self) -> None:
        """Save if everything is valid; otherwise mark it and stay."""
        if self.saving:
            return
        self.save_attempted = True
        if self.timer is not None:
            self.timer.stop()
        problems = self.check()
        if problems or self.name_clashes():
            self.notify("Not saved: fix the marked fields.", severity="warning")
            self.focus_first_problem()
            return
        self.saving = True
        self.focus_at_save = self.focused
        self.refresh_bindings()
        self.store(parse_definition(self.raw()))

    def focus_first_problem(self) -> None:
        """Put the cursor on the first marked field, if there is one."""
        marked = [widget for widget in self.query(".-problem") if widget.display]
        if marked:
            marked[0].focus()

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def store(self, definition: SegmentDefinition) -> None:
        """Write in the background: the database may be busy with others."""
        try:
            saved = self.counter.workspace.save_segment(definition, self.replacing)
        except DefinitionError as error:
            self.post_message(self.Stored(None, problems=error.problems))
        except QUERY_ERRORS as error:
            log.warning("could not save segment %r: %s", definition.name, error)
            self.post_message(self.Stored(None, error=explain(error)))
        else:
            self.post_message(self.Stored(saved))

    def on_segment_form_screen_stored(self, message: Stored) -> None:
        """Back to the list on success; otherwise say why and stay."""
        self.saving = False
        self.refresh_bindings()
        if message.segment is not None:
            self.saved_raw = self.raw()
            self.saved = message.segment
            if self.is_active:
                self.dismiss(self.saved)
            return
        if message.error:
            self.notify(
                visible(message.error),
                title="Not saved",
                severity="error",
                markup=False,
            )
            return
        name = self.query_one("#name", Input).value.strip()
        for problem in message.problems:
            if problem.field == "name":
                self.clash = (name.casefold(), problem.message)
        self.show_problems(self.raw())
        self.notify("Not saved: fix the marked fields.", severity="warning")
        if self.focused is self.focus_at_save:
            self.query_one("#name", Input).focus()

    def action_back(self) -> None:
        """Leave, asking first when something changed; the dialog starts on No."""
        if not self.is_dirty:
            self.dismiss(None)
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(None)

        question = "Leave without saving?"
        detail = "Your changes to this segment will be lost."
        self.app.push_screen(ConfirmScreen(question, detail, yes="Leave"), answered)

    def action_add_criterion(self) -> None:
        """Ask which kind; the chooser adds the card and puts the cursor in it."""
        if self.card_total() >= MAX_CRITERIA:
            self.notify(
                f"A segment has at most {MAX_CRITERIA} criteria: "
                "remove one to add another.",
                title="Not added",
                severity="warning",
            )
            return
        self.app.push_screen(KindChooser(self.add_card))

    async def add_card(self, kind: str) -> None:
        """Add a card of `kind` at the end and focus its first field.

        Focus is set on this screen while the chooser is still open, so a key
        typed right after the kind goes to the new card once the chooser closes.
        """
        card = CARDS[kind](self.card_total() + 1)
        await self.query_one("#cards", VerticalScroll).mount(card)
        field = card.first_field()
        for _ in range(FIELD_WAITS):
            # On a busy machine the card's fields can arrive a frame later.
            if field is not None:
                break
            await asyncio.sleep(FIELD_WAIT_S)
            field = card.first_field()
        self.set_focus(field or card, scroll_visible=False)
        self.added = card
        self.changed()

    def focused_card(self) -> CriterionCard | None:
        """The card that holds the focus, if any."""
        node = self.focused
        while node is not None and not isinstance(node, CriterionCard):
            node = node.parent if isinstance(node.parent, Widget) else None
        return node

    async def action_remove_criterion(self) -> None:
        """Remove the focused card and renumber the rest."""
        card = self.focused_card()
        if card is None:
            return
        index = self.cards().index(card)
        card.leaving = True
        self.changed()
        await card.remove()
        remaining = self.cards()
        for position, other in enumerate(remaining, start=1):
            other.renumber(position)
        field = (
            remaining[min(index, len(remaining) - 1)].first_field()
            if remaining
            else None
        )
        if field is not None:
            field.focus()
        else:
            self.query_one("#name", Input).focus()
        self.on_screen = None
        self.changed()

    def action_toggle_match(self) -> None:
        """Switch between ALL and ANY."""
        choice = self.query_one("#match", Choice)
        choice.value = "any" if choice.value == "all" else "all"

    def on_screen_resume(self) -> None:
        """Show a card just added; leave if a save finished under a dialog."""
        if self.saved is not None:
            self.dismiss(self.saved)
            return
        if self.added is not None:
            self.added = None
            self.query_one("#cards", VerticalScroll).scroll_end(animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Editing waits while saving; removing needs a focused card.

        Both are shown dimmed rather than hidden, so the footer keeps its place.
        """
        if self.saving and action in WAIT_WHILE_SAVING:
            return None
        if action == "remove_criterion":
            return True if self.focused_card() is not None else None
        return True

    def on_descendant_focus(self) -> None:
        """The footer's remove key follows the focus in and out of cards."""
        self.refresh_bindings()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An error nobody expected still reaches the person, not a traceback."""
        if event.state == WorkerState.ERROR:
            log.error("worker %s failed: %r", event.worker.name, event.worker.error)
            self.saving = False
            self.wanted = None
            self.notify(
                visible(explain(event.worker.error)), severity="error", markup=False
            )


def problems_in(raw: dict[str, Any]) -> list[Problem]:
    """Everything `parse_definition` finds wrong with the form's JSON."""
    try:
        parse_definition(raw)
    except DefinitionError as error:
        return error.problems
    return []


def criterion_in(raw: dict[str, Any], position: int) -> Criterion | None:
    """One card's criterion, or None while it is invalid."""
    try:
        return parse_criterion(raw, position)
    except DefinitionError:
        return None
