"""LeRobot's SmolVLA class trained on act2answer demonstrations, run through ``--policy lerobot``.

Issue 21, part 4. Runs in the LeRobot environment (lerobot 0.4.4), one process::

    PYTHONPATH=src .venv-lerobot/bin/python benchmarks/lab_smolvla.py --out /tmp/lab-smolvla

Steps (each skipped when its output exists, so a killed run resumes):

1. ``demos/``: scripted demonstrations of ``--category`` (``--per-category`` items,
   both layouts, seed 1001, rendered at 128x96) as a LeRobot dataset, still tail
   trimmed to 8 frames and frames stored at 64x48
   (:func:`act2answer.lab.smolvla.build_smolvla_demos`);
2. ``eval-suite/``: the evaluation suite (``--eval-items`` items, seed 0: no item
   is demonstrated);
3. ``smolvla/``: the tiny SmolVLM pretrained on Color VQA (which tile the
   instruction names; rendered frames of seed-7001 items), saved as a SmolVLA
   base checkpoint, then SmolVLA trained from it by LeRobot's own
   ``lerobot_train.train`` with the VLM frozen, as SmolVLA's defaults do
   (:func:`act2answer.lab.smolvla.train_smolvla`); the checkpoint is
   ``smolvla/train/checkpoints/last/pretrained_model``;
4. ``runs/``: the suite run with ``--policy lerobot`` (a) in process, (b) served
   over openpi's websocket protocol (``PolicyServer``, what ``act2answer serve``
   runs) and run through ``openpi://``, (c) in process with the frame mirrored
   left-right (preset ``mirror``), (d) with its channels swapped (preset
   ``swap_channels``) and (e) turned by 180 degrees (preset ``rotate_180``, the
   LIBERO frame-orientation bug): the last three are the preprocessing bugs a
   model must notice;
5. ``results.json``: the VLM's held-out VQA accuracy after pretraining and
   after behaviour cloning, success with Wilson 95 % intervals, outcome counts,
   wall times, peak RSS and load average per step; a markdown table on stdout.

``--recipe '{"train_vlm": true}'`` trains the VLM during behaviour cloning too
(the knowledge-retention contrast); ``--recipe '{"pretrain_items": 0}'`` starts
from a random backbone (the runs that stayed at chance).

The same from the command line (in process, served, mirrored)::

    act2answer run --policy lerobot --policy-args '{"model_path": "CKPT"}' \\
        --suite OUT/eval-suite --out OUT/runs/cli --image-size 128x96
    act2answer serve --policy lerobot --policy-args '{"model_path": "CKPT"}' --port 8000 &
    act2answer run --policy openpi://127.0.0.1:8000 --suite OUT/eval-suite --out ...
    act2answer run --policy lerobot --policy-args \\
        '{"model_path": "CKPT", "preset": {"name": "mirrored", "mirror": true}}' ...
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections import Counter
from pathlib import Path
from typing import Any

#: Evaluation conditions: name -> preset overrides (None: the default ``act2answer`` preset).
CONDITIONS: dict[str, dict[str, Any] | None] = {
    "in_process": None,
    "served": None,
    "mirrored": {"name": "act2answer-mirrored", "mirror": True},
    "channels_swapped": {"name": "act2answer-bgr", "swap_channels": True},
    "rotated_180": {"name": "act2answer-rotated", "rotate_180": True},
}


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def _stamp(started: float) -> dict[str, float]:
    return {
        "wall_s": round(time.perf_counter() - started, 1),
        "peak_rss_gb": round(_peak_rss_gb(), 2),
        "load_1min": round(os.getloadavg()[0], 2),
    }


def summarise(run_dir: Path) -> dict[str, Any]:
    """Success, Wilson 95 % interval and outcome counts of a run folder."""
    from act2answer.analysis.metrics import wilson_interval
    from act2answer.report import load_report

    results = load_report(run_dir).results
    outcomes = Counter(r.outcome.value for r in results)
    by_side = Counter((r.answer_side.value, r.outcome.value) for r in results)
    correct = outcomes.get("correct", 0)
    interval = wilson_interval(correct, len(results))
    return {
        "episodes": len(results),
        "correct": correct,
        "success": correct / max(1, len(results)),
        "wilson95": [round(interval.low, 3), round(interval.high, 3)],
        "outcomes": dict(outcomes),
        "correct_by_layout": {
            side: by_side.get((side, "correct"), 0) for side in ("left", "right")
        },
    }


def evaluate(checkpoint: Path, suite: Path, runs: Path, condition: str, sim: Any) -> dict[str, Any]:
    """Run ``suite`` with the checkpoint under ``condition``; return the summary."""
    from act2answer.policies import PolicySpec
    from act2answer.policies.presets import ACT2ANSWER
    from act2answer.runner import run_evaluation

    kwargs: dict[str, Any] = {"model_path": str(checkpoint)}
    overrides = CONDITIONS[condition]
    if overrides is not None:
        kwargs["preset"] = {**ACT2ANSWER.model_dump(mode="json"), **overrides}
    spec = PolicySpec(name="lerobot", kwargs=kwargs)
    started = time.perf_counter()
    out = runs / condition
    if condition == "served":
        from act2answer.serve import PolicyServer, backend_for_spec

        with PolicyServer(backend_for_spec(spec), port=0, max_batch=1, window_s=0.0) as server:
            summary = run_evaluation(
                suite, f"openpi://127.0.0.1:{server.port}", out, sim=sim, workers=1
            )
    else:
        summary = run_evaluation(suite, spec, out, sim=sim, workers=1)
    if summary.errors:
        raise RuntimeError(f"{condition}: {summary.errors} episodes ended in error")
    return {**summarise(out), **_stamp(started), "preset_overrides": overrides}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--category", default="Color")
    parser.add_argument("--per-category", type=int, default=80, help="demonstrated items")
    parser.add_argument("--eval-items", type=int, default=50, help="evaluated items (x2 layouts)")
    parser.add_argument("--steps", type=int, default=None, help="override the recipe's steps")
    parser.add_argument("--recipe", type=str, default="{}", help="SmolVLARecipe fields, JSON")
    parser.add_argument(
        "--conditions", default=",".join(CONDITIONS), help="comma-separated subset of conditions"
    )
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    from act2answer.lab.smolvla import SmolVLARecipe, build_smolvla_demos, train_smolvla
    from act2answer.sim import SimConfig
    from act2answer.synth import generate_suite

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / "results.json"
    results: dict[str, Any] = json.loads(results_path.read_text()) if results_path.exists() else {}

    def save() -> None:
        results_path.write_text(json.dumps(results, indent=2))

    sim = SimConfig(camera_width=128, camera_height=96)
    demos = out / "demos"
    if not (demos / "meta" / "info.json").exists():
        started = time.perf_counter()
        info = build_smolvla_demos(
            demos,
            categories=[args.category],
            per_category=args.per_category,
            seed=1001,
            sim_config=sim,
        )
        results["demos"] = {
            "episodes": info["total_episodes"],
            "frames": info["total_frames"],
            **_stamp(started),
        }
        save()
    suite = out / "eval-suite"
    if not (suite / "suite.json").exists():
        generate_suite(
            suite, per_category=args.eval_items, seed=0, categories=[args.category], workers=1
        )
    fields = json.loads(args.recipe)
    if args.steps is not None:
        fields["steps"] = args.steps
    recipe = SmolVLARecipe(**fields)
    checkpoint = out / "smolvla" / "train" / "checkpoints" / "last" / "pretrained_model"
    if not checkpoint.exists():
        started = time.perf_counter()
        checkpoint = train_smolvla(demos, out / "smolvla", recipe)
        pretraining = out / "smolvla" / "pretraining.json"
        vqa = json.loads(pretraining.read_text()) if pretraining.exists() else None
        results["train"] = {
            "recipe": recipe.model_dump(),
            "vqa_pretraining": vqa,
            **_stamp(started),
        }
        save()
    for condition in args.conditions.split(","):
        if condition in results.get("eval", {}):
            continue
        summary = evaluate(checkpoint, suite, out / "runs", condition, sim)
        results.setdefault("eval", {})[condition] = summary
        save()
        print(condition, json.dumps(summary))
    vqa = (results.get("train") or {}).get("vqa_pretraining") or {}
    if vqa.get("heldout_accuracy") is not None:
        print(
            f"VLM held-out VQA accuracy ({vqa['heldout_questions']} questions): "
            f"{vqa['heldout_accuracy']:.3f} after pretraining, "
            f"{vqa.get('heldout_accuracy_after_cloning', float('nan')):.3f} after cloning"
        )
    print("| condition | success | Wilson 95 % | outcomes | wall s | load |")
    print("| --- | --- | --- | --- | --- | --- |")
    for condition, row in results.get("eval", {}).items():
        print(
            f"| {condition} | {row['correct']}/{row['episodes']} = {row['success']:.2f} | "
            f"{row['wilson95'][0]:.2f}-{row['wilson95'][1]:.2f} | {row['outcomes']} | "
            f"{row['wall_s']:.0f} | {row['load_1min']} |"
        )


if __name__ == "__main__":
    main()
