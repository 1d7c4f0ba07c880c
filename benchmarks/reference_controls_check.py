"""How much the reference scene's control departures could matter: measured on scripted policies.

Run: ``MUJOCO_GL=egl PYTHONPATH=.:src python benchmarks/reference_controls_check.py
[--items 10]`` (from the repository root: it builds a small colour suite with
``tests.conftest``).

For each scripted policy (oracle, random, left, idle) on the reference scene it
counts, over every step of every episode:

* ``clipped``: steps whose end-effector target the workspace box clipped (the
  study has no box: a policy that reaches outside it would move on there);
* ``robot-tile contact``: steps with the robot touching a tile (our tiles are
  fixed, the study's are pushable), and the largest contact normal force on a
  tile from the robot and from the cube, newtons (a 0.46 kg tile on friction 1
  needs ~4.5 N of sideways push to slide);
* ``partial_gripper``: actions whose gripper value is neither -1 nor +1 (where
  the study's continuous gripper and a binary one differ);
* ``rotating``: actions with a non-zero rotation (where reading it as XYZ Euler
  angles, as the study's controller does, differs from our roll-pitch-yaw).

It also prints the largest angle between the rotations the three readings of the
same 3 numbers give (axis-angle as the policy meant it, XYZ Euler as the study's
controller applies it, extrinsic roll-pitch-yaw as ours does), for per-step
rotations of a few sizes.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import mujoco
import numpy as np
from scipy.spatial.transform import Rotation

from act2answer.eval.episode import run_episode
from act2answer.eval.tasks import make_tasks
from act2answer.policies import make_policy
from act2answer.sim import SimConfig, TabletopEnv


class CountingEnv(TabletopEnv):
    """The reference environment, counting what the control departures touch."""

    def __init__(self, config: SimConfig) -> None:
        super().__init__(config)
        self.counts = dict.fromkeys(
            ("steps", "clipped", "tile_contact", "partial_gripper", "rotating"), 0
        )
        self.max_tile_force = 0.0
        tiles = {self.model.body(name).id for name in ("tile_left", "tile_right")}
        self._tile_geom = np.isin(self.model.geom_bodyid, list(tiles))
        robot = {b for b in range(self.model.nbody) if self.model.body(b).name.startswith("wx")}
        self._robot_geom = np.isin(self.model.geom_bodyid, list(robot))
        self._cube_geom = self._scene.cube_geom
        self.max_cube_force = 0.0

    def step(self, action):  # type: ignore[override]
        a = np.asarray(action, dtype=float)
        wanted = self._target_pos + a[:3]
        low, high = self._work_low, self._work_high
        self.counts["steps"] += 1
        self.counts["clipped"] += int(bool(np.any((wanted < low) | (wanted > high))))
        self.counts["partial_gripper"] += int(abs(abs(a[6]) - 1.0) > 1e-9)
        self.counts["rotating"] += int(bool(np.any(a[3:6] != 0)))
        result = super().step(action)
        touched, force = False, np.zeros(6)
        for index in range(self.data.ncon):
            contact = self.data.contact[index]
            pair = (contact.geom1, contact.geom2)
            if not any(self._tile_geom[g] for g in pair):
                continue
            mujoco.mj_contactForce(self.model, self.data, index, force)
            if any(self._robot_geom[g] for g in pair):
                touched = True
                self.max_tile_force = max(self.max_tile_force, float(abs(force[0])))
            elif self._cube_geom in pair:
                self.max_cube_force = max(self.max_cube_force, float(abs(force[0])))
        self.counts["tile_contact"] += int(touched)
        return result


def rotation_gaps(size: float, samples: int = 2000) -> dict[str, float]:
    """Largest angle (degrees) between readings of random 3-vectors with components <= size."""
    rng = np.random.default_rng(0)
    vectors = rng.uniform(-size, size, size=(samples, 3))
    meant = Rotation.from_rotvec(vectors)
    euler_xyz = Rotation.from_euler("XYZ", vectors)  # the study's controller
    rpy = Rotation.from_euler("xyz", vectors)  # ours: extrinsic roll-pitch-yaw

    def gap(a: Rotation, b: Rotation) -> float:
        return float(np.degrees((a.inv() * b).magnitude()).max())

    return {
        "xyz_euler vs axis-angle": gap(euler_xyz, meant),
        "rpy vs axis-angle": gap(rpy, meant),
        "xyz_euler vs rpy": gap(euler_xyz, rpy),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10)
    args = parser.parse_args()
    from tests.conftest import make_colour_suite

    with tempfile.TemporaryDirectory() as folder:
        suite = make_colour_suite(Path(folder) / "suite", args.items)
        tasks = make_tasks(suite)
        print("| policy | episodes | steps | clipped | robot-tile contact | max robot force (N) "
              "| max cube force (N) | partial gripper | rotating |")  # fmt: skip
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for name in ("oracle", "random", "left", "idle"):
            env = CountingEnv(SimConfig())
            policy = make_policy(name)
            for task in tasks:
                run_episode(env, policy, task)
            env.close()
            c = env.counts
            print(
                f"| {name} | {len(tasks)} | {c['steps']} | {c['clipped']} | {c['tile_contact']} "
                f"| {env.max_tile_force:.2f} | {env.max_cube_force:.3f} | {c['partial_gripper']} "
                f"| {c['rotating']} |"
            )
    print()
    print("| per-step rotation, each component up to | " + " | ".join(rotation_gaps(0.1)) + " |")
    print("| --- | --- | --- | --- |")
    for size in (0.02, 0.05, 0.1, 0.2):
        gaps = rotation_gaps(size)
        print(f"| {size} rad | " + " | ".join(f"{v:.3f} deg" for v in gaps.values()) + " |")


if __name__ == "__main__":
    main()
