"""Core speed figures of issue #2, printed in one run.

* env steps/s with no render, 224x224 and 640x480 (WidowX), and the same for a
  bare MuJoCo loop over the same scene (physics + IK + render, no framework);
* runner episodes/minute with 1 and 2 processes (oracle policy, no render),
  including process start-up and SQLite writes (1 process runs in-process),
  and the same between the first and the last result (without start-up).

Each figure is the best of a few repeats: on a shared 2-core VM single runs
vary by +-20%.

Usage: ``make bench`` or ``.venv/bin/python benchmarks/bench_core.py [--items N] [--repeats R]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
_SHARED_MENAGERIE = _ROOT.parent / "shared" / "menagerie"
if _SHARED_MENAGERIE.is_dir():
    os.environ.setdefault("MENAGERIE_ROOT", str(_SHARED_MENAGERIE))
os.environ.setdefault("MUJOCO_GL", "egl")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_sim  # noqa: E402
from act2answer.runner import run_evaluation  # noqa: E402
from act2answer.sim import SimConfig  # noqa: E402
from act2answer.synth import generate_suite  # noqa: E402


def runner_episodes_per_minute(
    suite_dir: Path, workers: int, scratch: Path
) -> tuple[float, float, int]:
    """Episodes/min of one run: overall (start-up included) and between first and last result."""
    run_dir = scratch / f"run-{workers}"
    shutil.rmtree(run_dir, ignore_errors=True)
    finished: list[float] = []
    started = time.perf_counter()
    # Runner throughput, not the protocol: early stop keeps oracle episodes at ~16 steps.
    summary = run_evaluation(
        suite_dir,
        "oracle",
        run_dir,
        workers=workers,
        sim=SimConfig(early_stop=True),
        on_result=lambda result, done, total: finished.append(time.perf_counter()),
    )
    elapsed = time.perf_counter() - started
    steady = 60.0 * (len(finished) - 1) / max(finished[-1] - finished[0], 1e-9)
    return 60.0 * summary.episodes_run / elapsed, steady, summary.episodes_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=150, help="suite items (2 episodes each)")
    parser.add_argument("--seconds", type=float, default=6.0, help="seconds per step figure")
    parser.add_argument("--repeats", type=int, default=3, help="runner runs per process count")
    args = parser.parse_args()

    print("== simulator steps per second (one process, WidowX) ==")
    bench_sim.main(seconds=args.seconds, robots=("widowx",))

    print("\n== runner throughput (oracle, no render, includes process start-up) ==")
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        per_category = max(1, args.items // 2)
        generate_suite(scratch / "suite", per_category=per_category, categories=["Color", "Shape"])
        rates: dict[int, list[float]] = {1: [], 2: []}
        steady: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.repeats):  # alternate, so drifts of a shared VM hit both alike
            for workers in (1, 2):
                rate, steady_rate, episodes = runner_episodes_per_minute(
                    scratch / "suite", workers, scratch
                )
                rates[workers].append(rate)
                steady[workers].append(steady_rate)
    one, two = max(rates[1]), max(rates[2])
    print(f"runs of {episodes} episodes, best of {args.repeats} (all: {rates})")
    print(f"runner 1 process  : {one:8.1f} episodes/min")
    print(f"runner 2 processes: {two:8.1f} episodes/min  speed-up {two / one:.2f}x")
    one, two = max(steady[1]), max(steady[2])
    print("without start-up (first to last result):")
    print(f"runner 1 process  : {one:8.1f} episodes/min")
    print(f"runner 2 processes: {two:8.1f} episodes/min  speed-up {two / one:.2f}x")


if __name__ == "__main__":
    main()
