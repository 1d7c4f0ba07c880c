"""Render metrics as a terminal table and as Markdown."""

from __future__ import annotations

import math

from rich.table import Table

from act2answer.analysis import GroupMetrics, RunMetrics

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


def _pct(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{100 * value:.1f}%"


def _row(group: GroupMetrics) -> tuple[str, ...]:
    interval, band = group.success_interval, group.chance_band
    return (
        group.name,
        str(group.episodes),
        _pct(group.success_rate),
        f"{100 * interval.low:.1f}-{100 * interval.high:.1f}",
        f"{100 * band.low:.1f}-{100 * band.high:.1f}",
        group.verdict.value,
        _pct(group.no_answer_rate),
        _pct(group.left_choice_rate),
        _pct(group.error_rate),
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
