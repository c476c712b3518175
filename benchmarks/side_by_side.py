"""Print two benchmark runs side by side as a Markdown table, for the README.

python benchmarks/side_by_side.py SMALL.json LARGE.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def main(small_path: str, large_path: str) -> None:
    """The suite's counts at both sizes, then the whole-database figures."""
    small, large = (
        json.loads(Path(p).read_text("utf-8")) for p in (small_path, large_path)
    )
    sizes = f"{small['users']:,} users", f"{large['users']:,} users"
    print(
        f"| segment | {sizes[0]}: median / slowest / DuckDB ms |"
        f" {sizes[1]}: median / slowest / DuckDB ms | members at {sizes[1]} |"
    )
    print("|---|---|---|---|")
    for left, right in zip(small["counts"], large["counts"], strict=True):
        print(
            f"| {right['segment']} | {_count(left)} | {_count(right)} |"
            f" {right['members']:,} |"
        )
    print()
    print(f"| figure | {sizes[0]} | {sizes[1]} | goal |")
    print("|---|---|---|---|")
    for name, key, goal in ROWS:
        print(f"| {name} | {_value(small, key)} | {_value(large, key)} | {goal} |")


ROWS = [
    (
        "first page of members, slowest segment's median (ms)",
        "members_first_page_ms",
        "< 100",
    ),
    ("one explain, slowest segment's median (ms)", "explain_ms", "< 20"),
    (
        "import through `segments import` (events/s)",
        "import_events_per_s",
        ">= 200,000",
    ),
    ("app peak memory with every count shown (MB)", "app_peak_rss_mb", "< 300"),
    ("form: keystroke to count, median (ms)", "form_live_count_median_ms", ""),
    ("form: keystroke to count, slowest (ms)", "form_live_count_max_ms", "< 150"),
    ("database on disk (MB)", "db_size_mb", ""),
    ("demo generation (s)", "generation_s", ""),
]


def _count(row: dict[str, Any]) -> str:
    """`median / slowest / DuckDB` for one segment."""
    duck = "-" if row["duckdb_ms"] is None else f"{row['duckdb_ms']:.1f}"
    return f"{row['median_ms']:.1f} / {row['max_ms']:.1f} / {duck}"


def _value(figures: dict[str, Any], key: str) -> str:
    """A whole-database figure, or `-` where it was not measured."""
    value = figures.get(key)
    return "-" if value is None else f"{value:,.1f}"


if __name__ == "__main__":
    main(*sys.argv[1:3])
