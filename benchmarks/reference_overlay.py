"""Overlay our reference first frame on a study frame you supply; measure per-object offsets.

The study's rendered episodes (project-page figures) are not ours to ship: pass
your own copy. A sheet of panels (white gutters between them) is split into
panels; each panel is scaled to 640x480 (the frame the policy sees) and
compared with our composited first frame of the ``reference`` preset.

Run::

    MUJOCO_GL=egl ACT2ANSWER_BACKGROUNDS=../shared/backgrounds python \\
        benchmarks/reference_overlay.py --study samples2.jpg \\
        --categories Attribute,State,Color,Symmetry,Shape,Emotion,Celebrity,"Living World",\\
Counting,Time,Traffic,"Public Info" --out overlay.png --table offsets.md

Outputs: ``--out`` a sheet with, per panel, a 50/50 blend of the study's panel and
our frame, our tile outlines (magenta), cube centre (cyan) and robot edges
(yellow), and the study's (green); ``--table`` a Markdown table of offsets
(study minus ours, pixels in the 640x480 frame; + = right/down):

* robot: left and right edges of the dark robot column, rows 5-40 (median);
* cube: centroid of the light-grey blob around our cube's centre (``merged``
  when it touches a light tile in the study's panel: not measured);
* tiles: centroid of the light tile blob (holes filled) around each tile,
  only on light tiles (white borders; photographs are skipped). Ours is
  measured the same way on a render with white tiles of the category's size.

Our frame is resized to the panel size and back before measuring, so both
sides carry the same blur.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

from act2answer.interfaces import ObservationNeeds
from act2answer.sim import SimConfig, TabletopEnv

WIDTH, HEIGHT = 640, 480
ROBOT_ROWS = range(5, 41)
ROBOT_COLUMNS = (220, 470)


def split_panels(sheet: np.ndarray, white: int = 235) -> list[np.ndarray]:
    """Panels of a figure sheet, row by row, split at white gutters (a single frame: itself)."""

    def runs(busy: np.ndarray) -> list[tuple[int, int]]:
        edges = np.flatnonzero(np.diff(np.concatenate([[0], busy.astype(int), [0]])))
        pairs = zip(edges[::2], edges[1::2], strict=True)
        return [(int(a), int(b)) for a, b in pairs if b - a > 40]

    is_white = sheet.min(axis=2) > white
    rows = runs(is_white.mean(axis=1) < 0.5)
    cols = runs(is_white.mean(axis=0) < 0.5)
    return [sheet[r0:r1, c0:c1] for r0, r1 in rows for c0, c1 in cols]


def to_frame(panel: np.ndarray) -> np.ndarray:
    """A panel scaled to the policy's 640x480 frame."""
    image = Image.fromarray(panel).resize((WIDTH, HEIGHT), Image.Resampling.BILINEAR)
    return np.asarray(image)


def same_blur(frame: np.ndarray, panel_shape: tuple[int, ...]) -> np.ndarray:
    """Our frame through the same down- and up-scaling as a study panel."""
    small = Image.fromarray(frame).resize(
        (panel_shape[1], panel_shape[0]), Image.Resampling.BILINEAR
    )
    return np.asarray(small.resize((WIDTH, HEIGHT), Image.Resampling.BILINEAR))


def robot_edges(frame: np.ndarray) -> tuple[float, float] | None:
    """Median left and right column of the dark robot column near the top of the frame."""
    lefts, rights = [], []
    for row in ROBOT_ROWS:
        pixels = frame[row, ROBOT_COLUMNS[0] : ROBOT_COLUMNS[1]].astype(int)
        dark = np.flatnonzero((pixels.max(axis=1) < 80) & (np.ptp(pixels, axis=1) < 30))
        if dark.size > 10:
            lefts.append(dark[0] + ROBOT_COLUMNS[0])
            rights.append(dark[-1] + ROBOT_COLUMNS[0])
    if len(lefts) < 10:
        return None
    return float(np.median(lefts)), float(np.median(rights))


def gradient(frame: np.ndarray) -> np.ndarray:
    """Gradient magnitude of the grey image (compares shapes, not colours)."""
    grey = frame.astype(float).mean(axis=2)
    return np.hypot(ndimage.sobel(grey, axis=0), ndimage.sobel(grey, axis=1))


def best_shift(
    ours: np.ndarray, theirs: np.ndarray, box: tuple[int, int, int, int], search: int = 16
) -> tuple[float, float, float]:
    """Shift (dx, dy) of ``theirs`` against ``ours`` in a window, and its correlation.

    Normalised cross-correlation of gradient magnitudes over ``box`` (c0, r0,
    c1, r1) of our frame, for every whole-pixel shift within ``search``,
    refined to sub-pixel by a parabola through the peak's neighbours.
    """
    c0, r0, c1, r1 = box
    c0, r0 = max(c0, search), max(r0, search)
    c1, r1 = min(c1, WIDTH - search), min(r1, HEIGHT - search)
    ours_g, theirs_g = gradient(ours), gradient(theirs)
    window = ours_g[r0:r1, c0:c1]
    window = (window - window.mean()) / (window.std() + 1e-9)
    shifts = range(-search, search + 1)
    scores = np.full((len(shifts), len(shifts)), -1.0)
    for i, dy in enumerate(shifts):
        for j, dx in enumerate(shifts):
            other = theirs_g[r0 + dy : r1 + dy, c0 + dx : c1 + dx]
            other = (other - other.mean()) / (other.std() + 1e-9)
            scores[i, j] = float((window * other).mean())
    i, j = np.unravel_index(int(np.argmax(scores)), scores.shape)

    def refine(left: float, mid: float, right: float) -> float:
        denominator = left - 2 * mid + right
        return 0.0 if denominator >= 0 else 0.5 * (left - right) / denominator

    dy = shifts[i] + (refine(*scores[i - 1 : i + 2, j]) if 0 < i < len(shifts) - 1 else 0.0)
    dx = shifts[j] + (refine(*scores[i, j - 1 : j + 2]) if 0 < j < len(shifts) - 1 else 0.0)
    return float(dx), float(dy), float(scores[i, j])


@dataclass
class OurFrame:
    """Our first frame and where its objects are (projected with our camera)."""

    frame: np.ndarray
    cube_px: np.ndarray
    tile_px: list[np.ndarray]
    outlines: list[np.ndarray]


def our_frame(category: str | None, seed: int = 0) -> OurFrame:
    """Our composited first frame (light tiles: white face, edge-coloured sides)."""
    light = np.full((16, 16, 3), 235, np.uint8)
    with TabletopEnv(SimConfig()) as env:
        env.set_tiles(light, light, category=category)
        env.reset(seed=seed, needs=ObservationNeeds(image=False))
        frame = env.render()
        cube = env.project(np.array([env.cube_state().position]))[0]
        outlines = [env.project(c) for c in env.tile_corners()]
    return OurFrame(frame, cube, [o.mean(axis=0) for o in outlines], outlines)


def _box(points: np.ndarray, margin: int) -> tuple[int, int, int, int]:
    low, high = points.min(axis=0) - margin, points.max(axis=0) + margin
    return int(low[0]), int(low[1]), int(high[0]), int(high[1])


def measure(study: np.ndarray, panel_shape: tuple[int, ...], ours: OurFrame) -> dict[str, object]:
    """Offsets (study minus ours, pixels) of robot, cube and tiles, and robot edge offsets."""
    result: dict[str, object] = {}
    ours_frame = same_blur(ours.frame, panel_shape)
    theirs_robot, ours_robot = robot_edges(study), robot_edges(ours_frame)
    if theirs_robot and ours_robot:
        result["robot_edges"] = (theirs_robot[0] - ours_robot[0], theirs_robot[1] - ours_robot[1])
    result["robot"] = best_shift(ours_frame, study, (250, 0, 440, 60))
    cube = ours.cube_px
    result["cube"] = best_shift(ours_frame, study, _box(np.array([cube]), 26))
    for name, outline in zip(("left_tile", "right_tile"), ours.outlines, strict=True):
        result[name] = best_shift(ours_frame, study, _box(outline, 10))
    return result


def overlay(study: np.ndarray, ours: OurFrame) -> Image.Image:
    """50/50 blend with our projected outlines (magenta), cube (cyan) and robot edges."""
    blend = Image.blend(Image.fromarray(study), Image.fromarray(ours.frame), 0.5)
    draw = ImageDraw.Draw(blend)
    for outline in ours.outlines:
        draw.polygon([tuple(p) for p in outline.tolist()], outline=(255, 0, 255), width=2)
    x, y = ours.cube_px
    draw.ellipse([x - 4, y - 4, x + 4, y + 4], outline=(0, 255, 255), width=2)
    for frame, colour in ((study, (0, 255, 0)), (ours.frame, (255, 230, 0))):
        edges = robot_edges(frame)
        if edges:
            for column in edges:
                draw.line([(column, 5), (column, 40)], fill=colour, width=2)
    return blend


def _fmt(value: object) -> str:
    if isinstance(value, tuple) and len(value) == 3:
        return f"({value[0]:+.1f}, {value[1]:+.1f}) r={value[2]:.2f}"
    if isinstance(value, tuple):
        return f"({value[0]:+.1f}, {value[1]:+.1f})"
    if isinstance(value, float):
        return f"{value:+.1f}"
    return str(value) if value is not None else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--study", type=Path, required=True, help="A study frame or sheet.")
    parser.add_argument("--categories", default="", help="Comma-separated, one per panel.")
    parser.add_argument("--out", type=Path, help="Overlay sheet to write.")
    parser.add_argument("--table", type=Path, help="Markdown offset table to write.")
    args = parser.parse_args()
    sheet = np.asarray(Image.open(args.study).convert("RGB"))
    panels = split_panels(sheet)
    categories = [c.strip() for c in args.categories.split(",")] if args.categories else []
    cache: dict[str | None, OurFrame] = {}
    lines = [
        "| panel | category | robot edges (left, right) | robot (dx, dy) | cube (dx, dy) "
        "| left tile (dx, dy) | right tile (dx, dy) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    blends = []
    for index, panel in enumerate(panels):
        category = categories[index] if index < len(categories) else None
        if category not in cache:
            cache[category] = our_frame(category)
        ours = cache[category]
        study = to_frame(panel)
        row = measure(study, panel.shape, ours)
        keys = ("robot_edges", "robot", "cube", "left_tile", "right_tile")
        cells = " | ".join(_fmt(row.get(key)) for key in keys)
        lines.append(f"| {index} | {category or '-'} | {cells} |")
        blends.append(overlay(study, ours))
    text = "\n".join(lines)
    print(text)
    if args.table:
        args.table.write_text(text + "\n")
    if args.out and blends:
        columns = min(4, len(blends))
        rows = -(-len(blends) // columns)
        out = Image.new("RGB", (columns * WIDTH // 2, rows * HEIGHT // 2), "white")
        for index, blend in enumerate(blends):
            small = blend.resize((WIDTH // 2, HEIGHT // 2))
            out.paste(small, ((index % columns) * WIDTH // 2, (index // columns) * HEIGHT // 2))
        out.save(args.out)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
