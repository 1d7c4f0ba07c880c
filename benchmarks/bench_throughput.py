"""Simulator throughput of a study-size run: the zero-cost image policy over 3,440 episodes.

Run: ``ACT2ANSWER_BACKGROUNDS=../shared/backgrounds python
benchmarks/bench_throughput.py`` (``--episodes 400`` for a shorter
measurement). The ``constant`` policy asks for a camera frame every step and
never releases the cube, so every episode runs the full 80 steps: what is
measured is the simulator (physics, IK, render, compositing over the photo)
and the runner (processes, result storage), as a VLA run would pay them.

The suite has distinct images per item (decoded and uploaded per episode, as
in a real suite). Prints rendered steps/s per worker process and in total, and
the minutes the 3,440-episode study takes at that rate. The target is 460
steps/s in total on 2 cores (3,440 x 80 steps in 10 minutes).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from act2answer.errors import Act2AnswerError
from act2answer.runner import default_workers, run_evaluation
from act2answer.sim import SimConfig
from act2answer.suite import SuiteItem, load_suite, save_suite

STUDY_EPISODES = 3440
TARGET_STEPS_PER_S = 460.0


def write_suite(root: Path, items: int, seed: int = 0) -> None:
    """Write ``items`` binary items with distinct 256x256 images (two per item)."""
    rng = np.random.default_rng(seed)
    (root / "img").mkdir(parents=True, exist_ok=True)
    rows = []
    for index in range(items):
        names = []
        for option in "ab":
            base = rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
            image = Image.fromarray(base).resize((256, 256), Image.Resampling.BILINEAR)
            name = f"img/{index:05d}_{option}.png"
            image.save(root / name)
            names.append(name)
        rows.append(
            SuiteItem(
                id=f"item-{index:05d}",
                category=f"Category{index % 11}",
                source="benchmark",
                question="Which image is the first one?",
                instruction="put the cube on the first image",
                options=(names[0], names[1]),
                answer=index % 2,
            )
        )
    save_suite(root, rows, name="throughput-bench-v1")


def bench_sim(width: int, height: int, background: str, physics_timestep: float) -> SimConfig:
    """The simulator settings of a measurement (``physics_timestep`` 0: the robot's default)."""
    return SimConfig(
        camera_width=width,
        camera_height=height,
        background=background,
        **({"physics_timestep": physics_timestep} if physics_timestep > 0 else {}),
    )


def main(episodes: int, workers: int, size: int, background: str, physics_timestep: float) -> None:
    """Run the benchmark and print its figures."""
    items = max(1, episodes // 2)
    sim = bench_sim(size, size, background, physics_timestep)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_suite(root / "suite", items)
        suite = load_suite(root / "suite")
        started = time.perf_counter()
        summary = run_evaluation(suite, "constant", root / "run", sim=sim, workers=workers)
        wall = time.perf_counter() - started
    timing = summary.timing
    steps = int(timing["steps"])  # type: ignore[call-overload]
    rate = steps / wall
    print(
        f"zero-cost image policy: {summary.episodes_run} episodes x {sim.max_steps} steps, "
        f"{size}x{size}, background {background}, physics step {sim.physics_timestep * 1e3:g} ms, "
        f"{workers} worker processes"
    )
    if summary.errors:
        # A rate over errored episodes measures nothing: say why and fail.
        raise SystemExit(
            f"ERRORS: {summary.errors} of {summary.episodes_run} episodes ended in error: "
            f"{summary.error_reasons}"
        )
    by_process = timing.get("steps_per_s_by_process", {})
    assert isinstance(by_process, dict)
    for process, process_rate in by_process.items():
        print(f"  process {process}: {process_rate:.1f} steps/s")
    print(f"  simulator time per step (in the workers): {timing['sim_ms_per_step']} ms")
    cpu_ms = timing["cpu_ms_per_step"]
    assert isinstance(cpu_ms, float)
    print(
        f"  CPU time per step (episode loop, all threads): {cpu_ms} ms, i.e. "
        f"{1000.0 / cpu_ms:.0f} steps/s per fully used core"
    )
    print(f"  reset time per episode: {timing['reset_ms_per_episode']} ms")
    print(f"total: {rate:.1f} steps/s ({steps} steps in {wall:.1f} s, start-up included)")
    study_minutes = STUDY_EPISODES * sim.max_steps / rate / 60.0
    verdict = "meets" if rate >= TARGET_STEPS_PER_S else "misses"
    print(
        f"study size ({STUDY_EPISODES} episodes): {study_minutes:.1f} min at this rate; "
        f"{verdict} the {TARGET_STEPS_PER_S:g} steps/s target"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--episodes", type=int, default=STUDY_EPISODES)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--size", type=int, default=224, help="square frame size, px")
    parser.add_argument("--background", default="auto", help="auto (the photo) or none")
    parser.add_argument(
        "--physics-timestep", type=float, default=0.0, help="seconds (0: the default)"
    )
    arguments = parser.parse_args()
    try:
        main(
            arguments.episodes,
            arguments.workers,
            arguments.size,
            arguments.background,
            arguments.physics_timestep,
        )
    except Act2AnswerError as exc:  # e.g. no offscreen rendering: one line, exit 1
        raise SystemExit(f"error: {exc}") from None
