"""Render metrics as a terminal table and as Markdown."""

from __future__ import annotations

import math

from rich.table import Table

from act2answer.analysis import GroupMetrics, Interval, RunMetrics

HEADERS = (
    "category",
    "episodes",
    "success",
    "95% CI",
    "chance band",
    "verdict",
    "no answer",
    "left choice",
    "errors",
)


def percent(value: float) -> str:
    """A rate as ``"12.3%"``, or ``"n/a"`` for NaN."""
    return "n/a" if math.isnan(value) else f"{100 * value:.1f}%"


def interval_text(interval: Interval) -> str:
    """An interval of rates as ``"40.1-59.9"`` (percent)."""
    return f"{100 * interval.low:.1f}-{100 * interval.high:.1f}"


def _row(group: GroupMetrics) -> tuple[str, ...]:
    return (
        group.name,
        str(group.episodes),
        percent(group.success_rate),
        interval_text(group.success_interval),
        interval_text(group.chance_band),
        group.verdict.value,
        percent(group.no_answer_rate),
        percent(group.left_choice_rate),
        percent(group.error_rate),
    )


def rows(metrics: RunMetrics) -> list[tuple[str, ...]]:
    """Table rows: one per category, then the overall macro row."""
    return [_row(group) for group in (*metrics.categories, metrics.overall)]


def rich_table(metrics: RunMetrics, title: str = "") -> Table:
    """A rich table for the terminal."""
    table = Table(title=title or None)
    for header in HEADERS:
        table.add_column(
            header,
            justify="left" if header == "category" else "right",
            no_wrap=header == "category",
        )
    all_rows = rows(metrics)
    for index, row in enumerate(all_rows):
        style = "bold" if index == len(all_rows) - 1 else None
        colour = {"above": "green", "below": "red"}.get(row[5])
        cells = list(row)
        if colour:
            cells[5] = f"[{colour}]{row[5]}[/{colour}]"
        table.add_row(*cells, style=style, end_section=index == len(all_rows) - 2)
    return table


def markdown_table(metrics: RunMetrics) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(row) + " |" for row in rows(metrics)]
    return "\n".join(lines)
