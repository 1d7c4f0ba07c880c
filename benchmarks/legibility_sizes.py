"""Sizes of what carries each category's answer on the far tile of a 224 px frame.

For ``--items`` fresh items per category (seed ``--seed``), prints each
answer-carrying feature's size in frame pixels (min / median) next to the
category's minimum (:data:`act2answer.quality.frame_checks.LEGIBILITY_MINIMUMS`),
and the frame pixels by which the two options differ on the far tile
(:func:`~act2answer.quality.frame_checks.option_difference_px`, min / median).
The scene is ``SimConfig()``'s (no background photo); ``--tile-size`` overrides
the scene's tile edge (metres) to see what another tile size gives.

    .venv/bin/python benchmarks/legibility_sizes.py --items 16 --seed 2329
    .venv/bin/python benchmarks/legibility_sizes.py --items 16 --tile-size 0.1452
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np

from act2answer.quality.frame_checks import (
    calibrate,
    far_tile_scale,
    legibility,
    option_difference_px,
)
from act2answer.sim import SimConfig, make_env
from act2answer.synth import get_generator, item_rng
from act2answer.synth.categories import CATEGORY_ORDER


def scene_config(tile_size: float | None = None) -> SimConfig:
    """``SimConfig()`` without a background photo, optionally with another tile edge."""
    config = SimConfig(background="none")
    if tile_size is not None:
        config = config.model_copy(
            update={"scene": config.scene.model_copy(update={"tile_size": tile_size})}
        )
    return config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=16)
    parser.add_argument("--seed", type=int, default=2329)
    parser.add_argument("--tile-size", type=float, default=None)
    parser.add_argument("--categories", nargs="*", default=list(CATEGORY_ORDER))
    args = parser.parse_args()
    env = make_env(scene_config(args.tile_size))
    calibration = calibrate(env, seed=0)
    far = min(calibration.left.width_px, calibration.right.width_px)
    tile_cm = scene_config(args.tile_size).tile_size * 100
    worst = far_tile_scale(calibration) * 512
    print(f"tile {tile_cm:.2f} cm; far tile {far:.1f} px wide; worst scale {worst:.1f} px/image")
    for category in args.categories:
        generator = get_generator(category)
        sizes: dict[str, list[float]] = defaultdict(list)
        minimums: dict[str, float] = {}
        far_diff = []
        for index in range(args.items):
            item = generator.generate(item_rng(args.seed, category, index))
            for feature in legibility(category, item, calibration):
                sizes[feature.name].append(feature.frame_px)
                minimums[feature.name] = feature.minimum
            diff = option_difference_px(
                env, calibration, np.asarray(item.correct), np.asarray(item.distractor)
            )
            far_diff.append(min(diff))
        parts = [
            f"{name} {min(v):.1f}/{np.median(v):.1f} (min {minimums[name]:g})"
            for name, v in sizes.items()
        ]
        parts.append(f"option difference {min(far_diff)}/{int(np.median(far_diff))} px")
        print(f"{category:13s} " + "; ".join(parts))
    env.close()


if __name__ == "__main__":
    main()
