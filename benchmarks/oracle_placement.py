"""Oracle placement error: how far from the correct tile's centre the oracle leaves the cube.

Run: ``MUJOCO_GL=egl python benchmarks/oracle_placement.py`` (``--episodes`` per
scene, 100 by default). For each scene it runs the oracle with early stop on a
small colour suite (half the episodes with the answer left, half right) and prints
the mean and maximum of ``distance_to_correct`` (mm), the control steps and the
physics step. Figures in ``docs/development/performance.md`` come from this script.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from act2answer.report import load_report
from act2answer.runner import run_evaluation
from act2answer.sim import SimConfig
from act2answer.suite import SuiteItem, save_suite

_COLOURS = {"red": (220, 30, 30), "blue": (30, 60, 220)}


def colour_suite(root: Path, items: int) -> Path:
    """Write a suite of ``items`` red-vs-blue items, answers alternating between slots."""
    (root / "img").mkdir(parents=True, exist_ok=True)
    for name, rgb in _COLOURS.items():
        Image.new("RGB", (64, 64), rgb).save(root / "img" / f"{name}.png")
    suite = [
        SuiteItem(
            id=f"item-{index}",
            category="Color",
            source="oracle_placement",
            question="Which patch is red?",
            instruction="put the cube on the red patch",
            options=("img/red.png", "img/blue.png")
            if index % 2
            else ("img/blue.png", "img/red.png"),
            answer=1 - index % 2,
        )
        for index in range(items)
    ]
    save_suite(root, suite, name="oracle-placement-v1")
    return root


def placement(scene: str, episodes: int, workdir: Path) -> dict[str, float]:
    """Mean and max placement error (mm) and mean steps of the oracle in ``scene``."""
    suite = colour_suite(workdir / f"suite-{scene}", max(1, episodes // 2))
    config = SimConfig(scene=scene, early_stop=True)
    run_evaluation(suite, "oracle", workdir / f"run-{scene}", sim=config, workers=1)
    results = load_report(workdir / f"run-{scene}").results
    errors_mm = np.array([r.distance_to_correct for r in results]) * 1000.0
    return {
        "episodes": float(len(results)),
        "correct": float(sum(r.outcome.value == "correct" for r in results)),
        "mean_mm": float(errors_mm.mean()),
        "max_mm": float(errors_mm.max()),
        "steps": float(np.mean([r.steps for r in results])),
        "physics_step_s": float(config.physics_timestep),
    }


def main() -> None:
    """Print the oracle placement error of each scene."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=100, help="episodes per scene")
    parser.add_argument("--scenes", nargs="+", default=["reference", "legacy"])
    args = parser.parse_args()
    print(f"{'scene':<10} {'episodes':>8} {'correct':>7} {'mean mm':>8} {'max mm':>7} "
          f"{'steps':>6} {'physics step':>12}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for scene in args.scenes:
            row = placement(scene, args.episodes, Path(tmp))
            print(
                f"{scene:<10} {row['episodes']:>8.0f} {row['correct']:>7.0f} "
                f"{row['mean_mm']:>8.2f} {row['max_mm']:>7.2f} {row['steps']:>6.1f} "
                f"{row['physics_step_s']:>12.5f}"
            )


if __name__ == "__main__":
    main()
