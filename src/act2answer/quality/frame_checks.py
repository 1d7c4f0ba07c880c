"""Checks measured on simulator frames at policy resolution (224 px), both layouts.

A policy never sees the 512 px option images: it sees the two tiles in a
rendered frame, ~50 px wide, the far tile foreshortened. These checks render
frames with the simulator configuration you give them (the default camera
unless told otherwise) and measure there, so they stay right when the camera
or scene changes.

Nothing is hard-coded about the camera. :func:`calibrate` finds where each
tile lies in the frame by rendering it once with a four-colour calibration
image and once plain (the difference is the tile, minus anything in front of
it), keeps only the tile's top face (lit evenly in an all-white render; the
side faces also show a sliver of the image, shaded darker, and would count as
figure ink), and reads the image's right and down directions from the colour
quadrants. :func:`apparent_pair` then renders black-on-white masks of two
option images in both layouts and measures each figure in frame pixels.

Typical use::

    env = make_env(SimConfig())
    calibration = calibrate(env, seed=0)
    print(calibration.foreshortening)     # far/near width and height ratios
    ratios = apparent_pair(env, calibration, correct_mask, wrong_mask, "height")
    env.close()
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from act2answer.sim import SimBackend

#: Frame side used by the checks (policy resolution).
FRAME_PX = 224
#: Quadrant colours of the calibration image: top-left, top-right, bottom-left, bottom-right.
_QUADRANTS = ((255, 0, 0), (0, 200, 0), (0, 0, 255), (255, 220, 0))
_GREY = (128, 128, 128)
#: A pixel belongs to a tile's top face if an all-white tile renders at least this
#: fraction as bright there as the tile's brightest pixels (side faces: 0.6-0.9).
_TOP_FACE_LEVEL = 0.93


@dataclass(frozen=True)
class TileFrame:
    """Where one tile's image lies in the frame.

    Attributes:
        mask: ``(H, W)`` bool, frame pixels that show this tile's image (occluded parts excluded).
        right: Frame-pixel vector from the image's left half to its right half centre.
        down: Frame-pixel vector from the image's top half to its bottom half centre.
    """

    mask: np.ndarray
    right: np.ndarray
    down: np.ndarray

    @property
    def width_px(self) -> float:
        """Apparent width of the whole image in frame pixels."""
        return float(np.hypot(*self.right) * 2)

    @property
    def height_px(self) -> float:
        """Apparent height of the whole image in frame pixels."""
        return float(np.hypot(*self.down) * 2)


@dataclass(frozen=True)
class Calibration:
    """Both tiles in the frame of one episode seed."""

    seed: int
    size: int
    left: TileFrame
    right: TileFrame

    @property
    def foreshortening(self) -> dict[str, float]:
        """Smaller/larger apparent width and height of the two tiles (1.0 = no perspective)."""
        w = sorted((self.left.width_px, self.right.width_px))
        h = sorted((self.left.height_px, self.right.height_px))
        return {
            "width_ratio": w[0] / w[1],
            "height_ratio": h[0] / h[1],
            "left_width_px": self.left.width_px,
            "right_width_px": self.right.width_px,
            "left_height_px": self.left.height_px,
            "right_height_px": self.right.height_px,
        }


def _render(
    env: SimBackend, left: np.ndarray, right: np.ndarray, seed: int, size: int
) -> np.ndarray:
    env.set_tiles(left, right)
    env.reset(seed=seed)
    return np.asarray(env.render(width=size, height=size), dtype=np.int16)


def calibration_image(side: int = 256) -> np.ndarray:
    """Four flat colour quadrants (red, green / blue, yellow)."""
    image = np.zeros((side, side, 3), dtype=np.uint8)
    half = side // 2
    for k, color in enumerate(_QUADRANTS):
        r, c = divmod(k, 2)
        image[r * half : (r + 1) * half, c * half : (c + 1) * half] = color
    return image


def calibrate(env: SimBackend, seed: int = 0, size: int = FRAME_PX) -> Calibration:
    """Locate both tiles in the ``size`` x ``size`` frame of episode ``seed``."""
    grey = np.full((256, 256, 3), _GREY, dtype=np.uint8)
    calib = calibration_image()
    white = np.full((256, 256, 3), 255, dtype=np.uint8)
    base = _render(env, grey, grey, seed, size)
    white_lum = _render(env, white, white, seed, size).mean(axis=2)
    tiles = []
    for left, right in ((calib, grey), (grey, calib)):
        frame = _render(env, left, right, seed, size)
        changed = np.abs(frame - base).sum(axis=2) > 60
        if changed.any():
            changed &= white_lum >= _TOP_FACE_LEVEL * np.percentile(white_lum[changed], 95)
        # Classify each changed pixel by its nearest quadrant hue (lighting scales brightness).
        chroma = frame / np.maximum(frame.max(axis=2, keepdims=True), 1)
        refs = np.array(_QUADRANTS, dtype=np.float64)
        refs /= refs.max(axis=1, keepdims=True)
        nearest = np.argmin(np.abs(chroma[:, :, None, :] - refs).sum(axis=3), axis=2)
        points = []
        for k in range(4):
            ys, xs = np.nonzero(changed & (nearest == k))
            points.append(np.array([xs.mean(), ys.mean()]) if len(xs) else np.full(2, np.nan))
        tl, tr, bl, br = points
        right_vec = ((tr + br) - (tl + bl)) / 2
        down_vec = ((bl + br) - (tl + tr)) / 2
        tiles.append(TileFrame(mask=changed, right=right_vec, down=down_vec))
    return Calibration(seed=seed, size=size, left=tiles[0], right=tiles[1])


def mask_image(mask: np.ndarray) -> np.ndarray:
    """A black-figure-on-white RGB image of a boolean mask (for clean segmentation)."""
    return np.where(mask[..., None], 0, 255).astype(np.uint8).repeat(3, axis=2)


def figure_in_frame(frame: np.ndarray, tile: TileFrame) -> np.ndarray:
    """Dark (figure) pixels of a rendered black-on-white mask image inside one tile."""
    lum = frame.mean(axis=2)
    inside = tile.mask
    if not inside.any():
        return np.zeros_like(inside)
    white = np.percentile(lum[inside], 95)
    return inside & (lum < white * 0.55)


def _extent(points: np.ndarray, direction: np.ndarray) -> float:
    if len(points) == 0:
        return 0.0
    unit = direction / np.hypot(*direction)
    proj = points @ unit
    return float(proj.max() - proj.min() + 1)


def _principal(points: np.ndarray) -> tuple[float, float]:
    if len(points) < 3:
        return 0.0, 0.0
    centred = points - points.mean(axis=0)
    _, vecs = np.linalg.eigh(np.cov(centred.T))
    return _extent(centred, vecs[:, 1]), _extent(centred, vecs[:, 0])


#: How each attribute is measured on a figure's frame pixels.
MEASURES: dict[str, Callable[[np.ndarray, TileFrame], float]] = {
    "size": lambda pts, tile: float(len(pts)),
    "length": lambda pts, tile: _principal(pts)[0],
    "height": lambda pts, tile: _extent(pts, tile.down),
    "thickness": lambda pts, tile: _principal(pts)[1],
    "aspect": lambda pts, tile: _principal(pts)[0] / max(_principal(pts)[1], 1.0),
}


def apparent_pair(
    env: SimBackend,
    calibration: Calibration,
    first: np.ndarray,
    second: np.ndarray,
    attribute: str,
) -> tuple[float, float]:
    """Apparent ``first / second`` ratio of ``attribute`` in each layout.

    Args:
        env: The simulator (already used for ``calibration``).
        calibration: From :func:`calibrate` with the same seed.
        first: Boolean figure mask of one option (any size).
        second: Boolean figure mask of the other option.
        attribute: ``size``, ``length``, ``height``, ``thickness`` or ``aspect``
            (elongation: major / minor principal extent).

    Returns:
        ``(ratio with first on the left, ratio with first on the right)``.
    """
    measure = MEASURES[attribute]
    a, b = mask_image(first), mask_image(second)
    ratios = []
    for left, right, first_tile in ((a, b, "left"), (b, a, "right")):
        frame = _render(env, left, right, calibration.seed, calibration.size)
        values = {}
        for name in ("left", "right"):
            tile = getattr(calibration, name)
            ys, xs = np.nonzero(figure_in_frame(frame, tile))
            values[name] = measure(np.stack([xs, ys], axis=1).astype(np.float64), tile)
        other = "right" if first_tile == "left" else "left"
        ratios.append(values[first_tile] / max(values[other], 1e-9))
    return ratios[0], ratios[1]


def dark_pixels_in_tiles(
    env: SimBackend, calibration: Calibration, left: np.ndarray, right: np.ndarray, level: int = 70
) -> tuple[int, int]:
    """Pixels darker than ``level`` (mean RGB) inside each tile of a rendered frame."""
    frame = _render(env, left, right, calibration.seed, calibration.size)
    dark = frame.mean(axis=2) < level
    return int((dark & calibration.left.mask).sum()), int((dark & calibration.right.mask).sum())


# ----------------------------------------------------------------------------- legibility
#
# Issue #23: what carries the answer must be big enough on the *far* tile of a
# 224 px frame, the smallest view a policy gets. Each category names the feature
# that carries its answer and the smallest size it may have there, in frame pixels.
# Sizes are measured on the 512 px option image (from the item's meta or its
# pixels) and multiplied by the frame scale that :func:`calibrate` finds for the
# scene you render, so the check follows the camera and the tile size of whatever
# ``SimConfig`` you pass (a per-category tile size included).

#: Smallest size, in pixels of a 224 px frame on the far tile (worst direction), of the
#: feature that carries each category's answer. See docs/guides/suite-legibility.md.
LEGIBILITY_MINIMUMS: dict[str, dict[str, float]] = {
    "Color": {"figure": 9.0},
    "Shape": {"figure": 8.0},
    "Symmetry": {"figure": 13.0, "line_width": 1.3, "asymmetry": 2.0},
    "Counting": {"object": 3.0, "gap": 0.8},
    "Time": {"hand_width": 1.2, "minute_hand": 8.5, "digit_stroke": 1.2},
    "Attribute": {"figure": 3.5},
    "State": {"figure": 13.0},
    "Emotion": {"figure": 17.0},
    "Traffic": {"figure": 17.0},
    "Public Info": {"figure": 17.0},
    "Living World": {"figure": 14.0},
}


#: The two options of an item must differ in at least this many frame pixels of each
#: tile (:func:`option_difference_px`); the fewest measured today is ~40 (Time).
MIN_OPTION_DIFFERENCE_PX = 30


@dataclass(frozen=True)
class FeatureSize:
    """One answer-carrying feature of an item, on the far tile.

    Attributes:
        name: Feature (``minute_hand``, ``object``, ``line_width``...).
        image_px: Its size in the 512 px option image.
        frame_px: Its size in the frame (``image_px`` x the far tile's worst scale).
        minimum: The category's minimum (:data:`LEGIBILITY_MINIMUMS`).
    """

    name: str
    image_px: float
    frame_px: float
    minimum: float

    @property
    def ok(self) -> bool:
        """True when the feature is at least the minimum size."""
        return self.frame_px >= self.minimum


def far_tile_scale(calibration: Calibration, image_px: int = 512) -> float:
    """Frame pixels per option-image pixel on the smaller tile, in its worst direction.

    The tile's image axes map to the frame vectors ``right`` and ``down`` (half an
    image each); the smallest singular value of that map is the scale of the most
    foreshortened direction (the far tile is sheared, so it is not an image axis).
    """
    scales = []
    for tile in (calibration.left, calibration.right):
        jacobian = np.stack([tile.right, tile.down], axis=1) / (image_px / 2)
        scales.append(float(np.linalg.svd(jacobian, compute_uv=False).min()))
    return min(scales)


def _figure_mask(image: np.ndarray) -> np.ndarray:
    from act2answer.quality.pixel_checks import foreground

    return foreground(np.asarray(image, dtype=np.int16), 40)


def _min_bbox_side(mask: np.ndarray) -> float:
    if not mask.any():
        return 0.0
    ys, xs = np.nonzero(mask)
    return float(min(xs.max() - xs.min() + 1, ys.max() - ys.min() + 1))


def _max_bbox_side(mask: np.ndarray) -> float:
    if not mask.any():
        return 0.0
    ys, xs = np.nonzero(mask)
    return float(max(xs.max() - xs.min() + 1, ys.max() - ys.min() + 1))


#: Categories whose options are drawn icons (a deflated balloon is meant to be small):
#: their "figure" is the icon's larger bounding-box side; elsewhere the smaller one.
ICON_CATEGORIES = ("State", "Emotion", "Traffic", "Public Info", "Living World")


def feature_sizes(category: str, item: Any) -> dict[str, float]:
    """Sizes, in option-image pixels, of what carries the answer of a generated item.

    Args:
        category: Category name (a key of :data:`LEGIBILITY_MINIMUMS`).
        item: A :class:`~act2answer.synth.GeneratedItem` of that category.

    Returns:
        Feature name -> size (the smaller of the two options where both have it).
    """
    from scipy import ndimage

    meta = item.meta
    options = (np.asarray(item.correct), np.asarray(item.distractor))
    if category == "Time":
        if meta["display"] == "digital":
            from act2answer.synth.categories.time import SEGMENT

            return {"digit_stroke": SEGMENT}
        from act2answer.synth.categories.time import HOUR_WIDTH, MINUTE_HAND, MINUTE_WIDTH

        style = meta["style"]
        inner = float(style["radius"]) * 0.92  # inside the rim (time.draw_clock)
        return {
            "hand_width": inner * min(MINUTE_WIDTH, HOUR_WIDTH),
            "minute_hand": inner * MINUTE_HAND,
        }
    if category == "Counting":
        sizes, gaps = [], []
        for image in options:
            mask = _figure_mask(image)
            labels, count = ndimage.label(mask)
            areas = ndimage.sum_labels(mask, labels, index=np.arange(1, count + 1))
            objects = areas[areas >= 0.25 * np.median(areas)]  # apple leaves are not objects
            sizes.append(float(2 * np.sqrt(objects.min() / np.pi)))
            # Nearest distance between two objects: the background between them.
            if count > 1:
                gap = min(
                    float(ndimage.distance_transform_edt(labels != k)[labels > 0][
                        labels[labels > 0] != k].min())
                    for k in range(1, count + 1)
                )  # fmt: skip
                gaps.append(gap)
        return {"object": min(sizes), **({"gap": min(gaps)} if gaps else {})}
    if category == "Symmetry":
        from act2answer.synth._draw import reflect_mask
        from act2answer.synth.categories.symmetry import LINE_WIDTH, asymmetry_depth

        figure = min(_min_bbox_side(_figure_mask(image)) for image in options)
        wrong = _figure_mask(options[1]) & (options[1].max(axis=2) > 60)  # not the line
        mirrored = reflect_mask(
            wrong, tuple(meta["distractor_line_point"]), tuple(meta["distractor_line_direction"])
        )
        # The thickest part that is not mirrored: twice its largest inscribed radius.
        depth = asymmetry_depth(wrong, mirrored)
        return {"figure": figure, "line_width": LINE_WIDTH, "asymmetry": depth}
    if category in ICON_CATEGORIES:  # a drawn icon: its overall size (the larger side)
        return {"figure": min(_max_bbox_side(_figure_mask(image)) for image in options)}
    return {"figure": min(_min_bbox_side(_figure_mask(image)) for image in options)}


def legibility(category: str, item: Any, calibration: Calibration) -> list[FeatureSize]:
    """Each answer-carrying feature of ``item`` on the far tile, against its minimum."""
    scale = far_tile_scale(calibration, image_px=np.asarray(item.correct).shape[1])
    minimums = LEGIBILITY_MINIMUMS[category]
    return [
        FeatureSize(name, size, size * scale, minimums[name])
        for name, size in feature_sizes(category, item).items()
        if name in minimums
    ]


def option_difference_px(
    env: SimBackend,
    calibration: Calibration,
    first: np.ndarray,
    second: np.ndarray,
    level: int = 40,
) -> tuple[int, int]:
    """Frame pixels of each tile that change when the two options swap places.

    Renders ``first`` left / ``second`` right and the swap; the left tile's pixels
    that differ by more than ``level`` (sum over RGB) are where the two options
    look different as that tile shows them, likewise the right tile. A pair whose
    difference survives only at 512 px gives (almost) 0 here.

    Returns:
        ``(left tile pixels, right tile pixels)``.
    """
    a = _render(env, first, second, calibration.seed, calibration.size)
    b = _render(env, second, first, calibration.seed, calibration.size)
    changed = np.abs(a - b).sum(axis=2) > level
    return int((changed & calibration.left.mask).sum()), int(
        (changed & calibration.right.mask).sum()
    )
