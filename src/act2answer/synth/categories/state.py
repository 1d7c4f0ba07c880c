"""State: the same object shown in two states (full/empty glass, lit/unlit bulb, ...)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from act2answer.synth._base import GeneratedItem
from act2answer.synth.categories._pictograms import (
    INK,
    Pen,
    arc_points,
    article,
    cup,
    darker,
    jitter_color,
    lighter,
    pick,
    render,
    rotate_pts,
)

Style = dict[str, Any]
DrawFn = Callable[[Pen, str, Style], None]

LIQUIDS = {
    "water": (70, 150, 235),
    "orange juice": (250, 150, 20),
    "grape juice": (130, 40, 150),
    "lemonade": (235, 215, 40),
    "cola": (95, 45, 20),
    "tomato juice": (215, 40, 40),
}
BRIGHT = [
    (220, 50, 50),
    (40, 110, 220),
    (40, 160, 80),
    (240, 150, 20),
    (150, 70, 190),
    (230, 90, 150),
    (30, 160, 170),
    (120, 80, 50),
]


def _glass(pen: Pen, state: str, st: Style) -> None:
    top, bot = -0.8, 0.85
    xl0, xr0, xl1, xr1 = -0.55, 0.55, -0.38, 0.38
    pen.poly([(xl0, top), (xr0, top), (xr1, bot), (xl1, bot)], fill=(215, 232, 245, 150))
    if state == "full":
        lvl = -0.62
        t = (lvl - top) / (bot - top)
        pen.poly(
            [(xl0 + (xl1 - xl0) * t, lvl), (xr0 + (xr1 - xr0) * t, lvl), (xr1, bot), (xl1, bot)],
            fill=st["liquid"],
        )
        pen.line(
            [(xl0 + (xl1 - xl0) * t, lvl), (xr0 + (xr1 - xr0) * t, lvl)],
            darker(st["liquid"], 0.75),
            0.05,
        )
    pen.line([(-0.38, -0.62), (-0.27, 0.6)], (255, 255, 255, 200), 0.07)
    pen.poly([(xl0, top), (xr0, top), (xr1, bot), (xl1, bot)], outline=INK, width=0.07)


def _door(pen: Pen, state: str, st: Style) -> None:
    x0, x1, y0, y1 = -0.4, 0.62, -0.92, 0.88
    pen.rect(x0 - 0.08, y0 - 0.08, x1 + 0.08, y1, fill=st["frame"], outline=INK, width=0.05)
    if state == "closed":
        pen.rect(x0, y0, x1, y1, fill=st["color"], outline=INK, width=0.05)
        pen.rect(
            x0 + 0.14, y0 + 0.14, x1 - 0.14, -0.1, outline=darker(st["color"], 0.7), width=0.05
        )
        pen.rect(
            x0 + 0.14, 0.08, x1 - 0.14, y1 - 0.14, outline=darker(st["color"], 0.7), width=0.05
        )
        pen.circle(x1 - 0.13, 0.0, 0.07, fill=(240, 200, 40), outline=INK, width=0.03)
    else:
        pen.rect(x0, y0, x1, y1, fill=(35, 35, 45))
        pen.poly(
            [(x0 + 0.2, y1), (x1 - 0.05, y1), (x1 + 0.05, 0.55), (x0 + 0.45, 0.55)],
            fill=(245, 225, 140),
        )
        panel = [(x0, y0), (-0.95, y0 - 0.08), (-0.95, y1 + 0.08), (x0, y1)]
        pen.poly(panel, fill=st["color"], outline=INK, width=0.05)
        pen.circle(-0.85, 0.02, 0.06, fill=(240, 200, 40), outline=INK, width=0.03)
    pen.line([(-1.0, y1), (1.0, y1)], INK, 0.06)


def _box(pen: Pen, state: str, st: Style) -> None:
    c = st["color"]
    front = [(-0.7, -0.15), (0.45, -0.15), (0.45, 0.85), (-0.7, 0.85)]
    side = [(0.45, -0.15), (0.8, -0.45), (0.8, 0.55), (0.45, 0.85)]
    top = [(-0.7, -0.15), (-0.35, -0.45), (0.8, -0.45), (0.45, -0.15)]
    if state == "open":
        pen.poly(
            [(-0.35, -0.45), (0.8, -0.45), (0.95, -0.95), (-0.2, -0.95)],
            fill=darker(c, 0.85),
            outline=INK,
            width=0.05,
        )
    pen.poly(side, fill=darker(c, 0.75), outline=INK, width=0.05)
    pen.poly(front, fill=c, outline=INK, width=0.05)
    if state == "closed":
        pen.poly(top, fill=lighter(c, 0.25), outline=INK, width=0.05)
        pen.line([(-0.52, -0.3), (0.62, -0.3)], (230, 200, 120), 0.12, caps=False)
        pen.line([(-0.13, -0.15), (-0.13, 0.25)], (230, 200, 120), 0.12, caps=False)
    else:
        pen.poly(top, fill=(50, 35, 25), outline=INK, width=0.05)
        pen.poly(
            [(-0.7, -0.15), (-0.35, -0.45), (-0.95, -0.6), (-1.0, -0.35)],
            fill=lighter(c, 0.15),
            outline=INK,
            width=0.05,
        )
        pen.poly(
            [(-0.7, -0.15), (0.45, -0.15), (0.32, 0.15), (-0.85, 0.15)],
            fill=lighter(c, 0.3),
            outline=INK,
            width=0.05,
        )


def _bulb(pen: Pen, state: str, st: Style) -> None:
    lit = state == "lit"
    glass = st["glow"] if lit else (222, 224, 228)
    if lit:
        for k in range(9):
            a = math.radians(-90 + (k - 4) * 30)
            pen.line(
                [
                    (0.66 * math.cos(a), -0.28 + 0.66 * math.sin(a)),
                    (0.92 * math.cos(a), -0.28 + 0.92 * math.sin(a)),
                ],
                (250, 170, 0),
                0.09,
            )
    pen.poly([(-0.3, 0.0), (0.3, 0.0), (0.22, 0.38), (-0.22, 0.38)], fill=glass)
    pen.circle(0, -0.28, 0.5, fill=glass, outline=INK, width=0.06)
    pen.poly([(-0.3, 0.0), (0.3, 0.0), (0.22, 0.38), (-0.22, 0.38)], fill=glass)
    pen.line([(-0.34, -0.08), (-0.23, 0.38)], INK, 0.06)
    pen.line([(0.34, -0.08), (0.23, 0.38)], INK, 0.06)
    fil = (230, 90, 0) if lit else (120, 120, 125)
    pen.line([(-0.1, 0.36), (-0.1, -0.2), (0.0, -0.32), (0.1, -0.2), (0.1, 0.36)], fil, 0.05)
    pen.rect(-0.25, 0.38, 0.25, 0.72, fill=(150, 150, 160), outline=INK, width=0.05)
    for y in (0.49, 0.6):
        pen.line([(-0.25, y), (0.25, y)], INK, 0.04)
    pen.chord(-0.13, 0.64, 0.13, 0.86, 0, 180, INK)


def _ice(pen: Pen, state: str, st: Style) -> None:
    ice, dark = st["ice"], darker(st["ice"], 0.7)
    if state == "frozen":
        for ox, oy, s in st["cubes"]:
            q = pen.sub(ox, oy, s)
            q.poly(
                [(-0.6, -0.3), (0.1, -0.3), (0.1, 0.7), (-0.6, 0.7)],
                fill=ice,
                outline=dark,
                width=0.08,
            )
            q.poly(
                [(-0.6, -0.3), (-0.25, -0.65), (0.45, -0.65), (0.1, -0.3)],
                fill=lighter(ice, 0.5),
                outline=dark,
                width=0.08,
            )
            q.poly(
                [(0.1, -0.3), (0.45, -0.65), (0.45, 0.35), (0.1, 0.7)],
                fill=darker(ice, 0.88),
                outline=dark,
                width=0.08,
            )
            q.line([(-0.45, -0.1), (-0.45, 0.25)], (255, 255, 255), 0.1)
    else:
        blob = st["puddle"]
        for x, y, rx, ry in blob:
            pen.ellipse(
                x - rx - 0.06, y - ry - 0.06, x + rx + 0.06, y + ry + 0.06, fill=darker(ice, 0.55)
            )
        for x, y, rx, ry in blob:
            pen.ellipse(x - rx, y - ry, x + rx, y + ry, fill=darker(ice, 0.92))
        pen.ellipse(-0.45, 0.2, -0.05, 0.3, fill=(255, 255, 255))
        for x, y in ((0.55, -0.35), (-0.6, -0.2), (0.05, -0.45)):
            pen.circle(x, y, 0.1, fill=ice, outline=darker(ice, 0.55), width=0.05)


def _egg(pen: Pen, state: str, st: Style) -> None:
    shell = st["shell"]
    if state == "intact":
        pen.ellipse(-0.48, -0.72, 0.48, 0.72, fill=shell, outline=INK, width=0.06)
        pen.ellipse(-0.3, -0.5, -0.12, -0.2, fill=lighter(shell, 0.6))
        return
    white = [(0.0, 0.35, 0.55, 0.3), (-0.35, 0.4, 0.35, 0.25), (0.35, 0.3, 0.35, 0.28)]
    for x, y, rx, ry in white:
        pen.ellipse(x - rx - 0.04, y - ry - 0.04, x + rx + 0.04, y + ry + 0.04, fill=INK)
    for x, y, rx, ry in white:
        pen.ellipse(x - rx, y - ry, x + rx, y + ry, fill=(255, 255, 255))
    pen.circle(0.02, 0.33, 0.2, fill=(250, 180, 0), outline=darker((250, 180, 0), 0.7), width=0.04)
    zig = [
        (-0.42, -0.3),
        (-0.28, -0.42),
        (-0.14, -0.3),
        (0.0, -0.42),
        (0.14, -0.3),
        (0.28, -0.42),
        (0.42, -0.3),
    ]
    half = [*zig, *arc_points(0, -0.3, 0.42, 0.45, 0, 180, 20)]
    for ang, ox, oy in ((-35, -0.55, -0.35), (30, 0.55, -0.4)):
        pts = [(x + ox, y + oy) for x, y in rotate_pts(half, ang, 0, -0.1)]
        pen.poly(pts, fill=shell, outline=INK, width=0.05)


def _plate(pen: Pen, state: str, st: Style) -> None:
    rim, centre = st["rim"], st["centre"]
    if state == "intact":
        pen.circle(0, 0, 0.85, fill=rim, outline=INK, width=0.05)
        pen.circle(0, 0, 0.55, fill=centre, outline=darker(rim, 0.8), width=0.04)
        return
    cuts = st["cuts"]
    for k in range(len(cuts)):
        a0, a1 = cuts[k], cuts[(k + 1) % len(cuts)] + (360 if k == len(cuts) - 1 else 0)
        mid = math.radians((a0 + a1) / 2)
        ox, oy = 0.16 * math.cos(mid), 0.16 * math.sin(mid)
        jag0 = (0.25 * math.cos(math.radians(a0 + 12)), 0.25 * math.sin(math.radians(a0 + 12)))
        jag1 = (0.5 * math.cos(math.radians(a1 - 10)), 0.5 * math.sin(math.radians(a1 - 10)))
        outer = [(0.0, 0.0), jag0, *arc_points(0, 0, 0.85, 0.85, a0, a1, 16), jag1]
        inner = [(0.0, 0.0), jag0, *arc_points(0, 0, 0.55, 0.55, a0, a1, 12)]
        q = pen.sub(ox, oy, 1.0)
        q.poly(outer, fill=rim, outline=INK, width=0.05)
        q.poly(inner, fill=centre)
        q.poly(outer, outline=INK, width=0.05)


def _banana(pen: Pen, state: str, st: Style) -> None:
    body = (245, 205, 35) if state == "ripe" else (105, 165, 45)
    outer, inner = [], []
    for t in np.linspace(0.0, 1.0, 30):
        a = math.radians(40 + 100 * float(t))
        th = 0.36 * math.sin(math.pi * float(t)) ** 0.8 + 0.03
        r0 = 1.25
        outer.append(((r0 + th / 2) * math.cos(a), -1.0 + (r0 + th / 2) * math.sin(a)))
        inner.append(((r0 - th / 2) * math.cos(a), -1.0 + (r0 - th / 2) * math.sin(a)))
    shape = rotate_pts([*outer, *reversed(inner)], st["tilt"])
    pen.poly(shape, fill=body, outline=INK, width=0.06)
    mid = rotate_pts(
        [
            (1.25 * math.cos(math.radians(a)), -1.0 + 1.25 * math.sin(math.radians(a)))
            for a in np.linspace(50, 130, 20)
        ],
        st["tilt"],
    )
    pen.line(mid, darker(body, 0.75), 0.03)
    c40, s40 = math.cos(math.radians(40)), math.sin(math.radians(40))
    c30, s30 = math.cos(math.radians(30)), math.sin(math.radians(30))
    stem = rotate_pts(
        [(1.25 * c40, -1.0 + 1.25 * s40), (1.32 * c30, -1.0 + 1.32 * s30)], st["tilt"]
    )
    pen.line(stem, (90, 70, 30) if state == "ripe" else (60, 110, 30), 0.1)
    if state == "ripe":
        for a, rr in ((70, 1.22), (95, 1.3), (115, 1.2)):
            x, y = rotate_pts(
                [(rr * math.cos(math.radians(a)), -1.0 + rr * math.sin(math.radians(a)))],
                st["tilt"],
            )[0]
            pen.circle(x, y, 0.035, fill=(120, 80, 20))


def _umbrella(pen: Pen, state: str, st: Style) -> None:
    c = st["color"]
    if state == "wet":
        pen.ellipse(-0.75, -1.0, 0.75, -0.62, fill=(150, 155, 165))
        for x, y in (
            (-0.55, -0.5),
            (-0.2, -0.55),
            (0.15, -0.48),
            (0.5, -0.55),
            (-0.85, 0.05),
            (0.88, 0.1),
            (-0.75, 0.45),
            (0.8, 0.5),
        ):
            pen.poly(
                [(x, y - 0.12), (x - 0.06, y + 0.02), (x + 0.06, y + 0.02)], fill=(40, 120, 230)
            )
            pen.circle(x, y + 0.03, 0.06, fill=(40, 120, 230))
    else:
        pen.circle(0.78, -0.78, 0.15, fill=(250, 190, 20))
        for k in range(8):
            a = math.radians(k * 45)
            pen.line(
                [
                    (0.78 + 0.22 * math.cos(a), -0.78 + 0.22 * math.sin(a)),
                    (0.78 + 0.3 * math.cos(a), -0.78 + 0.3 * math.sin(a)),
                ],
                (250, 170, 0),
                0.04,
            )
    pen.line([(0.0, -0.3), (0.0, 0.6)], INK, 0.07, caps=False)
    pen.arc(-0.13, 0.6, 0.13, 0.13, 0, 180, INK, 0.07)
    canopy = arc_points(0, 0.05, 0.78, 0.72, 180, 360, 30)
    scallop: list[tuple[float, float]] = []
    for k in range(4):
        xa = 0.78 - k * 0.39
        scallop += arc_points(xa - 0.195, 0.05, 0.195, 0.1, 0, -180, 8)
    pen.poly([*canopy, *scallop], fill=c, outline=INK, width=0.06)
    pen.line([(0.0, -0.67), (0.0, -0.8)], INK, 0.06)
    if state == "wet":
        for x in (-0.58, -0.2, 0.2, 0.58):
            pen.circle(x, 0.22, 0.05, fill=(40, 120, 230))


def _drink(pen: Pen, state: str, st: Style) -> None:
    q = pen.sub(0, 0.25, 0.85)
    if state == "cold":
        for x, y, a in ((-0.3, -0.62, -15), (0.1, -0.7, 10), (0.35, -0.58, 25)):
            sq = rotate_pts([(-0.16, -0.16), (0.16, -0.16), (0.16, 0.16), (-0.16, 0.16)], a)
            q.poly(
                [(x + px, y + py) for px, py in sq],
                fill=(190, 230, 250),
                outline=(60, 120, 170),
                width=0.05,
            )
    cup(q, st["color"])
    if state == "hot":
        for x in (-0.4, 0.0, 0.4):
            # Ends at y = -1.05, inside the icon's placement square (it reached -1.49).
            pts = [(x + 0.1 * math.sin(t * 2.2), -0.72 - 0.22 * t) for t in np.linspace(0, 2.6, 24)]
            pen.line([(px, py * 0.85 + 0.05) for px, py in pts], (150, 150, 160), 0.07)
    else:
        cx, cy = 0.0, -0.78
        for k in range(3):
            a = math.radians(k * 60)
            pen.line(
                [
                    (cx - 0.2 * math.cos(a), cy - 0.2 * math.sin(a)),
                    (cx + 0.2 * math.cos(a), cy + 0.2 * math.sin(a)),
                ],
                (40, 140, 230),
                0.05,
            )
        for x, y in ((-0.35, 0.25), (0.2, 0.55), (-0.1, 0.8)):
            pen.circle(x, y, 0.04, fill=(255, 255, 255))


def _battery(pen: Pen, state: str, st: Style) -> None:
    pen.rect(0.75, -0.18, 0.92, 0.18, fill=INK, radius=0.04)
    pen.rect(-0.9, -0.45, 0.78, 0.45, fill=(250, 250, 250), outline=INK, width=0.09, radius=0.1)
    if state == "charged":
        for k in range(st["bars"]):
            x0 = -0.76 + k * 0.38
            pen.rect(x0, -0.3, x0 + 0.3, 0.3, fill=(40, 180, 60), radius=0.03)
    else:
        pen.rect(-0.76, -0.3, -0.68, 0.3, fill=(220, 40, 40), radius=0.02)


def _candle(pen: Pen, state: str, st: Style) -> None:
    c = st["color"]
    if state == "lit":
        pen.circle(0, -0.55, 0.38, fill=(255, 240, 170, 160))
        pen.poly(
            [(0, -0.95), (0.14, -0.6), (0.13, -0.48), (0, -0.4), (-0.13, -0.48), (-0.14, -0.6)],
            fill=(250, 150, 20),
        )
        pen.poly([(0, -0.8), (0.07, -0.58), (0, -0.46), (-0.07, -0.58)], fill=(255, 235, 90))
    pen.line([(0, -0.5), (0, -0.36)], INK, 0.05, caps=False)
    pen.rect(-0.22, -0.36, 0.22, 0.75, fill=c, outline=INK, width=0.05, radius=0.04)
    pen.line([(-0.12, -0.25), (-0.12, 0.6)], lighter(c, 0.45), 0.06)
    pen.ellipse(-0.55, 0.68, 0.55, 0.88, fill=(200, 200, 205), outline=INK, width=0.05)


def _apple(pen: Pen, state: str, st: Style) -> None:
    c = st["color"]
    pen.line([(0.0, -0.55), (0.08, -0.85)], (100, 60, 20), 0.08)
    pen.poly(
        [(0.08, -0.72), (0.35, -0.9), (0.5, -0.75), (0.25, -0.66)],
        fill=(60, 150, 50),
        outline=INK,
        width=0.03,
    )
    if state == "whole":
        pen.circle(-0.25, 0.05, 0.58, fill=c)
        pen.circle(0.25, 0.05, 0.58, fill=c)
        pen.circle(0, 0.12, 0.6, fill=c)
        pen.ellipse(-0.85, -0.6, 0.85, 0.75, outline=INK, width=0.05)
        pen.ellipse(-0.5, -0.3, -0.3, 0.0, fill=lighter(c, 0.6))
        return
    flesh = (250, 240, 195)
    core = [
        (-0.55, -0.45),
        (0.55, -0.45),
        (0.2, -0.2),
        (0.16, 0.1),
        (0.22, 0.38),
        (0.5, 0.58),
        (-0.5, 0.58),
        (-0.22, 0.38),
        (-0.16, 0.1),
        (-0.2, -0.2),
    ]
    pen.poly(core, fill=flesh, outline=INK, width=0.05)
    pen.chord(-0.6, -0.7, 0.6, -0.2, 180, 360, c)
    pen.chord(-0.6, -0.7, 0.6, -0.2, 180, 360, None)
    pen.chord(-0.55, 0.35, 0.55, 0.8, 0, 180, c)
    pen.arc(0, -0.45, 0.6, 0.25, 180, 360, INK, 0.05)
    pen.arc(0, 0.58, 0.55, 0.22, 0, 180, INK, 0.05)
    pen.line([(-0.6, -0.45), (0.6, -0.45)], INK, 0.05)
    pen.line([(-0.55, 0.58), (0.55, 0.58)], INK, 0.05)
    for y in (-0.05, 0.2):
        pen.ellipse(-0.05, y - 0.07, 0.05, y + 0.07, fill=(90, 50, 20))


def _balloon(pen: Pen, state: str, st: Style) -> None:
    c = st["color"]
    if state == "inflated":
        pen.line([(0.0, 0.45), (0.1, 0.6), (-0.08, 0.75), (0.05, 0.95)], INK, 0.03)
        pen.poly([(0.0, 0.38), (0.08, 0.48), (-0.08, 0.48)], fill=c, outline=INK, width=0.03)
        pen.ellipse(-0.55, -0.95, 0.55, 0.4, fill=c, outline=INK, width=0.05)
        pen.ellipse(-0.35, -0.7, -0.15, -0.35, fill=lighter(c, 0.6))
    else:
        pts = [
            (0.5 * rr * math.cos(math.radians(a)), 0.5 + 0.35 * rr * math.sin(math.radians(a)))
            for a, rr in zip(range(0, 360, 30), st["crumple"], strict=True)
        ]
        pen.line([(0.3, 0.6), (0.6, 0.75), (0.8, 0.7), (0.95, 0.8)], INK, 0.03)
        pen.poly(pts, fill=c, outline=INK, width=0.05)
        pen.line([(-0.2, 0.5), (0.0, 0.6), (0.15, 0.52)], darker(c, 0.7), 0.03)
    pen.line([(-1.0, 0.97), (1.0, 0.97)], (0, 0, 0, 0), 0.01)


def _s_glass(rng: np.random.Generator) -> Style:
    name = pick(rng, list(LIQUIDS))
    return {"liquid": jitter_color(rng, LIQUIDS[name]), "liquid_name": name}


def _s_color(rng: np.random.Generator) -> Style:
    return {"color": jitter_color(rng, pick(rng, BRIGHT))}


def _s_door(rng: np.random.Generator) -> Style:
    return {
        "color": jitter_color(rng, pick(rng, [*BRIGHT, (150, 100, 60), (170, 120, 70)])),
        "frame": jitter_color(rng, pick(rng, [(200, 200, 205), (120, 90, 60), (240, 240, 240)])),
    }


def _s_box(rng: np.random.Generator) -> Style:
    return {
        "color": jitter_color(
            rng,
            pick(
                rng,
                [(200, 150, 90), (185, 135, 80), (215, 170, 110), (120, 170, 220), (220, 120, 120)],
            ),
        )
    }


def _s_bulb(rng: np.random.Generator) -> Style:
    return {"glow": jitter_color(rng, (255, 225, 50), 10)}


def _s_ice(rng: np.random.Generator) -> Style:
    n = int(rng.integers(1, 3))
    cubes = [(0.0, 0.0, 1.0)] if n == 1 else [(-0.35, 0.15, 0.7), (0.4, -0.1, 0.7)]
    puddle = [
        (
            float(rng.uniform(-0.35, 0.35)),
            float(rng.uniform(0.1, 0.4)),
            float(rng.uniform(0.4, 0.6)),
            float(rng.uniform(0.16, 0.26)),
        )
        for _ in range(4)
    ]
    return {"ice": jitter_color(rng, (150, 205, 240), 12), "cubes": cubes, "puddle": puddle}


def _s_egg(rng: np.random.Generator) -> Style:
    return {
        "shell": jitter_color(
            rng, pick(rng, [(245, 235, 215), (215, 160, 110), (235, 200, 160)]), 8
        )
    }


def _s_plate(rng: np.random.Generator) -> Style:
    rim = jitter_color(
        rng,
        pick(rng, [(70, 120, 200), (200, 70, 70), (60, 150, 100), (230, 170, 40), (140, 90, 170)]),
    )
    n = int(rng.integers(3, 5))
    base = float(rng.uniform(0, 360))
    cuts = sorted(base + 360 * k / n + float(rng.uniform(-15, 15)) for k in range(n))
    return {"rim": rim, "centre": (250, 250, 250), "cuts": cuts}


def _s_banana(rng: np.random.Generator) -> Style:
    return {"tilt": float(rng.uniform(-40, 40))}


def _s_battery(rng: np.random.Generator) -> Style:
    return {"bars": int(rng.integers(3, 5))}


def _s_candle(rng: np.random.Generator) -> Style:
    return {
        "color": jitter_color(
            rng,
            pick(
                rng, [(230, 60, 60), (60, 120, 220), (250, 240, 200), (120, 60, 170), (60, 160, 80)]
            ),
        )
    }


def _s_apple(rng: np.random.Generator) -> Style:
    return {"color": jitter_color(rng, pick(rng, [(210, 30, 30), (120, 190, 40), (230, 190, 30)]))}


def _s_balloon(rng: np.random.Generator) -> Style:
    return {
        "color": jitter_color(rng, pick(rng, BRIGHT)),
        "crumple": [float(v) for v in rng.uniform(0.6, 1.3, 12)],
    }


#: concept -> (noun, {state: adjectives}, draw, style sampler, difficulty)
CONCEPTS: dict[
    str, tuple[str, dict[str, list[str]], DrawFn, Callable[[np.random.Generator], Style], str]
] = {
    "glass": ("glass", {"full": ["full"], "empty": ["empty"]}, _glass, _s_glass, "easy"),
    "door": ("door", {"open": ["open"], "closed": ["closed", "shut"]}, _door, _s_door, "medium"),
    "box": ("box", {"open": ["open"], "closed": ["closed", "sealed"]}, _box, _s_box, "medium"),
    "bulb": (
        "light bulb",
        {"lit": ["lit", "switched on"], "unlit": ["unlit", "switched off"]},
        _bulb,
        _s_bulb,
        "easy",
    ),
    "ice": (
        "ice cube",
        {"frozen": ["frozen", "solid"], "melted": ["melted"]},
        _ice,
        _s_ice,
        "hard",
    ),
    "egg": (
        "egg",
        {"intact": ["whole", "unbroken"], "broken": ["broken", "cracked"]},
        _egg,
        _s_egg,
        "medium",
    ),
    "plate": (
        "plate",
        {"intact": ["intact", "unbroken"], "broken": ["broken", "smashed"]},
        _plate,
        _s_plate,
        "medium",
    ),
    "banana": (
        "banana",
        {"ripe": ["ripe"], "unripe": ["unripe", "not yet ripe"]},
        _banana,
        _s_banana,
        "easy",
    ),
    "umbrella": ("umbrella", {"wet": ["wet"], "dry": ["dry"]}, _umbrella, _s_color, "hard"),
    "drink": (
        "drink",
        {"hot": ["hot", "steaming"], "cold": ["cold", "iced"]},
        _drink,
        _s_color,
        "medium",
    ),
    "battery": (
        "battery",
        {"charged": ["fully charged", "full"], "empty": ["empty", "flat"]},
        _battery,
        _s_battery,
        "easy",
    ),
    "candle": (
        "candle",
        {"lit": ["lit", "burning"], "unlit": ["unlit", "not burning"]},
        _candle,
        _s_candle,
        "easy",
    ),
    "apple": (
        "apple",
        {"whole": ["whole", "uneaten"], "eaten": ["eaten", "bitten down to the core"]},
        _apple,
        _s_apple,
        "medium",
    ),
    "balloon": (
        "balloon",
        {"inflated": ["inflated", "blown up"], "deflated": ["deflated", "flat"]},
        _balloon,
        _s_balloon,
        "easy",
    ),
}

#: Attributive templates use ``adj`` before the noun; predicative ones after "is".
TEMPLATES = [
    "put the cube on the {noun} that is {adj}",
    "put the cube on the {noun} which is {adj}",
    "put the cube on the picture where the {noun} is {adj}",
    "put the cube on the image showing {a_noun} that is {adj}",
    "put the cube on the {attr} {noun}",
]


class Generator:
    """State: the same object drawn in two states; the cube goes on the asked state.

    The item style (colour, liquid, layout) is shared by both images so only the state
    differs; placement, scale and rotation are drawn independently per image.
    """

    name = "State"

    def generate(self, rng: np.random.Generator) -> GeneratedItem:
        """Make one State item from ``rng``."""
        concept = pick(rng, list(CONCEPTS))
        noun, states, draw, styler, difficulty = CONCEPTS[concept]
        style = styler(rng)
        names = list(states)
        k = int(rng.integers(2))
        target, other = names[k], names[1 - k]
        adj = pick(rng, states[target])
        n_templates = len(TEMPLATES) if " " not in adj else len(TEMPLATES) - 1
        t = int(rng.integers(n_templates))
        instruction = TEMPLATES[t].format(noun=noun, adj=adj, attr=adj, a_noun=article(noun))
        question = f"Which {noun} is {adj}?"
        correct = render(lambda p: draw(p, target, style), rng)
        distractor = render(lambda p: draw(p, other, style), rng)
        meta = {
            "concept": concept,
            "object": noun,
            "target_state": target,
            "distractor_state": other,
            "adjective": adj,
            "template": t,
            "style": {key: _jsonable(v) for key, v in style.items()},
        }
        return GeneratedItem(question, instruction, correct, distractor, difficulty, meta)


def _jsonable(v: Any) -> Any:
    if isinstance(v, tuple | list):
        return [_jsonable(x) for x in v]
    if isinstance(v, float):
        return round(v, 4)
    return v
