"""Probe outputs in a run folder: ``probe.json``, ``probe_curves.csv``, ``probe.png``.

``probe.json`` is also a valid curves file for ``act2answer probe retention``
(its ``curves`` list has ``category, part, layer, accuracy, n``).
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict
from pathlib import Path

from act2answer.probing._probes import SUMMARY_CURVES, CurvePoint, ProbeResult
from act2answer.probing._retention import Retention

PROBE_JSON = "probe.json"
PROBE_CSV = "probe_curves.csv"
PROBE_PNG = "probe.png"
CSV_FIELDS = (
    "category",
    "part",
    "layer",
    "accuracy",
    "std",
    "control_accuracy",
    "control_std",
    "n",
)


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 6)


def retention_json(retention: Retention | None) -> dict[str, object] | None:
    """JSON form of a retention result (None stays None)."""
    if retention is None:
        return None
    return {
        "value": round(retention.value, 6),
        "low": round(retention.interval.low, 6) if retention.interval else None,
        "high": round(retention.interval.high, 6) if retention.interval else None,
        "method": retention.method,
        "eps": retention.eps,
        "categories": [asdict(term) for term in retention.categories],
    }


def write_probe_outputs(
    out: Path | str,
    result: ProbeResult,
    retention: Retention | None,
    meta: dict[str, object] | None = None,
    plot: bool = True,
) -> list[Path]:
    """Write ``probe.json``, ``probe_curves.csv`` and (optionally) ``probe.png``; return paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    curves = [
        {
            **{name: getattr(point, name) for name in ("category", "part", "layer", "n")},
            "accuracy": _number(point.accuracy),
            "std": _number(point.std),
            "control_accuracy": _number(point.control_accuracy),
            "control_std": _number(point.control_std),
            "fold_accuracies": [round(value, 6) for value in point.fold_accuracies],
        }
        for point in result.points
    ]
    document = {
        "format": "act2answer-probe-v1",
        **(meta or {}),
        "config": asdict(result.config),
        "retention": retention_json(retention),
        "curves": curves,
    }
    paths = [out / PROBE_JSON, out / PROBE_CSV]
    paths[0].write_text(json.dumps(document, indent=2), encoding="utf-8")
    with open(paths[1], "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(curves)
    if plot:
        paths.append(plot_curves(result, out / PROBE_PNG, retention))
    return paths


def plot_curves(result: ProbeResult, path: Path, retention: Retention | None = None) -> Path:
    """Accuracy by layer, one panel per category: backbone solid, action dashed.

    Action layers are drawn after the backbone's last layer (x = number of
    backbone layers + action layer index). Bands show the spread over folds;
    grey dotted lines the shuffled-label control; the black line chance.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    categories = [c for c in result.categories if c not in SUMMARY_CURVES]
    categories += [c for c in SUMMARY_CURVES if c in result.categories]
    columns = min(4, len(categories))
    rows = math.ceil(len(categories) / columns)
    figure, axes = plt.subplots(
        rows, columns, figsize=(3.4 * columns, 2.6 * rows), squeeze=False, sharey=True
    )
    prefix_layers = max((p.layer + 1 for p in result.points if p.part == "prefix"), default=0)
    for axis, category in zip(axes.flat, categories, strict=False):
        for part, style in (("prefix", "-"), ("action", "--")):
            curve: list[CurvePoint] = result.curve(category, part)
            if not curve:
                continue
            offset = prefix_layers if part == "action" else 0
            x = [offset + point.layer for point in curve]
            mean = [point.accuracy for point in curve]
            spread = [point.std for point in curve]
            label = "backbone" if part == "prefix" else "action"
            (line,) = axis.plot(x, mean, style, marker=".", label=label)
            axis.fill_between(
                x,
                [m - s for m, s in zip(mean, spread, strict=True)],
                [m + s for m, s in zip(mean, spread, strict=True)],
                color=line.get_color(),
                alpha=0.15,
            )
            control = [point.control_accuracy for point in curve]
            if not all(math.isnan(value) for value in control):
                axis.plot(x, control, ":", color="grey", label=f"{label} control")
        axis.axhline(0.5, color="black", linewidth=0.8)
        axis.set_title(category, fontsize=9)
        axis.set_ylim(0.3, 1.02)
        axis.tick_params(labelsize=7)
    for axis in axes.flat[len(categories) :]:
        axis.axis("off")
    axes.flat[0].legend(fontsize=6, loc="upper left")
    title = "probe accuracy by layer (backbone, then action layers)"
    if retention is not None:
        title += f"; retention {retention.value:.2f}"
        if retention.interval is not None:
            title += f" [{retention.interval.low:.2f}, {retention.interval.high:.2f}]"
    figure.suptitle(title, fontsize=10)
    figure.supxlabel("layer", fontsize=8)
    figure.supylabel("held-out accuracy", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
