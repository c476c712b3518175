"""The one list of what can be done in the app, with its keys and words.

Key bindings, the footer, the help screen and the command palette are all
built from `ACTIONS`, so a key shown anywhere is the key that works, and tests
can press a key by naming its action.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

KEY_NAMES = {
    "escape": "esc",
    "question_mark": "?",
    "slash": "/",
    "colon": ":",
    "pageup": "pgup",
    "pagedown": "pgdn",
}
MOVE = Binding.Group("move", compact=True)
CHANGE = Binding.Group("change")


@dataclass(frozen=True)
class Area:
    """Where a group of actions works, and how the help screen heads it."""

    name: str
    heading: str
    in_palette: bool
    has_text_fields: bool = True


@dataclass(frozen=True)
class Action:
    """One thing a person can do: its keys, footer label and plain title.

    `keys` are Textual key names, comma-separated; the first is the one the
    footer shows. `title` reads as "verb object" in help and the palette.
    """

    area: str
    keys: str
    name: str
    label: str
    title: str
    priority: bool = False
    group: Binding.Group | None = None
    in_palette: bool = True
    in_footer: bool = True
    footer_key: str | None = None


AREAS: dict[str, Area] = {
    area.name: area
    for area in (
        Area("segments", "Segments list", True),
        Area("table", "In the list", False),
        Area("filter", "In the filter field", False),
        Area("form", "Segment form", True),
        Area("choice", "On a choice (operator, match)", False),
        Area("chooser", "Criterion chooser", False, has_text_fields=False),
        Area("dialog", "Question", False),
        Area("help", "Help", False),
        Area("app", "Everywhere", True),
    )
}

ACTIONS: tuple[Action, ...] = (
    Action("segments", "n", "new_segment", "new", "new segment"),
    Action("segments", "e,enter", "edit_segment", "edit", "edit segment"),
    Action("segments", "d", "delete_segment", "delete", "delete segment"),
    Action("segments", "r", "refresh", "refresh", "refresh counts"),
    Action("segments", "slash", "filter", "filter", "filter segments"),
    Action("segments", "escape", "clear_filter", "clear", "clear filter"),
    Action("segments", "q", "app.quit", "quit", "quit", in_palette=False),
    Action("table", "j", "cursor_down", "", "move down", group=MOVE),
    Action("table", "k", "cursor_up", "", "move up", group=MOVE),
    Action("table", "g", "scroll_top", "", "go to the first segment", group=MOVE),
    Action("table", "G", "scroll_bottom", "", "go to the last segment", group=MOVE),
    Action("filter", "enter,down", "done", "list", "go to the filtered list"),
    Action("form", "ctrl+s,f2", "save", "save", "save segment"),
    Action("form", "escape", "back", "back", "leave form"),
    Action("form", "ctrl+n", "add_criterion", "add", "add criterion", priority=True),
    Action("form", "ctrl+r", "remove_criterion", "remove", "remove criterion"),
    Action("form", "ctrl+t", "toggle_match", "match", "toggle ALL/ANY"),
    Action(
        "choice",
        "left",
        "previous_option",
        "",
        "previous option",
        group=CHANGE,
        footer_key="<-",
    ),
    Action(
        "choice",
        "right,space",
        "next_option",
        "",
        "next option",
        group=CHANGE,
        footer_key="->",
    ),
    Action(
        "chooser",
        "1",
        "pick('device_language')",
        "language",
        "device language",
        priority=True,
    ),
    Action(
        "chooser",
        "2",
        "pick('app_sessions')",
        "sessions",
        "app sessions",
        priority=True,
    ),
    Action(
        "chooser",
        "3",
        "pick('page_visited')",
        "page",
        "page visited",
        priority=True,
    ),
    Action(
        "chooser",
        "enter",
        "pick_highlighted",
        "add",
        "add highlighted kind",
        priority=True,
    ),
    Action("chooser", "escape", "cancel", "cancel", "cancel", priority=True),
    Action(
        "chooser",
        "down",
        "highlight_next",
        "",
        "highlight the next kind",
        priority=True,
        group=MOVE,
        in_footer=False,
    ),
    Action(
        "chooser",
        "up",
        "highlight_previous",
        "",
        "highlight the previous kind",
        priority=True,
        group=MOVE,
        in_footer=False,
    ),
    Action("dialog", "y", "answer(True)", "yes", "answer yes"),
    Action("dialog", "n,escape", "answer(False)", "no", "answer no"),
    Action(
        "dialog",
        "left,right",
        "app.focus_next",
        "switch answer",
        "move to the other answer",
        footer_key="<- ->",
    ),
    Action("help", "escape,q,question_mark,f1", "close", "close", "close help"),
    Action("app", "f1,question_mark", "help", "help", "show help"),
    Action(
        "app",
        "ctrl+p,colon",
        "command_palette",
        "palette",
        "open commands",
        priority=True,
        in_footer=False,
    ),
    Action("app", "ctrl+q", "quit", "quit", "quit", priority=True, in_footer=False),
    Action(
        "app",
        "tab",
        "focus_next",
        "next",
        "go to the next field",
        in_footer=False,
        in_palette=False,
    ),
    Action(
        "app",
        "shift+tab",
        "focus_previous",
        "previous",
        "go to the previous field",
        in_footer=False,
        in_palette=False,
    ),
)


def actions_in(area: str) -> tuple[Action, ...]:
    """The actions of one area, in the order they are listed."""
    return tuple(action for action in ACTIONS if action.area == area)


def bindings(area: str) -> list[Binding]:
    """The Textual bindings of one area, for a class's `BINDINGS`.

    In an area with text fields, a key that types a character is never a
    priority binding, so typing in a field always wins over a shortcut.
    Priority bindings run as the app reads each key, in order; an area
    without text fields (the chooser) uses them so no key overtakes another.
    """
    typing = AREAS[area].has_text_fields
    return [
        Binding(
            key,
            action.name,
            action.label or action.title,
            show=action.in_footer and position == 0,
            key_display=action.footer_key if position == 0 else None,
            priority=action.priority and not (typing and _types_character(key)),
            id=f"{action.area}.{action.name}",
            group=action.group,
        )
        for action in actions_in(area)
        for position, key in enumerate(action.keys.split(","))
    ]


def key_for(name: str, area: str | None = None) -> str:
    """The first key of the action called `name` (tests press keys by this)."""
    for action in ACTIONS:
        if action.name == name and area in (None, action.area):
            return action.keys.split(",")[0]
    raise KeyError(f"no action {name!r} in {area or 'any area'}")


def shown_key(key: str) -> str:
    """How a key is written on screen: plain ASCII, `^` for ctrl."""
    *modifiers, name = key.split("+")
    name = KEY_NAMES.get(name, name)
    if "ctrl" in modifiers:
        modifiers.remove("ctrl")
        name = f"^{name}"
    return "+".join([*modifiers, name])


def shown_keys(action: Action) -> str:
    """Every key of an action, as the help screen lists them."""
    return ", ".join(shown_key(key) for key in action.keys.split(","))


def _types_character(key: str) -> bool:
    """Whether pressing `key` in a field would type something."""
    return len(key) == 1 or key in {"slash", "colon", "question_mark", "space"}
