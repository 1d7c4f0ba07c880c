"""Local executor vs ``--executor ray`` on this machine: the same episodes, steps/s of each.

The zero-cost image policy (``constant``: a frame every step, never releases,
so every episode runs all 80 steps) over the throughput benchmark's suite,
once with local worker processes and once with Ray actors, both with
``--workers`` workers. Prints steps/s in total and per worker process/actor for
both, and Ray's start-up (``ray.init``) separately.

Run: ``MUJOCO_GL=egl MENAGERIE_ROOT=../shared/menagerie
ACT2ANSWER_BACKGROUNDS=../shared/backgrounds .venv/bin/python benchmarks/bench_ray.py``
(``act2answer[ray]`` installed; ``--episodes 3440`` for the study size).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from act2answer.runner import RayOptions, RunSummary, run_evaluation
from act2answer.sim import SimConfig
from act2answer.suite import load_suite
from bench_throughput import write_suite


def report(label: str, wall: float, summary: RunSummary) -> None:
    timing = summary.timing
    steps = int(timing["steps"])  # type: ignore[call-overload]
    by_process = timing.get("steps_per_s_by_process", {})
    assert isinstance(by_process, dict)
    rates = ", ".join(f"{rate:.1f}" for rate in by_process.values())
    print(
        f"{label:<6} {steps:>7} steps in {wall:6.1f} s: {steps / wall:7.1f} steps/s total "
        f"(start-up included); per process: {rates}; errors {summary.errors}"
    )


def main(episodes: int, workers: int, size: int) -> None:
    import ray

    sim = SimConfig(camera_width=size, camera_height=size)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_suite(root / "suite", max(1, episodes // 2))
        suite = load_suite(root / "suite")
        print(f"{episodes} episodes x {sim.max_steps} steps, {size}x{size}, {workers} workers")
        started = time.perf_counter()
        local = run_evaluation(suite, "constant", root / "local", sim=sim, workers=workers)
        report("local", time.perf_counter() - started, local)
        started = time.perf_counter()
        ray.init(address="local", num_cpus=workers, include_dashboard=False)
        ray_start = time.perf_counter() - started
        started = time.perf_counter()
        on_ray = run_evaluation(
            suite, "constant", root / "ray", sim=sim, workers=workers, ray=RayOptions()
        )
        report("ray", time.perf_counter() - started, on_ray)
        print(f"ray.init: {ray_start:.1f} s (not included above)")
        ray.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--episodes", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--size", type=int, default=224, help="square frame size, px")
    arguments = parser.parse_args()
    main(arguments.episodes, arguments.workers, arguments.size)
