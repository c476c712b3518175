"""Page visits inside one demo session: a shopper's walk through the shop.

A small Markov chain over kinds of page gives the funnel its usual shape:
many shoppers put something in the cart, fewer start a checkout and fewer
still complete it. Sale pages only appear while their sale runs.
"""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate

from data.demo_catalogue import Catalogue

HOME, CATEGORY, PRODUCT, SEARCH, CART, CHECKOUT, COMPLETE, ACCOUNT, SALE, LEAVE = (
    range(10)
)

SECOND = 1_000_000
SESSION_LENGTH = 30 * 60 * SECOND
NO_VISIT_SHARE = 0.4  # app sessions that never open a tracked page

ENTRIES = {HOME: 30, CATEGORY: 14, PRODUCT: 20, SEARCH: 10, CART: 8, ACCOUNT: 6, SALE: 35}

MOVES = {
    HOME: {CATEGORY: 35, SEARCH: 15, PRODUCT: 15, ACCOUNT: 5, CART: 5, SALE: 10, LEAVE: 40},
    CATEGORY: {PRODUCT: 50, CATEGORY: 10, HOME: 5, SEARCH: 5, LEAVE: 40},
    PRODUCT: {PRODUCT: 25, CART: 18, CATEGORY: 10, SEARCH: 5, HOME: 4, LEAVE: 45},
    SEARCH: {PRODUCT: 50, SEARCH: 10, CATEGORY: 5, LEAVE: 40},
    CART: {CHECKOUT: 40, PRODUCT: 15, HOME: 5, LEAVE: 45},
    CHECKOUT: {COMPLETE: 55, CART: 15, LEAVE: 30},
    COMPLETE: {HOME: 10, ACCOUNT: 10, LEAVE: 80},
    ACCOUNT: {HOME: 15, PRODUCT: 5, CATEGORY: 5, LEAVE: 75},
    SALE: {PRODUCT: 55, CATEGORY: 10, HOME: 5, LEAVE: 35},
}  # fmt: skip

Table = tuple[tuple[int, ...], list[int]]


def _table(weights: dict[int, int], during_sale: bool) -> Table:
    """Targets and cumulative weights, leaving out sale pages outside a sale."""
    kept = {k: w for k, w in weights.items() if during_sale or k != SALE}
    return tuple(kept), list(accumulate(kept.values()))


def _tables(during_sale: bool) -> tuple[Table, list[Table]]:
    """The entry table and one move table per kind of page."""
    moves = [_table(MOVES[state], during_sale) for state in range(LEAVE)]
    return _table(ENTRIES, during_sale), moves


class Journeys:
    """Generates the page visits of sessions, drawing from one random stream."""

    def __init__(self, rng: random.Random, catalogue: Catalogue) -> None:
        """Walks through `catalogue`, drawing every choice from `rng`."""
        self._random = rng.random
        self._gap = rng.expovariate
        self._catalogue = catalogue
        self._tables = {False: _tables(False), True: _tables(True)}
        fixed = catalogue.page_id
        self._fixed = {
            HOME: fixed("/"),
            SEARCH: fixed("/search"),
            CART: fixed("/cart"),
            CHECKOUT: fixed("/checkout"),
            COMPLETE: fixed("/checkout/complete"),
            ACCOUNT: fixed("/account"),
        }

    def add_visits(self, user: int, start: int, visits: list[tuple[int, int, int]]) -> None:
        """Append (user, page id, instant) for a session that began at `start`.

        Visits lie at or after the start and within half an hour of it.
        """
        random = self._random
        if random() < NO_VISIT_SHARE:
            return
        sale_page = self._catalogue.sale_page(start)
        entry, moves = self._tables[sale_page is not None]
        state = _draw(entry, random())
        instant = start + int(random() * 15 * SECOND)
        limit = start + SESSION_LENGTH
        category = -1
        while instant <= limit:
            category = self._choose_category(state, category)
            visits.append((user, self._page(state, category, sale_page), instant))
            state = _draw(moves[state], random())
            if state == LEAVE:
                return
            instant += SECOND + int(self._gap(1 / (40 * SECOND)))

    def _choose_category(self, state: int, current: int) -> int:
        """The category being browsed once `state` is shown (-1 for none yet)."""
        if state == CATEGORY or (state == PRODUCT and current < 0):
            return self._catalogue.pick_category(self._random())
        return current

    def _page(self, state: int, category: int, sale_page: int | None) -> int:
        """The page id shown for `state`."""
        if state == PRODUCT:
            return self._catalogue.pick_product(category, self._random())
        if state == CATEGORY:
            return self._catalogue.category_pages[category]
        if state == SALE and sale_page is not None:
            return sale_page
        return self._fixed[state]


def _draw(table: Table, chance: float) -> int:
    """The target of `table` that a uniform `chance` falls on."""
    targets, weights = table
    return targets[bisect(weights, chance * weights[-1], 0, len(weights) - 1)]
