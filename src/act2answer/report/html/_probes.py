"""Probe runs as the HTML report reads them: accuracy-by-layer curves and retention.

Reads the ``probe.json`` that ``act2answer probe`` writes (format
``act2answer-probe-v1``): a ``curves`` list of ``{category, part, layer,
accuracy, std, control_accuracy, n}`` (part ``prefix`` = VLM backbone,
``action`` = action expert / head; category ``overall`` is the macro mean over
categories and ``all`` one probe pooled over every category), and a
``retention`` object (``value``, ``low``, ``high``, ``method``, and per
category ``{category, prefix_peak, prefix_peak_layer, action_peak,
action_peak_layer, retention}``), null when the model has no action part.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from act2answer.errors import RunError

PROBE_JSON = "probe.json"
#: Curve names that summarise categories: the macro mean is drawn, the pooled probe is not.
OVERALL_CURVE = "overall"
POOLED_CURVE = "all"


@dataclass(frozen=True)
class CurvePoint:
    """Probe accuracy at one layer of one part of the model for one category.

    Attributes:
        category: Category name (``"overall"``: macro mean over categories).
        part: ``"prefix"`` (VLM backbone) or ``"action"`` (action expert / head).
        layer: Layer index within the part.
        accuracy: Mean held-out accuracy over folds.
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
class CategoryRetention:
    """Retention of one category and the peaks it comes from."""

    category: str
    retention: float
    prefix_peak: float
    prefix_peak_layer: int
    action_peak: float
    action_peak_layer: int


@dataclass(frozen=True)
class Retention:
    """Mean retention over categories with its 95% interval (NaN when unknown)."""

    value: float
    low: float
    high: float
    method: str
    categories: tuple[CategoryRetention, ...]


@dataclass(frozen=True)
class ProbeRun:
    """One probe run folder.

    Attributes:
        run_dir: The folder.
        model: Model spec as recorded.
        curves: Every curve point (the pooled ``all`` curve left out).
        retention: Retention, or None for a model without action layers.
        name: Display name (default: the folder's name).
    """

    run_dir: Path
    model: str
    curves: tuple[CurvePoint, ...]
    retention: Retention | None
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.run_dir.name

    @property
    def categories(self) -> list[str]:
        """Categories in file order, the overall curve last."""
        names = list(dict.fromkeys(point.category for point in self.curves))
        return [n for n in names if n != OVERALL_CURVE] + [n for n in names if n == OVERALL_CURVE]


def is_probe_run(run_dir: Path) -> bool:
    return (run_dir / PROBE_JSON).is_file()


def _number(value: object) -> float:
    return math.nan if value is None else float(value)  # type: ignore[arg-type]


def _retention(data: dict | None) -> Retention | None:
    if data is None:
        return None
    return Retention(
        value=_number(data["value"]),
        low=_number(data.get("low")),
        high=_number(data.get("high")),
        method=str(data.get("method", "")),
        categories=tuple(
            CategoryRetention(
                category=str(row["category"]),
                retention=_number(row["retention"]),
                prefix_peak=_number(row["prefix_peak"]),
                prefix_peak_layer=int(row["prefix_peak_layer"]),
                action_peak=_number(row["action_peak"]),
                action_peak_layer=int(row["action_peak_layer"]),
            )
            for row in data.get("categories", [])
        ),
    )


def load_probe_run(run_dir: Path | str, label: str = "") -> ProbeRun:
    """Read ``probe.json`` of a probe run folder (``label``: display name, default its name).

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
                accuracy=_number(row["accuracy"]),
                spread=_number(row.get("std")),
                control=_number(row.get("control_accuracy")),
            )
            for row in data["curves"]
            if row["category"] != POOLED_CURVE
        )
        retention = _retention(data.get("retention"))
        model = data.get("model")
        model_text = model if isinstance(model, str) else json.dumps(model)
    except OSError as exc:
        raise RunError(f"{path}: cannot read: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RunError(f"{path}: not a probe result ({type(exc).__name__}: {exc})") from None
    return ProbeRun(run_dir, model_text, curves, retention, label)
