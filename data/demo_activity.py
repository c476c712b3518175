"""Demo users and their sessions and page visits, generated a chunk at a time.

Activity is heavy-tailed as in a real app: about half the users open it only
once to three times, a few hundreds of times. Each user joins at some point in
the year before the anchor instant, uses the app at their own rate and either
stays (and was seen recently) or drifts away, so recency criteria such as
"inactive for 7 days" split the users in a meaningful way.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate

from data.demo_catalogue import DAY, YEAR, Catalogue
from data.demo_journeys import SESSION_LENGTH, Journeys
from data.languages import normalise_language

LANGUAGES = {
    "en-US": 28, "en-GB": 8, "en": 4, "en-AU": 2, "en-IN": 2, "en-CA": 2,
    "fr-FR": 7, "fr-CA": 2, "fr": 1.5, "fr-BE": 0.5,
    "de-DE": 6, "de-AT": 1, "de-CH": 0.7, "de": 0.8,
    "es-ES": 4, "es-MX": 3, "es-419": 0.8, "es": 1,
    "pt-BR": 4, "pt-PT": 1, "it-IT": 3, "ja-JP": 2.5, "zh-CN": 2, "zh-TW": 0.6,
    "nl-NL": 2, "nl-BE": 0.5, "pl-PL": 1, "sv-SE": 0.8, "ko-KR": 0.8, "tr-TR": 0.7,
    "und": 3, "": 3.5,
}  # fmt: skip

NO_SESSION_SHARE = 0.05
STAYING_SHARE = 0.3
CHURN_MEAN_DAYS = 15
RATE_MU, RATE_SIGMA = -1.9, 1.3  # log of sessions per day
MOST_SESSIONS = 3_000


@dataclass
class Chunk:
    """The rows for one run of consecutive users, each list in key order."""

    users: list[tuple[int, str, str | None, int | None, int | None]] = field(
        default_factory=list
    )
    sessions: list[tuple[int, int]] = field(default_factory=list)
    visits: list[tuple[int, int, int]] = field(default_factory=list)


class Activity:
    """Generates users in id order, with every choice drawn from one stream."""

    def __init__(self, rng: random.Random, catalogue: Catalogue, now: int) -> None:
        """Activity in the year before `now`, ending a session length before it."""
        self._rng = rng
        self._journeys = Journeys(rng, catalogue)
        self._end = now - SESSION_LENGTH - 1
        self._languages = [normalise_language(tag) for tag in LANGUAGES]
        self._language_weights = list(accumulate(LANGUAGES.values()))

    def chunk(self, first_id: int, count: int, id_width: int) -> Chunk:
        """The users `first_id` to `first_id + count - 1` with their activity."""
        chunk = Chunk()
        for user in range(first_id, first_id + count):
            starts = self._session_starts()
            chunk.users.append(
                (
                    user,
                    f"demo-{user:0{id_width}d}",
                    self._language(),
                    starts[0] if starts else None,
                    starts[-1] if starts else None,
                )
            )
            chunk.sessions.extend((user, start) for start in starts)
            self._add_visits(user, starts, chunk)
        return chunk

    def _language(self) -> str | None:
        """A device language, None for unknown, in a real-world mix."""
        weights = self._language_weights
        chance = self._rng.random() * weights[-1]
        return self._languages[bisect(weights, chance, 0, len(weights) - 1)]

    def _session_starts(self) -> list[int]:
        """The sorted, distinct session starts of one user (maybe none)."""
        rng = self._rng
        if rng.random() < NO_SESSION_SHARE:
            return []
        age = int((YEAR - SESSION_LENGTH) * rng.random() ** 1.3)
        joined = self._end - age
        rate = rng.lognormvariate(RATE_MU, RATE_SIGMA)
        if rng.random() < STAYING_SHARE:
            last = self._end - min(age, int(rng.expovariate(rate) * DAY))
        else:
            last = joined + min(age, int(rng.expovariate(1 / CHURN_MEAN_DAYS) * DAY))
        count = min(MOST_SESSIONS, 1 + int(rate * (last - joined) / DAY + rng.random()))
        if count == 1:
            return [joined]
        span = last - joined
        middle = [joined + int(span * rng.random()) for _ in range(count - 2)]
        return sorted({joined, last, *middle})

    def _add_visits(self, user: int, starts: list[int], chunk: Chunk) -> None:
        """The user's page visits, in key order, and their distinct pages."""
        visits = sorted(set(self._journeys.visits(user, starts)))
        chunk.visits.extend(visits)
