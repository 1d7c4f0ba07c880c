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
* robot, cube (window), tiles: the shift that best aligns the gradient
  magnitude of the study's panel with ours in a window around the object;
* cube silhouette: centroid and size of the study's light-grey cube blob (the
  study's cube hangs unoccluded in front of the gripper) against the
  silhouette of our cube, projected from its 8 corners (ours is partly hidden
  by the near finger, and its shaded faces are darker, so a window or a blob
  on our frame would measure less than the whole cube); a blob merged with a
  light tile is reported with its larger width;
* framing (sheets of 3 or more panels): the shift of a region showing only the
  static scene (the wall and the stage's far edge right of the robot,
  :data:`BACKGROUND_BOX`) against the sheet's median panel. A figure may crop
  or scale its panels differently; an object offset on a panel whose framing
  is not ~0 carries that framing (subtract it).

Our frame is resized to the panel size and back before measuring, so both
sides carry the same blur.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from itertools import product
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage
from scipy.spatial import ConvexHull

from act2answer.interfaces import ObservationNeeds
from act2answer.sim import SimConfig, TabletopEnv

WIDTH, HEIGHT = 640, 480
ROBOT_ROWS = range(5, 41)
ROBOT_COLUMNS = (220, 470)
#: A region of the study's frames that shows only the static scene (wall, stage edge).
BACKGROUND_BOX = (430, 20, 620, 160)
#: Where a cube blob is looked for: within this many pixels of our cube's centre.
CUBE_SEARCH_PX = 60


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


@dataclass(frozen=True)
class Silhouette:
    """Centroid and extent of an object's outline in the frame, pixels."""

    centre: tuple[float, float]
    width: float
    height: float


def polygon_silhouette(points: np.ndarray) -> Silhouette:
    """Centroid (area-weighted) and extent of the convex hull of projected points."""
    hull = points[ConvexHull(points).vertices]
    x, y = hull[:, 0], hull[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2
    cx = float(((x + np.roll(x, -1)) * cross).sum() / (6 * area))
    cy = float(((y + np.roll(y, -1)) * cross).sum() / (6 * area))
    return Silhouette((cx, cy), float(np.ptp(x) + 1), float(np.ptp(y) + 1))


def cube_blob(frame: np.ndarray, near: np.ndarray) -> Silhouette | None:
    """The light-grey (bright, unsaturated) blob nearest ``near`` within :data:`CUBE_SEARCH_PX`."""
    pixels = frame.astype(int)
    light = (pixels.min(axis=2) > 150) & (np.ptp(pixels, axis=2) < 25)
    window = np.zeros_like(light)
    c, r = int(near[0]), int(near[1])
    r0, c0 = max(0, r - CUBE_SEARCH_PX), max(0, c - CUBE_SEARCH_PX)
    window[r0 : r + CUBE_SEARCH_PX, c0 : c + CUBE_SEARCH_PX] = True
    labels, count = ndimage.label(light & window)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for label in range(1, count + 1):
        rows, cols = np.nonzero(labels == label)
        if rows.size < 150:
            continue
        distance = float(np.hypot(cols.mean() - near[0], rows.mean() - near[1]))
        if best is None or distance < best[0]:
            best = (distance, cols, rows)
    if best is None:
        return None
    _, cols, rows = best
    return Silhouette(
        (float(cols.mean()), float(rows.mean())),
        float(np.ptp(cols) + 1),
        float(np.ptp(rows) + 1),
    )


def framing_offsets(frames: list[np.ndarray]) -> list[tuple[float, float] | None]:
    """Each panel's framing: its static background's shift against the median panel.

    Needs 3 or more panels (else every entry is None). The shift of
    :data:`BACKGROUND_BOX` against the first panel is measured for every
    panel; the median of those shifts is the sheet's usual framing.
    """
    if len(frames) < 3:
        return [None] * len(frames)
    shifts = np.array([best_shift(frames[0], frame, BACKGROUND_BOX)[:2] for frame in frames])
    usual = np.median(shifts, axis=0)
    return [(float(dx), float(dy)) for dx, dy in shifts - usual]


@dataclass
class OurFrame:
    """Our first frame and where its objects are (projected with our camera)."""

    frame: np.ndarray
    cube_px: np.ndarray
    tile_px: list[np.ndarray]
    outlines: list[np.ndarray]
    cube_silhouette: Silhouette


def our_frame(category: str | None, seed: int = 0) -> OurFrame:
    """Our composited first frame (light tiles: white face, edge-coloured sides).

    The cube's silhouette is its 8 corners projected, the cube taken square to
    the base axes (it tilts by ~3 degrees in the grip: well under a pixel here).
    """
    light = np.full((16, 16, 3), 235, np.uint8)
    with TabletopEnv(SimConfig()) as env:
        env.set_tiles(light, light, category=category)
        env.reset(seed=seed, needs=ObservationNeeds(image=False))
        frame = env.render()
        centre = np.array(env.cube_state().position)
        cube = env.project(centre[None])[0]
        corners = centre + np.array(list(product((-1, 1), repeat=3))) * env.config.cube_size / 2
        silhouette = polygon_silhouette(env.project(corners))
        outlines = [env.project(c) for c in env.tile_corners()]
    return OurFrame(frame, cube, [o.mean(axis=0) for o in outlines], outlines, silhouette)


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
    blob, mine = cube_blob(study, ours.cube_silhouette.centre), ours.cube_silhouette
    if blob is not None:
        result["cube_silhouette"] = (
            blob.centre[0] - mine.centre[0],
            blob.centre[1] - mine.centre[1],
            f"{blob.width:.0f}x{blob.height:.0f} vs {mine.width:.0f}x{mine.height:.0f}",
        )
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
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[2], str):
        return f"({value[0]:+.1f}, {value[1]:+.1f}) {value[2]}"
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
        "| panel | category | framing (dx, dy) | robot edges (left, right) | robot (dx, dy) "
        "| cube window (dx, dy) | cube silhouette (dx, dy) study vs ours WxH "
        "| left tile (dx, dy) | right tile (dx, dy) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    blends = []
    frames = [to_frame(panel) for panel in panels]
    framings = framing_offsets(frames)
    for index, (panel, study) in enumerate(zip(panels, frames, strict=True)):
        category = categories[index] if index < len(categories) else None
        if category not in cache:
            cache[category] = our_frame(category)
        ours = cache[category]
        row = measure(study, panel.shape, ours)
        row["framing"] = framings[index]
        keys = ("framing", "robot_edges", "robot", "cube", "cube_silhouette")
        keys += ("left_tile", "right_tile")
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
