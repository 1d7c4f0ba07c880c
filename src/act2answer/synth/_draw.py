"""Shared drawing helpers for procedural option images.

Everything here is deterministic (no hidden randomness: pass an ``rng``) and
draws with Pillow on a supersampled canvas that is box-filtered down to the
final size, which gives clean antialiased edges without extra dependencies.

Design rule for every category: the tile is seen 60-100 px wide by the
policy, so draw big, bold, high-contrast figures on light backgrounds with
few fine details.

Typical use::

    canvas = Canvas(bg=(255, 255, 255))
    canvas.polygon(shape_points("star", 256, 256, 180), fill=(220, 30, 30), outline=(0, 0, 0))
    canvas.text((256, 460), "12", size=48)
    image = canvas.finish()          # 512 x 512 RGB
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from act2answer.synth._base import IMAGE_SIZE

RGB = tuple[int, int, int]
Point = tuple[float, float]

#: Supersampling factor used by :class:`Canvas` (drawn at 3x, box-filtered down).
SUPERSAMPLE = 3

#: Light, neutral-ish backgrounds that keep figures high-contrast.
LIGHT_BACKGROUNDS: tuple[RGB, ...] = (
    (255, 255, 255),
    (248, 246, 240),
    (242, 246, 250),
    (246, 250, 244),
)

#: Named colours with several shades each. Every shade is chosen to be
#: unambiguous for its name (see ``act2answer.quality.pixel_checks.classify_color``).
NAMED_COLORS: dict[str, tuple[RGB, ...]] = {
    "red": ((220, 30, 30), (200, 20, 40), (235, 50, 40), (185, 20, 25)),
    "orange": ((255, 140, 0), (245, 120, 20), (255, 155, 40), (235, 115, 10)),
    "yellow": ((255, 220, 0), (250, 205, 20), (255, 232, 60), (240, 200, 0)),
    "green": ((30, 160, 60), (60, 180, 50), (20, 130, 70), (95, 185, 40)),
    "blue": ((30, 90, 220), (20, 60, 180), (50, 130, 230), (10, 100, 200)),
    "purple": ((130, 50, 180), (110, 40, 160), (150, 70, 200), (100, 30, 140)),
    "pink": ((255, 130, 180), (250, 150, 200), (240, 110, 170), (255, 170, 210)),
    "brown": ((140, 80, 30), (120, 70, 40), (145, 90, 50), (110, 60, 20)),
    "black": ((20, 20, 20), (35, 35, 40), (10, 10, 10), (40, 30, 30)),
    "white": ((255, 255, 255), (250, 250, 245), (245, 248, 255)),
    "gray": ((128, 128, 128), (150, 150, 150), (100, 100, 105), (170, 170, 170)),
}

#: Bold, saturated fills for figures whose colour is not the point.
FIGURE_COLORS: tuple[RGB, ...] = (
    (220, 40, 40),
    (30, 100, 220),
    (30, 150, 70),
    (240, 150, 0),
    (130, 50, 180),
    (0, 150, 160),
    (220, 60, 140),
)


class Canvas:
    """A square image drawn at ``SUPERSAMPLE`` x resolution, in final-pixel coordinates.

    All coordinates and widths are given in final-image pixels (0..size);
    the canvas scales them. Call :meth:`finish` to get the antialiased image.

    Args:
        bg: Background colour.
        size: Final side length in pixels (default ``IMAGE_SIZE``).
        ss: Supersampling factor.
    """

    def __init__(self, bg: RGB = (255, 255, 255), size: int = IMAGE_SIZE, ss: int = SUPERSAMPLE):
        self.size = size
        self.ss = ss
        self.image = Image.new("RGB", (size * ss, size * ss), bg)
        self.draw = ImageDraw.Draw(self.image)

    def _pts(self, points: Sequence[Point]) -> list[tuple[float, float]]:
        s = self.ss
        return [(x * s, y * s) for x, y in points]

    def polygon(
        self,
        points: Sequence[Point],
        fill: RGB | None = None,
        outline: RGB | None = None,
        width: float = 0,
    ) -> None:
        """Fill a polygon and optionally stroke its closed outline with round joins."""
        pts = self._pts(points)
        if fill is not None:
            self.draw.polygon(pts, fill=fill)
        if outline is not None and width > 0:
            self.polyline([*points, points[0]], outline, width)

    def polyline(self, points: Sequence[Point], fill: RGB, width: float) -> None:
        """Stroke an open polyline with round caps and joins."""
        pts = self._pts(points)
        w = max(1, round(width * self.ss))
        self.draw.line(pts, fill=fill, width=w, joint="curve")
        for x, y in pts:
            self.draw.ellipse((x - w / 2, y - w / 2, x + w / 2, y + w / 2), fill=fill)

    def circle(
        self,
        center: Point,
        radius: float,
        fill: RGB | None = None,
        outline: RGB | None = None,
        width: float = 0,
    ) -> None:
        """Draw a filled and/or outlined circle."""
        self.ellipse(center, radius, radius, fill=fill, outline=outline, width=width)

    def ellipse(
        self,
        center: Point,
        rx: float,
        ry: float,
        fill: RGB | None = None,
        outline: RGB | None = None,
        width: float = 0,
    ) -> None:
        """Draw an axis-aligned ellipse (outline drawn inside the radius)."""
        s = self.ss
        cx, cy = center
        box = ((cx - rx) * s, (cy - ry) * s, (cx + rx) * s, (cy + ry) * s)
        w = round(width * s) if outline is not None and width > 0 else 0
        self.draw.ellipse(box, fill=fill, outline=outline, width=w)

    def line(self, p0: Point, p1: Point, fill: RGB, width: float, round_caps: bool = True) -> None:
        """Draw a straight segment, by default with round caps."""
        if round_caps:
            self.polyline([p0, p1], fill, width)
        else:
            self.draw.line(self._pts([p0, p1]), fill=fill, width=max(1, round(width * self.ss)))

    def dashed_line(
        self, p0: Point, p1: Point, fill: RGB, width: float, dash: float = 22, gap: float = 14
    ) -> None:
        """Draw a dashed segment from ``p0`` to ``p1`` (dash/gap in final pixels)."""
        (x0, y0), (x1, y1) = p0, p1
        length = math.hypot(x1 - x0, y1 - y0)
        if length == 0:
            return
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        t = 0.0
        while t < length:
            t1 = min(t + dash, length)
            self.line((x0 + ux * t, y0 + uy * t), (x0 + ux * t1, y0 + uy * t1), fill, width, False)
            t = t1 + gap

    def rectangle(
        self,
        box: tuple[float, float, float, float],
        fill: RGB | None = None,
        outline: RGB | None = None,
        width: float = 0,
    ) -> None:
        """Draw an axis-aligned rectangle ``(x0, y0, x1, y1)``."""
        s = self.ss
        w = round(width * s) if outline is not None and width > 0 else 0
        self.draw.rectangle(tuple(v * s for v in box), fill=fill, outline=outline, width=w)

    def text(
        self,
        center: Point,
        text: str,
        size: float,
        fill: RGB = (0, 0, 0),
        bold: bool = True,
    ) -> None:
        """Draw text centred on ``center``, ``size`` = font size in final pixels."""
        s = self.ss
        font = get_font(round(size * s))
        stroke = round(size * s * 0.06) if bold else 0
        self.draw.text(
            (center[0] * s, center[1] * s),
            text,
            fill=fill,
            font=font,
            anchor="mm",
            stroke_width=stroke,
            stroke_fill=fill,
        )

    def paste_mask(self, mask: Image.Image, fill: RGB) -> None:
        """Fill ``fill`` wherever ``mask`` (mode "L", supersampled size) is non-zero."""
        self.image.paste(fill, (0, 0), mask)

    def finish(self) -> Image.Image:
        """Return the antialiased ``size`` x ``size`` RGB image."""
        if self.ss == 1:
            return self.image.copy()
        return self.image.reduce(self.ss)


@lru_cache(maxsize=64)
def get_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled TrueType font at ``size`` pixels.

    The bundled font (not a system font) keeps images byte-identical across
    machines that have the same Pillow version.
    """
    return ImageFont.load_default(size=size)


# ----------------------------------------------------------------------------- geometry


def rotate_points(points: Sequence[Point], center: Point, angle_deg: float) -> list[Point]:
    """Rotate points about ``center`` by ``angle_deg`` (counter-clockwise on screen)."""
    a = math.radians(angle_deg)
    ca, sa = math.cos(a), math.sin(a)
    cx, cy = center
    out = []
    for x, y in points:
        dx, dy = x - cx, y - cy
        out.append((cx + dx * ca + dy * sa, cy - dx * sa + dy * ca))
    return out


def regular_polygon(cx: float, cy: float, r: float, n: int, rotation: float = 0.0) -> list[Point]:
    """Vertices of a regular ``n``-gon of circumradius ``r``; vertex 0 points up at rotation 0."""
    return [
        (
            cx + r * math.sin(math.radians(rotation) + 2 * math.pi * k / n),
            cy - r * math.cos(math.radians(rotation) + 2 * math.pi * k / n),
        )
        for k in range(n)
    ]


def star_points(
    cx: float, cy: float, r_out: float, r_in: float, n: int = 5, rotation: float = 0.0
) -> list[Point]:
    """Vertices of an ``n``-pointed star (alternating outer and inner radius)."""
    pts = []
    for k in range(2 * n):
        r = r_out if k % 2 == 0 else r_in
        a = math.radians(rotation) + math.pi * k / n
        pts.append((cx + r * math.sin(a), cy - r * math.cos(a)))
    return pts


def ellipse_points(cx: float, cy: float, rx: float, ry: float, n: int = 96) -> list[Point]:
    """Polygon approximation of an axis-aligned ellipse."""
    return [
        (cx + rx * math.cos(2 * math.pi * k / n), cy + ry * math.sin(2 * math.pi * k / n))
        for k in range(n)
    ]


def heart_points(cx: float, cy: float, size: float, n: int = 120) -> list[Point]:
    """A heart of about ``size`` width, centred on ``(cx, cy)``, point down."""
    pts = []
    for k in range(n):
        t = 2 * math.pi * k / n
        x = 16 * math.sin(t) ** 3
        y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        pts.append((cx + x * size / 34, cy - (y + 2.5) * size / 34))
    return pts


def cross_points(cx: float, cy: float, size: float, arm: float = 0.34) -> list[Point]:
    """A plus-shaped cross of overall width ``size``; ``arm`` = arm width / size."""
    h = size / 2
    a = size * arm / 2
    return [
        (cx - a, cy - h), (cx + a, cy - h), (cx + a, cy - a), (cx + h, cy - a),
        (cx + h, cy + a), (cx + a, cy + a), (cx + a, cy + h), (cx - a, cy + h),
        (cx - a, cy + a), (cx - h, cy + a), (cx - h, cy - a), (cx - a, cy - a),
    ]  # fmt: skip


def arrow_points(cx: float, cy: float, size: float) -> list[Point]:
    """A right-pointing block arrow of overall length ``size``."""
    h = size / 2
    shaft = size * 0.17
    head_w = size * 0.36
    head_x = cx + size * 0.12
    return [
        (cx - h, cy - shaft), (head_x, cy - shaft), (head_x, cy - head_w), (cx + h, cy),
        (head_x, cy + head_w), (head_x, cy + shaft), (cx - h, cy + shaft),
    ]  # fmt: skip


#: Shape names understood by :func:`shape_points`.
SHAPE_NAMES: tuple[str, ...] = (
    "triangle",
    "square",
    "rectangle",
    "diamond",
    "pentagon",
    "hexagon",
    "circle",
    "oval",
    "star",
    "heart",
    "cross",
    "arrow",
)


def shape_points(
    name: str, cx: float, cy: float, size: float, rotation: float = 0.0, aspect: float = 1.7
) -> list[Point]:
    """Polygon for a named shape (see ``SHAPE_NAMES``) fitting roughly in ``size``.

    Args:
        name: Shape name.
        cx: Centre x.
        cy: Centre y.
        size: Approximate overall width of the shape.
        rotation: Rotation in degrees.
        aspect: Elongation for ``rectangle``, ``oval`` and ``diamond``.
    """
    r = size / 2
    if name == "triangle":
        pts = regular_polygon(cx, cy + r * 0.15, r * 1.1, 3)
    elif name == "square":
        pts = regular_polygon(cx, cy, r * 1.1, 4, 45)
    elif name == "rectangle":
        w, h = r, r / aspect
        pts = [(cx - w, cy - h), (cx + w, cy - h), (cx + w, cy + h), (cx - w, cy + h)]
    elif name == "diamond":
        w, h = r * 1.1 / aspect, r * 1.1
        pts = [(cx, cy - h), (cx + w, cy), (cx, cy + h), (cx - w, cy)]
    elif name == "pentagon":
        pts = regular_polygon(cx, cy + r * 0.05, r, 5)
    elif name == "hexagon":
        pts = regular_polygon(cx, cy, r, 6, 30)
    elif name == "circle":
        pts = ellipse_points(cx, cy, r * 0.9, r * 0.9)
    elif name == "oval":
        pts = ellipse_points(cx, cy, r, r / aspect)
    elif name == "star":
        pts = star_points(cx, cy + r * 0.05, r * 1.05, r * 0.42)
    elif name == "heart":
        pts = heart_points(cx, cy, size)
    elif name == "cross":
        pts = cross_points(cx, cy, size * 1.05, arm=0.36)
    elif name == "arrow":
        pts = arrow_points(cx, cy, size * 1.05)
    else:
        raise ValueError(f"unknown shape {name!r}")
    return rotate_points(pts, (cx, cy), rotation) if rotation else pts


def polygon_mask(points: Sequence[Point], size: int = IMAGE_SIZE) -> np.ndarray:
    """Boolean mask (``size`` x ``size``) of a filled polygon, without antialiasing."""
    image = Image.new("L", (size, size), 0)
    ImageDraw.Draw(image).polygon([(float(x), float(y)) for x, y in points], fill=255)
    return np.asarray(image) > 127


def sample_positions(
    rng: np.random.Generator,
    n: int,
    radius: float,
    *,
    margin: float = 20,
    gap: float = 12,
    size: int = IMAGE_SIZE,
    max_tries: int = 4000,
) -> list[Point] | None:
    """Rejection-sample ``n`` centres of discs of ``radius`` that do not touch.

    Args:
        rng: Random generator.
        n: Number of centres.
        radius: Radius of the disc each item must fit in.
        margin: Minimum distance from a disc to the image border.
        gap: Minimum free space between two discs.
        size: Image side.
        max_tries: Give up (return None) after this many draws.

    Returns:
        The centres, or None if they could not be placed.
    """
    lo, hi = margin + radius, size - margin - radius
    if hi <= lo:
        return None
    placed: list[Point] = []
    tries = 0
    while len(placed) < n and tries < max_tries:
        tries += 1
        x, y = (float(v) for v in rng.uniform(lo, hi, size=2))
        if all(math.hypot(x - px, y - py) >= 2 * radius + gap for px, py in placed):
            placed.append((x, y))
    return placed if len(placed) == n else None


def choice(rng: np.random.Generator, options: Sequence):  # type: ignore[no-untyped-def]
    """Pick one element of a sequence with ``rng`` (works for tuples of tuples)."""
    return options[int(rng.integers(len(options)))]


def darker(color: RGB, factor: float = 0.55) -> RGB:
    """A darker version of ``color`` (for outlines)."""
    return (round(color[0] * factor), round(color[1] * factor), round(color[2] * factor))


def outline_for(color: RGB) -> RGB:
    """A visible outline colour for a fill: darker shade, gray for very dark or very light fills."""
    if max(color) < 60:
        return (0, 0, 0)
    if min(color) > 200:
        return (110, 110, 110)
    return darker(color)


def reflect_mask(mask: np.ndarray, point: Point, direction: Point) -> np.ndarray:
    """Mirror a boolean mask about the line through ``point`` along ``direction``.

    Pixels whose mirror image falls outside the mask are False.
    """
    h, w = mask.shape
    dx, dy = direction
    norm = math.hypot(dx, dy)
    nx, ny = -dy / norm, dx / norm
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    xs += 0.5
    ys += 0.5
    dist = (xs - point[0]) * nx + (ys - point[1]) * ny
    rx = np.floor(xs - 2 * dist * nx).astype(np.int64)
    ry = np.floor(ys - 2 * dist * ny).astype(np.int64)
    inside = (rx >= 0) & (rx < w) & (ry >= 0) & (ry < h)
    out = np.zeros_like(mask, dtype=bool)
    out[inside] = mask[ry[inside], rx[inside]]
    return out


def mask_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two boolean masks (1.0 when both are empty)."""
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


def line_through_box(
    point: Point, direction: Point, half_length: float, size: int = IMAGE_SIZE, margin: float = 12
) -> tuple[Point, Point]:
    """Endpoints of a segment centred on ``point`` along ``direction``, clipped to the image."""
    dx, dy = direction
    norm = math.hypot(dx, dy)
    ux, uy = dx / norm, dy / norm
    limit = half_length
    for coord, u in ((point[0], ux), (point[1], uy)):
        if abs(u) > 1e-9:
            limit = min(limit, ((size - margin - coord) if u > 0 else (coord - margin)) / abs(u))
    limit2 = half_length
    for coord, u in ((point[0], -ux), (point[1], -uy)):
        if abs(u) > 1e-9:
            limit2 = min(limit2, ((size - margin - coord) if u > 0 else (coord - margin)) / abs(u))
    return (point[0] - ux * limit2, point[1] - uy * limit2), (
        point[0] + ux * limit,
        point[1] + uy * limit,
    )
