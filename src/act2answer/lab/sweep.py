"""The co-training sweep: one VLA per (VQA ratio, seed), evaluated, summarised against r.

Same backbone, same demonstrations, one knob changed: ``vqa_ratio``. Each
(ratio, seed) is trained from the base VLA recipe and evaluated with
:func:`act2answer.lab.evaluate.evaluate_checkpoint`; ``sweep.csv`` has one row
per model and ``sweep_summary.csv`` the mean and a t-interval over seeds per
ratio of: success on the demonstrated categories, success on the held-out
categories, VLM-probe accuracy of the backbone on the held-out categories,
its retention against the pretrained VLM, and the layerwise-probe retention.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from act2answer.lab.recipes import VLARecipe

SWEEP_CSV = "sweep.csv"
SUMMARY_CSV = "sweep_summary.csv"
DEFAULT_RATIOS = (0.0, 0.1, 0.3, 0.5)


def _mean(rates: dict[str, float], categories: Sequence[str]) -> float:
    values = [rates[c] for c in categories if c in rates]
    return float(np.mean(values)) if values else float("nan")


def summarise_model(
    evaluation: dict[str, Any], backbone_vlm: dict[str, float], trained: Sequence[str]
) -> dict[str, float]:
    """One sweep row from a model's ``lab_eval.json`` and its backbone's VLM-probe rates.

    VLM retention is the held-out-category VLM-probe accuracy above chance of
    the fine-tuned backbone over that of the pretrained VLM (``nan`` when the
    pretrained VLM is at or below chance there).
    """
    episodes, vlm = evaluation.get("episodes", {}), evaluation.get("vlm", {})
    categories = [c for c in vlm if c != "overall"]
    heldout = [c for c in categories if c not in trained]
    base_above = _mean(backbone_vlm, heldout) - 0.5
    vla_above = _mean(vlm, heldout) - 0.5
    retention = evaluation.get("retention", {}) or {}
    return {
        "trained_success": _mean(episodes, trained),
        "heldout_success": _mean(episodes, heldout),
        "heldout_vlm": _mean(vlm, heldout),
        "vlm_retention": vla_above / base_above if base_above > 0.02 else float("nan"),
        "probe_retention": float(retention.get("value", float("nan")) or float("nan")),
    }


def t_interval(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean and 95% t-interval of ``values`` (``nan`` bounds for fewer than 2 values)."""
    from scipy import stats

    data = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
    if data.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(data.mean())
    if data.size < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.975, data.size - 1) * data.std(ddof=1) / np.sqrt(data.size))
    return mean, mean - half, mean + half


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
    """Train and evaluate one VLA per (ratio, seed); write ``sweep.csv`` and the summary.

    Models already trained (a ``metrics.json`` in their folder) and evaluated
    (a ``lab_eval.json``) are reused, so an interrupted sweep resumes.

    Returns:
        The per-ratio summary rows.
    """
    from act2answer.lab.evaluate import SUMMARY, evaluate_checkpoint
    from act2answer.lab.lerobot_format import read_dataset
    from act2answer.lab.train import METRICS, train_vla

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    backbone_eval_dir = out / "backbone-eval"
    if not (backbone_eval_dir / SUMMARY).exists():
        evaluate_checkpoint(base.backbone, suite, backbone_eval_dir, sim=sim, probe=False)
    backbone_vlm = json.loads((backbone_eval_dir / SUMMARY).read_text())["vlm"]
    trained = sorted(set(read_dataset(base.demos).categories.tolist()))
    rows = []
    for ratio in ratios:
        for seed in seeds:
            folder = out / f"r{ratio:g}-seed{seed}"
            recipe = base.model_copy(update={"vqa_ratio": ratio, "seed": seed})
            if not (folder / METRICS).exists():
                log(f"training {folder.name}")
                train_vla(recipe, folder / "model")
                (folder / METRICS).write_text((folder / "model" / METRICS).read_text())
            if not (folder / "eval" / SUMMARY).exists():
                log(f"evaluating {folder.name}")
                evaluate_checkpoint(folder / "model", suite, folder / "eval", sim=sim, probe=probe)
            evaluation = json.loads((folder / "eval" / SUMMARY).read_text())
            rows.append(
                {"ratio": ratio, "seed": seed, **summarise_model(evaluation, backbone_vlm, trained)}
            )
    with (out / SWEEP_CSV).open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    summary = []
    metrics = [key for key in rows[0] if key not in ("ratio", "seed")]
    for ratio in ratios:
        group = [row for row in rows if row["ratio"] == ratio]
        line: dict[str, Any] = {"ratio": ratio, "seeds": len(group)}
        for key in metrics:
            mean, low, high = t_interval([row[key] for row in group])
            line.update({key: mean, f"{key}_low": low, f"{key}_high": high})
        summary.append(line)
    with (out / SUMMARY_CSV).open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(summary[0]))
        writer.writeheader()
        writer.writerows(summary)
    plot_sweep(summary, out / "sweep.png")
    return summary


def plot_sweep(summary: Sequence[dict[str, Any]], path: Path) -> Path | None:
    """Success and retention against the VQA ratio, with their intervals (needs matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    ratios = [row["ratio"] for row in summary]
    figure, axis = plt.subplots(figsize=(6, 4))
    for key, label in (
        ("trained_success", "success, demonstrated categories"),
        ("heldout_success", "success, held-out categories"),
        ("heldout_vlm", "VLM probe, held-out categories"),
    ):
        means = np.array([row[key] for row in summary], dtype=float)
        low = np.array([row[f"{key}_low"] for row in summary], dtype=float)
        high = np.array([row[f"{key}_high"] for row in summary], dtype=float)
        axis.plot(ratios, means, marker="o", label=label)
        if np.isfinite(low).any():
            axis.fill_between(ratios, low, high, alpha=0.2)
    axis.axhline(0.5, color="grey", linestyle=":", label="chance")
    axis.set_xlabel("VQA co-training ratio r")
    axis.set_ylabel("rate")
    axis.set_ylim(0, 1)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path
