"""Evidence for the physics step: outcomes and final cube positions against 2 ms.

Run: ``MUJOCO_GL=egl python benchmarks/physics_timestep_check.py`` (about 5
minutes on 2 cores). For each robot and scene, the scripted policies (oracle,
left, random, idle) run the same episodes with a 2 ms physics step (the
reference's 500 Hz) and with each candidate step; a drop (the gripper opens
high above the table) and a fast diagonal throw stress the contacts further.
Prints how many outcomes agree and how far the final cube positions are
apart. The default step (``SimConfig.physics_timestep``) was chosen from
this table (see the README section on throughput).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from act2answer.interfaces import ObservationNeeds
from act2answer.report import load_report
from act2answer.runner import run_evaluation
from act2answer.sim import SimConfig, TabletopEnv
from act2answer.suite import SuiteItem, load_suite, save_suite

REFERENCE_STEP = 0.002
SETUPS = (("widowx", "reference"), ("widowx", "legacy"), ("panda", "legacy"))
POLICIES = ("oracle", "left", "random", "idle")


def _suite(root: Path, items: int) -> Path:
    (root / "img").mkdir(parents=True, exist_ok=True)
    rows = []
    for index in range(items):
        for option, colour in (("a", (200, 40, 40)), ("b", (40, 40, 200))):
            Image.new("RGB", (64, 64), colour).save(root / "img" / f"{index}_{option}.png")
        rows.append(
            SuiteItem(
                id=f"item-{index}",
                category="Color",
                source="check",
                question="Which is red?",
                instruction="put the cube on the red patch",
                options=(f"img/{index}_a.png", f"img/{index}_b.png"),
                answer=index % 2,
            )
        )
    save_suite(root, rows, name="timestep-check-v1")
    return root


def _positions(run_dir: Path) -> dict[tuple[str, str], tuple[str, np.ndarray]]:
    return {
        (r.item_id, r.answer_side.value): (
            r.outcome.value,
            np.array([r.cube_x, r.cube_y, r.cube_z]),
        )
        for r in load_report(run_dir).results
    }


def _stress(robot: str, scene: str, step: float) -> dict[str, np.ndarray]:
    """Final cube positions after a high drop and a fast throw-and-release."""
    finals = {}
    config = SimConfig(robot=robot, scene=scene, physics_timestep=step, start_jitter=0.0)
    with TabletopEnv(config) as env:
        for name in ("drop", "throw"):
            env.reset(seed=0, needs=ObservationNeeds(image=False))
            for index in range(config.max_steps):
                action = np.zeros(7)
                action[6] = 1.0 if index >= config.gripper_hold_steps else -1.0
                if name == "throw" and index < 25:
                    action[:2] = (0.02, 0.05)
                _, _, _, _, info = env.step(action)
            finals[name] = np.array(info.cube.position)
    return finals


def main(items: int, steps: list[float]) -> None:
    """Print the comparison table."""
    print(
        f"{'robot/scene':<18} {'policy':<7} {'step':>6} {'same outcome':>13} {'max |dpos| mm':>14}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        suite = load_suite(_suite(Path(tmp) / "suite", items))
        for robot, scene in SETUPS:
            for policy in POLICIES:
                runs = {}
                for step in [REFERENCE_STEP, *steps]:
                    out = Path(tmp) / f"{robot}-{scene}-{policy}-{step}"
                    sim = SimConfig(robot=robot, scene=scene, physics_timestep=step)
                    run_evaluation(suite, policy, out, sim=sim, workers=1)
                    runs[step] = _positions(out)
                base = runs[REFERENCE_STEP]
                for step in steps:
                    same = sum(runs[step][key][0] == base[key][0] for key in base)
                    apart = max(np.linalg.norm(runs[step][key][1] - base[key][1]) for key in base)
                    print(
                        f"{robot + '/' + scene:<18} {policy:<7} {step * 1e3:>4g}ms "
                        f"{same:>7}/{len(base):<5} {apart * 1e3:>14.2f}"
                    )
            base_stress = _stress(robot, scene, REFERENCE_STEP)
            for step in steps:
                moved = _stress(robot, scene, step)
                for name, position in moved.items():
                    apart = np.linalg.norm(position - base_stress[name]) * 1e3
                    label = f"{robot}/{scene}"
                    print(f"{label:<18} {name:<7} {step * 1e3:>4g}ms {'':>13} {apart:>14.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=20, help="items (x2 layouts) per policy")
    parser.add_argument("--steps", type=float, nargs="+", default=[0.004, 0.005])
    arguments = parser.parse_args()
    main(arguments.items, arguments.steps)
