"""The co-training sweep: one VLA per (VQA ratio, seed), evaluated, summarised against r.

Same backbone, same demonstrations, one knob changed: ``vqa_ratio``. Each
(ratio, seed) is trained from the base VLA recipe and evaluated with
:func:`act2answer.lab.evaluate.evaluate_checkpoint`; ``sweep.csv`` has one row
per model and ``sweep_summary.csv`` the mean and a 95 % t-interval over seeds
per ratio of: success on the demonstrated categories, success on the held-out
categories, VLM-probe accuracy of the backbone on the held-out categories (rates:
the interval is clipped to [0, 1], columns ``<metric>_t95clip_low/high``), its
retention against the pretrained VLM, and the layerwise-probe retention pooled over
the categories the backbone probe reads (:func:`pooled_probe_retention`) (ratios,
not clipped: ``<metric>_t95_low/high``). Then, with the code real models get,
``compare/`` (every model's episodes and fine-tuned backbone against the
pretrained VLM's VLM probe) and ``report.html`` (VLA vs VLM, the VLM probe,
layerwise probing curves of one model per ratio, and the sweep against r).

A sweep folder is re-runnable: trained and evaluated models are reused, the
summary, compare and report are always recomputed, so a folder written by an
older version is upgraded by running the same command again.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from act2answer.lab.recipes import VLARecipe
from act2answer.probing._retention import CHANCE
from act2answer.report.html import SWEEP_SUMMARY_CSV as SUMMARY_CSV
from act2answer.report.html import CategoryRetention, load_probe_run
from act2answer.report.html._probes import is_probe_run
from act2answer.report.html._sweep import RATE_BOUNDS, RATIO_BOUNDS

SWEEP_CSV = "sweep.csv"
SWEEP_PNG = "sweep.png"
DEFAULT_RATIOS = (0.0, 0.1, 0.3, 0.5)
#: Summary metrics that are rates in [0, 1] (their intervals are clipped to it).
RATE_METRICS = ("trained_success", "heldout_success", "heldout_vlm")


def _mean(rates: dict[str, float], categories: Sequence[str]) -> float:
    values = [rates[c] for c in categories if c in rates]
    return float(np.mean(values)) if values else float("nan")


#: A category enters the sweep's layerwise retention when its backbone probe peaks this far
#: above chance; below it the study's ratio divides by (almost) zero (``eps`` = 1e-6).
PROBE_MARGIN = 0.1


def pooled_probe_retention(categories: Sequence[CategoryRetention]) -> float:
    """Layerwise retention pooled over the categories the backbone probe reads.

    The study's retention is a per-category ratio ``(max action - c) / (max
    prefix - c + eps)`` averaged over categories; a category whose prefix probe
    sits at chance makes that ratio +-1e5 on a small suite. Here the
    numerator and the denominator are summed over the categories whose prefix
    peak is at least :data:`PROBE_MARGIN` above chance, then divided (``nan``
    when there is none).

    Args:
        categories: Per-category peaks of a probe run (``load_probe_run(...).retention``).
    """
    kept = [c for c in categories if c.prefix_peak - CHANCE >= PROBE_MARGIN]
    if not kept:
        return float("nan")
    above_action = sum(c.action_peak - CHANCE for c in kept)
    return float(above_action / sum(c.prefix_peak - CHANCE for c in kept))


def probe_categories(probe_folder: str | Path | None) -> tuple[CategoryRetention, ...] | None:
    """Per-category probe peaks of a layerwise-probe run folder (``None`` when absent)."""
    if probe_folder is None or not is_probe_run(Path(probe_folder)):
        return None
    retention = load_probe_run(probe_folder).retention
    return None if retention is None else retention.categories


def summarise_model(
    evaluation: dict[str, Any],
    backbone_vlm: dict[str, float],
    trained: Sequence[str],
    probe_peaks: Sequence[CategoryRetention] | None = None,
) -> dict[str, float]:
    """One sweep row from a model's ``lab_eval.json`` and its backbone's VLM-probe rates.

    VLM retention is the held-out-category VLM-probe accuracy above chance of
    the fine-tuned backbone over that of the pretrained VLM (``nan`` when the
    pretrained VLM is at or below chance there). Probe retention is
    :func:`pooled_probe_retention` of ``probe_peaks`` when given, else the
    study's value recorded in ``lab_eval.json``.
    """
    episodes, vlm = evaluation.get("episodes", {}), evaluation.get("vlm", {})
    categories = [c for c in vlm if c != "overall"]
    heldout = [c for c in categories if c not in trained]
    base_above = _mean(backbone_vlm, heldout) - CHANCE
    vla_above = _mean(vlm, heldout) - CHANCE
    retention = (evaluation.get("retention") or {}).get("value")
    if probe_peaks is not None:
        retention = pooled_probe_retention(probe_peaks)
    return {
        "trained_success": _mean(episodes, trained),
        "heldout_success": _mean(episodes, heldout),
        "heldout_vlm": _mean(vlm, heldout),
        "vlm_retention": vla_above / base_above if base_above > 0.02 else float("nan"),
        "probe_retention": float("nan") if retention is None else float(retention),
    }


def t_interval(
    values: Sequence[float], bounds: tuple[float, float] | None = None
) -> tuple[float, float, float]:
    """Mean and 95 % t-interval over seeds of ``values`` (NaN values are left out).

    Args:
        values: One value per seed.
        bounds: Clip the interval to these (``(0, 1)`` for a rate: a mean of
            rates cannot leave it, and the t-interval of 3 seeds easily does).

    Returns:
        ``(mean, low, high)``; the bounds are NaN for fewer than 2 values.
    """
    from scipy import stats

    data = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
    if data.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(data.mean())
    if data.size < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.975, data.size - 1) * data.std(ddof=1) / np.sqrt(data.size))
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return mean, low, high


def summarise_sweep(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per ratio: number of seeds, and per metric its mean and 95 % t-interval over seeds.

    Rates (:data:`RATE_METRICS`) get the interval clipped to [0, 1] in columns
    ``<metric>_t95clip_low/high``; the other metrics (retention ratios) the
    plain t-interval in ``<metric>_t95_low/high``.
    """
    metrics = [key for key in rows[0] if key not in ("ratio", "seed")]
    summary = []
    for ratio in dict.fromkeys(row["ratio"] for row in rows):
        group = [row for row in rows if row["ratio"] == ratio]
        line: dict[str, Any] = {"ratio": ratio, "seeds": len(group)}
        for key in metrics:
            rate = key in RATE_METRICS
            mean, low, high = t_interval([row[key] for row in group], (0.0, 1.0) if rate else None)
            names = RATE_BOUNDS if rate else RATIO_BOUNDS
            line.update({key: mean, f"{key}{names[0]}": low, f"{key}{names[1]}": high})
        summary.append(line)
    return summary


def _write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def run_sweep(
    base: VLARecipe,
    suite: Path | str,
    out: Path | str,
    *,
    ratios: Sequence[float] = DEFAULT_RATIOS,
    seeds: Sequence[int] = (0, 1, 2),
    sim: Any = None,
    probe: bool = True,
    log: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """Train and evaluate one VLA per (ratio, seed); write the summary, compare and report.

    Models already trained (a ``metrics.json`` in their folder) and evaluated
    (a ``lab_eval.json``) are reused; a part of the evaluation an older run did
    not do (the layerwise probe of a ``probe=False`` sweep rerun with
    ``probe=True``) is added. ``sweep.csv``, ``sweep_summary.csv``,
    ``sweep.png``, ``compare/`` and ``report.html`` are always rewritten.

    Returns:
        The per-ratio summary rows.
    """
    from act2answer.lab.evaluate import evaluate_checkpoint, write_compare_and_report
    from act2answer.lab.lerobot_format import read_dataset
    from act2answer.lab.train import METRICS, train_vla

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    backbone_eval = evaluate_checkpoint(
        base.backbone, suite, out / "backbone-eval", sim=sim, probe=False, report=False, reuse=True
    )
    trained = sorted(set(read_dataset(base.demos).categories.tolist()))
    baseline = (out / "backbone-eval" / "vlm", "pretrained VLM")
    rows: list[dict[str, Any]] = []
    compared, shown, probes = [baseline], [baseline], []
    for ratio in ratios:
        for index, seed in enumerate(seeds):
            folder = out / f"r{ratio:g}-seed{seed}"
            recipe = base.model_copy(update={"vqa_ratio": ratio, "seed": seed})
            if not (folder / METRICS).exists():
                log(f"training {folder.name}")
                train_vla(recipe, folder / "model")
                (folder / METRICS).write_text((folder / "model" / METRICS).read_text())
            log(f"evaluating {folder.name} (parts already done are reused)")
            evaluation = evaluate_checkpoint(
                folder / "model", suite, folder / "eval", sim=sim, probe=probe, report=False,
                reuse=True, baseline=False,
            )  # fmt: skip
            rows.append(
                {
                    "ratio": ratio,
                    "seed": seed,
                    **summarise_model(
                        vars(evaluation),
                        backbone_eval.vlm,
                        trained,
                        probe_categories(evaluation.folders.get("probe")),
                    ),
                }
            )
            name, parts = f"r={ratio:g} seed {seed}", evaluation.folders
            if "episodes" in parts:
                compared.append((Path(parts["episodes"]), f"VLA {name}"))
                shown.append(compared[-1])
            if "vlm" in parts:
                compared.append((Path(parts["vlm"]), f"VLA backbone {name}"))
            if index == 0 and "probe" in parts:  # one probe curve per ratio on the page
                probes.append((Path(parts["probe"]), f"probe {name}"))
    _write_csv(out / SWEEP_CSV, rows)
    summary = summarise_sweep(rows)
    _write_csv(out / SUMMARY_CSV, summary)
    plot_sweep(out, out / SWEEP_PNG)
    # The page: the pretrained VLM, every VLA (each gap is against the pretrained VLM),
    # one probe run per ratio and the sweep; the fine-tuned backbones are in compare/.
    write_compare_and_report(compared, [*shown, *probes, (out, "sweep")], out)
    return summary


def plot_sweep(sweep_dir: Path, path: Path) -> Path | None:
    """Success and retention against the VQA ratio with their intervals, as a PNG.

    The same figure as the HTML report's sweep section (needs matplotlib).
    """
    try:
        from act2answer.report.html import load_sweep_run
        from act2answer.report.html._figures import sweep_figure
    except ImportError:
        return None
    sweep_figure(load_sweep_run(sweep_dir)).savefig(path, dpi=120, bbox_inches="tight")
    return path
