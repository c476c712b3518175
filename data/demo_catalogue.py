"""The pages of the demo shop: fixed pages, categories, products and sales.

The catalogue grows with the number of users, as a real shop's would, so that
a benchmark database has thousands of distinct paths and a small demo a few
hundred. Popularity is skewed (a few products get most visits) because path
criteria behave very differently on skewed data than on uniform data.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from data.instants import to_micros

DAY = 86_400_000_000
YEAR = 365 * DAY

FIXED_PATHS = ("/", "/search", "/cart", "/checkout", "/checkout/complete", "/account")

CATEGORIES: dict[str, tuple[int, tuple[str, ...]]] = {
    "electronics": (12, ("charger", "powerbank", "cable", "smartwatch", "drone")),
    "phones": (14, ("phone", "phone-case", "screen-protector", "earbuds")),
    "laptops": (7, ("laptop", "laptop-sleeve", "docking-station", "keyboard")),
    "audio": (6, ("headphones", "speaker", "soundbar", "turntable")),
    "home": (8, ("lamp", "rug", "cushion", "curtains", "mirror")),
    "kitchen": (8, ("blender", "kettle", "knife-set", "frying-pan", "toaster")),
    "garden": (4, ("hose", "planter", "lawn-mower", "bird-feeder")),
    "fashion": (13, ("t-shirt", "jeans", "jacket", "dress", "hoodie")),
    "shoes": (8, ("sneakers", "boots", "sandals", "running-shoes")),
    "beauty": (6, ("moisturiser", "lipstick", "perfume", "hair-dryer")),
    "toys": (5, ("puzzle", "building-blocks", "plush-bear", "board-game")),
    "sports": (5, ("yoga-mat", "dumbbells", "bike-helmet", "tennis-racket")),
    "books": (4, ("novel", "cookbook", "travel-guide", "notebook")),
    "grocery": (4, ("coffee-beans", "green-tea", "olive-oil", "chocolate")),
    "pets": (3, ("dog-bed", "cat-tree", "pet-bowl", "leash")),
    "outdoor": (3, ("tent", "sleeping-bag", "backpack", "camping-stove")),
}

ADJECTIVES = (
    "classic", "compact", "wireless", "premium", "organic", "slim", "smart",
    "vintage", "ultra", "eco", "deluxe", "mini", "pro", "essential", "soft",
)  # fmt: skip


@dataclass(frozen=True)
class Sale:
    """A campaign page that is only visited while the sale runs, every year."""

    path: str
    month: int
    day: int
    days: int


SALES = (
    Sale("/spring-sale", 3, 20, 21),
    Sale("/summer-sale", 6, 15, 78),
    Sale("/black-friday", 11, 20, 12),
)


@dataclass(frozen=True)
class Catalogue:
    """Every demo page, with the weights that shoppers pick them by.

    Page ids are positions in `paths` plus one, so that pages can be written
    with explicit ids before any visit refers to them.
    """

    paths: list[str]
    category_pages: list[int]
    category_weights: list[int]
    products: list[list[int]]
    product_weights: list[list[float]]
    sales: list[tuple[int, int, int]]

    def page_id(self, path: str) -> int:
        """The id of one of the catalogue's paths."""
        return self.paths.index(path) + 1

    def pick_category(self, chance: float) -> int:
        """A category index, chosen by popularity from a uniform `chance`."""
        weights = self.category_weights
        return bisect(weights, chance * weights[-1], 0, len(weights) - 1)

    def pick_product(self, category: int, chance: float) -> int:
        """A product page id of `category`, chosen by popularity."""
        weights = self.product_weights[category]
        rank = bisect(weights, chance * weights[-1], 0, len(weights) - 1)
        return self.products[category][rank]

    def sale_page(self, instant: int) -> int | None:
        """The page id of the sale running at `instant`, if any."""
        for start, end, page in self.sales:
            if start <= instant < end:
                return page
        return None


def product_count(users: int) -> int:
    """How many products a shop with `users` users offers.

    Sub-linear growth: a few hundred at 10,000 users, about 5,000 at 1,000,000.
    """
    return max(len(CATEGORIES), int(round(1.25 * float(users) ** 0.6)))


def sale_windows(sale: Sale, now: int) -> list[tuple[int, int]]:
    """The [start, end) instants of each run of `sale` in the year before `now`."""
    today = datetime.fromtimestamp(now // 1_000_000, UTC).date()
    windows = []
    for year in range(today.year - 2, today.year + 1):
        first = to_micros(datetime(year, sale.month, sale.day, tzinfo=UTC))
        last = first + sale.days * DAY
        if last > now - YEAR and first < now:
            windows.append((first, last))
    return windows


def micros_to_date(instant: int) -> date:
    """The UTC calendar date of an instant."""
    epoch = date(1970, 1, 1)
    return epoch + timedelta(days=instant // DAY)


def build_catalogue(rng: random.Random, users: int, now: int) -> Catalogue:
    """The demo shop for `users` users, with sales placed relative to `now`."""
    paths = list(FIXED_PATHS)
    paths += [sale.path for sale in SALES]
    first_category = len(paths) + 1
    paths += [f"/category/{name}" for name in CATEGORIES]
    category_pages = list(range(first_category, len(paths) + 1))
    products = _place_products(rng, users, paths)
    sales = [
        (start, end, paths.index(sale.path) + 1)
        for sale in SALES
        for start, end in sale_windows(sale, now)
    ]
    return Catalogue(
        paths=paths,
        category_pages=category_pages,
        category_weights=list(accumulate(w for w, _ in CATEGORIES.values())),
        products=products,
        product_weights=[_zipf_weights(len(ids), rng) for ids in products],
        sales=sales,
    )


def _place_products(
    rng: random.Random, users: int, paths: list[str]
) -> list[list[int]]:
    """Append product paths to `paths`; the page ids of each category's products.

    Every category gets one product first, so that no category page is a dead end.
    """
    names = list(CATEGORIES)
    weights = [weight for weight, _ in CATEGORIES.values()]
    extra = product_count(users) - len(names)
    owners = list(range(len(names))) + rng.choices(range(len(names)), weights, k=extra)
    products: list[list[int]] = [[] for _ in names]
    slugs: set[str] = set()
    for owner in owners:
        slug = _new_slug(rng, CATEGORIES[names[owner]][1], slugs)
        paths.append(f"/product/{slug}")
        products[owner].append(len(paths))
    return products


def _new_slug(rng: random.Random, nouns: tuple[str, ...], taken: set[str]) -> str:
    """A product slug like `wireless-headphones-4821`, unique within `taken`."""
    while True:
        slug = f"{rng.choice(ADJECTIVES)}-{rng.choice(nouns)}-{rng.randint(100, 9999)}"
        if slug not in taken:
            taken.add(slug)
            return slug


def _zipf_weights(count: int, rng: random.Random) -> list[float]:
    """Cumulative Zipf-like weights over `count` products, in shuffled order."""
    weights = [1 / (rank + 1) ** 0.9 for rank in range(count)]
    rng.shuffle(weights)
    return list(accumulate(weights))
