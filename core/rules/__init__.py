"""The three kinds of criteria, one module each, behind one small interface.

Every kind module offers `KIND`, `OPERATORS`, `parse(raw, position)`,
`members(criterion, scope)` for sets and `verdict(criterion, facts, scope)` for
one user; both answers derive from the same operator definition there.
"""

from __future__ import annotations

from types import ModuleType

from pyroaring import BitMap

from core.rules import app_sessions, device_language, page_visited
from core.rules.app_sessions import AppSessions
from core.rules.device_language import DeviceLanguage
from core.rules.page_visited import PageVisited
from core.scope import Scope, UserFacts, Verdict

Criterion = DeviceLanguage | AppSessions | PageVisited

KINDS: dict[str, ModuleType] = {
    module.KIND: module for module in (device_language, app_sessions, page_visited)
}


def members(criterion: Criterion, scope: Scope) -> BitMap:
    """The users one criterion holds for, whatever its kind."""
    return KINDS[criterion.kind].members(criterion, scope)  # type: ignore[no-any-return]


def verdict(criterion: Criterion, facts: UserFacts, scope: Scope) -> Verdict:
    """Whether one criterion holds for one user, and why."""
    return KINDS[criterion.kind].verdict(criterion, facts, scope)  # type: ignore[no-any-return]
