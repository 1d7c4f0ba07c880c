"""Draw the reference scene's first frame next to the photo, all with the projected outline.

Run: ``MUJOCO_GL=egl ACT2ANSWER_BACKGROUNDS=../shared/backgrounds python
benchmarks/reference_figure.py --suite SUITE --out frame.png [--compare IMAGE]``.
Panels: our composited first frame, our plain render (``--background none``)
and the photo alone. Green: the reference tile corners (world frame of
Act2AnswerV4-v1) projected with the reference camera model (C920 intrinsics,
mount pose on the base link; ``act2answer.sim.reference_camera``, independent
of our MuJoCo scene). Yellow: the real table's far and left edges found in the
photo. ``--compare`` adds the study's own rendered episode scaled to the same
height.

``--fit-table`` prints the table-top rectangle (base frame) that best fits the
photo's two table edges, back-projected onto the table plane: the values of
the reference preset's ``TableTop``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from scipy.optimize import least_squares

from act2answer.eval.episode import load_tile_image
from act2answer.eval.tasks import make_tasks
from act2answer.interfaces import ObservationNeeds
from act2answer.sim import SimConfig, TabletopEnv
from act2answer.sim import reference_camera as rc
from act2answer.sim.backgrounds import load_background
from act2answer.suite import load_suite

PHOTO = "bridge_real_eval_1.png"
#: Near and right edges are out of the photo's view: generous extents, base frame.
NEAR_EDGE, RIGHT_EDGE = -0.35, -0.70


def reference_outlines() -> list[list[tuple[float, float]]]:
    """Pixel outlines of both tiles' top faces under the reference camera model."""
    return [
        [tuple(p) for p in rc.project(rc.tile_corners_world(side)).tolist()]
        for side in ("left", "right")
    ]


def _edge_rows(yaw: float, offset: float, along_far: bool, columns: np.ndarray) -> np.ndarray:
    """Image rows of a world-frame table edge: points p with n . p = offset."""
    direction = np.array([-np.sin(yaw), np.cos(yaw)] if along_far else [np.cos(yaw), np.sin(yaw)])
    normal = np.array([direction[1], -direction[0]])
    ends = normal * offset + np.outer([-0.5, 0.5], direction)
    (c0, r0), (c1, r1) = rc.project(np.column_stack([ends, [rc.STAGE_TOP_Z] * 2]))
    return r0 + (r1 - r0) / (c1 - c0) * (columns - c0)


def fit_table(photo: np.ndarray) -> tuple[float, float, float, float]:
    """Best rectangle for the photo's far and left edges: (yaw deg, far, left, max px error)."""
    edges = rc.photo_table_edges(photo)
    samples = {
        name: np.arange(line.columns[0], line.columns[1] + 1, 4.0) for name, line in edges.items()
    }

    def residuals(params: np.ndarray) -> np.ndarray:
        yaw, far_offset, left_offset = params
        return np.concatenate(
            [
                _edge_rows(yaw, far_offset, True, samples["far"])
                - edges["far"].row_at(samples["far"]),
                _edge_rows(yaw, left_offset, False, samples["left"])
                - edges["left"].row_at(samples["left"]),
            ]
        )

    solution = least_squares(residuals, [0.0, -0.33, 0.26])
    yaw, far_offset, left_offset = solution.x
    # World -> base: p_base = base - p_world (180 degrees about z); the axes keep the yaw.
    base_xy = rc.BASE_POSITION[:2]
    far = float(np.dot([np.cos(yaw), np.sin(yaw)], base_xy) - far_offset)
    left = float(left_offset - np.dot([np.sin(yaw), -np.cos(yaw)], base_xy))
    return float(np.degrees(yaw)), far, left, float(np.abs(residuals(solution.x)).max())


def _draw_outline(panel: Image.Image, photo: np.ndarray) -> None:
    draw = ImageDraw.Draw(panel)
    for outline in reference_outlines():
        draw.polygon(outline, outline=(0, 255, 0), width=2)
    for line in rc.photo_table_edges(photo).values():
        draw.line([tuple(p) for p in line.end_points().tolist()], fill=(255, 230, 0), width=2)


def _first_frames(task, config: SimConfig) -> Image.Image:
    with TabletopEnv(config) as env:
        env.set_tiles(load_tile_image(task.left_image), load_tile_image(task.right_image))
        env.reset(seed=task.seed, needs=ObservationNeeds(image=False))
        return Image.fromarray(env.render())


def main(suite_dir: Path, out: Path, compare: Path | None, index: int) -> None:
    suite = load_suite(suite_dir)
    task = make_tasks(suite)[index]
    photo_pixels = load_background(PHOTO, 640, 480)
    panels = [
        _first_frames(task, SimConfig()),
        _first_frames(task, SimConfig(background="none")),
        Image.fromarray(photo_pixels.copy()),
    ]
    for panel in panels:
        _draw_outline(panel, photo_pixels)
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
    parser.add_argument("--suite", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", type=Path)
    parser.add_argument("--index", type=int, default=0, help="Episode index in the suite.")
    parser.add_argument("--fit-table", action="store_true", help="Print the fitted table top.")
    arguments = parser.parse_args()
    if arguments.fit_table:
        yaw_deg, far, left, error = fit_table(load_background(PHOTO, 640, 480))
        print(
            f"TableTop(far={far:.4f}, near={NEAR_EDGE}, left={left:.4f}, right={RIGHT_EDGE}, "
            f"yaw_deg={yaw_deg:.2f})  # max {error:.1f} px off the photo's edges"
        )
    else:
        if arguments.suite is None or arguments.out is None:
            parser.error("--suite and --out are required (or --fit-table)")
        main(arguments.suite, arguments.out, arguments.compare, arguments.index)
