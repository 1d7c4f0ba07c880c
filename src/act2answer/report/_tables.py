"""Render metrics as a terminal table and as Markdown."""

from __future__ import annotations

import math
from collections.abc import Sequence

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


def group_cells(group: GroupMetrics) -> tuple[str, ...]:
    """The cells of one row of :data:`HEADERS`."""
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
    return [group_cells(group) for group in (*metrics.categories, metrics.overall)]


def rows_table(
    headers: Sequence[str], all_rows: Sequence[Sequence[str]], title: str = ""
) -> Table:
    """A rich table whose last row is the overall one (bold, below a rule).

    A ``verdict`` column is coloured: green above chance, red below.
    """
    table = Table(title=title or None)
    for header in headers:
        table.add_column(
            header,
            justify="left" if header == "category" else "right",
            no_wrap=header == "category",
        )
    verdict_column = list(headers).index("verdict") if "verdict" in headers else None
    for index, row in enumerate(all_rows):
        cells = list(row)
        if verdict_column is not None:
            colour = {"above": "green", "below": "red"}.get(cells[verdict_column])
            if colour:
                cells[verdict_column] = f"[{colour}]{cells[verdict_column]}[/{colour}]"
        table.add_row(
            *cells,
            style="bold" if index == len(all_rows) - 1 else None,
            end_section=index == len(all_rows) - 2,
        )
    return table


def rich_table(metrics: RunMetrics, title: str = "") -> Table:
    """A rich table for the terminal."""
    return rows_table(HEADERS, rows(metrics), title)


def markdown_rows(headers: Sequence[str], all_rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table of ``headers`` and ``all_rows``."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in all_rows]
    return "\n".join(lines)


def markdown_table(metrics: RunMetrics) -> str:
    """A GitHub-flavoured Markdown table."""
    return markdown_rows(HEADERS, rows(metrics))
