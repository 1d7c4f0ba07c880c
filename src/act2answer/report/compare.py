"""Render run comparisons: terminal tables, CSV and JSON."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from rich.table import Table

from act2answer.analysis import OVERALL, compute_metrics
from act2answer.analysis.compare import CategoryComparison, RunComparison
from act2answer.analysis.consistency import ALL_ITEMS, layout_consistency
from act2answer.analysis.outcomes import RunOutcomes
from act2answer.report._files import json_safe
from act2answer.report._tables import interval_text, percent

COMPARE_CSV = "compare.csv"
COMPARE_JSON = "compare.json"

CSV_FIELDS = (
    "baseline",
    "other",
    "category",
    "items",
    "trials",
    "baseline_success",
    "baseline_low",
    "baseline_high",
    "other_success",
    "other_low",
    "other_high",
    "gap_points",
    "gap_low_points",
    "gap_high_points",
    "mcnemar_p",
    "both_right",
    "only_baseline",
    "only_other",
    "both_wrong",
)


def points(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{100 * value:+.1f}"


def p_text(value: float) -> str:
    return f"{value:.3g}" if value >= 1e-4 else f"{value:.1e}"


def side_by_side_table(runs: Sequence[RunOutcomes]) -> Table:
    """Success (with interval) and consistency across layouts of each run, per category."""
    table = Table(title="Success per category (all stored trials of each run)")
    table.add_column("category", no_wrap=True)
    for run in runs:
        table.add_column(f"{run.label}\nsuccess [95% CI]", justify="right")
        table.add_column("both layouts", justify="right")
    per_run = []
    for run in runs:
        metrics = compute_metrics(run.trials)
        groups = {g.name: g for g in (*metrics.categories, metrics.overall)}
        consistency = {c.name: c for c in layout_consistency(run.trials)}
        per_run.append((groups, consistency, [g.name for g in metrics.categories]))
    names = list(dict.fromkeys(name for _, _, order in per_run for name in order))
    names.append(OVERALL)
    for name in names:
        cells = [name]
        for groups, consistency, _ in per_run:
            group = groups.get(name)
            both = consistency.get(ALL_ITEMS if name == OVERALL else name)
            cells.append(
                f"{percent(group.success_rate)} [{interval_text(group.success_interval)}]"
                if group
                else "-"
            )
            cells.append(percent(both.rate) if both else "-")
        table.add_row(*cells, style="bold" if name == OVERALL else None)
    return table


def comparison_table(comparison: RunComparison) -> Table:
    """Gap, bootstrap interval, McNemar p and agreement per category."""
    table = Table(
        title=f"{comparison.other} vs {comparison.baseline} (paired on shared item/layouts)"
    )
    for header in (
        "category",
        "trials",
        comparison.baseline,
        comparison.other,
        "gap (pts)",
        "95% CI (pts)",
        "McNemar p",
        "both right",
        f"only {comparison.baseline}",
        f"only {comparison.other}",
        "both wrong",
    ):
        table.add_column(header, justify="left" if header == "category" else "right")
    rows = (*comparison.categories, comparison.overall)
    for index, row in enumerate(rows):
        table.add_row(
            *_cells(row),
            style="bold" if index == len(rows) - 1 else None,
            end_section=index == len(rows) - 2,
        )
    return table


def _cells(row: CategoryComparison) -> list[str]:
    interval = row.gap_interval
    return [
        row.name,
        str(row.trials),
        percent(row.baseline_rate),
        percent(row.other_rate),
        points(row.gap),
        f"{points(interval.low)} to {points(interval.high)}",
        p_text(row.mcnemar_p),
        str(row.agreement.both_right),
        str(row.agreement.only_baseline),
        str(row.agreement.only_other),
        str(row.agreement.both_wrong),
    ]


def csv_rows(comparison: RunComparison) -> list[dict[str, object]]:
    rows = []
    for row in (*comparison.categories, comparison.overall):
        rows.append(
            {
                "baseline": comparison.baseline,
                "other": comparison.other,
                "category": row.name,
                "items": row.items,
                "trials": row.trials,
                "baseline_success": row.baseline_rate,
                "baseline_low": row.baseline_interval.low,
                "baseline_high": row.baseline_interval.high,
                "other_success": row.other_rate,
                "other_low": row.other_interval.low,
                "other_high": row.other_interval.high,
                "gap_points": 100 * row.gap,
                "gap_low_points": 100 * row.gap_interval.low,
                "gap_high_points": 100 * row.gap_interval.high,
                "mcnemar_p": row.mcnemar_p,
                **asdict(row.agreement),
            }
        )
    return rows


def write_comparison(
    out_dir: Path, runs: Sequence[RunOutcomes], comparisons: Sequence[RunComparison]
) -> list[Path]:
    """Write ``compare.csv`` (one row per comparison and category) and ``compare.json``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, json_path = out_dir / COMPARE_CSV, out_dir / COMPARE_JSON
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for comparison in comparisons:
            writer.writerows(csv_rows(comparison))
    data = {
        "runs": [
            {
                "label": run.label,
                "kind": run.kind,
                "run_dir": str(run.run_dir),
                "suite_name": run.suite_name,
                "suite_hash": run.suite_hash,
                "trials": len(run.trials),
                "consistency": [asdict(c) for c in layout_consistency(run.trials)],
            }
            for run in runs
        ],
        "comparisons": [
            {
                "baseline": c.baseline,
                "other": c.other,
                "same_suite": c.same_suite,
                "same_scene": c.same_scene,
                "only_baseline": [list(key) for key in c.only_baseline],
                "only_other": [list(key) for key in c.only_other],
                "rows": csv_rows(c),
            }
            for c in comparisons
        ],
    }
    json_path.write_text(json.dumps(json_safe(data), indent=2, allow_nan=False) + "\n")
    return [csv_path, json_path]
