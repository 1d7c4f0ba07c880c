"""Probe runs as the HTML report reads them: accuracy-by-layer curves and retention."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from act2answer.errors import RunError

PROBE_JSON = "probe.json"


@dataclass(frozen=True)
class CurvePoint:
    """Probe accuracy at one layer of one part of the model for one category.

    Attributes:
        category: Category name (``"Overall"`` for all episodes pooled).
        part: ``"prefix"`` (VLM backbone) or ``"action"`` (action expert / head).
        layer: Layer index within the part.
        accuracy: Mean cross-validated accuracy.
        spread: Standard deviation over folds (NaN if unknown).
        control: Accuracy with shuffled labels (NaN if not computed).
    """

    category: str
    part: str
    layer: int
    accuracy: float
    spread: float = math.nan
    control: float = math.nan


@dataclass(frozen=True)
class Retention:
    """Retention of one category: best action-layer gain over best backbone gain."""

    category: str
    retention: float
    low: float = math.nan
    high: float = math.nan


@dataclass(frozen=True)
class ProbeRun:
    """One probe run folder.

    Attributes:
        run_dir: The folder.
        model: Model spec as recorded.
        curves: Every curve point.
        retention: Per-category retention, then the mean (``category == "Mean"``).
    """

    run_dir: Path
    model: str
    curves: tuple[CurvePoint, ...]
    retention: tuple[Retention, ...]

    @property
    def label(self) -> str:
        return self.run_dir.name

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(point.category for point in self.curves))


def is_probe_run(run_dir: Path) -> bool:
    return (run_dir / PROBE_JSON).is_file()


def _number(value: object) -> float:
    return math.nan if value is None else float(value)  # type: ignore[arg-type]


def load_probe_run(run_dir: Path | str) -> ProbeRun:
    """Read ``probe.json`` of a probe run folder.

    Raises:
        RunError: the file is missing or malformed (the message names it).
    """
    run_dir = Path(run_dir)
    path = run_dir / PROBE_JSON
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        curves = tuple(
            CurvePoint(
                category=str(row["category"]),
                part=str(row["part"]),
                layer=int(row["layer"]),
                accuracy=float(row["accuracy"]),
                spread=_number(row.get("spread")),
                control=_number(row.get("control")),
            )
            for row in data["curves"]
        )
        retention = tuple(
            Retention(
                category=str(row["category"]),
                retention=_number(row["retention"]),
                low=_number(row.get("low")),
                high=_number(row.get("high")),
            )
            for row in data.get("retention", [])
        )
        model = str(data.get("model", ""))
    except OSError as exc:
        raise RunError(f"{path}: cannot read: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise RunError(f"{path}: not a probe result ({type(exc).__name__}: {exc})") from None
    return ProbeRun(run_dir, model, curves, retention)
