"""How long the form's live count takes to follow a keystroke, in the real app.

The app runs headless on the benchmark database. Each trial posts one key into
a page path the way a terminal would, then waits until the count of exactly
that draft is on screen: the pause for more typing, the count and the update.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

from core.workspace import Workspace
from tui import actions
from tui.app import SegmentsApp
from tui.screens.form import SegmentFormScreen

POLL_S = 0.001
QUIET_S = 0.2


def measure_form(path: Path, now: int, trials: int = 21) -> dict[str, Any]:
    """Median and slowest milliseconds from a keystroke to its count."""
    timings = asyncio.run(_trials(path, now, trials))
    return {
        "form_live_count_median_ms": round(statistics.median(timings), 1),
        "form_live_count_max_ms": round(max(timings), 1),
        "form_live_count_trials": trials,
    }


async def _trials(path: Path, now: int, trials: int) -> list[float]:
    """Open a form of three criteria, then time each edit of its path."""
    app = SegmentsApp(Workspace.open(path), now=now, tz="UTC")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(actions.key_for("new_segment"), *"latency")
        for kind, text in (("1", "en"), ("2", "30"), ("3", "/product/")):
            await pilot.press(actions.key_for("add_criterion"), kind, *text)
        form = app.screen
        assert isinstance(form, SegmentFormScreen)
        await _until(lambda: not form.pending and form.on_screen is not None)
        timings = []
        for trial in range(trials):
            started = time.perf_counter()
            app.simulate_key("backspace" if trial % 2 else "a")
            await _until(lambda: form.pending)
            await _until(lambda: not form.pending and form.on_screen is not None)
            timings.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(QUIET_S)
        return timings


async def _until(condition: Any, limit_s: float = 30) -> None:
    """Yield to the app until `condition()` holds."""
    deadline = time.perf_counter() + limit_s
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the form never showed a count")
        await asyncio.sleep(POLL_S)
