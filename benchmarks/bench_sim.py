"""Control steps per second of the tabletop env, against a bare MuJoCo loop.

Run: ``MUJOCO_GL=egl python benchmarks/bench_sim.py``. The bare loop uses the
env's compiled model and does the same work per control step (IK, ramped joint
targets over the same substeps, one render) with direct mujoco calls, so the
difference is the framework's overhead (validation, observation, cube state).
"""

from __future__ import annotations

import time

import mujoco
import numpy as np

from act2answer.interfaces import ObservationNeeds
from act2answer.sim import SimConfig, TabletopEnv
from act2answer.sim._render import fovy_for_aspect

_CIRCLE_STEPS = 20


def _action(step: int) -> np.ndarray:
    """A slow circle of the held cube that stays inside the workspace (same in both loops)."""
    angle = 2.0 * np.pi * step / _CIRCLE_STEPS
    return np.array([0.01 * np.cos(angle), 0.01 * np.sin(angle), 0.0, 0.0, 0.0, 0.0, -1.0])


def _config(render: tuple[int, int] | None, robot: str) -> SimConfig:
    # The legacy look-at scene without a photo: the bare loop below renders exactly that
    # (the reference scene and visual matching are measured by bench_reference.py).
    width, height = render if render is not None else (640, 480)
    return SimConfig(
        robot=robot,
        scene="legacy",
        background="none",
        camera_width=width,
        camera_height=height,
        max_steps=10**9,
    )


def env_steps_per_second(
    render: tuple[int, int] | None, robot: str = "widowx", seconds: float = 3.0
) -> float:
    """Control steps per second of ``TabletopEnv.step`` (one process).

    Args:
        render: ``(width, height)`` of the third-person image rendered every
            step, or None for no rendering.
        robot: ``"widowx"`` or ``"panda"``.
        seconds: Measurement time.

    Returns:
        Steps per second.
    """
    env = TabletopEnv(_config(render, robot))
    needs = ObservationNeeds(image=render is not None)
    env.reset(seed=0, needs=needs)
    for step in range(3):  # warm up (renderer creation)
        env.step(_action(step))
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        _, _, terminated, truncated, _ = env.step(_action(steps))
        steps += 1
        if terminated or truncated:
            env.reset(seed=steps, needs=needs)
    rate = steps / (time.perf_counter() - start)
    env.close()
    return rate


def bare_loop_steps_per_second(
    render: tuple[int, int] | None, robot: str = "widowx", seconds: float = 3.0
) -> float:
    """Steps per second of the same physics + IK + render with no framework.

    Args:
        render: ``(width, height)`` rendered every step, or None.
        robot: ``"widowx"`` or ``"panda"``.
        seconds: Measurement time.

    Returns:
        Steps per second.
    """
    env = TabletopEnv(_config(render, robot))
    env.reset(seed=0, needs=ObservationNeeds(image=False))
    model, data, scene, ik = env.model, env.data, env._scene, env._ik
    substeps = env.config.substeps
    chunk = substeps // 10
    renderer = None
    if render is not None:
        renderer = mujoco.Renderer(model, height=render[1], width=render[0])
        renderer.scene.flags[mujoco.mjtRndFlag.mjRND_SHADOW] = False
        renderer.scene.flags[mujoco.mjtRndFlag.mjRND_REFLECTION] = False
        renderer.scene.flags[mujoco.mjtRndFlag.mjRND_SKYBOX] = False
        model.cam_fovy[scene.camera] = fovy_for_aspect(scene.camera_fovy, *render)
    # Start from exactly the env's post-reset target so both loops simulate the same motion
    # (cube held in the closed gripper, same contacts).
    target = env._target_pos.copy()
    rot = env._target_rot.copy()
    low, high = np.asarray(scene.profile.workspace_low), np.asarray(scene.profile.workspace_high)
    q = env._q_target.copy()
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        np.clip(target + _action(steps)[:3], low, high, out=target)
        q_new = ik.solve(target, rot, q)
        for k in range(1, 11):
            data.ctrl[scene.arm_ctrl] = q + (q_new - q) * (k / 10)
            mujoco.mj_step(model, data, nstep=chunk)
        q = q_new
        mujoco.mj_kinematics(model, data)
        if renderer is not None:
            renderer.update_scene(data, camera=scene.camera)
            renderer.render()
        steps += 1
    rate = steps / (time.perf_counter() - start)
    if renderer is not None:
        renderer.close()
    env.close()
    return rate


def main(
    seconds: float = 3.0, robots: tuple[str, ...] = ("widowx", "panda"), repeats: int = 3
) -> None:
    """Print steps/s of the env and of the bare loop, and the env's overhead.

    Each figure is the best of ``repeats`` measurements of ``seconds / repeats``
    (the least disturbed by other processes), alternating env and bare loop.

    Args:
        seconds: Measurement time of each figure.
        robots: Robots to measure.
        repeats: Measurements per figure.
    """
    print(f"{'robot':<7} {'render':<9} {'env steps/s':>12} {'bare steps/s':>13} {'overhead':>9}")
    for robot in robots:
        for render in (None, (224, 224), (640, 480)):
            env_rates, bare_rates = [], []
            for _ in range(repeats):
                env_rates.append(env_steps_per_second(render, robot, seconds / repeats))
                bare_rates.append(bare_loop_steps_per_second(render, robot, seconds / repeats))
            env_rate, bare_rate = max(env_rates), max(bare_rates)
            overhead = (bare_rate / env_rate - 1.0) * 100.0
            label = "none" if render is None else f"{render[0]}x{render[1]}"
            print(f"{robot:<7} {label:<9} {env_rate:>12.1f} {bare_rate:>13.1f} {overhead:>8.1f}%")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--robots", nargs="+", default=["widowx", "panda"])
    arguments = parser.parse_args()
    main(arguments.seconds, tuple(arguments.robots))
