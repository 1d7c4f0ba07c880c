"""Retention: how much of the backbone's answer signal reaches the action layers.

As the reference study computes it, per category ``c``::

    R_c = max_n (acc_action[c, n] - 0.5) / (max_n (acc_prefix[c, n] - 0.5) + eps)

and the model's retention is the mean of ``R_c`` over categories (categories
with both a prefix and an action curve; the summary curves ``overall`` and ``all`` are left out).

Intervals (95%, percentile bootstrap, categories held fixed):

* from probe results: items are resampled with replacement within each
  category and every layer's held-out accuracy is recomputed from the stored
  out-of-fold predictions, then the maxima and the mean (this includes the
  upward bias of taking a maximum over noisy layers);
* from a curves file: only when it gives ``n`` (episodes behind each
  accuracy): each accuracy is redrawn as ``Binomial(n, acc) / n``
  independently (layers of one model are correlated, so this interval is
  somewhat wider than the item bootstrap would be). Without ``n`` no interval
  is given.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from act2answer.analysis import Interval
from act2answer.errors import Act2AnswerError
from act2answer.probing._probes import SUMMARY_CURVES, ProbeResult

CHANCE = 0.5
#: The ``eps`` of the formula: keeps a category whose backbone sits exactly at chance finite.
DEFAULT_EPS = 1e-6


class CurvesFileError(Act2AnswerError):
    """A curves file that cannot be read: names the file, line and field."""


@dataclass(frozen=True)
class CurveRow:
    """One point of a curves file: accuracy of (category, part, layer) over ``n`` episodes."""

    category: str
    part: str
    layer: int
    accuracy: float
    n: int | None = None


@dataclass(frozen=True)
class CategoryRetention:
    """Peaks of one category and its retention ``R_c``."""

    category: str
    prefix_peak: float
    prefix_peak_layer: int
    action_peak: float
    action_peak_layer: int
    retention: float


@dataclass(frozen=True)
class Retention:
    """Mean retention over categories, with its interval and the per-category terms.

    Attributes:
        value: Mean of ``R_c`` over categories.
        interval: 95% bootstrap interval, or None when no uncertainty is known.
        method: ``items`` (item bootstrap), ``binomial`` (curves with ``n``) or ``none``.
        categories: Per-category peaks and ratios.
        eps: The ``eps`` in the denominator.
    """

    value: float
    interval: Interval | None
    method: str
    categories: list[CategoryRetention]
    eps: float = DEFAULT_EPS


def category_retention(
    prefix: np.ndarray, action: np.ndarray, eps: float = DEFAULT_EPS
) -> np.ndarray:
    """``R`` for accuracy arrays whose last axis is the layer (any leading batch shape)."""
    return (np.max(action, axis=-1) - CHANCE) / (np.max(prefix, axis=-1) - CHANCE + eps)


def _by_category(rows: Sequence[CurveRow]) -> dict[str, dict[str, list[CurveRow]]]:
    curves: dict[str, dict[str, list[CurveRow]]] = {}
    for row in rows:
        if row.category in SUMMARY_CURVES:
            continue
        curves.setdefault(row.category, {}).setdefault(row.part, []).append(row)
    complete = {
        category: {part: sorted(points, key=lambda r: r.layer) for part, points in parts.items()}
        for category, parts in curves.items()
        if "prefix" in parts and "action" in parts
    }
    if not complete:
        raise Act2AnswerError(
            "retention needs, for at least one category, both a prefix and an action curve"
        )
    return complete


def retention_from_curves(
    rows: Sequence[CurveRow],
    eps: float = DEFAULT_EPS,
    n_boot: int = 2000,
    seed: int = 0,
) -> Retention:
    """Retention from accuracy-by-layer curves (binomial interval when every row has ``n``)."""
    curves = _by_category(rows)
    per_category = [_category_terms(c, parts, eps) for c, parts in curves.items()]
    value = float(np.mean([term.retention for term in per_category]))
    all_rows = [row for parts in curves.values() for points in parts.values() for row in points]
    if any(row.n is None for row in all_rows):
        return Retention(value, None, "none", per_category, eps)
    rng = np.random.default_rng(seed)
    samples = np.zeros(n_boot)
    for parts in curves.values():
        drawn = {}
        for part in ("prefix", "action"):
            n = np.array([row.n for row in parts[part]], dtype=np.int64)
            p = np.array([row.accuracy for row in parts[part]])
            drawn[part] = rng.binomial(n, p, size=(n_boot, len(n))) / n
        samples += category_retention(drawn["prefix"], drawn["action"], eps)
    samples /= len(curves)
    return Retention(value, _percentile_interval(samples), "binomial", per_category, eps)


def retention_from_probes(
    result: ProbeResult, eps: float = DEFAULT_EPS, n_boot: int = 2000, seed: int = 0
) -> Retention:
    """Retention of fitted probes with an item-bootstrap interval over held-out predictions."""
    rows = [
        CurveRow(p.category, p.part, p.layer, p.accuracy, p.n)
        for p in result.points
        if p.category not in SUMMARY_CURVES
    ]
    curves = _by_category(rows)
    per_category = [_category_terms(c, parts, eps) for c, parts in curves.items()]
    value = float(np.mean([term.retention for term in per_category]))
    rng = np.random.default_rng(seed)
    samples = np.zeros(n_boot)
    for category, parts in curves.items():
        items, item_of_row = np.unique(np.array(result.groups[category]), return_inverse=True)
        episodes = np.bincount(item_of_row, minlength=len(items)).astype(float)
        weights = rng.multinomial(len(items), np.full(len(items), 1 / len(items)), size=n_boot)
        denominator = weights @ episodes
        drawn = {}
        for part in ("prefix", "action"):
            hits = np.stack(
                [
                    np.bincount(
                        item_of_row,
                        weights=result.correct[(category, part, row.layer)].astype(float),
                        minlength=len(items),
                    )
                    for row in parts[part]
                ],
                axis=1,
            )
            drawn[part] = (weights @ hits) / denominator[:, None]
        samples += category_retention(drawn["prefix"], drawn["action"], eps)
    samples /= len(curves)
    return Retention(value, _percentile_interval(samples), "items", per_category, eps)


def _category_terms(
    category: str, parts: dict[str, list[CurveRow]], eps: float
) -> CategoryRetention:
    prefix = np.array([row.accuracy for row in parts["prefix"]])
    action = np.array([row.accuracy for row in parts["action"]])
    return CategoryRetention(
        category=category,
        prefix_peak=float(prefix.max()),
        prefix_peak_layer=parts["prefix"][int(prefix.argmax())].layer,
        action_peak=float(action.max()),
        action_peak_layer=parts["action"][int(action.argmax())].layer,
        retention=float(category_retention(prefix, action, eps)),
    )


def _percentile_interval(samples: np.ndarray) -> Interval:
    low, high = np.percentile(samples, [2.5, 97.5])
    return Interval(float(low), float(high))


# ------------------------------------------------------------------ curves files
CURVE_FIELDS = ("category", "part", "layer", "accuracy")


def read_curves(path: Path | str) -> list[CurveRow]:
    """Read accuracy-by-layer curves from CSV or JSON.

    CSV: a header with at least ``category,part,layer,accuracy`` (optional
    ``n``); other columns are ignored. JSON: a list of objects with those keys,
    or an object whose ``curves`` key holds that list (``probe.json``).

    Raises:
        CurvesFileError: unreadable file, missing field, part other than
            ``prefix``/``action``, accuracy outside [0, 1], duplicate point.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CurvesFileError(f"{path}: cannot read ({exc})") from None
    records: list[tuple[str, dict[str, object]]] = []
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CurvesFileError(
                f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})"
            ) from None
        if isinstance(data, dict):
            data = data.get("curves")
        if not isinstance(data, list):
            raise CurvesFileError(f"{path}: expected a list of points or an object with 'curves'")
        for number, record in enumerate(data):
            if not isinstance(record, dict):
                raise CurvesFileError(f"{path}: point {number} is not an object")
            records.append((f"point {number}", record))
    else:
        reader = csv.DictReader(text.splitlines())
        missing = [name for name in CURVE_FIELDS if name not in (reader.fieldnames or [])]
        if missing:
            raise CurvesFileError(f"{path}: header lacks column(s) {', '.join(missing)}")
        records = [(f"line {number}", dict(row)) for number, row in enumerate(reader, start=2)]
    rows: list[CurveRow] = []
    seen: set[tuple[str, str, int]] = set()
    for where, record in records:
        row = _curve_row(path, where, record)
        key = (row.category, row.part, row.layer)
        if key in seen:
            raise CurvesFileError(f"{path}, {where}: duplicate point {key}")
        seen.add(key)
        rows.append(row)
    if not rows:
        raise CurvesFileError(f"{path}: no points")
    return rows


def _curve_row(path: Path, where: str, record: dict[str, object]) -> CurveRow:
    def field_error(name: str, problem: str) -> CurvesFileError:
        return CurvesFileError(f"{path}, {where}, field {name!r}: {problem}")

    for name in CURVE_FIELDS:
        if record.get(name) in (None, ""):
            raise field_error(name, "missing")
    part = str(record["part"])
    if part not in ("prefix", "action"):
        raise field_error("part", f"{part!r} is not 'prefix' or 'action'")
    try:
        layer = int(str(record["layer"]))
    except ValueError:
        raise field_error("layer", f"{record['layer']!r} is not an integer") from None
    try:
        accuracy = float(str(record["accuracy"]))
    except ValueError:
        raise field_error("accuracy", f"{record['accuracy']!r} is not a number") from None
    if not (0.0 <= accuracy <= 1.0) or math.isnan(accuracy):
        raise field_error("accuracy", f"{accuracy} is outside [0, 1]")
    n_value = record.get("n")
    n: int | None = None
    if n_value not in (None, ""):
        try:
            n = int(str(n_value))
        except ValueError:
            raise field_error("n", f"{n_value!r} is not an integer") from None
        if n < 1:
            raise field_error("n", f"{n} episodes")
    return CurveRow(str(record["category"]), part, layer, accuracy, n)
