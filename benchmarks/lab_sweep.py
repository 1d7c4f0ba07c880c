"""The lab's full co-training sweep: demos, VLM pretraining, VLAs for r in {0, 0.1, 0.3, 0.5}.

Steps (each resumable: a finished step's folder is reused):

1. ``act2answer demos``: Color + Shape demonstrations (training seed 1001).
2. ``act2answer lab train`` of ``benchmarks/lab_recipes/vlm.toml``: the tiny VLM.
3. An evaluation suite of all 11 categories (seed 0, never trained on).
4. ``act2answer lab sweep``: one VLA per (ratio, seed), each evaluated (episodes,
   VLM probe, layerwise probes); ``sweep_summary.csv`` (mean and 95 % t-interval
   over seeds, clipped to [0, 1] for rates), ``sweep.png``, ``compare/`` and
   ``report.html`` in ``OUT/sweep``. Rerunning upgrades a folder written by an
   older version (models and evaluations are reused).

Usage::

    python benchmarks/lab_sweep.py --out runs/lab-sweep [--seeds 3] [--eval-items 8]
    python benchmarks/lab_sweep.py --out /tmp/lab-smoke --smoke   # minutes, plumbing only

Prints wall time and peak resident memory (``ru_maxrss``) of this process and
its children at the end.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from act2answer.lab._torch import import_torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--ratios", default="0,0.1,0.3,0.5")
    parser.add_argument("--demo-items", type=int, default=30, help="Items per trained category.")
    parser.add_argument("--eval-items", type=int, default=8, help="Eval items per category.")
    parser.add_argument("--vla-steps", type=int, default=1000)
    parser.add_argument("--smoke", action="store_true", help="Tiny sizes: checks the plumbing.")
    args = parser.parse_args()
    import_torch()  # before any rendering

    from act2answer.lab.demos import build_demo_dataset
    from act2answer.lab.recipes import VLARecipe, load_recipe
    from act2answer.lab.sweep import run_sweep
    from act2answer.lab.train import METRICS, train_vlm
    from act2answer.sim import SimConfig
    from act2answer.synth import generate_suite

    started = time.perf_counter()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    frames = SimConfig(camera_width=128, camera_height=96)
    vlm_recipe = load_recipe(Path(__file__).parent / "lab_recipes" / "vlm.toml")
    demo_items, eval_items, vla_steps, seeds = (
        args.demo_items,
        args.eval_items,
        args.vla_steps,
        args.seeds,
    )
    if args.smoke:
        vlm_recipe = vlm_recipe.model_copy(update={"per_category": 4, "steps": 20})
        demo_items, eval_items, vla_steps, seeds = 1, 2, 20, 2
    if not (out / "demos" / "meta" / "info.json").exists():
        build_demo_dataset(
            out / "demos",
            categories=["Color", "Shape"],
            per_category=demo_items,
            sim_config=frames,
        )
    print(f"demos done at {time.perf_counter() - started:.0f} s", flush=True)
    if not (out / "vlm" / METRICS).exists():
        train_vlm(vlm_recipe, out / "vlm")
    print(f"VLM done at {time.perf_counter() - started:.0f} s", flush=True)
    suite_dir = out / "eval-suite"
    if not (suite_dir / "suite.jsonl").exists():
        generate_suite(suite_dir, per_category=eval_items, seed=0, workers=1)
    base = VLARecipe(backbone=str(out / "vlm"), demos=str(out / "demos"), steps=vla_steps)
    summary = run_sweep(
        base,
        suite_dir,
        out / "sweep",
        ratios=[float(r) for r in args.ratios.split(",")],
        seeds=range(seeds),
        sim=frames,
    )
    for row in summary:
        print(row)
    peak_mb = (
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        / 1024
    )
    print(f"wall {time.perf_counter() - started:.0f} s, peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
