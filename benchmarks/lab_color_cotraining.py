"""Color-only co-training comparison: VQA ratios x seeds on one Color VLM and one demo set.

Produces the 2026-12-06 table of ``docs/guides/lab.md`` (r = 0 and 0.3, seeds 0-2)::

    act2answer lab train --recipe VLM_COLOR.toml --out runs/lab/vlm-color
        # kind = "vlm", categories = ["Color"], per_category = 400, steps = 600
    act2answer demos --out runs/lab/demos -c Color,Shape -n 30
    act2answer synth -o runs/lab/eval-color25 -n 25 --seed 0 -c Color
    python benchmarks/lab_color_cotraining.py --backbone runs/lab/vlm-color \\
        --demos runs/lab/demos --suite runs/lab/eval-color25 --out runs/lab/color-cotraining

Each (ratio, seed) is a 1,000-step VLA (``benchmarks/lab_recipes/vla.toml``
settings) evaluated on the suite's episodes and VLM probe (no layerwise probes);
``act2answer.lab.sweep.run_sweep`` writes ``sweep.csv``, ``sweep_summary.csv``
and ``sweep.png`` per ratio folder (resumable).
"""

from __future__ import annotations

import argparse
import time

from act2answer.lab._torch import import_torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbone", required=True)
    parser.add_argument("--demos", required=True)
    parser.add_argument("--suite", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--ratios", default="0,0.3")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()
    import_torch()  # before the first rendered frame
    from act2answer.lab.recipes import VLARecipe
    from act2answer.lab.sweep import run_sweep

    base = VLARecipe(backbone=args.backbone, demos=args.demos, steps=args.steps)
    for ratio in (float(r) for r in args.ratios.split(",")):
        started = time.perf_counter()
        summary = run_sweep(
            base,
            args.suite,
            f"{args.out}/r{ratio:g}",
            ratios=(ratio,),
            seeds=range(args.seeds),
            probe=False,
        )
        print(summary, f"wall {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
