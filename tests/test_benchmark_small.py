"""The benchmark script, run at a tiny size: every figure is there, counts agree.

No timing is asserted; this only checks that the benchmark runs end to end
and that DuckDB's hand-written counts equal the engine's.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "run.py"
TOP_KEYS = {
    "users",
    "machine",
    "db_size_mb",
    "rows",
    "contains",
    "counts",
    "members_first_page_ms",
    "explain_ms",
    "explain_busiest_user",
    "import_events_per_s",
    "import",
    "app_peak_rss_mb",
    "goals",
    "mismatches",
}
ROW_KEYS = {
    "segment",
    "members",
    "median_ms",
    "max_ms",
    "duckdb_ms",
    "duckdb_members",
    "duckdb_events_members",
    "members_first_page_ms",
    "explain_ms",
}
HAS_DUCKDB = importlib.util.find_spec("duckdb") is not None
HAS_APP = importlib.util.find_spec("tui.app") is not None and bool(shutil.which("tmux"))


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The JSON the benchmark writes for 300 users."""
    folder = tmp_path_factory.mktemp("benchmark")
    output = folder / "figures.json"
    command = [sys.executable, str(SCRIPT), "--users", "300", "--runs", "2"]
    command += ["--cache", str(folder / "cache"), "--json", str(output)]
    command += ["--import-events", "5000", "--app-timeout", "60"]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(output.read_text(encoding="utf-8"))


def test_every_figure_is_reported(figures: dict) -> None:
    assert set(figures) >= TOP_KEYS
    assert figures["users"] == 300
    assert figures["rows"]["users"] == 300
    assert len(figures["counts"]) >= 19
    for row in figures["counts"]:
        assert set(row) >= ROW_KEYS, row["segment"]
        assert row["max_ms"] >= row["median_ms"] > 0


def test_every_operator_and_match_type_is_in_the_suite(figures: dict) -> None:
    criteria = [
        criterion
        for row in figures["counts"]
        for criterion in row["definition"]["criteria"]
    ]
    operators = {(c["type"], c["operator"]) for c in criteria}
    matches = {(c["operator"], c["match"]) for c in criteria if "match" in c}
    assert len(operators) == 9
    assert len(matches) == 8
    combined = {row["definition"]["match"] for row in figures["counts"]}
    assert combined == {"all", "any"}


@pytest.mark.skipif(not HAS_DUCKDB, reason="duckdb (the bench extra) is missing")
def test_duckdb_counts_equal_ours(figures: dict) -> None:
    assert figures["mismatches"] == []
    for row in figures["counts"]:
        assert row["duckdb_members"] == row["members"], row["segment"]
        assert row["duckdb_events_members"] == row["members"], row["segment"]


def test_import_adds_exactly_the_file(figures: dict) -> None:
    assert figures["import"]["events"] == 5000
    assert figures["import"]["added"] == figures["import"]["expected"]
    assert figures["import_events_per_s"] > 0


@pytest.mark.skipif(not HAS_APP, reason="the app or tmux is not available")
def test_app_memory_is_measured(figures: dict) -> None:
    assert figures["app_peak_rss_mb"] is not None, "the app was not measured"
    assert figures["app_peak_rss_mb"] > 0
