"""Where the time of an image policy's episode goes, part by part.

Run: ``MUJOCO_GL=egl ACT2ANSWER_BACKGROUNDS=../shared/backgrounds python
benchmarks/profile_episode.py`` (``--size 640x480``, ``--background none``,
``--physics-timestep 0.002`` to compare settings). Runs ``--episodes``
episodes of the ``constant`` policy in this process (the work of a worker
process) with timers around each part, then one small run through the
runner with 2 worker processes to measure what the runner adds (task and
result messages between processes, SQLite commits). CPU times are per step
(process time, so a busy machine inflates them less than wall time).
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mujoco

from act2answer.eval.episode import run_episode
from act2answer.eval.tasks import make_tasks
from act2answer.policies import make_policy
from act2answer.runner import run_evaluation
from act2answer.sim import SimConfig, TabletopEnv, _env, _ik, _render
from act2answer.store import ResultStore
from act2answer.suite import load_suite

SPENT: dict[str, float] = defaultdict(float)


def _timed(part: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[part] += time.process_time() - started

    return wrapper


def _instrument() -> None:
    """Wrap each part of a step in a timer (this process only)."""
    _env.mujoco = _Namespace(mujoco, mj_step=_timed("physics (mj_step)", mujoco.mj_step))
    _ik.SiteIK.solve = _timed("inverse kinematics", _ik.SiteIK.solve)  # type: ignore[method-assign]
    _render.mujoco = _Namespace(
        mujoco,
        mjr_render=_timed("render: rasterise (mjr_render)", mujoco.mjr_render),
        mjr_readPixels=_timed("render: read back colour + depth", mujoco.mjr_readPixels),
    )
    pool = _render.RenderPool
    pool._update_scene = _timed("render: scene update", pool._update_scene)  # type: ignore[method-assign]
    env = TabletopEnv
    env._offscreen_geoms = _timed("render: off-screen test", env._offscreen_geoms)  # type: ignore[method-assign]
    env.set_tiles = _timed("tiles: decode + texture upload", env.set_tiles)  # type: ignore[method-assign]
    env.render = _timed("render: total", env.render)  # type: ignore[method-assign]
    env.step = _timed("step: total", env.step)  # type: ignore[method-assign]
    env.reset = _timed("reset: total (grasp)", env.reset)  # type: ignore[method-assign]


class _Namespace:
    """A module with some functions replaced (for one module's view of ``mujoco``)."""

    def __init__(self, module: Any, **replaced: Callable[..., Any]) -> None:
        self._module, self._replaced = module, replaced

    def __getattr__(self, name: str) -> Any:
        return self._replaced.get(name) or getattr(self._module, name)


def _runner_overhead(suite_dir: Path, sim: SimConfig, out: Path) -> None:
    started = time.perf_counter()
    summary = run_evaluation(suite_dir, "constant", out, sim=sim, workers=2)
    wall = time.perf_counter() - started
    timing = summary.timing
    with ResultStore.open_existing(out) as store:
        busy = sum(result.wall_time_s for result in store.results())
    print(
        f"runner, 2 processes, {summary.episodes_run} episodes: wall {wall:.1f} s; episodes "
        f"busy {busy:.1f} s of {2 * wall:.1f} process-seconds; the rest is process start-up, "
        f"task/result messages and SQLite commits ({timing['steps_per_s']} steps/s)"
    )


def main(episodes: int, size: tuple[int, int], background: str, timestep: float) -> None:
    """Print the breakdown."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from bench_throughput import bench_sim, write_suite

    width, height = size
    sim = bench_sim(width, height, background, timestep)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_suite(root / "suite", max(2, episodes // 2))
        suite = load_suite(root / "suite")
        tasks = make_tasks(suite)[:episodes]
        policy = make_policy("constant")
        _instrument()
        with TabletopEnv(sim) as env:
            run_episode(env, policy, tasks[0])  # warm up: renderer, photo, textures
            SPENT.clear()
            cpu, wall = time.process_time(), time.perf_counter()
            steps = sum(run_episode(env, policy, task).steps for task in tasks)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(
            f"{len(tasks)} episodes x {sim.max_steps} steps, {width}x{height}, background "
            f"{background}, physics step {sim.physics_timestep * 1e3:g} ms, one process"
        )
        print(f"{'part':<36} {'CPU ms/step':>12} {'share':>7}")
        for part, seconds in sorted(SPENT.items()):
            print(f"{part:<36} {1e3 * seconds / steps:>12.3f} {seconds / cpu:>6.0%}")
        print(
            f"{'episode loop, all parts':<36} {1e3 * cpu / steps:>12.3f} {1:>6.0%}   "
            f"({steps / wall:.0f} steps/s wall in this process)"
        )
        _runner_overhead(root / "suite", sim, root / "run")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--episodes", type=int, default=20)
    parser.add_argument("--size", default="224x224", help="WIDTHxHEIGHT")
    parser.add_argument("--background", default="auto")
    parser.add_argument("--physics-timestep", type=float, default=0.0)
    arguments = parser.parse_args()
    w, h = (int(part) for part in arguments.size.split("x"))
    main(arguments.episodes, (w, h), arguments.background, arguments.physics_timestep)
