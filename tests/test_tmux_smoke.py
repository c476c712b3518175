"""The real `segments` program in a real terminal (tmux, 80x24): type, read, quit.

Keys go in with `tmux send-keys` and the screen comes back with
`capture-pane`; each step waits (at most ten seconds) for the text it
expects before the next key, as a person would.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import members_where, seed, speaks

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed"
)

TIMEOUT = 10.0
SESSION = "smoke"


class Terminal:
    """One tmux server of our own, on a socket no one else uses."""

    def __init__(self) -> None:
        self.socket = f"segments-smoke-{uuid.uuid4().hex[:12]}"
        folder = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        self.socket_path = folder / self.socket

    def tmux(self, *arguments: str, check: bool = True) -> str:
        """Run a tmux command against our server; its standard output."""
        command = ["tmux", "-L", self.socket, "-f", "/dev/null", *arguments]
        done = subprocess.run(command, capture_output=True, text=True, check=check)
        return done.stdout

    def start(self, program: str) -> None:
        """Start `program` in a detached 80x24 session."""
        environment = "TERM=xterm-256color TEXTUAL_ANIMATIONS=none"
        self.tmux(
            "new-session", "-d", "-x", "80", "-y", "24", "-s", SESSION,
            f"env {environment} {program}",
        )  # fmt: skip

    def screen(self) -> str:
        """What the pane shows now."""
        return self.tmux("capture-pane", "-p", "-t", SESSION, check=False)

    def press(self, *keys: str) -> None:
        """Send tmux key names (`C-n`, `Escape`)."""
        self.tmux("send-keys", "-t", SESSION, *keys)

    def type(self, text: str) -> None:
        """Send text literally."""
        self.tmux("send-keys", "-t", SESSION, "-l", text)

    def wait_for(self, wanted: str | Callable[[str], bool]) -> str:
        """Poll the pane until `wanted` shows, failing with the pane after 10 s."""
        test = wanted if callable(wanted) else lambda shown: wanted in shown
        deadline = time.monotonic() + TIMEOUT
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if test(shown):
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{wanted!r} never showed; the pane shows:\n{shown}")

    def running(self) -> bool:
        """Whether the session (and so the program) is still there."""
        found = subprocess.run(
            ["tmux", "-L", self.socket, "has-session", "-t", SESSION],
            capture_output=True,
        )
        return found.returncode == 0

    def wait_until_ended(self) -> None:
        """Poll until the program has exited and taken the session with it."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline and self.running():
            time.sleep(0.1)
        assert not self.running(), f"still running; the pane shows:\n{self.screen()}"


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    """A private tmux server, killed afterwards whatever happened."""
    own = Terminal()
    try:
        yield own
    finally:
        own.tmux("kill-server", check=False)
        own.socket_path.unlink(missing_ok=True)


def test_create_a_segment_and_quit(terminal: Terminal, tmp_path: Path) -> None:
    database = tmp_path / "smoke.db"
    seed(database)
    program = Path(sys.executable).with_name("segments")
    command = shlex.join(
        [str(program), "--db", str(database), "--now", "2024-06-15T12:00:00Z"]
    )
    terminal.start(f"{command} --tz UTC")
    terminal.wait_for("No segments yet. Press n to create one.")
    terminal.press("n")
    terminal.wait_for("New segment")
    terminal.type("Smoke French")
    terminal.wait_for("Name   Smoke French")
    terminal.press("C-n")
    terminal.wait_for("Add a criterion")
    terminal.press("1")
    terminal.wait_for("1 Device language")
    terminal.type("fr")
    french = members_where(lambda person: speaks(person, "fr"))
    terminal.wait_for(f"members: {french} of 10 users")
    terminal.press("C-s")
    share = f"{french / 10:.1%}"
    shown = terminal.wait_for(lambda shown: _row(shown, "Smoke French", share))
    row = _row(shown, "Smoke French", share)
    assert row.split()[-2:] == [str(french), share]
    assert shown.splitlines()[0].strip().endswith("smoke.db  10 users")
    terminal.press("C-q")
    terminal.wait_until_ended()


def _row(shown: str, name: str, ending: str) -> str:
    """The table row of the list that starts with `name` and ends with `ending`."""
    for line in shown.splitlines():
        if line.strip().startswith(name) and line.strip().endswith(ending):
            return line
    return ""
