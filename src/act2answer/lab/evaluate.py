"""The standard evaluation of a lab checkpoint, through the project's public functions.

For a VLA checkpoint: Act2Answer episodes (:func:`act2answer.runner.run_evaluation`
with :class:`~act2answer.lab.policy.LabVLAPolicy`), the VLM probe of its backbone
(:func:`act2answer.vlm.run_vlm` with the ``lab`` backend) and layerwise
probing of backbone and action layers (:mod:`act2answer.probing`). For a VLM
checkpoint: the VLM probe and the prefix probe. Each part writes the same run
folder any other model would get; then, as for real models, ``compare/``
(``act2answer compare``'s ``compare.csv`` and ``compare.json``: every run
against the pretrained VLM) and ``report.html`` (``act2answer report --html``:
VLA vs VLM, the VLM probe, layerwise probing curves) are written from them
with the same code. ``lab_eval.json`` sums it up.

For a VLA whose recipe's backbone checkpoint still exists, the pretrained
backbone is asked the same VLM probe (``backbone-vlm/``): that run is the
baseline the VLA and its fine-tuned backbone are compared with, the study's
"VLA vs its VLM".

The call sites are deliberately thin (one function per part) so that a single
``act2answer.evaluate()`` entry point can replace them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from act2answer.lab._torch import import_torch

SUMMARY = "lab_eval.json"
COMPARE_DIR = "compare"
REPORT_HTML = "report.html"
#: Run folder of each part of one evaluation, in the order compare and the report list them.
PARTS = {"backbone_vlm": "backbone-vlm", "vlm": "vlm", "episodes": "episodes", "probe": "probe"}
#: Display names of the parts (compare labels, report labels).
PART_LABELS = {
    "backbone_vlm": "pretrained VLM",
    "vlm": "VLA backbone (VLM probe)",
    "episodes": "VLA (episodes)",
    "probe": "layerwise probe",
}


@dataclass
class LabEvaluation:
    """Per-category results of one checkpoint.

    Attributes:
        episodes: Success rate per category (and ``overall``), VLAs only.
        vlm: VLM-probe accuracy per category (and ``overall``) of the backbone.
        retention: Layerwise-probe retention (VLAs) and its interval.
        folders: Run folder of each part (``backbone_vlm``, ``vlm``, ``episodes``,
            ``probe``), and of ``compare`` and ``report`` once written.
        backbone_vlm: VLM-probe accuracy of the pretrained backbone (VLAs whose
            backbone checkpoint exists).
    """

    episodes: dict[str, float] = field(default_factory=dict)
    vlm: dict[str, float] = field(default_factory=dict)
    retention: dict[str, Any] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)
    backbone_vlm: dict[str, float] = field(default_factory=dict)

    @classmethod
    def read(cls, out: Path) -> LabEvaluation | None:
        """The ``lab_eval.json`` in ``out`` (None when there is none).

        The parts' folders are taken to be in ``out`` whatever path the file
        recorded, so a moved folder, or one written from another working
        directory, still reads.
        """
        path = out / SUMMARY
        if not path.is_file():
            return None
        data = json.loads(path.read_text())
        result = cls(**{key: data.get(key) or {} for key in cls.__dataclass_fields__})
        result.folders = {
            part: str(out / PARTS[part])
            for part in result.folders
            if part in PARTS and (out / PARTS[part]).is_dir()
        }
        return result


def _rates(metrics: Any) -> dict[str, float]:
    rates = {group.name: group.success_rate for group in metrics.categories}
    rates["overall"] = metrics.overall.success_rate
    return rates


def run_episodes(
    checkpoint: Path, suite: Path, out: Path, sim: Any, perturb: str = "none"
) -> dict[str, float]:
    """Act2Answer episodes of a VLA checkpoint (both layouts, in this process)."""
    from act2answer.lab.policy import LAB_VLA_POLICY
    from act2answer.policies import PolicySpec
    from act2answer.report import load_report
    from act2answer.runner import run_evaluation

    kwargs: dict[str, Any] = {"path": str(checkpoint)}
    if perturb != "none":
        kwargs["perturb"] = perturb
    run_evaluation(suite, PolicySpec(name=LAB_VLA_POLICY, kwargs=kwargs), out, sim=sim, workers=1)
    return _rates(load_report(out).metrics)


def run_vlm_probe(checkpoint: Path, suite: Path, out: Path, sim: Any) -> dict[str, float]:
    """The letter-scored VLM probe of the checkpoint's backbone (frame mode)."""
    from act2answer.report import load_vlm_report
    from act2answer.runner import run_vlm
    from act2answer.vlm import ModelSpec

    run_vlm(suite, ModelSpec(backend="lab", model=str(checkpoint)), out, sim=sim, batch_size=32)
    return _rates(load_vlm_report(out).metrics)


def run_layer_probe(checkpoint: Path, suite: Path, out: Path, sim: Any) -> dict[str, Any]:
    """Layerwise probes of prefix (and action) layers; retention when both parts exist."""
    from collections import Counter

    from act2answer.lab.policy import LabProbe
    from act2answer.probing import (
        ProbeConfig,
        fit_store,
        record_suite,
        retention_from_probes,
        write_probe_outputs,
    )
    from act2answer.suite import load_suite

    per_category = Counter(item.category for item in load_suite(suite).items)
    folds = max(2, min(5, *per_category.values()))  # folds are grouped by item
    model = LabProbe(str(checkpoint))
    store, _ = record_suite(suite, model, out, model_spec=f"lab:{checkpoint}", sim=sim)
    result = fit_store(store, ProbeConfig(folds=folds, control=False))
    retention = retention_from_probes(result) if model.checkpoint.kind == "vla" else None
    write_probe_outputs(out, result, retention, meta={"model": str(checkpoint)}, plot=True)
    if retention is None:
        return {}
    interval = retention.interval
    return {
        "value": retention.value,
        "low": interval.low if interval else None,
        "high": interval.high if interval else None,
    }


def pretrained_backbone(checkpoint: Path) -> Path | None:
    """The VLM checkpoint a lab VLA was fine-tuned from, if it still exists."""
    config = json.loads((checkpoint / "config.json").read_text())
    backbone = (config.get("recipe") or {}).get("backbone")
    if config.get("kind") != "vla" or not backbone:
        return None
    path = Path(backbone)
    return path if (path / "config.json").is_file() else None


def write_compare_and_report(
    compared: list[tuple[Path, str]],
    shown: list[tuple[Path, str]],
    out: Path,
    *,
    thumbnails: bool = False,
) -> dict[str, str]:
    """``compare/`` of ``compared`` (each run against the first) and ``report.html`` of ``shown``.

    Args:
        compared: ``(run folder, label)`` of evaluation and VLM runs; the first is
            the baseline (:func:`act2answer.analysis.compare.compare_runs`,
            written as ``act2answer compare --out`` writes it).
        shown: ``(folder, label)`` of the evaluation, VLM, probe and sweep
            folders of the page (:func:`act2answer.report.html.write_html_report`).
        out: Folder for ``compare/`` and ``report.html``.
        thumbnails: Embed video frame strips in the page.

    Returns:
        ``{"compare": folder, "report": page}`` (``compare`` only when there are
        two runs to compare).
    """
    from act2answer.analysis.compare import compare_runs
    from act2answer.analysis.outcomes import load_outcomes
    from act2answer.report.compare import write_comparison
    from act2answer.report.html import write_html_report

    written: dict[str, str] = {}
    outcomes = [load_outcomes(folder, label) for folder, label in compared]
    if len(outcomes) >= 2:
        comparisons = [compare_runs(outcomes[0], other) for other in outcomes[1:]]
        write_comparison(out / COMPARE_DIR, outcomes, comparisons)
        written["compare"] = str(out / COMPARE_DIR)
    page = write_html_report(
        [folder for folder, _ in shown],
        out / REPORT_HTML,
        thumbnails=thumbnails,
        labels=[label for _, label in shown],
    )
    written["report"] = str(page)
    return written


def evaluate_checkpoint(
    checkpoint: Path | str,
    suite: Path | str,
    out: Path | str,
    *,
    sim: Any = None,
    episodes: bool = True,
    vlm: bool = True,
    probe: bool = True,
    report: bool = True,
    reuse: bool = False,
    baseline: bool = True,
) -> LabEvaluation:
    """Run the parts of the standard evaluation that apply to ``checkpoint``.

    Args:
        checkpoint: Lab checkpoint folder.
        suite: Evaluation suite folder (generated with a seed no recipe trains on).
        out: Folder for the run folders ``episodes/``, ``vlm/``, ``probe/``,
            ``backbone-vlm/``, and ``compare/``, ``report.html``.
        sim: Simulator settings (default: the reference scene with 128x96 frames,
            the size the lab models see).
        episodes: Run Act2Answer episodes (VLAs only).
        vlm: Run the VLM probe.
        probe: Run layerwise probing.
        baseline: For a VLA, also the VLM probe of its pretrained backbone (when
            that checkpoint exists), the baseline of ``compare/``.
        report: Write ``compare/`` and ``report.html`` from the run folders.
        reuse: Keep the parts an earlier ``lab_eval.json`` in ``out`` records
            (an interrupted or older evaluation is completed, not redone).
    """
    import_torch()  # before the first rendered frame (see act2answer.lab._torch)
    from act2answer.lab.checkpoint import load_checkpoint
    from act2answer.sim import SimConfig

    checkpoint, suite, out = Path(checkpoint), Path(suite), Path(out)
    sim = sim or SimConfig(camera_width=128, camera_height=96)
    kind = load_checkpoint(checkpoint).kind
    result = (LabEvaluation.read(out) if reuse else None) or LabEvaluation()
    done = set(result.folders) if reuse else set()
    backbone = pretrained_backbone(checkpoint) if baseline else None

    def todo(part: str) -> Path | None:
        if part in done:
            return None
        result.folders[part] = str(out / PARTS[part])
        return out / PARTS[part]

    if backbone is not None and (folder := todo("backbone_vlm")):
        result.backbone_vlm = run_vlm_probe(backbone, suite, folder, sim)
    if episodes and kind == "vla" and (folder := todo("episodes")):
        result.episodes = run_episodes(checkpoint, suite, folder, sim)
    if vlm and (folder := todo("vlm")):
        result.vlm = run_vlm_probe(checkpoint, suite, folder, sim)
    if probe and (folder := todo("probe")):
        result.retention = run_layer_probe(checkpoint, suite, folder, sim)
    out.mkdir(parents=True, exist_ok=True)
    if report:
        runs = [(Path(result.folders[p]), PART_LABELS[p]) for p in PARTS if p in result.folders]
        compared = [run for run in runs if run[0].name != PARTS["probe"]]
        result.folders.update(write_compare_and_report(compared, runs, out))
    (out / SUMMARY).write_text(json.dumps(vars(result), indent=1))
    return result
