"""Draw the reference scene's first frame next to the photo, both with the projected tile outline.

Run: ``MUJOCO_GL=egl ACT2ANSWER_BACKGROUNDS=../shared/backgrounds python
benchmarks/reference_figure.py --suite SUITE --out frame.png [--compare IMAGE]``.
The outline is the reference tile corners (world frame of Act2AnswerV4-v1)
projected with the reference camera model (C920 intrinsics, mount pose on the
base link), computed independently of our MuJoCo scene. ``--compare`` adds a
third panel (e.g. the study's own rendered episode) scaled to the same height.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from act2answer.eval.episode import load_tile_image
from act2answer.eval.tasks import make_tasks
from act2answer.interfaces import ObservationNeeds
from act2answer.sim import SimConfig, TabletopEnv
from act2answer.sim.backgrounds import load_background
from act2answer.suite import load_suite

BASE = np.array([0.147, 0.028, 0.870])
TABLE_Z = 0.88
MOUNT_P = np.array([0.0, -0.16, 0.336])
MOUNT_Q = (0.909182, -0.0819809, 0.347277, 0.214629)
FX, FY, CX, CY = 623.588, 623.588, 319.501, 239.545


def _rotation(w: float, x: float, y: float, z: float) -> np.ndarray:
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )


def reference_outlines() -> list[list[tuple[float, float]]]:
    """Pixel outlines of both tiles' top faces under the reference camera model."""
    base_rot = _rotation(0.0, 0.0, 0.0, 1.0)
    cam_rot = base_rot @ _rotation(*MOUNT_Q)
    cam_pos = BASE + base_rot @ MOUNT_P
    outlines = []
    for y in (-0.155, 0.155):
        corners = np.array(
            [[-0.25 + dx * 0.055, y + dy * 0.055, TABLE_Z + 0.006]
             for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
        )  # fmt: skip
        local = (corners - cam_pos) @ cam_rot
        cols = CX - FX * local[:, 1] / local[:, 0]
        rows = CY - FY * local[:, 2] / local[:, 0]
        outlines.append(list(zip(cols.tolist(), rows.tolist(), strict=True)))
    return outlines


def main(suite_dir: Path, out: Path, compare: Path | None, index: int) -> None:
    suite = load_suite(suite_dir)
    task = make_tasks(suite)[index]
    with TabletopEnv(SimConfig()) as env:
        env.set_tiles(load_tile_image(task.left_image), load_tile_image(task.right_image))
        env.reset(seed=task.seed, needs=ObservationNeeds(image=False))
        frame = Image.fromarray(env.render())
    photo = Image.fromarray(load_background("bridge_real_eval_1.png", 640, 480).copy())
    for panel in (frame, photo):
        draw = ImageDraw.Draw(panel)
        for outline in reference_outlines():
            draw.polygon(outline, outline=(0, 255, 0))
    panels = [frame, photo]
    if compare is not None:
        other = Image.open(compare).convert("RGB")
        panels.append(other.resize((round(other.width * 480 / other.height), 480)))
    sheet = Image.new("RGB", (sum(p.width for p in panels), 480), "white")
    x = 0
    for panel in panels:
        sheet.paste(panel, (x, 0))
        x += panel.width
    sheet.save(out)
    print(f"wrote {out} ({task.item_id}, {task.answer_side.value}): {task.instruction}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suite", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--compare", type=Path)
    parser.add_argument("--index", type=int, default=0, help="Episode index in the suite.")
    arguments = parser.parse_args()
    main(arguments.suite, arguments.out, arguments.compare, arguments.index)
