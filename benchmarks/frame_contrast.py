"""Measure how option differences survive the camera: foreshortening and apparent ratios.

Renders 224 px frames with the default ``SimConfig()`` (whatever scene and camera
it has now; ``--scene legacy`` for the old one; no background photo, which does
not cover the tiles), finds both tiles, prints their apparent size ratio, then for Attribute
size/length/height/thickness items prints the apparent correct/distractor
ratio in both layouts: the share below 1.10 (difference too small to see) and
below 1.0 (reversed); then the same for Shape items told apart by proportions
(oval vs circle, rectangle vs square: apparent elongation ratio, >= 1.15 wanted).
Rerun after any camera change:

    .venv/bin/python benchmarks/frame_contrast.py --items 60 --seed 9 [--scene legacy]
"""

from __future__ import annotations

import argparse
import tempfile

import numpy as np

from act2answer.quality.frame_checks import apparent_pair, calibrate
from act2answer.quality.pixel_checks import foreground, load_rgb
from act2answer.sim import SimConfig, make_env
from act2answer.synth import generate_suite
from act2answer.synth.categories.shape import ASPECT_SHAPES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--items", type=int, default=60, help="items per category (Attribute, Shape)"
    )
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--scene", default=None, help="scene preset (default: SimConfig's)")
    args = parser.parse_args()
    scene = {} if args.scene is None else {"scene": args.scene}
    config = SimConfig(background="none", **scene)
    print(f"scene {config.scene.name}")
    env = make_env(config)
    try:
        calibrations = [calibrate(env, seed) for seed in range(4)]
        for c in calibrations:
            f = c.foreshortening
            print(
                f"seed {c.seed}: far/near width {f['width_ratio']:.3f}, height "
                f"{f['height_ratio']:.3f}; tiles {f['left_width_px']:.1f}x"
                f"{f['left_height_px']:.1f} and {f['right_width_px']:.1f}x"
                f"{f['right_height_px']:.1f} px in a 224 px frame"
            )
        with tempfile.TemporaryDirectory() as tmp:
            suite = generate_suite(
                tmp,
                per_category=args.items,
                seed=args.seed,
                categories=["Attribute", "Shape"],
                workers=1,
            )
            worst: dict[str, list[float]] = {}
            for k, item in enumerate(suite.items):
                if item.category == "Shape":
                    if item.meta["relies_on"] != "absolute shape":
                        continue
                    attribute = "aspect"
                    larger = ASPECT_SHAPES[item.meta["target_shape"]] == "long"
                else:
                    attribute = item.meta["attribute"]
                    if attribute == "pattern":
                        continue
                    larger = item.meta["adjective"] in ("bigger", "longer", "taller", "thicker")
                good = foreground(load_rgb(suite.image_path(item.options[item.answer]), 512), 40)
                bad = foreground(load_rgb(suite.image_path(item.options[1 - item.answer]), 512), 40)
                c = calibrations[k % len(calibrations)]
                r_left, r_right = apparent_pair(env, c, good, bad, attribute)
                ratios = (r_left, r_right) if larger else (1 / r_left, 1 / r_right)
                worst.setdefault(attribute, []).append(min(ratios))
        for attribute, values in sorted(worst.items()):
            v = np.array(values)
            print(
                f"{attribute:<10} n={len(v):3d}  worst-layout apparent ratio: min {v.min():.3f}, "
                f"median {np.median(v):.3f}; < 1.10: {(v < 1.10).mean():.0%}, "
                f"< 1.15: {(v < 1.15).mean():.0%}, "
                f"reversed: {(v < 1.0).mean():.0%}"
            )
    finally:
        env.close()


if __name__ == "__main__":
    main()
