"""Independent pixel checks of generated items.

Each check reads the two option images and the *claim* of the item (the
target named in the instruction, kept in ``meta``) and measures from pixels
whether the correct image satisfies the claim and the distractor does not.
Nothing else from ``meta`` (positions, sizes, angles...) is used.
"""

from __future__ import annotations

import colorsys
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image
from scipy import ndimage
from scipy.spatial import ConvexHull, QhullError

from act2answer.errors import ImageFileError
from act2answer.suite import Suite, SuiteItem, read_rgb
from act2answer.synth._draw import mask_iou, reflect_mask

#: Categories that have a pixel check.
CHECKED_CATEGORIES = ("Color", "Shape", "Symmetry", "Counting", "Time", "Attribute")


@dataclass(frozen=True)
class CheckResult:
    """Outcome of the pixel check of one item.

    Attributes:
        item_id: The item.
        category: Its category.
        passed: True when the pixels agree with the item's answer.
        detail: Human-readable measurements.
        values: Measurements of the correct and distractor images.
    """

    item_id: str
    category: str
    passed: bool
    detail: str
    values: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------- pixel tools


#: Checks work on images reduced to this side (enough for every measurement, 4x faster).
WORK_SIZE = 256


def load_rgb(path: Any, size: int = WORK_SIZE) -> np.ndarray:
    """An image as an ``(size, size, 3)`` int16 array (box-reduced from the file).

    Raises:
        ImageFileError: the file is missing, not an image, truncated or too large.
    """
    rgb = Image.fromarray(read_rgb(path))
    if rgb.size != (size, size):
        factor = rgb.size[0] // size
        rgb = rgb.reduce(factor) if factor * size == rgb.size[0] else rgb.resize((size, size))
    return np.asarray(rgb, dtype=np.int16)


def background_color(rgb: np.ndarray) -> np.ndarray:
    """Most common colour along the image border."""
    border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
    return np.array(_mode_color(border))


def color_distance(rgb: np.ndarray, color: np.ndarray) -> np.ndarray:
    """Sum of absolute channel differences to ``color``, per pixel."""
    return np.abs(rgb - color.reshape(1, 1, 3).astype(np.int16)).sum(axis=2, dtype=np.int16)


def foreground(rgb: np.ndarray, threshold: int = 60) -> np.ndarray:
    """Pixels that differ from the border colour."""
    return color_distance(rgb, background_color(rgb)) > threshold


def dominant_color(rgb: np.ndarray, mask: np.ndarray) -> tuple[int, int, int]:
    """Most frequent exact colour among masked pixels."""
    return _mode_color(rgb[mask])


def _mode_color(pixels: np.ndarray) -> tuple[int, int, int]:
    if len(pixels) == 0:
        return (0, 0, 0)
    p = pixels.astype(np.int64)
    codes = (p[:, 0] << 16) | (p[:, 1] << 8) | p[:, 2]
    values, counts = np.unique(codes, return_counts=True)
    code = int(values[int(np.argmax(counts))])
    return (code >> 16) & 255, (code >> 8) & 255, code & 255


def label_components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """4-connected component labels of a boolean mask (``scipy.ndimage.label``).

    Returns:
        ``(labels, n)`` with labels 1..n (in raster order) and 0 for background.
    """
    labels, count = ndimage.label(mask)
    return labels.astype(np.int32), int(count)


def component_sizes(mask: np.ndarray, min_area: int = 40) -> list[int]:
    """Areas of 4-connected components of at least ``min_area`` pixels."""
    labels, n = label_components(mask)
    if n == 0:
        return []
    areas = np.bincount(labels.ravel())[1:]
    return [int(a) for a in areas if a >= min_area]


def principal_extents(mask: np.ndarray) -> tuple[float, float]:
    """Extent (in pixels) of a mask along its major and minor principal axes."""
    ys, xs = np.nonzero(mask)
    if len(xs) < 3:
        return 0.0, 0.0
    coords = np.stack([xs, ys]).astype(np.float64)
    coords -= coords.mean(axis=1, keepdims=True)
    _, vecs = np.linalg.eigh(np.cov(coords))
    extents = []
    for k in (1, 0):
        proj = vecs[:, k] @ coords
        extents.append(float(proj.max() - proj.min() + 1))
    return extents[0], extents[1]


# ----------------------------------------------------------------------------- colour


def classify_color(rgb: tuple[int, int, int]) -> str:
    """Name of a colour from HSV rules (independent of the generator's palette)."""
    h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in rgb))
    hue = h * 360
    if v < 0.2:
        return "black"
    if s < 0.15:
        return "white" if v > 0.88 else "gray"
    if 10 <= hue < 45 and v < 0.62:
        return "brown"
    if (hue >= 300 or hue < 12) and s < 0.6 and v > 0.75:
        return "pink"
    if 315 <= hue < 345:
        return "pink"
    if hue < 12 or hue >= 345:
        return "red"
    if hue < 42:
        return "orange"
    if hue < 70:
        return "yellow"
    if hue < 170:
        return "green"
    if hue < 255:
        return "blue"
    return "purple"


def image_color_name(rgb: np.ndarray) -> str:
    """Colour name of the dominant non-background colour of an image."""
    return classify_color(dominant_color(rgb, foreground(rgb, 40)))


def _check_color(item: SuiteItem, good: np.ndarray, bad: np.ndarray) -> tuple[bool, str, dict]:
    target = item.meta["target_color"]
    names = image_color_name(good), image_color_name(bad)
    ok = names[0] == target and names[1] != target
    return ok, f"target {target}: correct reads {names[0]}, distractor reads {names[1]}", {
        "correct": names[0], "distractor": names[1]}  # fmt: skip


# ----------------------------------------------------------------------------- counting


def count_objects(rgb: np.ndarray) -> int:
    """Number of separate (4-connected) foreground objects of at least 10 pixels (at 256 px)."""
    return len(component_sizes(foreground(rgb, 60), min_area=10))


def _check_counting(item: SuiteItem, good: np.ndarray, bad: np.ndarray) -> tuple[bool, str, dict]:
    task, n = item.meta["task"], int(item.meta["count"])
    a, b = count_objects(good), count_objects(bad)
    if task == "exact":
        ok = a == n and b != n
    elif task == "more":
        ok = a > b
    else:
        ok = a < b
    return ok, f"{task} {n}: correct has {a}, distractor has {b}", {"correct": a, "distractor": b}


# ----------------------------------------------------------------------------- time


def read_clock(rgb: np.ndarray) -> tuple[int, int]:
    """Read ``(hour, minute)`` from an analog clock image, to the nearest 5 minutes.

    The face is the most common foreground colour; hands are dark ink on it.
    The minute hand alone reaches the band 0.51-0.58 of the face radius; the
    hour hand is found in the band 0.2-0.36 once the minute hand is masked out.
    """
    fg = foreground(rgb, 40)
    face_color = np.array(dominant_color(rgb, fg))
    face = color_distance(rgb, face_color) < 30
    labels, _ = label_components(face)
    largest = int(np.argmax(np.bincount(labels.ravel())[1:])) + 1
    ys, xs = np.nonzero(labels == largest)
    cx, cy = (xs.min() + xs.max() + 1) / 2, (ys.min() + ys.max() + 1) / 2
    radius = (xs.max() - xs.min() + 1 + ys.max() - ys.min() + 1) / 4
    yy, xx = np.mgrid[0 : rgb.shape[0], 0 : rgb.shape[1]]
    dx, dy = xx + 0.5 - cx, yy + 0.5 - cy
    dist = np.hypot(dx, dy) / radius
    angle = np.degrees(np.arctan2(dx, -dy)) % 360
    ink = color_distance(rgb, face_color) > 150
    minute_angle = _peak_angle(angle[ink & (dist > 0.51) & (dist < 0.58)])
    ux, uy = math.sin(math.radians(minute_angle)), -math.cos(math.radians(minute_angle))
    along = dx * ux + dy * uy
    across = np.abs(dx * uy - dy * ux)
    near_minute = (along > 0) & (across < radius * 0.04 + 1.5)
    hour_ink = ink & (dist > 0.2) & (dist < 0.36) & ~near_minute
    hour_angle = _peak_angle(angle[hour_ink]) if hour_ink.sum() > 8 else minute_angle
    minute = round(minute_angle / 30) * 5 % 60  # clocks are read to the nearest 5 minutes
    hour = round((hour_angle - minute * 0.5) / 30) % 12
    return (hour or 12), minute


def _peak_angle(angles_deg: np.ndarray, window: float = 15.0) -> float:
    """Circular mean of the angles within ``window`` degrees of the densest direction."""
    if angles_deg.size == 0:
        return 0.0
    hist = np.bincount(angles_deg.astype(np.int64) % 360, minlength=360).astype(np.float64)
    smooth = np.convolve(np.concatenate([hist[-7:], hist, hist[:7]]), np.ones(15), "valid")
    peak = float(np.argmax(smooth))
    near = np.abs((angles_deg - peak + 180) % 360 - 180) <= window
    return _circular_mean(angles_deg[near])


def _circular_mean(angles_deg: np.ndarray) -> float:
    if angles_deg.size == 0:
        return 0.0
    a = np.radians(angles_deg)
    return float(np.degrees(np.arctan2(np.sin(a).mean(), np.cos(a).mean())) % 360)


#: Segment sample points (fraction of digit width, height) of a seven-segment digit.
_SEGMENT_POINTS = {
    "a": (0.5, 0.07), "b": (0.9, 0.28), "c": (0.9, 0.72), "d": (0.5, 0.93),
    "e": (0.1, 0.72), "f": (0.1, 0.28), "g": (0.5, 0.5),
}  # fmt: skip
_DIGITS_BY_SEGMENTS = {
    "abcdef": 0, "bc": 1, "abdeg": 2, "abcdg": 3, "bcfg": 4, "acdfg": 5, "acdefg": 6, "abc": 7,
    "abcdefg": 8, "abcdfg": 9,
}  # fmt: skip


def read_digital_clock(rgb: np.ndarray) -> tuple[int, int] | None:
    """Read ``(hour, minute)`` from a seven-segment display, or None if it cannot.

    The screen is the largest light, low-saturation region that does not touch
    the image border; digits are dark ink inside it, split into glyphs by empty
    columns. A glyph much narrower than tall is a "1" (or the colon, which has
    ink only in two short runs); others are read by sampling the seven segments.
    """
    lum = rgb.mean(axis=2)
    sat = rgb.max(axis=2) - rgb.min(axis=2)
    light = (lum > 150) & (sat < 60)
    labels, _ = label_components(light)
    best, best_area = 0, 0
    for k, area in enumerate(np.bincount(labels.ravel())[1:], start=1):
        if area <= best_area:
            continue
        ys, xs = np.nonzero(labels == k)
        h, w = labels.shape
        if xs.min() == 0 or ys.min() == 0 or xs.max() == w - 1 or ys.max() == h - 1:
            continue
        best, best_area = k, int(area)
    if best == 0:
        return None
    ys, xs = np.nonzero(labels == best)
    box = rgb[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    ink = box.mean(axis=2) < 90
    rows = np.flatnonzero(ink.sum(axis=1) > 0)
    if rows.size == 0:
        return None
    top, bottom = int(rows.min()), int(rows.max()) + 1
    height = bottom - top
    columns = ink[top:bottom].sum(axis=0) > 0
    edges = np.diff(np.concatenate([[0], columns.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    text = ""
    for x0, x1 in zip(starts.tolist(), stops.tolist(), strict=True):
        glyph = ink[top:bottom, x0:x1]
        glyph_rows = np.flatnonzero(glyph.any(axis=1))
        if x1 - x0 < 0.4 * height:
            spans_height = glyph_rows.size > 0.6 * height
            text += "1" if spans_height else ":"
            continue
        w = x1 - x0
        lit = ""
        for name, (fx, fy) in _SEGMENT_POINTS.items():
            cx, cy = int(fx * (w - 1)), int(fy * (height - 1))
            patch = glyph[max(0, cy - 1) : cy + 2, max(0, cx - 1) : cx + 2]
            if patch.mean() > 0.5:
                lit += name
        digit = _DIGITS_BY_SEGMENTS.get(lit)
        if digit is None:
            return None
        text += str(digit)
    if text.count(":") != 1:
        return None
    hours, minutes = text.split(":")
    if not hours or len(minutes) != 2:
        return None
    return int(hours), int(minutes)


def _check_time(item: SuiteItem, good: np.ndarray, bad: np.ndarray) -> tuple[bool, str, dict]:
    claim = (int(item.meta["hour"]), int(item.meta["minute"]))
    if item.meta.get("display") == "digital":
        a, b = read_digital_clock(good) or (0, 0), read_digital_clock(bad) or (0, 0)
    else:
        a, b = read_clock(good), read_clock(bad)
    ok = a == claim and b != claim
    fmt = "{}:{:02d}".format
    return ok, f"claim {fmt(*claim)}: correct reads {fmt(*a)}, distractor reads {fmt(*b)}", {
        "correct": fmt(*a), "distractor": fmt(*b)}  # fmt: skip


# ----------------------------------------------------------------------------- symmetry


def symmetry_iou(rgb: np.ndarray) -> float:
    """IoU of the figure and its mirror image about the drawn dark (dashed) line."""
    fg = foreground(rgb, 60)
    dark = rgb.max(axis=2) < 90
    ys, xs = np.nonzero(dark)
    if len(xs) < 20:
        return 0.0
    coords = np.stack([xs + 0.5, ys + 0.5]).astype(np.float64)
    center = coords.mean(axis=1)
    _, vecs = np.linalg.eigh(np.cov(coords))
    direction = vecs[:, 1]
    figure = fg & (rgb.max(axis=2) >= 90)
    mirrored = reflect_mask(figure, (center[0], center[1]), (direction[0], direction[1]))
    return mask_iou(figure, mirrored)


def _check_symmetry(item: SuiteItem, good: np.ndarray, bad: np.ndarray) -> tuple[bool, str, dict]:
    a, b = symmetry_iou(good), symmetry_iou(bad)
    ok = a >= 0.9 and b <= 0.8
    return ok, f"mirror IoU: correct {a:.3f}, distractor {b:.3f}", {"correct": a, "distractor": b}


# ----------------------------------------------------------------------------- shape


def shape_features(mask: np.ndarray) -> dict[str, float]:
    """Geometric features of a single filled figure.

    Returns:
        ``solidity`` (area / convex hull area), ``aspect`` (principal extents
        ratio), ``fill`` (area / principal-axes box), ``corners`` (number of
        pronounced maxima of the radial distance profile), ``roundness``
        (std / mean of the radial profile).
    """
    ys, xs = np.nonzero(mask)
    area = float(len(xs))
    cx, cy = xs.mean() + 0.5, ys.mean() + 0.5
    major, minor = principal_extents(mask)
    interior = mask.copy()
    interior[1:-1, 1:-1] = (
        mask[1:-1, 1:-1] & mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2] & mask[1:-1, 2:]
    )
    by, bx = np.nonzero(mask & ~interior)
    hull_area = _convex_hull_area(np.stack([bx + 0.5, by + 0.5], axis=1))
    bins = 360
    angle = (np.degrees(np.arctan2(bx + 0.5 - cx, -(by + 0.5 - cy))) % 360).astype(int) % bins
    dist = np.hypot(bx + 0.5 - cx, by + 0.5 - cy)
    profile = np.zeros(bins)
    np.maximum.at(profile, angle, dist)
    filled = profile > 0
    idx = np.arange(bins)
    profile = np.interp(idx, idx[filled], profile[filled], period=bins)
    kernel = np.ones(7) / 7
    smooth = np.convolve(np.concatenate([profile[-3:], profile, profile[:3]]), kernel, "valid")
    corners = _count_peaks(smooth / smooth.max(), prominence=0.035)
    return {
        "solidity": area / hull_area if hull_area else 0.0,
        "aspect": major / minor if minor else 0.0,
        "fill": area / (major * minor) if major * minor else 0.0,
        "corners": float(corners),
        "roundness": float(profile.std() / profile.mean()),
    }


def _convex_hull_area(points: np.ndarray) -> float:
    """Area of the points' convex hull (0 for fewer than three, or collinear, points)."""
    if len(np.unique(points, axis=0)) < 3:
        return 0.0
    try:
        return float(ConvexHull(points).volume)  # a 2-D hull's "volume" is its area
    except QhullError:
        return 0.0


def _count_peaks(values: np.ndarray, prominence: float) -> int:
    """Circular local maxima that rise ``prominence`` above the minima on both sides."""
    start = int(np.argmin(values))
    v = np.roll(values, -start)
    peaks = 0
    low = v[0]
    high = v[0]
    rising = True
    for x in [*v[1:].tolist(), v[0]]:
        if rising:
            if x > high:
                high = x
            elif high - x >= prominence and high - low >= prominence:
                peaks += 1
                rising = False
                low = x
        else:
            if x < low:
                low = x
            elif x - low >= prominence:
                rising = True
                high = x
    return peaks


def classify_shape(mask: np.ndarray) -> str:
    """Name of the shape of a filled figure mask (see ``shape_features``)."""
    f = shape_features(mask)
    corners, aspect = int(f["corners"]), f["aspect"]
    if f["solidity"] < 0.65:
        return "star"
    if f["solidity"] < 0.85:
        return "cross" if aspect < 1.2 else "arrow"
    if f["solidity"] < 0.97:
        return "heart"
    if corners <= 1 or f["roundness"] < 0.02:
        return "circle"
    if corners == 2:
        return "oval"
    if corners == 3:
        return "triangle"
    if corners == 4:
        if aspect < 1.15:
            return "square"
        return "rectangle" if f["fill"] > 0.85 else "diamond"
    if corners == 5:
        return "pentagon"
    if corners == 6:
        return "hexagon"
    return f"{corners}-gon"


def _figure_mask(rgb: np.ndarray) -> np.ndarray:
    labels, n = label_components(foreground(rgb, 60))
    if n == 0:
        return np.zeros(rgb.shape[:2], dtype=bool)
    largest = int(np.argmax(np.bincount(labels.ravel())[1:])) + 1
    return labels == largest


def _check_shape(item: SuiteItem, good: np.ndarray, bad: np.ndarray) -> tuple[bool, str, dict]:
    target = item.meta["target_shape"]
    a, b = classify_shape(_figure_mask(good)), classify_shape(_figure_mask(bad))
    ok = a == target and b != target
    return ok, f"target {target}: correct reads {a}, distractor reads {b}", {
        "correct": a, "distractor": b}  # fmt: skip


# ----------------------------------------------------------------------------- attribute


def _erode(mask: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` 4-neighbour erosions; pixels outside the image count as background."""
    if steps < 1:  # scipy reads iterations < 1 as "until nothing changes"
        return mask.copy()
    return ndimage.binary_erosion(mask, iterations=steps, border_value=0)


def classify_pattern(rgb: np.ndarray) -> str:
    """``"plain"``, ``"striped"``, ``"dotted"`` or ``"checkered"`` for a single patterned figure."""
    interior = _erode(_figure_mask(rgb), 4)
    if interior.sum() == 0:
        return "plain"
    base = np.array(dominant_color(rgb, interior))
    far = interior & (color_distance(rgb, base) > 120)
    if far.sum() / interior.sum() < 0.05:  # a flag pole may leave a sliver; patterns cover >15%
        return "plain"
    # The pattern colour is the commonest "far" colour (outlines are rarer and differ).
    second = interior & (color_distance(rgb, np.array(dominant_color(rgb, far))) < 60)
    coverage = second.sum() / interior.sum()
    labels, n = label_components(second)
    elongations = []
    for k in range(1, n + 1):
        component = labels == k
        if component.sum() < 8:
            continue
        major, minor = principal_extents(component)
        elongations.append(major / max(minor, 1.0))
    if not elongations:
        return "plain"
    if float(np.median(elongations)) > 2.5:
        return "striped"
    return "dotted" if coverage < 0.35 else "checkered"


def _check_attribute(item: SuiteItem, good: np.ndarray, bad: np.ndarray) -> tuple[bool, str, dict]:
    attribute = item.meta["attribute"]
    if attribute == "pattern":
        target = item.meta["pattern"]
        a, b = classify_pattern(good), classify_pattern(bad)
        ok = a == target and b != target
        return ok, f"pattern {target}: correct reads {a}, distractor reads {b}", {
            "correct": a, "distractor": b}  # fmt: skip
    measure: Callable[[np.ndarray], float] = {
        "size": lambda m: float(m.sum()),
        "length": lambda m: principal_extents(m)[0],
        "height": lambda m: float(np.ptp(np.flatnonzero(m.any(axis=1))) + 1) if m.any() else 0.0,
        "thickness": lambda m: principal_extents(m)[1],
    }[attribute]
    a, b = measure(foreground(good, 40)), measure(foreground(bad, 40))
    larger = item.meta["adjective"] in ("bigger", "longer", "taller", "thicker")
    ok = a > b * 1.08 if larger else b > a * 1.08
    return ok, f"{item.meta['adjective']} {attribute}: correct {a:.1f}, distractor {b:.1f}", {
        "correct": a, "distractor": b}  # fmt: skip


# ----------------------------------------------------------------------------- entry points

_CHECKS: dict[str, Callable[[SuiteItem, np.ndarray, np.ndarray], tuple[bool, str, dict]]] = {
    "Color": _check_color,
    "Shape": _check_shape,
    "Symmetry": _check_symmetry,
    "Counting": _check_counting,
    "Time": _check_time,
    "Attribute": _check_attribute,
}


def check_item(suite: Suite, item: SuiteItem) -> CheckResult | None:
    """Pixel-check one item; None when its category has no pixel check.

    Args:
        suite: The suite the item belongs to (for image paths).
        item: The item; only the claim in its ``meta`` is used.

    Returns:
        The result, or None for unchecked categories or items without the claim.

    Raises:
        ImageFileError: an option image cannot be read (names the file and the item).
    """
    check = _CHECKS.get(item.category)
    if check is None:
        return None
    try:
        good = load_rgb(suite.image_path(item.options[item.answer]))
        bad = load_rgb(suite.image_path(item.options[1 - item.answer]))
    except ImageFileError as exc:
        raise ImageFileError(exc.path, f"item {item.id!r}: {exc.reason}") from None
    try:
        passed, detail, values = check(item, good, bad)
    except KeyError as exc:  # item without the claim this check needs (not generated here)
        return CheckResult(item.id, item.category, False, f"missing claim {exc}")
    return CheckResult(item.id, item.category, passed, detail, values)


def check_sample(suite: Suite, n_per_category: int = 10, seed: int = 0) -> list[CheckResult]:
    """Pixel-check a random sample of up to ``n_per_category`` items of each checked category.

    Returns:
        Results in suite order.
    """
    rng = np.random.default_rng(seed)
    by_category: dict[str, list[int]] = {}
    for index, item in enumerate(suite.items):
        if item.category in _CHECKS:
            by_category.setdefault(item.category, []).append(index)
    chosen: list[int] = []
    for indices in by_category.values():
        take = min(n_per_category, len(indices))
        chosen.extend(int(i) for i in rng.choice(indices, size=take, replace=False))
    results = [check_item(suite, suite.items[i]) for i in sorted(chosen)]
    return [r for r in results if r is not None]


def agreement(results: list[CheckResult]) -> dict[str, tuple[int, int]]:
    """``{category: (passed, total)}`` over check results."""
    counts: dict[str, list[int]] = {}
    for result in results:
        entry = counts.setdefault(result.category, [0, 0])
        entry[0] += int(result.passed)
        entry[1] += 1
    return {category: (p, t) for category, (p, t) in counts.items()}


__all__ = [
    "CHECKED_CATEGORIES",
    "CheckResult",
    "agreement",
    "check_item",
    "check_sample",
    "classify_color",
    "classify_pattern",
    "classify_shape",
    "count_objects",
    "read_clock",
    "read_digital_clock",
    "shape_features",
    "symmetry_iou",
]
