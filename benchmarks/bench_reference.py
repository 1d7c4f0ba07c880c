"""Steps/s of the reference scene with and without visual matching, next to the legacy scene.

Run: ``MUJOCO_GL=egl ACT2ANSWER_BACKGROUNDS=../shared/backgrounds python
benchmarks/bench_reference.py`` (or ``make bench``). Each figure is the best of
``--repeats`` short measurements (the least disturbed by other processes); the
last column is the extra wall time per frame that compositing over the photo costs.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from act2answer.interfaces import ObservationNeeds
from act2answer.sim import SimConfig, TabletopEnv

SIZES = ((224, 224), (640, 480))


def _action(step: int) -> np.ndarray:
    angle = 2.0 * np.pi * step / 20
    return np.array([0.01 * np.cos(angle), 0.01 * np.sin(angle), 0.0, 0.0, 0.0, 0.0, -1.0])


def steps_per_second(config: SimConfig, render: bool, seconds: float) -> float:
    """Control steps per second of ``TabletopEnv.step`` (rendering each step when asked)."""
    needs = ObservationNeeds(image=render)
    with TabletopEnv(config) as env:
        env.reset(seed=0, needs=needs)
        for step in range(3):  # warm up: renderer creation, photo loading
            env.step(_action(step))
        steps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            _, _, terminated, truncated, _ = env.step(_action(steps))
            steps += 1
            if terminated or truncated:
                env.reset(seed=steps, needs=needs)
        return steps / (time.perf_counter() - start)


def main(seconds: float = 2.0, repeats: int = 3) -> None:
    """Print the table of steps/s."""
    print(f"{'scene':<10} {'background':<11} {'render':<8} {'steps/s':>8} {'ms/frame extra':>15}")
    base = dict(max_steps=10**9)
    for name in ("legacy", "reference"):
        plain = SimConfig(scene=name, background="none", **base)
        rate = max(steps_per_second(plain, False, seconds / repeats) for _ in range(repeats))
        print(f"{name:<10} {'-':<11} {'none':<8} {rate:>8.1f}")
        for width, height in SIZES:
            sized = {"camera_width": width, "camera_height": height, **base}
            configs = [("none", SimConfig(scene=name, background="none", **sized))]
            if name == "reference":
                configs.append(("photo", SimConfig(scene=name, **sized)))
            rates = {}
            for label, config in configs:
                rates[label] = max(
                    steps_per_second(config, True, seconds / repeats) for _ in range(repeats)
                )
                extra = ""
                if label == "photo":
                    extra = f"{1000 / rates['photo'] - 1000 / rates['none']:>15.1f}"
                size = f"{width}x{height}"
                print(f"{name:<10} {label:<11} {size:<8} {rates[label]:>8.1f} {extra}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    main(arguments.seconds, arguments.repeats)
