"""The goals the figures are judged against, and the printed table.

The goals are stated for a database of a million users; they are checked at
every size, so a small run shows the same verdicts, only on easier data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

COUNT_MEDIAN_MS = 50.0
COUNT_MAX_MS = 150.0
MEMBERS_PAGE_MS = 100.0
EXPLAIN_MS = 20.0
IMPORT_EVENTS_PER_S = 200_000.0
APP_PEAK_MB = 300.0
FORM_COUNT_MS = 150.0


@dataclass(frozen=True)
class Goal:
    """One judged figure: what it is, the goal in words, and whether it is met."""

    figure: str
    goal: str
    value: float | None
    passed: bool | None

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "figure": self.figure,
            "goal": self.goal,
            "value": self.value,
            "passed": self.passed,
        }


def under(figure: str, value: float | None, limit: float, unit: str) -> Goal:
    """A goal that the value stays below `limit`; None when not measured."""
    passed = None if value is None else value < limit
    return Goal(figure, f"< {limit:,.0f} {unit}", value, passed)


def at_least(figure: str, value: float | None, limit: float, unit: str) -> Goal:
    """A goal that the value reaches `limit`."""
    passed = None if value is None else value >= limit
    return Goal(figure, f">= {limit:,.0f} {unit}", value, passed)


def segment_goals(row: dict[str, Any]) -> list[Goal]:
    """The goals of one segment's row: count, DuckDB, first page, explain."""
    name = row["segment"]
    duck = row["duckdb_ms"]
    beats = None if duck is None else row["median_ms"] <= duck
    return [
        under(f"{name}: count median", row["median_ms"], COUNT_MEDIAN_MS, "ms"),
        under(f"{name}: count slowest", row["max_ms"], COUNT_MAX_MS, "ms"),
        Goal(f"{name}: count vs DuckDB", "<= DuckDB median", row["median_ms"], beats),
        under(
            f"{name}: first page of members",
            row["members_first_page_ms"],
            MEMBERS_PAGE_MS,
            "ms",
        ),
        under(f"{name}: explain", row["explain_ms"], EXPLAIN_MS, "ms"),
    ]


def overall_goals(figures: dict[str, Any]) -> list[Goal]:
    """The goals of the whole-database figures."""
    return [
        at_least(
            "import speed",
            figures["import_events_per_s"],
            IMPORT_EVENTS_PER_S,
            "events/s",
        ),
        under("app peak memory", figures["app_peak_rss_mb"], APP_PEAK_MB, "MB"),
        under(
            "form live count after a keystroke, slowest",
            figures.get("form_live_count_max_ms"),
            FORM_COUNT_MS,
            "ms",
        ),
    ]


def verdict(passed: bool | None) -> str:
    """A short mark for a goal: ok, MISS, or - when not measured."""
    return {True: "ok", False: "MISS", None: "-"}[passed]


def _ms(value: float | None, passed: bool | None = None) -> str:
    """Milliseconds with a verdict mark."""
    if value is None:
        return "-"
    mark = "" if passed is None else f" {verdict(passed)}"
    return f"{value:,.1f}{mark}"


def segment_table(rows: list[dict[str, Any]]) -> str:
    """One line per segment: members, our figures with verdicts, DuckDB's."""
    width = max(len("segment"), *(len(row["segment"]) for row in rows))
    heading = (
        f"{'segment':<{width}} {'members':>9} {'count med':>12} {'count max':>12}"
        f" {'duckdb':>8} {'vs duck':>7} {'page 50':>12} {'explain':>11}"
    )
    lines = [heading, "-" * len(heading)]
    for row in rows:
        goals = segment_goals(row)
        lines.append(
            f"{row['segment']:<{width}} {row['members']:>9,}"
            f" {_ms(row['median_ms'], goals[0].passed):>12}"
            f" {_ms(row['max_ms'], goals[1].passed):>12}"
            f" {_ms(row['duckdb_ms']):>8} {verdict(goals[2].passed):>7}"
            f" {_ms(row['members_first_page_ms'], goals[3].passed):>12}"
            f" {_ms(row['explain_ms'], goals[4].passed):>11}"
        )
    return "\n".join(lines)


def goals_table(goals: list[Goal]) -> str:
    """Every goal that was missed or not measured, then a one-line tally."""
    missed = [goal for goal in goals if goal.passed is not True]
    lines = [
        f"  {verdict(goal.passed):<4} {goal.figure}: "
        + ("not measured" if goal.value is None else f"{goal.value:,.1f}")
        + f" (goal {goal.goal})"
        for goal in missed
    ]
    met = sum(goal.passed is True for goal in goals)
    lines.append(f"goals met: {met} of {len(goals)}")
    return "\n".join(lines)


GOALS_IN_WORDS = (
    f"goals (for 1M users): count median < {COUNT_MEDIAN_MS:.0f} ms, slowest"
    f" < {COUNT_MAX_MS:.0f} ms, median no slower than DuckDB's; first page of"
    f" members < {MEMBERS_PAGE_MS:.0f} ms; explain < {EXPLAIN_MS:.0f} ms"
)


def summary(figures: dict[str, Any], goals: list[Goal]) -> str:
    """Everything printed at the end: sizes, the table, the other figures, goals."""
    contains = figures["contains"]
    busiest = figures["explain_busiest_user"]
    imported = figures["import"]
    speed, memory, form = overall_goals(figures)
    rows = ", ".join(f"{table} {count:,}" for table, count in figures["rows"].items())
    app = "not measured" if memory.value is None else f"{memory.value:,.1f} MB"
    return "\n".join(
        [
            f"\n{rows}; database {figures['db_size_mb']:,.1f} MB on disk",
            f"contains {contains['text']!r} matches "
            f"{contains['distinct_paths']:,} distinct paths",
            GOALS_IN_WORDS,
            segment_table(figures["counts"]),
            f"explain of the busiest user ({busiest['sessions']:,} sessions): "
            f"{busiest['median_ms']:,.1f} ms median, {busiest['max_ms']:,.1f} ms max",
            f"import: {figures['import_events_per_s']:,.0f} events/s "
            f"{verdict(speed.passed)} (goal {speed.goal}; {imported['events']:,}"
            f" events in {imported['seconds']:,.1f} s, into {imported['into']})",
            f"app peak memory: {app} {verdict(memory.passed)} (goal {memory.goal})",
            f"form live count: {_form(figures)} {verdict(form.passed)}"
            f" (goal: slowest {form.goal})",
            goals_table(goals),
        ]
    )


def _form(figures: dict[str, Any]) -> str:
    """The form's keystroke-to-count figures, or why there are none."""
    if figures.get("form_live_count_median_ms") is None:
        return "not measured"
    return (
        f"{figures['form_live_count_median_ms']:,.1f} ms median, "
        f"{figures['form_live_count_max_ms']:,.1f} ms slowest"
    )
