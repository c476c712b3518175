"""The command palette's commands: the registry's actions, `area: verb object`.

Only what works on the screen in use is offered, so choosing a command does
exactly what its key would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from tui import actions

Command = tuple[str, str, Callable[[], Any]]


class ActionCommands(Provider):
    """Commands for the screen's areas, then for the whole app."""

    def commands(self) -> Iterator[Command]:
        """(title, keys, run) for every enabled action of the screen and app."""
        screen = self.screen
        areas = [*getattr(screen, "AREAS", ()), "app"]
        for area in areas:
            if not actions.AREAS[area].in_palette:
                continue
            target: DOMNode = self.app if area == "app" else screen
            for action in actions.actions_in(area):
                if _offered(action, target):
                    run = partial(target.run_action, action.name)
                    yield f"{area}: {action.title}", actions.shown_keys(action), run

    async def discover(self) -> Hits:
        """Everything on offer, before anything is typed."""
        for title, keys, run in self.commands():
            yield DiscoveryHit(title, run, help=keys)

    async def search(self, query: str) -> Hits:
        """Commands whose title matches what was typed, best first."""
        matcher = self.matcher(query)
        for title, keys, run in self.commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, text=title, help=keys)


def _offered(action: actions.Action, target: DOMNode) -> bool:
    """Whether the palette lists an action: wanted there and enabled now."""
    if not action.in_palette or action.name == "command_palette":
        return False
    return target.check_action(action.name, ()) is True
