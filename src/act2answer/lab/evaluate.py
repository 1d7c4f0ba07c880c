"""The standard evaluation of a lab checkpoint, through the project's public functions.

For a VLA checkpoint: Act2Answer episodes (:func:`act2answer.runner.run_evaluation`
with :class:`~act2answer.lab.policy.LabVLAPolicy`), the VLM probe of its backbone
(:func:`act2answer.vlm.run_vlm` with the ``lab`` backend) and layerwise
probing of backbone and action layers (:mod:`act2answer.probing`). For a VLM
checkpoint: the VLM probe and the prefix probe. Each part writes the same run
folder any other model would get, so ``act2answer compare`` and ``act2answer
report --html`` read them; ``lab_eval.json`` sums them up.

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


@dataclass
class LabEvaluation:
    """Per-category results of one checkpoint.

    Attributes:
        episodes: Success rate per category (and ``overall``), VLAs only.
        vlm: VLM-probe accuracy per category (and ``overall``) of the backbone.
        retention: Layerwise-probe retention (VLAs) and its interval.
        folders: Run folder of each part.
    """

    episodes: dict[str, float] = field(default_factory=dict)
    vlm: dict[str, float] = field(default_factory=dict)
    retention: dict[str, Any] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)


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


def evaluate_checkpoint(
    checkpoint: Path | str,
    suite: Path | str,
    out: Path | str,
    *,
    sim: Any = None,
    episodes: bool = True,
    vlm: bool = True,
    probe: bool = True,
) -> LabEvaluation:
    """Run the parts of the standard evaluation that apply to ``checkpoint``.

    Args:
        checkpoint: Lab checkpoint folder.
        suite: Evaluation suite folder (generated with a seed no recipe trains on).
        out: Folder for the run folders ``episodes/``, ``vlm/``, ``probe/``.
        sim: Simulator settings (default: the reference scene with 128x96 frames,
            the size the lab models see).
        episodes: Run Act2Answer episodes (VLAs only).
        vlm: Run the VLM probe.
        probe: Run layerwise probing.
    """
    import_torch()  # before the first rendered frame (see act2answer.lab._torch)
    from act2answer.lab.checkpoint import load_checkpoint
    from act2answer.sim import SimConfig

    checkpoint, suite, out = Path(checkpoint), Path(suite), Path(out)
    sim = sim or SimConfig(camera_width=128, camera_height=96)
    kind = load_checkpoint(checkpoint).kind
    result = LabEvaluation()
    if episodes and kind == "vla":
        result.folders["episodes"] = str(out / "episodes")
        result.episodes = run_episodes(checkpoint, suite, out / "episodes", sim)
    if vlm:
        result.folders["vlm"] = str(out / "vlm")
        result.vlm = run_vlm_probe(checkpoint, suite, out / "vlm", sim)
    if probe:
        result.folders["probe"] = str(out / "probe")
        result.retention = run_layer_probe(checkpoint, suite, out / "probe", sim)
    out.mkdir(parents=True, exist_ok=True)
    (out / SUMMARY).write_text(json.dumps(vars(result), indent=1))
    return result
