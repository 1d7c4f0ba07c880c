"""Shared drawing for the State, Emotion, Traffic, Public Info and Living World generators.

Every icon is drawn in *unit coordinates* through a :class:`Pen`: the icon lives in the
square ``[-1, 1] x [-1, 1]`` around the pen's centre, ``y`` pointing down. Icons are
drawn at twice the final resolution on a transparent layer; :func:`finish` scales,
rotates and shifts that layer at random (from the caller's ``rng``), lays it on a light
background and downsamples it with LANCZOS to ``IMAGE_SIZE``.

The drawing style is meant for small tiles (60-100 px in a 224 px frame): bold shapes,
thick dark outlines, saturated colours on a light background and little fine detail.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from act2answer.synth._base import IMAGE_SIZE
from act2answer.synth._draw import choice as pick
from act2answer.synth._draw import get_font as font

#: Supersampling factor: icons are drawn at ``SS * IMAGE_SIZE`` and downsampled.
SS = 2
#: Side of the supersampled canvas.
CANVAS = IMAGE_SIZE * SS
#: Radius (in canvas pixels) of the unit square an icon is drawn into before scaling.
ICON_R = int(CANVAS * 0.44)

Color = tuple[int, int, int]
RGBA = tuple[int, int, int, int]

INK: Color = (35, 35, 40)
WHITE: Color = (255, 255, 255)
SIGN_RED: Color = (205, 25, 35)
SIGN_BLUE: Color = (20, 80, 175)
SIGN_GREEN: Color = (0, 135, 75)
SIGN_YELLOW: Color = (250, 200, 20)


def jitter_color(rng: np.random.Generator, color: Color, amount: int = 18) -> Color:
    """``color`` with each channel moved by up to ``amount``."""
    return tuple(int(np.clip(c + rng.integers(-amount, amount + 1), 0, 255)) for c in color)


def light_background(rng: np.random.Generator) -> Color:
    """A light, low-saturation background colour (white, cream, pale grey, pale tint)."""
    bases: list[Color] = [
        (250, 250, 250),
        (246, 242, 230),
        (236, 238, 240),
        (238, 244, 250),
        (244, 248, 238),
        (250, 240, 236),
        (242, 238, 248),
    ]
    base = pick(rng, bases)
    return tuple(int(np.clip(c + rng.integers(-6, 7), 215, 255)) for c in base)


def darker(color: Color, f: float = 0.6) -> Color:
    """``color`` scaled towards black."""
    return tuple(int(c * f) for c in color)


def lighter(color: Color, f: float = 0.5) -> Color:
    """``color`` moved towards white by fraction ``f``."""
    return tuple(int(c + (255 - c) * f) for c in color)


class Pen:
    """ImageDraw wrapper that draws in unit coordinates around a centre.

    Args:
        draw: The ImageDraw of the (supersampled) layer.
        cx: Centre x in canvas pixels.
        cy: Centre y in canvas pixels.
        r: Canvas pixels per unit.
    """

    def __init__(self, draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
        self.d = draw
        self.cx = cx
        self.cy = cy
        self.r = r

    def sub(self, x: float, y: float, s: float) -> Pen:
        """A pen centred on unit point ``(x, y)`` whose unit is ``s`` of this pen's unit."""
        cx, cy = self.p(x, y)
        return Pen(self.d, cx, cy, self.r * s)

    def p(self, x: float, y: float) -> tuple[float, float]:
        """Canvas point of unit point ``(x, y)``."""
        return (self.cx + x * self.r, self.cy + y * self.r)

    def pts(self, pts: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
        """Canvas points of unit points."""
        return [self.p(x, y) for x, y in pts]

    def w(self, t: float) -> int:
        """Canvas line width of unit width ``t`` (at least 1 pixel)."""
        return max(1, round(t * self.r))

    def box(self, x0: float, y0: float, x1: float, y1: float) -> list[float]:
        """Canvas bounding box of a unit box (sorted corners)."""
        a, b = self.p(min(x0, x1), min(y0, y1))
        c, e = self.p(max(x0, x1), max(y0, y1))
        return [a, b, c, e]

    def circle(
        self,
        x: float,
        y: float,
        rad: float,
        fill: Any = None,
        outline: Any = None,
        width: float = 0.0,
    ) -> None:
        """Disc of unit radius ``rad``."""
        self.ellipse(x - rad, y - rad, x + rad, y + rad, fill, outline, width)

    def ellipse(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        fill: Any = None,
        outline: Any = None,
        width: float = 0.0,
    ) -> None:
        """Ellipse in a unit box."""
        self.d.ellipse(
            self.box(x0, y0, x1, y1),
            fill=fill,
            outline=outline,
            width=self.w(width) if outline is not None else 0,
        )

    def rect(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        fill: Any = None,
        outline: Any = None,
        width: float = 0.0,
        radius: float = 0.0,
    ) -> None:
        """(Rounded) rectangle in a unit box."""
        self.d.rounded_rectangle(
            self.box(x0, y0, x1, y1),
            radius=radius * self.r,
            fill=fill,
            outline=outline,
            width=self.w(width) if outline is not None else 0,
        )

    def poly(
        self,
        pts: Sequence[tuple[float, float]],
        fill: Any = None,
        outline: Any = None,
        width: float = 0.0,
    ) -> None:
        """Filled polygon; the outline is drawn as a round-jointed closed line."""
        cp = self.pts(pts)
        if fill is not None:
            self.d.polygon(cp, fill=fill)
        if outline is not None and width > 0:
            self.line([*pts, pts[0]], outline, width)

    def line(
        self, pts: Sequence[tuple[float, float]], fill: Any, width: float, caps: bool = True
    ) -> None:
        """Thick polyline with round joints and (optionally) round caps."""
        cp = self.pts(pts)
        w = self.w(width)
        self.d.line(cp, fill=fill, width=w, joint="curve")
        if caps:
            for x, y in (cp[0], cp[-1]):
                h = w / 2.0
                self.d.ellipse([x - h, y - h, x + h, y + h], fill=fill)

    def arc(
        self,
        x: float,
        y: float,
        rx: float,
        ry: float,
        a0: float,
        a1: float,
        fill: Any,
        width: float,
        caps: bool = True,
    ) -> None:
        """Thick elliptical arc from angle ``a0`` to ``a1`` (degrees, clockwise, 0 = +x)."""
        self.line(arc_points(x, y, rx, ry, a0, a1), fill, width, caps)

    def pie(self, x: float, y: float, rad: float, a0: float, a1: float, fill: Any) -> None:
        """Filled pie slice (degrees, clockwise from +x)."""
        self.d.pieslice(self.box(x - rad, y - rad, x + rad, y + rad), a0, a1, fill=fill)

    def chord(
        self, x0: float, y0: float, x1: float, y1: float, a0: float, a1: float, fill: Any
    ) -> None:
        """Filled chord of the ellipse in a unit box."""
        self.d.chord(self.box(x0, y0, x1, y1), a0, a1, fill=fill)

    def text(
        self,
        x: float,
        y: float,
        s: str,
        size: float,
        fill: Any,
        stroke: float = 0.0,
        stroke_fill: Any = None,
    ) -> None:
        """Text centred on ``(x, y)``; ``size`` is the font size in units."""
        self.d.text(
            self.p(x, y),
            s,
            font=font(max(4, round(size * self.r))),
            fill=fill,
            anchor="mm",
            stroke_width=self.w(stroke) if stroke else 0,
            stroke_fill=stroke_fill,
        )


def arc_points(
    x: float, y: float, rx: float, ry: float, a0: float, a1: float, n: int = 40
) -> list[tuple[float, float]]:
    """Points along an elliptical arc (degrees, clockwise in image space)."""
    out = []
    for t in np.linspace(a0, a1, n):
        a = math.radians(float(t))
        out.append((x + rx * math.cos(a), y + ry * math.sin(a)))
    return out


def regular_polygon(
    x: float, y: float, rad: float, n: int, rot: float = 0.0
) -> list[tuple[float, float]]:
    """Vertices of a regular ``n``-gon (first vertex at angle ``rot`` degrees from up)."""
    out = []
    for k in range(n):
        a = math.radians(rot + 360.0 * k / n)
        out.append((x + rad * math.sin(a), y - rad * math.cos(a)))
    return out


def rotate_pts(
    pts: Sequence[tuple[float, float]], angle: float, ox: float = 0.0, oy: float = 0.0
) -> list[tuple[float, float]]:
    """Points rotated by ``angle`` degrees (clockwise on screen) about ``(ox, oy)``."""
    a = math.radians(angle)
    c, s = math.cos(a), math.sin(a)
    return [(ox + (x - ox) * c - (y - oy) * s, oy + (x - ox) * s + (y - oy) * c) for x, y in pts]


def new_layer() -> tuple[Image.Image, Pen]:
    """Transparent supersampled layer and a pen centred on it with unit ``ICON_R``."""
    layer = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 0))
    pen = Pen(ImageDraw.Draw(layer), CANVAS / 2, CANVAS / 2, ICON_R)
    return layer, pen


def _placement(
    rng: np.random.Generator,
    bg: Color | None,
    max_rot: float,
    scale: tuple[float, float],
    shift: float,
) -> tuple[Color, float, float, float, float]:
    """Random placement shared by :func:`finish` and :func:`render`.

    Args:
        rng: Source of all randomness.
        bg: Background colour; a random light one when None.
        max_rot: Largest rotation in degrees (either direction).
        scale: Range of the icon's scale factor.
        shift: Fraction of the free margin the icon may move by.

    Returns:
        ``(bg, angle, scale, tx, ty)``: background, rotation in degrees, scale factor and
        shift in canvas pixels.
    """
    if bg is None:
        bg = light_background(rng)
    ang = float(rng.uniform(-max_rot, max_rot)) if max_rot > 0 else 0.0
    sc = float(rng.uniform(*scale))
    free = max(0.0, CANVAS / 2 - ICON_R * sc * 1.08)
    tx, ty = (float(v) * free * shift for v in rng.uniform(-1.0, 1.0, 2))
    return bg, ang, sc, tx, ty


def finish(
    layer: Image.Image,
    rng: np.random.Generator,
    *,
    bg: Color | None = None,
    max_rot: float = 8.0,
    scale: tuple[float, float] = (0.8, 1.0),
    shift: float = 0.7,
) -> Image.Image:
    """Place an icon layer on a light background with random scale, rotation and shift.

    Args:
        layer: Supersampled RGBA layer from :func:`new_layer`.
        rng: Source of all randomness.
        bg, max_rot, scale, shift: As for :func:`_placement`.

    Returns:
        The ``IMAGE_SIZE`` square RGB image.
    """
    bg, ang, sc, tx, ty = _placement(rng, bg, max_rot, scale, shift)
    c = CANVAS / 2
    a = math.radians(ang)
    cos, sin = math.cos(a), math.sin(a)
    # Inverse map: output point -> input point = C + R(-ang) (out - C - t) / sc.
    m00, m01 = cos / sc, sin / sc
    m10, m11 = -sin / sc, cos / sc
    ox, oy = -c - tx, -c - ty
    coeffs = (m00, m01, c + m00 * ox + m01 * oy, m10, m11, c + m10 * ox + m11 * oy)
    moved = layer.transform(
        layer.size, Image.Transform.AFFINE, coeffs, resample=Image.Resampling.BICUBIC
    )
    out = Image.new("RGBA", layer.size, (*bg, 255))
    out.alpha_composite(moved)
    return out.convert("RGB").resize((IMAGE_SIZE, IMAGE_SIZE), Image.Resampling.LANCZOS)


def render(
    draw_fn: Callable[[Pen], None],
    rng: np.random.Generator,
    *,
    bg: Color | None = None,
    max_rot: float = 8.0,
    scale: tuple[float, float] = (0.8, 1.0),
    shift: float = 0.7,
) -> Image.Image:
    """Draw an icon with ``draw_fn(pen)`` at a random scale, shift and rotation.

    Same placement model as :func:`finish`, but scale and shift are applied by the pen
    (no resampling) and only the icon's bounding box is rotated, which is several times
    faster than transforming the whole layer.

    Args:
        draw_fn: Draws the icon in unit coordinates.
        rng: Source of all randomness.
        bg, max_rot, scale, shift: As for :func:`_placement`.

    Returns:
        The ``IMAGE_SIZE`` square RGB image.
    """
    bg, ang, sc, tx, ty = _placement(rng, bg, max_rot, scale, shift)
    # Drawn on a layer padded by PAD on every side, so that a part reaching past the
    # unit square (steam, rays, a tail) is not cut off; the icon is then moved back
    # inside the image if it would touch the edge (issue #23: a drink's steam was cut
    # off at the top). Icons that fit are placed exactly as without the padding.
    pad = CANVAS // 2
    layer = Image.new("RGBA", (CANVAS + 2 * pad, CANVAS + 2 * pad), (0, 0, 0, 0))
    pen = Pen(ImageDraw.Draw(layer), pad + CANVAS / 2 + tx, pad + CANVAS / 2 + ty, ICON_R * sc)
    draw_fn(pen)
    out = Image.new("RGB", (CANVAS, CANVAS), bg)
    box = layer.getbbox()
    if box is None:
        return out.resize((IMAGE_SIZE, IMAGE_SIZE), Image.Resampling.LANCZOS)
    icon = layer.crop(box)
    if abs(ang) > 0.05:
        icon = icon.rotate(ang, resample=Image.Resampling.BILINEAR, expand=True)
    x = round((box[0] + box[2]) / 2 - icon.width / 2) - pad
    y = round((box[1] + box[3]) / 2 - icon.height / 2) - pad
    x = _inside(x, icon.width)
    y = _inside(y, icon.height)
    out.paste(icon, (x, y), icon)
    return _downsample(out, bg, (x, y, x + icon.width, y + icon.height))


#: Canvas pixels an icon keeps from the image edge when it has to be moved inside.
EDGE_MARGIN = 3 * SS


def _inside(start: int, extent: int) -> int:
    """``start`` moved so that ``[start, start + extent)`` keeps EDGE_MARGIN from the canvas edge.

    Unchanged when it already does; centred when the extent is too large to fit.
    """
    if extent > CANVAS - 2 * EDGE_MARGIN:
        return (CANVAS - extent) // 2
    return min(max(start, EDGE_MARGIN), CANVAS - EDGE_MARGIN - extent)


def _downsample(image: Image.Image, bg: Color, changed: tuple[int, int, int, int]) -> Image.Image:
    """``image.resize((IMAGE_SIZE, IMAGE_SIZE), LANCZOS)``, resampling only near ``changed``.

    ``image`` must be ``bg`` outside the canvas box ``changed``. Pillow computes each
    output pixel of a ``box=`` resize with the same weights as in a full resize, and the
    (normalised) LANCZOS weights of a uniform ``bg`` region give exactly ``bg``, so the
    result is byte-identical to the full resize at a fraction of the cost.
    """
    margin = 4  # output pixels: LANCZOS reaches 3 * SS canvas pixels, i.e. 3 output pixels
    x0 = max(0, changed[0] // SS - margin)
    y0 = max(0, changed[1] // SS - margin)
    x1 = min(IMAGE_SIZE, -(-changed[2] // SS) + margin)
    y1 = min(IMAGE_SIZE, -(-changed[3] // SS) + margin)
    out = Image.new("RGB", (IMAGE_SIZE, IMAGE_SIZE), bg)
    if x0 < x1 and y0 < y1:
        window = image.resize(
            (x1 - x0, y1 - y0),
            Image.Resampling.LANCZOS,
            box=(x0 * SS, y0 * SS, x1 * SS, y1 * SS),
        )
        out.paste(window, (x0, y0))
    return out


# --------------------------------------------------------------------------------------
# Shared pictogram pieces
# --------------------------------------------------------------------------------------

#: Pictogram person poses: head centre, head radius and limbs as polylines (unit = height).
_POSES: dict[str, dict[str, Any]] = {
    "stand": {
        "head": (0.0, -0.40),
        "torso": [(0.0, -0.26), (0.0, 0.04)],
        "limbs": [
            [(-0.02, -0.24), (-0.13, -0.10), (-0.14, 0.06)],
            [(0.02, -0.24), (0.13, -0.10), (0.14, 0.06)],
            [(-0.045, 0.04), (-0.06, 0.45)],
            [(0.045, 0.04), (0.06, 0.45)],
        ],
    },
    "walk": {
        "head": (0.02, -0.40),
        "torso": [(0.01, -0.26), (0.0, 0.04)],
        "limbs": [
            [(0.01, -0.23), (0.10, -0.10), (0.18, 0.0)],
            [(0.01, -0.23), (-0.08, -0.10), (-0.15, 0.02)],
            [(0.0, 0.04), (0.08, 0.22), (0.16, 0.44)],
            [(0.0, 0.04), (-0.05, 0.24), (-0.15, 0.44)],
        ],
    },
    "run": {
        "head": (0.09, -0.39),
        "torso": [(0.05, -0.26), (-0.04, 0.02)],
        "limbs": [
            [(0.04, -0.22), (0.15, -0.10), (0.27, -0.18)],
            [(0.04, -0.22), (-0.08, -0.12), (-0.20, -0.20)],
            [(-0.04, 0.02), (0.13, 0.14), (0.11, 0.40)],
            [(-0.04, 0.02), (-0.12, 0.20), (-0.30, 0.26)],
        ],
    },
    "sit": {
        "head": (-0.06, -0.40),
        "torso": [(-0.06, -0.26), (-0.06, 0.02)],
        "limbs": [
            [(-0.06, -0.20), (0.05, -0.06), (0.14, -0.06)],
            [(-0.06, 0.02), (0.16, 0.02), (0.20, 0.30), (0.28, 0.30)],
        ],
    },
}


def person(
    pen: Pen,
    x: float,
    y: float,
    h: float,
    fill: Any,
    pose: str = "stand",
    dress: bool = False,
    flip: bool = False,
) -> None:
    """Bold pictogram person of height ``h`` centred on ``(x, y)``.

    Args:
        pen: Pen to draw with.
        x: Centre x (units).
        y: Centre y (units).
        h: Figure height (units).
        fill: Colour.
        pose: One of ``stand``, ``walk``, ``run``, ``sit``.
        dress: Draw a triangular dress (the "woman" pictogram).
        flip: Mirror horizontally.
    """
    spec = _POSES[pose]
    sx = -1.0 if flip else 1.0

    def q(px: float, py: float) -> tuple[float, float]:
        return (x + sx * px * h, y + py * h)

    hx, hy = spec["head"]
    pen.circle(*q(hx, hy), 0.095 * h, fill=fill)
    if dress:
        pen.poly([q(-0.07, -0.27), q(0.07, -0.27), q(0.19, 0.16), q(-0.19, 0.16)], fill=fill)
        pen.line([q(-0.02, -0.24), q(-0.14, -0.08), q(-0.16, 0.04)], fill, 0.085 * h)
        pen.line([q(0.02, -0.24), q(0.14, -0.08), q(0.16, 0.04)], fill, 0.085 * h)
        pen.line([q(-0.06, 0.14), q(-0.06, 0.45)], fill, 0.09 * h)
        pen.line([q(0.06, 0.14), q(0.06, 0.45)], fill, 0.09 * h)
        return
    pen.line([q(*t) for t in spec["torso"]], fill, 0.17 * h)
    for limb in spec["limbs"]:
        pen.line([q(*t) for t in limb], fill, 0.09 * h)


def prohibition(
    pen: Pen,
    inner: Callable[[Pen], None],
    ring: Color = SIGN_RED,
    face: Color = WHITE,
    slash: bool = True,
) -> None:
    """Round prohibition sign: white disc, pictogram, red ring and diagonal slash on top."""
    pen.circle(0, 0, 0.98, fill=face)
    inner(pen.sub(0, 0, 0.72))
    pen.circle(0, 0, 0.88, outline=ring, width=0.2)
    if slash:
        a = math.radians(45)
        dx, dy = 0.8 * math.cos(a), 0.8 * math.sin(a)
        pen.line([(-dx, -dy), (dx, dy)], ring, 0.17, caps=False)
    pen.circle(0, 0, 0.98, outline=darker(ring, 0.7), width=0.03)


def square_sign(pen: Pen, fill: Color, border: Color = WHITE, radius: float = 0.16) -> None:
    """Rounded square sign board with a thin light inner border."""
    pen.rect(-0.95, -0.95, 0.95, 0.95, fill=darker(fill, 0.8), radius=radius)
    pen.rect(-0.9, -0.9, 0.9, 0.9, fill=fill, outline=border, width=0.04, radius=radius * 0.8)


def arrow(
    pen: Pen, pts: Sequence[tuple[float, float]], fill: Any, width: float, head: float
) -> None:
    """Thick polyline ending in a filled triangular arrow head of size ``head``."""
    (x0, y0), (x1, y1) = pts[-2], pts[-1]
    ang = math.atan2(y1 - y0, x1 - x0)
    ux, uy = math.cos(ang), math.sin(ang)
    bx, by = x1 - ux * head, y1 - uy * head
    pen.line([*pts[:-1], (bx + ux * 0.01, by + uy * 0.01)], fill, width)
    nx, ny = -uy, ux
    pen.poly(
        [
            (x1, y1),
            (bx + nx * head * 0.75, by + ny * head * 0.75),
            (bx - nx * head * 0.75, by - ny * head * 0.75),
        ],
        fill=fill,
    )


def bicycle(pen: Pen, fill: Any, width: float = 0.09) -> None:
    """Side view bicycle filling roughly ``[-1, 1] x [-0.6, 0.5]``."""
    pen.circle(-0.55, 0.18, 0.38, outline=fill, width=width)
    pen.circle(0.55, 0.18, 0.38, outline=fill, width=width)
    pen.line([(-0.55, 0.18), (-0.1, 0.18), (0.3, -0.25), (-0.2, -0.25), (-0.55, 0.18)], fill, width)
    pen.line([(-0.1, 0.18), (-0.28, -0.4)], fill, width)
    pen.line([(-0.4, -0.42), (-0.14, -0.42)], fill, width * 1.2)
    pen.line([(0.55, 0.18), (0.25, -0.48), (0.4, -0.52)], fill, width)


def car_side(pen: Pen, body: Any, window: Any = (200, 225, 245), outline: Any = INK) -> None:
    """Side view car filling roughly ``[-1, 1] x [-0.6, 0.55]``."""
    pen.poly(
        [(-0.55, -0.1), (-0.35, -0.52), (0.3, -0.52), (0.55, -0.1)],
        fill=body,
        outline=outline,
        width=0.05,
    )
    pen.rect(-0.95, -0.12, 0.95, 0.32, fill=body, outline=outline, width=0.05, radius=0.12)
    pen.poly([(-0.42, -0.14), (-0.29, -0.43), (-0.04, -0.43), (-0.04, -0.14)], fill=window)
    pen.poly([(0.04, -0.14), (0.04, -0.43), (0.26, -0.43), (0.43, -0.14)], fill=window)
    for wx in (-0.55, 0.55):
        pen.circle(wx, 0.32, 0.22, fill=outline)
        pen.circle(wx, 0.32, 0.09, fill=(180, 180, 185))


def fish(pen: Pen, body: Any, outline: Any = INK) -> None:
    """Side view fish facing right, roughly ``[-1, 1] x [-0.55, 0.55]``."""
    pen.poly(
        [(-0.55, 0.0), (-0.98, -0.45), (-0.9, 0.0), (-0.98, 0.45)],
        fill=body,
        outline=outline,
        width=0.05,
    )
    pen.ellipse(-0.7, -0.48, 0.95, 0.48, fill=body, outline=outline, width=0.05)
    pen.poly([(-0.1, -0.42), (0.15, -0.68), (0.3, -0.42)], fill=body, outline=outline, width=0.05)
    pen.circle(0.55, -0.1, 0.09, fill=outline)
    pen.arc(0.2, 0.0, 0.18, 0.3, -70, 70, outline, 0.05)


def cup(pen: Pen, body: Any, outline: Any = INK) -> None:
    """Mug with handle, roughly ``[-0.8, 0.8] x [-0.6, 0.7]``."""
    pen.arc(0.5, 0.05, 0.32, 0.28, -90, 90, outline, 0.2)
    pen.arc(0.5, 0.05, 0.32, 0.28, -90, 90, body, 0.1)
    pen.poly(
        [(-0.6, -0.55), (0.55, -0.55), (0.45, 0.6), (-0.5, 0.6)],
        fill=body,
        outline=outline,
        width=0.06,
    )


def article(noun: str) -> str:
    """``noun`` with "a" or "an" in front."""
    return ("an " if noun[0].lower() in "aeiou" else "a ") + noun


def choose(rng: np.random.Generator, templates: Sequence[str], **kw: str) -> tuple[int, str]:
    """A random template index and that template formatted with ``kw``."""
    k = int(rng.integers(len(templates)))
    return k, templates[k].format(**kw)
