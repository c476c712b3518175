"""The app's peak memory while it shows every segment's count.

The real app runs in a detached tmux session of 80 by 24 cells; the screen is
read until no count is still running, then the peak resident size (VmHWM) of
the app's process is read from /proc before the app is asked to quit.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# What a count cell shows while its count runs (see tui/screens/).
STILL_COUNTING = re.compile(r"…|counting", re.IGNORECASE)
LAST_SEGMENT = "G"
POLL_S = 0.25
STEADY_POLLS = 4
QUIT_WAIT_S = 5.0


class AppMemoryError(RuntimeError):
    """The app could not be measured: it did not start, or never finished."""


@dataclass(frozen=True)
class AppMemory:
    """The app's peak memory, how long its counts took, and its last screen."""

    peak_rss_mb: float
    counted_s: float
    screen: str


def available() -> bool:
    """Whether tmux is installed, and /proc can be read for memory figures."""
    return shutil.which("tmux") is not None and Path("/proc/self/status").exists()


def measure_app(command: list[str], expected: str, timeout_s: float) -> AppMemory:
    """Run `command` in tmux until every segment's count is shown.

    `expected` is text the loaded app shows (the number of users in its
    title), so that an app still starting is not taken for one that is done.
    Only the rows that fit are visible, so once the app is up the cursor goes
    to the last segment, which is counted last; its detail line then says
    "counting members" until every count has landed.
    """
    tmux = ["tmux", "-L", f"segments-bench-{os.getpid()}"]
    session = "bench"
    started = time.perf_counter()
    deadline = started + timeout_s
    try:
        subprocess.run(
            [*tmux, "new-session", "-d", "-s", session, "-x", "80", "-y", "24"]
            + command,
            check=True,
        )
        pid = _pane_pid(tmux, session)
        _wait_for(tmux, session, pid, lambda screen: expected in screen, deadline)
        subprocess.run([*tmux, "send-keys", "-t", session, LAST_SEGMENT], check=True)
        screen = _wait_for(tmux, session, pid, _counted(expected), deadline)
        counted = time.perf_counter() - started
        peak = max(_peak_rss_kb(process) for process in _process_tree(pid))
        _quit(tmux, session, pid)
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, capture_output=True)
    return AppMemory(peak / 1024, counted, screen)


def _counted(expected: str) -> Callable[[str], bool]:
    """The test of a screen on which no count is running any more."""
    return lambda screen: expected in screen and not STILL_COUNTING.search(screen)


def _pane_pid(tmux: list[str], session: str) -> int:
    """The process the pane runs: the app itself, as no shell is started."""
    shown = subprocess.run(
        [*tmux, "list-panes", "-t", session, "-F", "#{pane_pid}"],
        check=False,
        capture_output=True,
        text=True,
    )
    if shown.returncode != 0 or not shown.stdout.strip():
        raise AppMemoryError(f"the app did not start: {shown.stderr.strip()}")
    return int(shown.stdout.split()[0])


def _screen(tmux: list[str], session: str) -> str:
    """The pane's text as it is now."""
    shown = subprocess.run(
        [*tmux, "capture-pane", "-p", "-t", session],
        check=False,
        capture_output=True,
        text=True,
    )
    return shown.stdout


def _wait_for(
    tmux: list[str],
    session: str,
    pid: int,
    test: Callable[[str], bool],
    deadline: float,
) -> str:
    """The screen once it has passed `test` several polls in a row."""
    steady, screen = 0, ""
    while time.perf_counter() < deadline:
        if not Path(f"/proc/{pid}").exists():
            raise AppMemoryError(f"the app exited early; it showed:\n{screen}")
        screen = _screen(tmux, session)
        steady = steady + 1 if test(screen) else 0
        if steady >= STEADY_POLLS:
            return screen
        time.sleep(POLL_S)
    raise AppMemoryError(
        f"the app did not finish counting in time; it showed:\n{screen}"
    )


def _process_tree(pid: int) -> list[int]:
    """`pid` and every process below it."""
    found, waiting = [], [pid]
    while waiting:
        current = waiting.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = (task / "children").read_text().split()
            waiting.extend(int(child) for child in children)
    return found


def _peak_rss_kb(pid: int) -> int:
    """The peak resident set size of a process (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AppMemoryError(f"process {pid} reports no VmHWM")


def _quit(tmux: list[str], session: str, pid: int) -> None:
    """Ask the app to quit with ctrl+q, and wait a moment for it to go."""
    subprocess.run([*tmux, "send-keys", "-t", session, "C-q"], check=False)
    deadline = time.perf_counter() + QUIT_WAIT_S
    while Path(f"/proc/{pid}").exists() and time.perf_counter() < deadline:
        time.sleep(0.1)
