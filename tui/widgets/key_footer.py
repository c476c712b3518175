"""The footer of keys, cut to fit the terminal without ever losing help or quit.

Textual's `Footer` lets keys run off the right edge and docks the palette key
over them; on a narrow terminal `f1 help` and `q quit` vanish. This footer
drops keys from the right instead, the palette key first, and always keeps
help and quit: every other key is listed on the help screen.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

QUIT_ACTIONS = frozenset({"quit", "app.quit"})
KEPT_ACTIONS = frozenset({"help", "app.help", *QUIT_ACTIONS})
"""Actions whose keys are always shown: help lists every other key."""

Shown = tuple[Binding, bool, str]


@dataclass(frozen=True)
class FooterItem:
    """One key, or one group of keys with its label, and the cells it takes."""

    widgets: tuple[Widget, ...]
    width: int
    kept: bool


class KeyFooter(Footer):
    """A footer that fits its keys to the width, keeping help and quit."""

    fitted_to = 0
    """The width the keys were last fitted to."""

    def compose(self) -> ComposeResult:
        """The keys that fit, in the screen's order."""
        if not self._bindings_ready:
            return
        self.fitted_to = self.app.size.width
        items = [*self.key_items(), *self.quit_items(), *self.palette_items()]
        yield from fitted(items, self.fitted_to)

    def on_resize(self, event: Resize) -> None:
        """Fit the keys again to the new width."""
        if event.size.width != self.fitted_to:
            self.refresh(recompose=True)

    def shown_bindings(self) -> list[list[Shown]]:
        """The footer's bindings, one list of keys per action, in order."""
        by_action: defaultdict[str, list[Shown]] = defaultdict(list)
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                by_action[binding.action].append((binding, enabled, tooltip))
        return list(by_action.values())

    def key_items(self) -> list[FooterItem]:
        """Single keys, and keys of one group (such as the moves) together."""
        items: list[FooterItem] = []
        actions = self.shown_bindings()
        for group, members in groupby(actions, lambda keys: keys[0][0].group):
            shown = list(members)
            if group is not None and len(shown) > 1:
                items.append(self.group_item(group, [keys[0] for keys in shown]))
            else:
                items.extend(self.key_item(keys[0]) for keys in shown)
        return items

    def key_item(self, shown: Shown, classes: str = "") -> FooterItem:
        """One key and what it does."""
        binding, enabled, tooltip = shown
        display = self.app.get_key_display(binding)
        key = FooterKey(
            binding.key,
            display,
            binding.description,
            binding.action,
            disabled=not enabled,
            tooltip=tooltip or binding.description,
            classes=classes,
        ).data_bind(compact=Footer.compact)
        width = cell_len(display) + cell_len(binding.description) + 2
        width += 0 if self.compact else 1
        return FooterItem((key,), width, binding.action in KEPT_ACTIONS)

    def group_item(self, group: Binding.Group, members: list[Shown]) -> FooterItem:
        """Keys shown side by side with one label, e.g. `jkgG move`."""
        keys = [
            FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                "",
                binding.action,
                disabled=not enabled,
                tooltip=tooltip or binding.description,
                classes="-grouped",
            ).data_bind(compact=Footer.compact)
            for binding, enabled, tooltip in members
        ]
        widths = [cell_len(self.app.get_key_display(b)) for b, _, _ in members]
        spacing = 0 if group.compact else 2
        width = sum(widths) + spacing * len(keys) + (2 if group.compact else 0)
        label = FooterLabel(group.description)
        row = KeyGroup(*keys, classes="-compact" if group.compact else "")
        return FooterItem((row, label), width + cell_len(group.description) + 1, False)

    def quit_items(self) -> list[FooterItem]:
        """`^q quit` where no other quit key shows, e.g. while typing in a field."""
        active = self.screen.active_bindings.values()
        quits = [shown for shown in active if shown[1].action in QUIT_ACTIONS]
        if not quits or any(binding.show for _, binding, _, _ in quits):
            return []
        _, binding, enabled, tooltip = quits[0]
        return [self.key_item((binding, enabled, tooltip))]

    def palette_items(self) -> list[FooterItem]:
        """The palette's key, when the app has a palette."""
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return []
        found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if found is None:
            return []
        _, binding, enabled, tooltip = found
        return [self.key_item((binding, enabled, tooltip), classes="-palette")]


def fitted(items: list[FooterItem], width: int) -> list[Widget]:
    """The widgets of the items that fit in `width` cells, in order.

    Items are dropped from the right, the palette key (listed last) first;
    kept items are never dropped.
    """
    chosen = list(items)
    for item in [item for item in reversed(items) if not item.kept]:
        if sum(kept.width for kept in chosen) <= width:
            break
        chosen.remove(item)
    return [widget for item in chosen for widget in item.widgets]
