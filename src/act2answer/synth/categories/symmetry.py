"""Symmetry: a figure with a dashed line that is (or is not) a line of symmetry."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from act2answer.synth._base import IMAGE_SIZE, GeneratedItem
from act2answer.synth._draw import (
    FIGURE_COLORS,
    LIGHT_BACKGROUNDS,
    RGB,
    Canvas,
    Point,
    choice,
    mask_iou,
    polygon_mask,
    reflect_mask,
    rotate_points,
    shape_points,
)

LINE_COLOR: RGB = (20, 20, 20)
#: What each of ``FIGURE_COLORS`` is called (both options share it; ``explicit_object`` uses it).
FIGURE_COLOR_NAMES: dict[RGB, str] = dict(
    zip(FIGURE_COLORS, ("red", "blue", "green", "orange", "purple", "teal", "pink"), strict=True)
)
#: Figures with a known axis (vertical at rotation 0). Pentagons, houses, arrows and
#: stars (in earlier versions) are left out: a pentagon or a wide house turned 25-65
#: degrees still looks symmetric about the turned line, a star's axes are 36 degrees
#: apart (a line between two looks like an axis in a 224 px frame), and no turned line
#: through an arrow covers as much of it as its long axis does (see :data:`AREA_TOLERANCE`).
KINDS = ("mirror", "mirror", "mirror", "heart", "triangle")
#: How the distractor breaks symmetry. The distractor shows the same figure as the
#: answer (turned; for "asymmetric", with its left side redrawn), in the same
#: colours, and its line passes through the centroid of the figure's visible part
#: as a true axis does, so "the line through the figure's middle" is at chance
#: (issue #23; an earlier ``shifted_line`` mode moved the line 40-70 px off the
#: centre and that heuristic found the answer in 65% of items).
DISTRACTORS = ("rotated_line", "crossing_line", "asymmetric")
#: The reflection IoU a turned-line distractor must stay below (its line is clearly
#: not an axis, also on the far tile of a 224 px frame, where a figure is ~25 px across).
MAX_DISTRACTOR_IOU = 0.65
#: The same for "asymmetric" distractors, whose right side is the answer's and whose
#: left side has the same area: a redrawn side leaves an IoU of 0.67-0.84 with its
#: reflection in most draws, so visibility rests on :data:`MIN_ASYMMETRY` there.
MAX_LOPSIDED_IOU = 0.75
#: The part of a distractor figure that its reflection does not cover must be at least
#: this thick (twice its largest inscribed radius, 512 px image pixels): ~2 px on the far
#: tile of a 224 px frame, so the asymmetry is visible to a policy (issue #23).
MIN_ASYMMETRY = 40.0
#: A placed figure's bounding box is at least this wide and tall (image px): 13.4 px
#: on the far tile of the legacy scene's 224 px frame (``LEGIBILITY_MINIMUMS``: 13).
MIN_FIGURE_SIDE = 256.0
#: The distractor's line covers within this share as much of its figure as the
#: true axis covers of the correct one (the rest is scaled away).
AREA_TOLERANCE = 0.006
#: How far the distractor's line is turned from its figure's axis (degrees, either way).
TURNS = {"rotated_line": (25.0, 65.0), "crossing_line": (70.0, 90.0)}
#: Both options' lines are moved across by up to this many image px (uniform) from the
#: visible part's centroid: 0.14 px on the far tile, but enough that neither a
#: symmetric figure's exactly centred axis nor the distractor's sub-pixel residual
#: tells the answer to a precise measurement (the audit's ``line_offset``).
LINE_JITTER = 2.0
#: Figures are stretched across their axis by up to exp(+-STRETCH), area kept.
STRETCH = 0.2
#: Figures drawn for one item at most (a crossing-line mirror figure works ~1 in 20).
FIGURE_TRIES = 400
#: Turns of the figure tried for one distractor before the figure is redrawn.
DISTRACTOR_TRIES = 10
#: Dashed line: half-length, width, dash and gap (512 px image pixels). The same in
#: every image; 26 px is ~1.5-2 px in a 224 px frame, where a tile is ~45-50 px wide
LINE_HALF = 200.0
LINE_WIDTH = 26.0
LINE_DASH = 44.0
LINE_GAP = 26.0
LINE_MARGIN = 8.0
LINE_HALO = 6.0

TEMPLATES = (
    "put the cube on the shape whose dashed line is a line of symmetry",
    "put the cube on the figure that is symmetric about the dashed line",
    "place the cube on the picture where the dashed line is a line of symmetry",
    "put the cube on the shape that the dashed line cuts into two mirror halves",
    "move the cube onto the shape with a correct line of symmetry",
)
QUESTIONS = (
    "Which dashed line is a line of symmetry?",
    "In which picture is the dashed line a line of symmetry?",
)


class Generator:
    """Symmetry category generator.

    The two options differ only in whether the dashed line is an axis. The
    distractor shows the answer's own figure in the same colours on the same
    background, turned by a random angle: "rotated_line" and "crossing_line"
    draw its line 25-65 or 70-90 degrees off the figure's axis, "asymmetric"
    redraws the figure's left side (same area) and keeps the line along the old
    axis. In every mode the line has the same length, width and dash pattern,
    its angle is uniform, it runs through the centroid of the figure's visible
    part (within :data:`LINE_JITTER`, as the answer's does) and it covers as
    much of the figure as the answer's axis covers of it, so neither ink,
    colour, outline, line position nor the kind of figure tells the answer
    (issue #23: ``suite audit`` flagged version 5 at 120 items, 75%).
    """

    name = "Symmetry"
    version = "6"

    def generate(self, rng: np.random.Generator) -> GeneratedItem:
        """One item, its distractor mode drawn at random."""
        return self._make(rng, None)

    def generate_in_suite(self, rng: np.random.Generator, seed: int, index: int) -> GeneratedItem:
        """Item ``index`` of a suite: the distractor modes take turns.

        A suite of ``3k`` items has ``k`` of each mode, so each mode can be audited
        on its own (``suite audit --by-meta distractor_mode``) from a few dozen items.
        """
        return self._make(rng, DISTRACTORS[index % len(DISTRACTORS)])

    def _make(self, rng: np.random.Generator, mode: str | None) -> GeneratedItem:
        bg = choice(rng, LIGHT_BACKGROUNDS)
        fill = choice(rng, FIGURE_COLORS)
        drawn = choice(rng, DISTRACTORS)
        mode = drawn if mode is None else mode
        kind = "mirror" if mode == "asymmetric" else choice(rng, KINDS)
        for _ in range(FIGURE_TRIES):
            figure = _draw_figure(rng, kind)
            pts, axis_dir = figure.placed(rng, _line_angle(rng))
            # A symmetric polygon's centroid is on its axis, and so is its visible part's.
            center = _jitter(rng, _polygon_centroid(pts), axis_dir)
            if not _line_fits(center, axis_dir) or not _big_enough(pts):
                continue
            wrong = _distractor(rng, mode, figure, (pts, center, axis_dir))
            if wrong is not None:
                break
        else:  # pragma: no cover - rejection always succeeds in practice
            raise RuntimeError("could not draw an asymmetric distractor")
        d_pts, d_center, d_axis = wrong
        correct = _render(pts, center, axis_dir, fill, bg)
        distractor = _render(d_pts, d_center, d_axis, fill, bg)
        return GeneratedItem(
            question=choice(rng, QUESTIONS),
            instruction=choice(rng, TEMPLATES),
            correct=correct,
            distractor=distractor,
            difficulty="hard"
            if mode == "crossing_line"
            else "medium"
            if mode == "asymmetric"
            else "easy",
            meta={
                "figure": kind,
                "distractor_figure": kind,
                "colour": FIGURE_COLOR_NAMES[fill],
                "distractor_mode": mode,
                "axis_point": [round(c, 2) for c in center],
                "axis_direction": [round(c, 4) for c in axis_dir],
                "distractor_line_point": [round(c, 2) for c in d_center],
                "distractor_line_direction": [round(c, 4) for c in d_axis],
            },
        )


def asymmetry_depth(mask: np.ndarray, mirrored: np.ndarray) -> float:
    """Thickness of the thickest part a figure and its reflection do not share (pixels)."""
    mismatch = mask ^ mirrored
    if not mismatch.any():
        return 0.0
    # Only the mismatch's bounding box (and a background margin) matters: faster, same value.
    ys, xs = np.nonzero(mismatch)
    box = np.pad(mismatch[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1], 1)
    return 2 * float(ndimage.distance_transform_edt(box).max())


def _line_angle(rng: np.random.Generator) -> float:
    """Angle of a drawn line, uniform on the circle.

    Uniform, so that turning the distractor's figure away from its line (rotated-line
    items) leaves both the line angle and the figure angle distributed as in the
    correct option: neither "upright figure" nor "vertical line" tells the answer.
    """
    return float(rng.uniform(-180, 180))


def _line_fits(center: Point, axis: Point) -> bool:
    """True when a line of ``LINE_HALF`` each side of ``center`` stays inside the image margin."""
    norm = math.hypot(*axis)
    for sign in (-1, 1):
        x = center[0] + sign * axis[0] / norm * LINE_HALF
        y = center[1] + sign * axis[1] / norm * LINE_HALF
        if not (LINE_MARGIN <= x <= IMAGE_SIZE - LINE_MARGIN) or not (
            LINE_MARGIN <= y <= IMAGE_SIZE - LINE_MARGIN
        ):
            return False
    return True


@dataclass(frozen=True)
class _Figure:
    """A figure in its own frame: polygon around (0, 0), its axis along ``base``."""

    kind: str
    local: tuple[Point, ...]
    base: Point
    #: Stretch across the axis (and 1 / stretch along it) applied when placed.
    stretch: float = 1.0
    #: For "mirror" figures: the heights, right-hand widths and apex it was built from.
    mirror: tuple[tuple[float, ...], tuple[float, ...], float] | None = None

    def placed(self, rng: np.random.Generator, angle: float) -> tuple[list[Point], Point]:
        """Polygon turned by ``angle`` about a centre near the image's, and its axis direction."""
        cx, cy = 256.0 + float(rng.uniform(-10, 10)), 256.0 + float(rng.uniform(-10, 10))
        k = self.stretch
        pts = rotate_points([(cx + x * k, cy + y / k) for x, y in self.local], (cx, cy), angle)
        return pts, _rotate_dir(self.base, angle)

    def lopsided(self, rng: np.random.Generator) -> _Figure:
        """The same mirror figure with its left side redrawn (own heights and widths),
        scaled across to the right side's area."""
        assert self.mirror is not None
        ys, right, top = self.mirror
        left_ys = np.sort(rng.uniform(-150, 150, len(ys)))
        left_ys[0], left_ys[-1] = -150, 150
        left = rng.uniform(45, 165, len(ys))
        left *= _half_area(ys, right, top) / _half_area(tuple(left_ys), tuple(left), top)
        outline = _mirror_outline(ys, right, tuple(left), top, tuple(left_ys))
        return _Figure(self.kind, outline, self.base, self.stretch)


def _half_area(ys: tuple[float, ...], widths: tuple[float, ...], top: float) -> float:
    """Area of one side of a mirror figure (trapezoids between heights, plus the apex)."""
    return float(np.trapezoid(widths, ys)) + widths[0] * top / 2


def _mirror_outline(
    ys: tuple[float, ...],
    right: tuple[float, ...],
    left: tuple[float, ...],
    top: float,
    left_ys: tuple[float, ...] | None = None,
) -> tuple[Point, ...]:
    """Outline of a mirror figure: right side at heights ``ys``, left at ``left_ys`` (default
    the same), an apex ``top`` above the first height if ``top`` > 0."""
    left_ys = ys if left_ys is None else left_ys
    local = [(0.0, -150 - top)] if top else []
    local += [(float(x), float(y)) for x, y in zip(right, ys, strict=True)]
    local += [(-float(x), float(y)) for x, y in zip(left[::-1], left_ys[::-1], strict=True)]
    return tuple(local)


def _draw_figure(rng: np.random.Generator, kind: str) -> _Figure:
    """A symmetric figure of ``kind`` in its own frame, its axis vertical.

    Figures are stretched across their axis by a random factor (area kept),
    which keeps the axis and varies how much of the figure a line through its
    middle covers, so that a turned line can cover as much as the axis does.
    """
    if kind == "mirror":
        m = int(rng.integers(4, 7))
        ys = np.sort(rng.uniform(-150, 150, m))
        ys[0], ys[-1] = -150, 150
        right = tuple(float(x) for x in rng.uniform(45, 165, m))
        top = float(rng.uniform(0, 45)) if rng.random() < 0.5 else 0.0
        heights = tuple(float(y) for y in ys)
        outline = _mirror_outline(heights, right, right, top)
        return _Figure(kind, outline, (0.0, -1.0), _stretch(rng), (heights, right, top))
    if kind == "triangle":
        s = float(rng.uniform(300, 380))
        tall = float(rng.uniform(0.8, 1.3))
        local = [(0.0, -s * 0.5 * tall), (s / 2, s * 0.4), (-s / 2, s * 0.4)]
    else:
        local = shape_points(kind, 0.0, 0.0, float(rng.uniform(300, 370)))
    return _Figure(kind, tuple(local), (0.0, -1.0), _stretch(rng))


def _stretch(rng: np.random.Generator) -> float:
    return math.exp(float(rng.uniform(-STRETCH, STRETCH)))


def _distractor(
    rng: np.random.Generator,
    mode: str,
    figure: _Figure,
    answer: tuple[list[Point], Point, Point],
) -> tuple[list[Point], Point, Point] | None:
    """The wrong option: ``figure`` itself (lopsided if "asymmetric"), turned, a non-axis line.

    The line passes through the centroid of the figure's visible (uncovered)
    part, as a true axis does, and covers as much of the figure as the true axis
    covers in the correct option (``answer``: its polygon, line point and axis),
    within :data:`AREA_TOLERANCE`, then scaled to equal: colour, ink, edges and
    line position match the correct option. Returns None when no turn of this
    figure works (the caller draws another).
    """
    pts, center, axis_dir = answer
    answer_cover = _covered_length(pts, center, axis_dir)
    answer_area = _polygon_area(pts)
    candidates = []
    for _ in range(DISTRACTOR_TRIES):
        if mode == "asymmetric":
            d_pts, line_dir = figure.lopsided(rng).placed(rng, _line_angle(rng))
        else:
            d_pts, axis = figure.placed(rng, _line_angle(rng))
            low, high = TURNS[mode]
            offset = float(rng.uniform(low, high))
            line_dir = _rotate_dir(axis, offset if rng.random() < 0.5 else -offset)
        if not _big_enough(d_pts):
            continue
        # Cheap estimate first (exact geometry, no rasterising): the coloured area
        # differs by what the line covers beyond the axis' cover.
        cover = _covered_length(d_pts, _polygon_centroid(d_pts), line_dir)
        width = LINE_WIDTH + 2 * LINE_HALO
        mismatch = abs((cover - answer_cover) * width / (answer_area - answer_cover * width))
        if mismatch <= AREA_TOLERANCE and _roughly_asymmetric(d_pts, line_dir, mode):
            candidates.append((mismatch, d_pts, line_dir))
    # The turn whose line covers most nearly as much as the axis does, first: scaling
    # a larger mismatch away would leave the distractor's figure (and outline)
    # systematically larger or smaller than the answer's.
    candidates.sort(key=lambda candidate: candidate[0])
    target_area = None
    for _, d_pts, line_dir in candidates:
        if target_area is None:
            target_area = _coloured_area(pts, center, axis_dir)
        point = _line_point(d_pts, line_dir, _polygon_centroid(d_pts))
        if abs(_coloured_area(d_pts, point, line_dir) / target_area - 1) > AREA_TOLERANCE:
            continue
        scaled = _match_coloured_area(d_pts, point, line_dir, target_area)
        if scaled is None:
            continue
        point = _jitter(rng, _line_point(scaled, line_dir, point), line_dir)
        if not _line_fits(point, line_dir):
            continue
        mask = polygon_mask(scaled)
        mirrored = reflect_mask(mask, point, line_dir)
        max_iou = MAX_LOPSIDED_IOU if mode == "asymmetric" else MAX_DISTRACTOR_IOU
        if mask_iou(mask, mirrored) < max_iou and asymmetry_depth(mask, mirrored) >= MIN_ASYMMETRY:
            return scaled, point, line_dir
    return None


def _big_enough(pts: list[Point]) -> bool:
    """True when the figure's bounding box is at least :data:`MIN_FIGURE_SIDE` both ways."""
    xy = np.asarray(pts, dtype=np.float64)
    return bool(np.ptp(xy, axis=0).min() >= MIN_FIGURE_SIDE)


def _roughly_asymmetric(pts: list[Point], direction: Point, mode: str) -> bool:
    """The reflection checks of :func:`_distractor` at a quarter of the resolution, with
    some slack: a quick filter before the exact (slower) checks."""
    quarter = [(x / 4, y / 4) for x, y in pts]
    mask = polygon_mask(quarter, size=IMAGE_SIZE // 4)
    mirrored = reflect_mask(mask, _polygon_centroid(quarter), direction)
    max_iou = MAX_LOPSIDED_IOU if mode == "asymmetric" else MAX_DISTRACTOR_IOU
    return (
        mask_iou(mask, mirrored) < max_iou + 0.03
        and asymmetry_depth(mask, mirrored) >= MIN_ASYMMETRY / 4 - 2
    )


def _polygon_area(pts: list[Point]) -> float:
    """Area of a simple polygon (shoelace)."""
    xy = np.asarray(pts, dtype=np.float64)
    x, y = xy[:, 0], xy[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def _polygon_centroid(pts: list[Point]) -> Point:
    """Centroid of a simple polygon's area (exact, no rasterising)."""
    xy = np.asarray(pts, dtype=np.float64)
    x, y = xy[:, 0], xy[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    six_area = 3 * cross.sum()
    return (float(((x + x1) * cross).sum() / six_area), float(((y + y1) * cross).sum() / six_area))


def _covered_length(pts: list[Point], point: Point, direction: Point) -> float:
    """Length of the dashed line (as :func:`_render` draws it) that lies inside the polygon."""
    norm = math.hypot(*direction)
    ux, uy = direction[0] / norm, direction[1] / norm
    sx, sy = point[0] - ux * LINE_HALF, point[1] - uy * LINE_HALF  # where the dashes start
    xy = np.asarray(pts, dtype=np.float64)
    across = (xy[:, 0] - sx) * -uy + (xy[:, 1] - sy) * ux
    along = (xy[:, 0] - sx) * ux + (xy[:, 1] - sy) * uy
    a0, a1 = across, np.roll(across, -1)
    crossing = (a0 < 0) != (a1 < 0)
    fraction = a0[crossing] / (a0[crossing] - a1[crossing])
    ts = np.sort(along[crossing] + fraction * (np.roll(along, -1)[crossing] - along[crossing]))
    total = 0.0
    for t0, t1 in zip(ts[::2], ts[1::2], strict=True):
        start = 0.0
        while start < 2 * LINE_HALF:
            end = min(start + LINE_DASH, 2 * LINE_HALF)
            total += max(0.0, min(end, t1) - max(start, t0))
            start = end + LINE_GAP
    return total


def _line_point(pts: list[Point], direction: Point, start: Point) -> Point:
    """A point of the line along ``direction`` that runs through the centroid of the
    figure's visible part (the figure less what the line and its halo cover)."""
    norm = math.hypot(*direction)
    nx, ny = -direction[1] / norm, direction[0] / norm
    mask = polygon_mask(pts)
    point = start
    for _ in range(4):
        ys, xs = np.nonzero(mask & ~_line_mask(point, direction))
        shift = (float(xs.mean()) + 0.5 - point[0]) * nx + (float(ys.mean()) + 0.5 - point[1]) * ny
        point = (point[0] + shift * nx, point[1] + shift * ny)
        if abs(shift) < 0.1:
            break
    return point


def _jitter(rng: np.random.Generator, point: Point, direction: Point) -> Point:
    """``point`` moved across the line along ``direction`` by up to :data:`LINE_JITTER`."""
    norm = math.hypot(*direction)
    shift = float(rng.uniform(-LINE_JITTER, LINE_JITTER))
    return (point[0] - direction[1] / norm * shift, point[1] + direction[0] / norm * shift)


def _line_mask(center: Point, axis: Point) -> np.ndarray:
    """Pixels the dashed line and its halo cover (as in :func:`_render`, no antialiasing)."""
    canvas = Canvas(bg=(0, 0, 0), ss=1)
    p0, p1 = _line_ends(center, axis)
    width = LINE_WIDTH + 2 * LINE_HALO
    canvas.dashed_line(p0, p1, (255, 255, 255), width, dash=LINE_DASH, gap=LINE_GAP)
    return np.asarray(canvas.finish())[..., 0] > 127


def _coloured_area(pts: list[Point], center: Point, axis: Point) -> int:
    """Figure pixels the dashed line does not cover."""
    return int((polygon_mask(pts) & ~_line_mask(center, axis)).sum())


def _match_coloured_area(
    pts: list[Point], center: Point, axis: Point, target: int
) -> list[Point] | None:
    """Scale a distractor figure about its centroid until its uncovered area matches ``target``.

    A line through the middle of a figure covers more of it than an off-axis
    line does, so without this a shifted-line distractor shows more background
    ink and less colour than the correct option (the audit found ~73% of
    shifted-line items answerable by "less ink"). With the coloured (uncovered)
    area equal, ink (figure + line outside it) is equal too, since the line
    has the same length in both options. Returns None if the scale goes out of
    [0.8, 1.25] (the caller draws another figure).
    """
    ys, xs = np.nonzero(polygon_mask(pts))
    cx, cy = float(xs.mean()) + 0.5, float(ys.mean()) + 0.5
    scaled = pts
    total = 1.0
    for _ in range(3):
        area = _coloured_area(scaled, center, axis)
        if area == 0:
            return None
        step = math.sqrt(target / area)
        total *= step
        if not 0.8 <= total <= 1.25:
            return None
        scaled = [(cx + (x - cx) * total, cy + (y - cy) * total) for x, y in pts]
        if abs(step - 1) < 0.003:
            break
    return scaled


def _line_ends(center: Point, axis: Point) -> tuple[Point, Point]:
    norm = math.hypot(*axis)
    ux, uy = axis[0] / norm, axis[1] / norm
    return (
        (center[0] - ux * LINE_HALF, center[1] - uy * LINE_HALF),
        (center[0] + ux * LINE_HALF, center[1] + uy * LINE_HALF),
    )


def _rotate_dir(direction: Point, angle_deg: float) -> Point:
    ((x, y),) = rotate_points([direction], (0.0, 0.0), angle_deg)
    return (x, y)


def _centroid(pts: list[Point]) -> Point:
    mask = polygon_mask(pts)
    ys, xs = np.nonzero(mask)
    return (float(xs.mean()) + 0.5, float(ys.mean()) + 0.5)


def _render(pts: list[Point], center: Point, axis: Point, fill: RGB, bg: RGB) -> Image.Image:
    canvas = Canvas(bg=bg)
    canvas.polygon(pts, fill=fill)
    # Fixed length (never depends on the figure) and wide enough to survive 224 px frames.
    p0, p1 = _line_ends(center, axis)
    # A halo in the background colour: the line's edges look the same over the
    # figure and over the background, so its dark ink does not depend on how much
    # of the figure it crosses.
    halo = LINE_WIDTH + 2 * LINE_HALO
    canvas.dashed_line(p0, p1, bg, halo, dash=LINE_DASH, gap=LINE_GAP)
    canvas.dashed_line(p0, p1, LINE_COLOR, LINE_WIDTH, dash=LINE_DASH, gap=LINE_GAP)
    return canvas.finish()
