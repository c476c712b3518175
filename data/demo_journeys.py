"""Page visits inside one demo session: a shopper's walk through the shop.

A small Markov chain over kinds of page gives the funnel its usual shape:
many shoppers put something in the cart, fewer start a checkout and fewer
still complete it. Sale pages only appear while their sale runs.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from itertools import accumulate

from data.demo_catalogue import Catalogue

HOME, CATEGORY, PRODUCT, SEARCH, CART = range(5)
CHECKOUT, COMPLETE, ACCOUNT, SALE, LEAVE = range(5, 10)

SECOND = 1_000_000
SESSION_LENGTH = 30 * 60 * SECOND
MEAN_GAP = 40 * SECOND  # between pages, beyond the first second
NO_VISIT_SHARE = 0.4  # app sessions that never open a tracked page

ENTRIES = {
    HOME: 30,
    CATEGORY: 14,
    PRODUCT: 20,
    SEARCH: 10,
    CART: 8,
    ACCOUNT: 6,
    SALE: 35,
}

MOVES = {
    HOME: {
        CATEGORY: 35, SEARCH: 15, PRODUCT: 15, ACCOUNT: 5, CART: 5, SALE: 10,
        LEAVE: 40,
    },
    CATEGORY: {PRODUCT: 50, CATEGORY: 10, HOME: 5, SEARCH: 5, LEAVE: 40},
    PRODUCT: {PRODUCT: 25, CART: 18, CATEGORY: 10, SEARCH: 5, HOME: 4, LEAVE: 45},
    SEARCH: {PRODUCT: 50, SEARCH: 10, CATEGORY: 5, LEAVE: 40},
    CART: {CHECKOUT: 40, PRODUCT: 15, HOME: 5, LEAVE: 45},
    CHECKOUT: {COMPLETE: 55, CART: 15, LEAVE: 30},
    COMPLETE: {HOME: 10, ACCOUNT: 10, LEAVE: 80},
    ACCOUNT: {HOME: 15, PRODUCT: 5, CATEGORY: 5, LEAVE: 75},
    SALE: {PRODUCT: 55, CATEGORY: 10, HOME: 5, LEAVE: 35},
}  # fmt: skip

Table = tuple[tuple[int, ...], list[int], int, int]  # targets, cumulative, total, last


def _table(weights: dict[int, int], during_sale: bool) -> Table:
    """Targets and cumulative weights, leaving out sale pages outside a sale."""
    kept = {k: w for k, w in weights.items() if during_sale or k != SALE}
    cumulative = list(accumulate(kept.values()))
    return tuple(kept), cumulative, cumulative[-1], len(kept) - 1


def _tables(during_sale: bool) -> tuple[Table, list[Table]]:
    """The entry table and one move table per kind of page."""
    moves = [_table(MOVES[state], during_sale) for state in range(LEAVE)]
    return _table(ENTRIES, during_sale), moves


class Journeys:
    """Generates the page visits of sessions, drawing from one random stream."""

    def __init__(self, rng: random.Random, catalogue: Catalogue) -> None:
        """Walks through `catalogue`, drawing every choice from `rng`."""
        self._random = rng.random
        self._catalogue = catalogue
        self._tables = {False: _tables(False), True: _tables(True)}
        fixed = catalogue.page_id
        self._fixed = [0] * LEAVE
        self._fixed[HOME] = fixed("/")
        self._fixed[SEARCH] = fixed("/search")
        self._fixed[CART] = fixed("/cart")
        self._fixed[CHECKOUT] = fixed("/checkout")
        self._fixed[COMPLETE] = fixed("/checkout/complete")
        self._fixed[ACCOUNT] = fixed("/account")

    def visits(self, user: int, starts: list[int]) -> list[tuple[int, int, int]]:
        """(user, page id, instant) of every visit in sessions begun at `starts`.

        Visits lie at or after their session's start and within half an hour.
        """
        random = self._random
        sale_page = self._catalogue.sale_page
        visits: list[tuple[int, int, int]] = []
        for start in starts:
            if random() >= NO_VISIT_SHARE:
                sale = sale_page(start)
                entry, moves = self._tables[sale is not None]
                self._walk(user, start, _draw(entry, random()), moves, sale, visits)
        return visits

    def _walk(
        self,
        user: int,
        start: int,
        state: int,
        moves: list[Table],
        sale: int | None,
        visits: list[tuple[int, int, int]],
    ) -> None:
        """Follow one session from its first page until the shopper leaves.

        This runs tens of millions of times for a benchmark database, hence
        the local names and the inlined choices.
        """
        random, log, catalogue = self._random, math.log, self._catalogue
        fixed, category = self._fixed, -1
        instant = start + int(random() * 15 * SECOND)
        limit = start + SESSION_LENGTH
        while instant <= limit:
            if state == CATEGORY or (state == PRODUCT and category < 0):
                category = catalogue.pick_category(random())
            if state == PRODUCT:
                page = catalogue.pick_product(category, random())
            elif state == CATEGORY:
                page = catalogue.category_pages[category]
            else:
                page = sale if state == SALE and sale else fixed[state]
            visits.append((user, page, instant))
            targets, weights, total, last = moves[state]
            state = targets[bisect(weights, random() * total, 0, last)]
            if state == LEAVE:
                return
            instant += SECOND + int(-log(1.0 - random()) * MEAN_GAP)


def _draw(table: Table, chance: float) -> int:
    """The target of `table` that a uniform `chance` falls on."""
    targets, weights, total, last = table
    return targets[bisect(weights, chance * total, 0, last)]
