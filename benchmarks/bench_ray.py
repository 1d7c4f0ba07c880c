"""Local executor vs ``--executor ray`` on this machine: same episodes, steps/s of each.

A zero-cost image policy (constant actions that never release, so every
episode runs all ``--steps`` steps on ``--size`` px frames) over a generated
colour suite. Prints steps/s in total and per simulator worker for both
executors, and Ray's start-up cost (instance + actors) separately.

Run: ``MUJOCO_GL=egl MENAGERIE_ROOT=../shared/menagerie
ACT2ANSWER_BACKGROUNDS=../shared/backgrounds .venv/bin/python benchmarks/bench_ray.py``
(``act2answer[ray]`` installed). The Ray actors import this file's policy, so the
repository root is put on their ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from act2answer.interfaces import EpisodeStart, Observation, ObservationNeeds
from act2answer.runner import RayOptions, run_evaluation
from act2answer.sim import SimConfig
from act2answer.suite import SuiteItem, save_suite

ROOT = Path(__file__).resolve().parents[1]


class ConstantImagePolicy:
    """Asks for the camera image every step and holds the cube still: costs only the simulator."""

    name = "constant-image"
    needs = ObservationNeeds(image=True)

    def reset(self, start: EpisodeStart) -> None:
        pass

    def act(self, observation: Observation) -> np.ndarray:
        return np.array([0, 0, 0, 0, 0, 0, -1], dtype=np.float64)


def write_suite(root: Path, items: int) -> Path:
    (root / "img").mkdir(parents=True, exist_ok=True)
    rows = []
    for index in range(items):
        for suffix, colour in (("a", (200, 40, 40)), ("b", (40, 40, 200))):
            Image.new("RGB", (64, 64), colour).save(root / "img" / f"{index}_{suffix}.png")
        rows.append(
            SuiteItem(
                id=f"item-{index}",
                category="Color",
                source="bench",
                question="Which patch is red?",
                instruction="put the cube on the red patch",
                options=(f"img/{index}_a.png", f"img/{index}_b.png"),
                answer=0,
            )
        )
    save_suite(root, rows, name="bench-ray")
    return root


def report(label: str, wall: float, timing: dict[str, object], workers: int) -> None:
    steps = int(timing["steps"])  # type: ignore[call-overload]
    episode_wall = float(timing["wall_s"])  # type: ignore[arg-type]
    total = steps / episode_wall
    print(
        f"{label:<6} {steps:>7} steps  {total:>7.1f} steps/s total  "
        f"{total / workers:>6.1f} per worker  (episodes {episode_wall:.1f} s, call {wall:.1f} s)"
    )


def main(items: int, steps: int, size: int, workers: int) -> None:
    import ray

    policy = "benchmarks.bench_ray:ConstantImagePolicy"
    sim = SimConfig(max_steps=steps, camera_width=size, camera_height=size)
    with tempfile.TemporaryDirectory() as tmp:
        suite = write_suite(Path(tmp) / "suite", items)
        os.environ["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
        )
        sys.path.insert(0, str(ROOT))
        print(f"{items * 2} episodes x {steps} steps, {size}x{size} frames, {workers} workers")
        start = time.perf_counter()
        local = run_evaluation(suite, policy, Path(tmp) / "local", sim=sim, workers=workers)
        report("local", time.perf_counter() - start, local.timing, workers)
        start = time.perf_counter()
        ray.init(
            address="local", num_cpus=workers, include_dashboard=False, logging_level="warning"
        )
        ray_start = time.perf_counter() - start
        run = run_evaluation(
            suite, policy, Path(tmp) / "ray", sim=sim, workers=workers, ray=RayOptions()
        )
        report("ray", time.perf_counter() - start, run.timing, workers)
        print(f"ray.init: {ray_start:.1f} s")
        ray.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=20, help="suite items (2 episodes each)")
    parser.add_argument("--steps", type=int, default=80)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args()
    main(arguments.items, arguments.steps, arguments.size, arguments.workers)
