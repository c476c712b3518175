"""Page visited: visited / not visited a path, by equals, contains, starts or ends.

Both sides are normalised the same way (`data.paths`); every character is
literal. Matching runs over the distinct pages, never over the visits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pyroaring import BitMap

from core.problems import Fields
from core.scope import Scope, UserFacts, Verdict
from data import user_sets
from data.paths import normalise_path, strip_one_slash

KIND = "page_visited"
OPERATORS = ("visited", "not_visited")
MATCHES = ("equals", "contains", "starts_with", "ends_with")
_MATCH_WORDS = {
    "equals": "equal to",
    "contains": "containing",
    "starts_with": "starting with",
    "ends_with": "ending with",
}


@dataclass(frozen=True)
class PageVisited:
    """The criterion: visited or not, how to match, and the path as given."""

    operator: str
    match: str
    path: str

    kind = KIND

    def to_json(self) -> dict[str, Any]:
        """The definition-file form."""
        return {
            "type": KIND,
            "operator": self.operator,
            "match": self.match,
            "path": self.path,
        }

    def describe(self) -> str:
        """Plain words, as the segment list and `count --json` show it."""
        verb = "visited" if self.operator == "visited" else "never visited"
        return f"{verb} a page {_MATCH_WORDS[self.match]} {self.path}"


def parse(raw: Mapping[str, Any], position: int) -> PageVisited:
    """Check a raw criterion and build it; raises `DefinitionError`."""
    fields = Fields(raw, position, KIND)
    operator = fields.choice("operator", OPERATORS)
    match = fields.choice("match", MATCHES)
    path = fields.text("path")
    if not normalise_path(path):
        raise fields.fail("path", f"{path!r} has no path left once normalised")
    return PageVisited(operator, match, path)


def path_warning(criterion: PageVisited) -> str | None:
    """A caution for a path that probably lacks its leading `/`."""
    anchored = criterion.match in ("equals", "starts_with")
    if anchored and not criterion.path.startswith("/"):
        return "does not start with '/': it is matched exactly as written"
    return None


def matcher(criterion: PageVisited) -> Callable[[str], bool]:
    """The test a normalised path must pass, shared by sets and explanations."""
    wanted = normalise_path(criterion.path)
    if criterion.match == "equals":
        bare = strip_one_slash(wanted)
        return lambda path: strip_one_slash(path) == bare
    if criterion.match == "contains":
        return lambda path: wanted in path
    if criterion.match == "starts_with":
        return lambda path: path.startswith(wanted)
    return lambda path: path.endswith(wanted)


def members(criterion: PageVisited, scope: Scope) -> BitMap:
    """The users the criterion holds for."""
    test = matcher(criterion)
    matching = [page for page, path in scope.pages if test(path)]
    visitors = scope.sets(user_sets.PAGE, matching)
    if criterion.operator == "visited":
        return visitors
    return scope.all_users - visitors


def verdict(criterion: PageVisited, facts: UserFacts, scope: Scope) -> Verdict:
    """Judge one user, naming the visit that decided it."""
    test = matcher(criterion)
    hits = [visit for visit in facts.visits if test(visit.path)]
    holds = bool(hits) != (criterion.operator == "not_visited")
    if hits:
        last = hits[-1]
        when = scope.clock.show(last.visited_at)
        return Verdict(holds, f"visited {last.path} at {when}")
    if facts.visits:
        return Verdict(holds, f"none of {len(facts.visits)} page visits match")
    return Verdict(holds, "no page visits at all")
