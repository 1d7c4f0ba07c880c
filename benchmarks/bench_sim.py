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

_ACTION = np.array([0.002, 0.001, 0.0, 0.0, 0.0, 0.0, -1.0])


def _config(render: tuple[int, int] | None, robot: str) -> SimConfig:
    width, height = render if render is not None else (640, 480)
    return SimConfig(robot=robot, camera_width=width, camera_height=height, max_steps=10**9)


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
    for _ in range(3):  # warm up (renderer creation)
        env.step(_ACTION)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        _, _, terminated, truncated, _ = env.step(_ACTION)
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
    target = data.site_xpos[scene.ee_site].copy()
    rot = np.eye(3)
    low, high = np.asarray(scene.profile.workspace_low), np.asarray(scene.profile.workspace_high)
    q = data.qpos[scene.arm_qpos_adr].copy()
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        np.clip(target + _ACTION[:3], low, high, out=target)
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


def main() -> None:
    """Print steps/s of the env and of the bare loop, and the env's overhead."""
    print(f"{'robot':<7} {'render':<9} {'env steps/s':>12} {'bare steps/s':>13} {'overhead':>9}")
    for robot in ("widowx", "panda"):
        for render in (None, (224, 224), (640, 480)):
            env_rate = env_steps_per_second(render, robot)
            bare_rate = bare_loop_steps_per_second(render, robot)
            overhead = (bare_rate / env_rate - 1.0) * 100.0
            label = "none" if render is None else f"{render[0]}x{render[1]}"
            print(f"{robot:<7} {label:<9} {env_rate:>12.1f} {bare_rate:>13.1f} {overhead:>8.1f}%")


if __name__ == "__main__":
    main()
