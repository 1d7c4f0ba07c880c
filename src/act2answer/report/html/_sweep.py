"""A sweep folder: models trained with one knob changed, summarised over seeds per knob value.

``act2answer lab sweep`` writes ``sweep_summary.csv``: one row per value of
the knob (the VQA co-training ratio ``ratio``), a ``seeds`` column, and per
metric its mean over seeds and a 95 % t-interval over seeds. The interval's
column names say what it is: ``<metric>_t95clip_low`` / ``_high`` for rates
(the t-interval clipped to [0, 1]), ``<metric>_t95_low`` / ``_high`` for
ratios that are not bounded (retention). The report reads the columns, not
the lab's code, so any folder with this file is shown the same way.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from act2answer.errors import RunError

SWEEP_SUMMARY_CSV = "sweep_summary.csv"
#: Column suffixes of the interval bounds: rates (clipped to [0, 1]) and unbounded ratios.
RATE_BOUNDS = ("_t95clip_low", "_t95clip_high")
RATIO_BOUNDS = ("_t95_low", "_t95_high")
#: Display names of the lab's metrics (other columns are shown by their name).
METRIC_NAMES = {
    "trained_success": "success, demonstrated categories",
    "heldout_success": "success, held-out categories",
    "heldout_vlm": "VLM probe of the backbone, held-out categories",
    "vlm_retention": "VLM retention (held-out, vs the pretrained VLM)",
    "probe_retention": "layerwise-probe retention",
}


@dataclass(frozen=True)
class SweepMetric:
    """One summarised metric of a sweep.

    Attributes:
        name: Column name of the mean.
        rate: True for a rate (interval clipped to [0, 1]), False for a ratio.
        means: Mean over seeds per knob value.
        lows: Interval lower bound per knob value (NaN: fewer than 2 finite seeds).
        highs: Interval upper bound per knob value.
    """

    name: str
    rate: bool
    means: tuple[float, ...]
    lows: tuple[float, ...]
    highs: tuple[float, ...]

    @property
    def title(self) -> str:
        return METRIC_NAMES.get(self.name, self.name)


@dataclass(frozen=True)
class SweepRun:
    """A sweep folder read for the report.

    Attributes:
        run_dir: The folder.
        knob: Name of the swept column (``ratio``).
        values: Knob values, in file order.
        seeds: Seeds per knob value.
        metrics: Summarised metrics, in file order.
    """

    run_dir: Path
    knob: str
    values: tuple[float, ...]
    seeds: tuple[int, ...]
    metrics: tuple[SweepMetric, ...]

    @property
    def label(self) -> str:
        return self.run_dir.name


def is_sweep_run(run_dir: Path) -> bool:
    return (run_dir / SWEEP_SUMMARY_CSV).is_file()


def _number(text: str | None) -> float:
    try:
        return float(text) if text not in (None, "") else math.nan  # type: ignore[arg-type]
    except ValueError:
        return math.nan


def load_sweep_run(run_dir: Path | str, knob: str = "ratio") -> SweepRun:
    """Read ``sweep_summary.csv`` of a sweep folder.

    Raises:
        RunError: the file is missing, empty, or has no knob or interval columns.
    """
    run_dir = Path(run_dir)
    path = run_dir / SWEEP_SUMMARY_CSV
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise RunError(f"{path}: cannot read: {exc.strerror}") from None
    columns = list(rows[0]) if rows else []
    if knob not in columns:
        raise RunError(f"{path}: no rows with a {knob!r} column")
    metrics = []
    for column in columns:
        for bounds, rate in ((RATE_BOUNDS, True), (RATIO_BOUNDS, False)):
            name = column.removesuffix(bounds[0])
            if name != column and f"{name}{bounds[1]}" in columns and name in columns:
                metrics.append(
                    SweepMetric(
                        name=name,
                        rate=rate,
                        means=tuple(_number(row[name]) for row in rows),
                        lows=tuple(_number(row[column]) for row in rows),
                        highs=tuple(_number(row[f"{name}{bounds[1]}"]) for row in rows),
                    )
                )
    if not metrics:
        raise RunError(
            f"{path}: no interval columns ({RATE_BOUNDS[0]} or {RATIO_BOUNDS[0]}); "
            "rerun the sweep to rewrite the summary"
        )
    return SweepRun(
        run_dir=run_dir,
        knob=knob,
        values=tuple(_number(row[knob]) for row in rows),
        seeds=tuple(
            int(value) if math.isfinite(value := _number(row.get("seeds"))) else 0 for row in rows
        ),
        metrics=tuple(metrics),
    )
