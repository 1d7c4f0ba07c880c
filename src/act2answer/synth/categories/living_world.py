"""Living World: living vs non-living, animal vs plant, who flies, who swims, who eats what."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from act2answer.synth._base import GeneratedItem
from act2answer.synth.categories._pictograms import (
    CANVAS,
    INK,
    WHITE,
    Pen,
    car_side,
    cup,
    darker,
    finish,
    fish,
    jitter_color,
    lighter,
    new_layer,
    pick,
    render,
    rotate_pts,
)
from act2answer.synth.categories.state import _banana

Color = tuple[int, int, int]
DrawFn = Callable[[Pen, Color], None]
W = 0.05  # outline width


def _bird(p: Pen, c: Color) -> None:
    p.line([(-0.05, 0.35), (-0.05, 0.72)], (230, 140, 0), 0.06)
    p.line([(0.15, 0.35), (0.15, 0.72)], (230, 140, 0), 0.06)
    p.poly([(-0.45, 0.0), (-0.95, -0.25), (-0.88, 0.25)], fill=darker(c, 0.8), outline=INK, width=W)
    p.ellipse(-0.6, -0.25, 0.45, 0.45, fill=c, outline=INK, width=W)
    p.poly(
        [(0.62, -0.38), (0.95, -0.25), (0.62, -0.15)], fill=(245, 160, 0), outline=INK, width=0.03
    )
    p.circle(0.42, -0.3, 0.28, fill=c, outline=INK, width=W)
    p.circle(0.5, -0.36, 0.06, fill=INK)
    p.poly([(-0.35, 0.0), (0.15, 0.0), (-0.3, -0.75)], fill=darker(c, 0.8), outline=INK, width=W)


def _fish(p: Pen, c: Color) -> None:
    fish(p.sub(0, 0, 0.95), c)


def _cat(p: Pen, c: Color) -> None:
    p.arc(0.55, 0.45, 0.3, 0.4, -90, 90, INK, 0.14)
    p.arc(0.55, 0.45, 0.3, 0.4, -90, 90, c, 0.08)
    p.ellipse(-0.5, -0.05, 0.5, 0.92, fill=c, outline=INK, width=W)
    for s in (-1, 1):
        p.poly(
            [(s * 0.38, -0.62), (s * 0.45, -0.98), (s * 0.12, -0.72)], fill=c, outline=INK, width=W
        )
    p.circle(0, -0.38, 0.45, fill=c, outline=INK, width=W)
    for s in (-1, 1):
        p.ellipse(s * 0.18 - 0.07, -0.5, s * 0.18 + 0.07, -0.32, fill=(90, 160, 60))
        p.ellipse(s * 0.18 - 0.025, -0.48, s * 0.18 + 0.025, -0.34, fill=INK)
        p.line([(s * 0.12, -0.24), (s * 0.55, -0.3)], INK, 0.025)
        p.line([(s * 0.12, -0.2), (s * 0.55, -0.14)], INK, 0.025)
    p.poly([(-0.06, -0.28), (0.06, -0.28), (0.0, -0.2)], fill=(230, 120, 130))


def _dog(p: Pen, c: Color) -> None:
    p.ellipse(-0.45, 0.1, 0.45, 0.92, fill=c, outline=INK, width=W)
    ear = darker(c, 0.65)
    p.ellipse(-0.72, -0.65, -0.35, 0.1, fill=ear, outline=INK, width=W)
    p.ellipse(0.35, -0.65, 0.72, 0.1, fill=ear, outline=INK, width=W)
    p.circle(0, -0.3, 0.45, fill=c, outline=INK, width=W)
    p.ellipse(-0.25, -0.2, 0.25, 0.15, fill=lighter(c, 0.5))
    p.ellipse(-0.1, -0.18, 0.1, -0.04, fill=INK)
    for s in (-1, 1):
        p.circle(s * 0.18, -0.42, 0.06, fill=INK)
    p.ellipse(-0.08, 0.04, 0.08, 0.22, fill=(230, 90, 100))


def _rabbit(p: Pen, c: Color) -> None:
    for s in (-1, 1):
        p.ellipse(s * 0.22 - 0.13, -0.98, s * 0.22 + 0.13, -0.25, fill=c, outline=INK, width=W)
        p.ellipse(s * 0.22 - 0.06, -0.88, s * 0.22 + 0.06, -0.35, fill=(240, 170, 180))
    p.ellipse(-0.45, 0.1, 0.45, 0.92, fill=c, outline=INK, width=W)
    p.circle(0, -0.1, 0.38, fill=c, outline=INK, width=W)
    for s in (-1, 1):
        p.circle(s * 0.15, -0.18, 0.055, fill=INK)
    p.poly([(-0.06, -0.04), (0.06, -0.04), (0.0, 0.03)], fill=(230, 110, 130))
    p.ellipse(-0.22, 0.55, 0.22, 0.85, fill=lighter(c, 0.6))


def _butterfly(p: Pen, c: Color) -> None:
    c2 = darker(c, 0.7)
    for s in (-1, 1):
        p.ellipse(s * 0.05, -0.8, s * 0.9, 0.05, fill=c, outline=INK, width=W)
        p.ellipse(s * 0.05, -0.05, s * 0.65, 0.65, fill=c2, outline=INK, width=W)
        p.circle(s * 0.5, -0.4, 0.12, fill=WHITE)
    p.ellipse(-0.08, -0.55, 0.08, 0.6, fill=INK)
    p.line([(0, -0.5), (-0.25, -0.9)], INK, 0.04)
    p.line([(0, -0.5), (0.25, -0.9)], INK, 0.04)


def _bee(p: Pen, c: Color) -> None:
    p.ellipse(-0.45, -0.85, 0.1, -0.1, fill=(200, 230, 250, 220), outline=INK, width=W)
    p.ellipse(-0.05, -0.8, 0.45, -0.15, fill=(200, 230, 250, 220), outline=INK, width=W)
    p.poly([(-0.8, 0.1), (-1.0, 0.18), (-0.8, 0.3)], fill=INK)
    p.ellipse(-0.85, -0.25, 0.6, 0.55, fill=c, outline=INK, width=W)
    for x in (-0.45, -0.15, 0.15):
        p.line([(x, -0.2), (x, 0.5)], INK, 0.13, caps=False)
    p.circle(0.62, 0.08, 0.28, fill=INK)
    p.circle(0.7, 0.0, 0.06, fill=WHITE)


def _snail(p: Pen, c: Color) -> None:
    body = (170, 190, 120)
    p.poly(
        [(-0.95, 0.62), (0.75, 0.62), (0.8, 0.1), (0.62, 0.1), (0.55, 0.45), (-0.85, 0.45)],
        fill=body,
        outline=INK,
        width=W,
    )
    p.line([(0.7, 0.15), (0.6, -0.3)], INK, 0.04)
    p.line([(0.75, 0.15), (0.92, -0.25)], INK, 0.04)
    p.circle(0.6, -0.3, 0.06, fill=INK)
    p.circle(0.92, -0.25, 0.06, fill=INK)
    p.circle(-0.15, -0.05, 0.58, fill=c, outline=INK, width=W)
    pts = [
        (
            -0.15 + 0.5 * (1 - t / 14) * math.cos(t * 0.9),
            -0.05 + 0.5 * (1 - t / 14) * math.sin(t * 0.9),
        )
        for t in np.linspace(0, 12, 60)
    ]
    p.line(pts, darker(c, 0.6), 0.06)


def _whale(p: Pen, c: Color) -> None:
    p.poly([(-0.7, 0.15), (-1.0, -0.2), (-0.95, 0.05), (-1.0, 0.45)], fill=c, outline=INK, width=W)
    p.ellipse(-0.8, -0.3, 0.95, 0.6, fill=c, outline=INK, width=W)
    p.chord(-0.6, 0.0, 0.9, 0.6, 0, 180, lighter(c, 0.55))
    p.circle(0.55, 0.05, 0.06, fill=INK)
    for a in (-120, -90, -60):
        r = math.radians(a)
        p.line(
            [(0.3, -0.35), (0.3 + 0.35 * math.cos(r), -0.35 + 0.45 * math.sin(r))],
            (80, 170, 240),
            0.06,
        )


def _snake(p: Pen, c: Color) -> None:
    pts = [
        (-0.85 + 1.5 * t, 0.3 + 0.35 * math.sin(t * 2 * math.pi * 1.4))
        for t in np.linspace(0, 1, 40)
    ]
    p.line(pts, INK, 0.26)
    p.line(pts, c, 0.18)
    for x, y in pts[3:-3:4]:
        p.circle(x, y, 0.05, fill=darker(c, 0.55))
    hx, hy = pts[-1]
    tongue = (220, 30, 40)
    p.line([(hx + 0.25, hy - 0.08), (hx + 0.45, hy - 0.08), (hx + 0.55, hy - 0.16)], tongue, 0.04)
    p.line([(hx + 0.45, hy - 0.08), (hx + 0.55, hy)], (220, 30, 40), 0.04)
    p.ellipse(hx - 0.1, hy - 0.22, hx + 0.3, hy + 0.08, fill=c, outline=INK, width=W)
    p.circle(hx + 0.12, hy - 0.1, 0.045, fill=INK)


def _tree(p: Pen, c: Color) -> None:
    p.poly(
        [(-0.14, 0.95), (-0.1, 0.0), (0.1, 0.0), (0.14, 0.95)],
        fill=(120, 80, 40),
        outline=INK,
        width=W,
    )
    blobs = [
        (0, -0.4, 0.45),
        (-0.42, -0.15, 0.35),
        (0.42, -0.15, 0.35),
        (-0.25, -0.7, 0.3),
        (0.25, -0.7, 0.3),
        (0, 0.05, 0.3),
    ]
    for x, y, r in blobs:
        p.circle(x, y, r + 0.04, fill=INK)
    for x, y, r in blobs:
        p.circle(x, y, r, fill=c)


def _flower(p: Pen, c: Color) -> None:
    p.line([(0, -0.2), (0, 0.95)], (50, 140, 50), 0.08)
    p.ellipse(0.0, 0.35, 0.45, 0.55, fill=(60, 160, 60), outline=INK, width=0.03)
    p.ellipse(-0.45, 0.55, 0.0, 0.75, fill=(60, 160, 60), outline=INK, width=0.03)
    for k in range(6):
        a = math.radians(60 * k)
        p.circle(0.3 * math.cos(a), -0.4 + 0.3 * math.sin(a), 0.22, fill=c, outline=INK, width=0.04)
    p.circle(0, -0.4, 0.17, fill=(250, 200, 30), outline=INK, width=0.04)


def _cactus(p: Pen, c: Color) -> None:
    p.rect(-0.2, -0.9, 0.2, 0.5, fill=c, outline=INK, width=W, radius=0.2)
    p.line([(-0.2, 0.05), (-0.5, 0.05), (-0.5, -0.4)], INK, 0.2)
    p.line([(-0.2, 0.05), (-0.5, 0.05), (-0.5, -0.4)], c, 0.12)
    p.line([(0.2, -0.15), (0.48, -0.15), (0.48, -0.55)], INK, 0.2)
    p.line([(0.2, -0.15), (0.48, -0.15), (0.48, -0.55)], c, 0.12)
    p.rect(-0.19, -0.1, 0.19, 0.1, fill=c)
    p.poly(
        [(-0.45, 0.45), (0.45, 0.45), (0.35, 0.95), (-0.35, 0.95)],
        fill=(200, 100, 60),
        outline=INK,
        width=W,
    )
    for y in (-0.6, -0.3, 0.0, 0.3):
        p.line([(-0.04, y), (0.04, y)], darker(c, 0.6), 0.03)


def _potted(p: Pen, c: Color) -> None:
    for ang in (-60, -30, 0, 30, 60):
        leaf = [(0, 0.3), (-0.15, -0.2), (0, -0.75), (0.15, -0.2)]
        p.poly(rotate_pts(leaf, ang, 0, 0.3), fill=c, outline=INK, width=0.04)
    p.poly(
        [(-0.45, 0.3), (0.45, 0.3), (0.35, 0.95), (-0.35, 0.95)],
        fill=(60, 110, 190),
        outline=INK,
        width=W,
    )


def _mushroom(p: Pen, c: Color) -> None:
    p.rect(-0.2, -0.1, 0.2, 0.85, fill=(245, 235, 210), outline=INK, width=W, radius=0.1)
    p.chord(-0.8, -0.8, 0.8, 0.6, 180, 360, c)
    p.line([(-0.8, -0.1), (0.8, -0.1)], INK, W)
    p.arc(0, -0.1, 0.8, 0.7, 180, 360, INK, W)
    for x, y in ((-0.4, -0.35), (0.1, -0.55), (0.45, -0.3)):
        p.circle(x, y, 0.1, fill=WHITE)


def _rock(p: Pen, c: Color) -> None:
    pts = [
        (-0.85, 0.6),
        (-0.75, 0.0),
        (-0.4, -0.45),
        (0.1, -0.55),
        (0.55, -0.3),
        (0.85, 0.2),
        (0.8, 0.6),
    ]
    p.poly(pts, fill=c, outline=INK, width=W)
    p.poly([(-0.4, -0.45), (0.1, -0.55), (0.0, -0.05), (-0.5, 0.1)], fill=lighter(c, 0.3))
    p.line([(0.0, -0.05), (0.3, 0.6)], darker(c, 0.7), 0.03)


def _car(p: Pen, c: Color) -> None:
    car_side(p, c)


def _chair(p: Pen, c: Color) -> None:
    p.rect(0.3, -0.9, 0.45, 0.9, fill=c, outline=INK, width=W)
    p.rect(-0.6, 0.05, 0.45, 0.2, fill=c, outline=INK, width=W)
    p.rect(-0.58, 0.2, -0.45, 0.9, fill=c, outline=INK, width=W)
    for y in (-0.6, -0.3):
        p.rect(0.0, y, 0.3, y + 0.08, fill=c)


def _cup(p: Pen, c: Color) -> None:
    cup(p, c)


def _ball(p: Pen, c: Color) -> None:
    cols = [c, WHITE, (250, 210, 30), WHITE, (40, 110, 220), WHITE]
    for k in range(6):
        p.pie(0, 0, 0.75, k * 60, (k + 1) * 60, cols[k])
    p.circle(0, 0, 0.75, outline=INK, width=W)
    p.circle(0, 0, 0.12, fill=cols[0])


def _house(p: Pen, c: Color) -> None:
    p.rect(-0.65, -0.15, 0.65, 0.85, fill=c, outline=INK, width=W)
    p.poly([(-0.85, -0.1), (0.0, -0.85), (0.85, -0.1)], fill=(190, 50, 40), outline=INK, width=W)
    p.rect(-0.15, 0.3, 0.18, 0.85, fill=(120, 80, 40), outline=INK, width=0.04)
    p.rect(-0.52, 0.05, -0.27, 0.3, fill=(190, 225, 250), outline=INK, width=0.04)
    p.rect(0.3, 0.05, 0.55, 0.3, fill=(190, 225, 250), outline=INK, width=0.04)


def _key(p: Pen, c: Color) -> None:
    p.circle(-0.5, 0.0, 0.35, fill=c, outline=INK, width=W)
    p.circle(-0.5, 0.0, 0.14, fill=WHITE, outline=INK, width=0.04)
    p.rect(-0.18, -0.08, 0.9, 0.08, fill=c, outline=INK, width=W)
    p.rect(0.5, 0.08, 0.6, 0.3, fill=c, outline=INK, width=0.04)
    p.rect(0.72, 0.08, 0.82, 0.25, fill=c, outline=INK, width=0.04)


def _book(p: Pen, c: Color) -> None:
    p.rect(-0.55, -0.8, 0.6, 0.8, fill=WHITE, outline=INK, width=W, radius=0.04)
    p.rect(-0.6, -0.85, 0.5, 0.72, fill=c, outline=INK, width=W, radius=0.05)
    p.rect(-0.6, -0.85, -0.42, 0.72, fill=darker(c, 0.7), radius=0.05)
    p.rect(-0.25, -0.55, 0.35, -0.35, fill=lighter(c, 0.6))


def _robot(p: Pen, c: Color) -> None:
    p.line([(0, -0.95), (0, -0.72)], INK, 0.05)
    p.circle(0, -0.95, 0.07, fill=(230, 50, 50))
    p.rect(-0.4, -0.72, 0.4, -0.2, fill=c, outline=INK, width=W, radius=0.08)
    for s in (-1, 1):
        p.circle(s * 0.17, -0.48, 0.09, fill=(250, 220, 60), outline=INK, width=0.03)
    p.rect(-0.2, -0.33, 0.2, -0.27, fill=INK)
    p.rect(-0.5, -0.12, 0.5, 0.6, fill=c, outline=INK, width=W, radius=0.06)
    p.rect(-0.2, 0.05, 0.2, 0.3, fill=lighter(c, 0.5), outline=INK, width=0.03)
    for s in (-1, 1):
        p.rect(s * 0.55 - 0.08, -0.05, s * 0.55 + 0.08, 0.45, fill=c, outline=INK, width=0.04)
        p.rect(s * 0.22 - 0.1, 0.6, s * 0.22 + 0.1, 0.95, fill=c, outline=INK, width=0.04)


def _carrot(p: Pen, c: Color) -> None:
    for ang in (-25, 0, 25):
        p.poly(
            rotate_pts([(-0.08, -0.45), (0.0, -0.95), (0.08, -0.45)], ang, 0, -0.45),
            fill=(60, 160, 50),
            outline=INK,
            width=0.03,
        )
    p.poly([(-0.3, -0.5), (0.3, -0.5), (0.0, 0.95)], fill=c, outline=INK, width=W)
    for y in (-0.2, 0.15, 0.45):
        p.line([(-0.12, y), (0.05, y)], darker(c, 0.7), 0.03)


def _bone(p: Pen, c: Color) -> None:
    q = p.sub(0, 0, 1.0)
    pts = rotate_pts([(-0.65, 0.0), (0.65, 0.0)], -30)
    for x, y in pts:
        for dx, dy in rotate_pts([(0.0, -0.15), (0.0, 0.15)], -30):
            q.circle(x + dx * 1.0 + (-0.1 if x < 0 else 0.1), y + dy, 0.2, fill=INK)
    q.line(pts, INK, 0.3)
    for x, y in pts:
        for dx, dy in rotate_pts([(0.0, -0.15), (0.0, 0.15)], -30):
            q.circle(x + dx + (-0.1 if x < 0 else 0.1), y + dy, 0.16, fill=c)
    q.line(pts, c, 0.22)


def _banana_food(p: Pen, c: Color) -> None:
    _banana(p, "ripe", {"tilt": 15.0})


def _cheese(p: Pen, c: Color) -> None:
    p.poly(
        [(-0.85, 0.55), (0.85, 0.55), (0.85, -0.1), (-0.85, 0.05)],
        fill=darker(c, 0.85),
        outline=INK,
        width=W,
    )
    p.poly([(-0.85, 0.05), (0.85, -0.1), (0.5, -0.55)], fill=c, outline=INK, width=W)
    for x, y, r in ((-0.4, 0.3, 0.1), (0.2, 0.2, 0.13), (0.6, 0.4, 0.08), (0.35, -0.2, 0.07)):
        p.circle(x, y, r, fill=darker(c, 0.65))


def _grass(p: Pen, c: Color) -> None:
    for k in range(9):
        x = -0.8 + k * 0.2
        top = -0.9 + 0.35 * abs(math.sin(k * 1.7))
        lean = 0.25 * math.sin(k * 2.3)
        p.poly([(x - 0.1, 0.85), (x + lean, top), (x + 0.1, 0.85)], fill=c, outline=INK, width=0.03)
    p.rect(-0.95, 0.78, 0.95, 0.92, fill=(120, 80, 40), radius=0.04)


GREENS = [(60, 160, 60), (40, 130, 60), (90, 170, 50)]
BRIGHT = [
    (220, 50, 50),
    (40, 110, 220),
    (240, 150, 20),
    (150, 70, 190),
    (30, 160, 170),
    (230, 90, 150),
]


def _animal(
    flies: bool, water: bool | None, eggs: bool, mammal: bool, insect: bool
) -> dict[str, Any]:
    """Attribute table of an animal (``water`` None: neither clearly yes nor no)."""
    return {
        "kind": "animal",
        "flies": flies,
        "water": water,
        "eggs": eggs,
        "mammal": mammal,
        "insect": insect,
    }


#: entity -> (draw, palette, attributes, emoji codepoint)
ENTITIES: dict[str, tuple[DrawFn, list[Color], dict[str, Any], str]] = {
    "bird": (
        _bird,
        [(60, 130, 220), (220, 60, 50), (245, 200, 40)],
        _animal(flies=True, water=False, eggs=True, mammal=False, insect=False),
        "\U0001f426",
    ),
    "fish": (
        _fish,
        [(250, 140, 30), (60, 150, 230), (230, 80, 120)],
        _animal(flies=False, water=True, eggs=True, mammal=False, insect=False),
        "\U0001f41f",
    ),
    "cat": (
        _cat,
        [(240, 150, 50), (150, 150, 155), (110, 80, 60)],
        _animal(flies=False, water=False, eggs=False, mammal=True, insect=False),
        "\U0001f408",
    ),
    "dog": (
        _dog,
        [(190, 130, 70), (230, 200, 150), (150, 100, 60)],
        _animal(flies=False, water=False, eggs=False, mammal=True, insect=False),
        "\U0001f415",
    ),
    "rabbit": (
        _rabbit,
        [(235, 235, 235), (180, 170, 160), (190, 140, 100)],
        _animal(flies=False, water=False, eggs=False, mammal=True, insect=False),
        "\U0001f407",
    ),
    "butterfly": (
        _butterfly,
        BRIGHT,
        _animal(flies=True, water=False, eggs=True, mammal=False, insect=True),
        "\U0001f98b",
    ),
    "bee": (
        _bee,
        [(250, 200, 30), (245, 185, 20)],
        _animal(flies=True, water=False, eggs=True, mammal=False, insect=True),
        "\U0001f41d",
    ),
    "snail": (
        _snail,
        [(190, 120, 60), (210, 150, 80)],
        _animal(flies=False, water=None, eggs=True, mammal=False, insect=False),
        "\U0001f40c",
    ),
    "whale": (
        _whale,
        [(60, 110, 180), (80, 130, 200), (90, 100, 130)],
        _animal(flies=False, water=True, eggs=False, mammal=True, insect=False),
        "\U0001f40b",
    ),
    "snake": (
        _snake,
        [(70, 160, 60), (150, 190, 40), (40, 130, 90)],
        _animal(flies=False, water=None, eggs=True, mammal=False, insect=False),
        "\U0001f40d",
    ),
    "tree": (_tree, GREENS, {"kind": "plant"}, "\U0001f333"),
    "flower": (_flower, BRIGHT, {"kind": "plant"}, "\U0001f33c"),
    "cactus": (_cactus, GREENS, {"kind": "plant"}, "\U0001f335"),
    "potted plant": (_potted, GREENS, {"kind": "plant"}, "\U0001fab4"),
    "mushroom": (_mushroom, [(220, 40, 40), (200, 120, 60)], {"kind": "fungus"}, "\U0001f344"),
    "rock": (
        _rock,
        [(150, 150, 150), (140, 125, 110), (120, 120, 130)],
        {"kind": "object"},
        "\U0001faa8",
    ),
    "car": (_car, BRIGHT, {"kind": "object"}, "\U0001f697"),
    "chair": (
        _chair,
        [(150, 100, 60), (200, 60, 50), (60, 110, 190)],
        {"kind": "object"},
        "\U0001fa91",
    ),
    "cup": (_cup, BRIGHT, {"kind": "object"}, "\u2615"),
    "ball": (_ball, [(220, 50, 50), (40, 160, 80)], {"kind": "object"}, "\u26bd"),
    "house": (
        _house,
        [(240, 220, 170), (200, 220, 240), (240, 200, 200)],
        {"kind": "object"},
        "\U0001f3e0",
    ),
    "key": (_key, [(230, 190, 40), (190, 190, 200)], {"kind": "object"}, "\U0001f511"),
    "book": (_book, BRIGHT, {"kind": "object"}, "\U0001f4d5"),
    "robot": (_robot, [(160, 170, 185), (120, 160, 210)], {"kind": "object"}, "\U0001f916"),
    "carrot": (_carrot, [(245, 130, 30)], {"kind": "food"}, "\U0001f955"),
    "bone": (_bone, [(245, 240, 225)], {"kind": "food"}, "\U0001f9b4"),
    "banana": (_banana_food, [(245, 205, 35)], {"kind": "food"}, "\U0001f34c"),
    "cheese": (_cheese, [(250, 205, 60)], {"kind": "food"}, "\U0001f9c0"),
    "grass": (_grass, GREENS, {"kind": "food"}, "\U0001f33f"),
}

#: What eats what: animal -> (food it eats, foods it does not eat).
FOOD = {
    "rabbit": ("carrot", ["bone", "fish", "cheese"]),
    "dog": ("bone", ["banana", "flower"]),
    "cat": ("fish", ["carrot", "grass", "banana"]),
    "cow": ("grass", ["bone", "fish"]),
    "monkey": ("banana", ["bone", "fish"]),
    "mouse": ("cheese", ["bone"]),
    "bee": ("flower", ["bone", "cheese", "fish"]),
}

ANIMALS = [n for n, e in ENTITIES.items() if e[2]["kind"] == "animal"]
PLANTS = [n for n, e in ENTITIES.items() if e[2]["kind"] == "plant"]
LIVING = [n for n, e in ENTITIES.items() if e[2]["kind"] in ("animal", "plant", "fungus")]
OBJECTS = [n for n, e in ENTITIES.items() if e[2]["kind"] == "object"]


def _attr(attr: str, value: bool) -> list[str]:
    return [n for n in ANIMALS if ENTITIES[n][2][attr] is value]


#: question -> (noun phrases, question, difficulty)
QUESTIONS: dict[str, tuple[list[str], str, str]] = {
    "living": (
        ["the living thing", "the thing that is alive", "the one that is alive"],
        "Which one is alive?",
        "easy",
    ),
    "nonliving": (
        [
            "the thing that is not alive",
            "the non-living thing",
            "the thing that has never been alive",
        ],
        "Which one is not alive?",
        "easy",
    ),
    "animal": (["the animal", "the one that is an animal"], "Which one is an animal?", "easy"),
    "plant": (
        ["the plant", "the one that is a plant", "the thing that grows from a seed"],
        "Which one is a plant?",
        "easy",
    ),
    "flies": (
        ["the animal that can fly", "the creature that flies"],
        "Which animal can fly?",
        "medium",
    ),
    "water": (
        ["the animal that lives in water", "the creature that lives in the sea"],
        "Which animal lives in water?",
        "medium",
    ),
    "eggs": (
        ["the animal that lays eggs", "the creature that hatches from an egg"],
        "Which animal lays eggs?",
        "hard",
    ),
    "mammal": (
        ["the mammal", "the animal that feeds its babies milk"],
        "Which animal is a mammal?",
        "hard",
    ),
    "insect": (["the insect", "the animal that is an insect"], "Which one is an insect?", "medium"),
    "eats": (
        ["the food a {a} eats", "what a {a} likes to eat", "the thing a {a} would eat"],
        "What does a {a} eat?",
        "medium",
    ),
}

#: Questions in a fixed order (the schedule permutes this).
QUESTIONS_ORDER: tuple[str, ...] = tuple(QUESTIONS)

TEMPLATES = [
    "put the cube on {np}",
    "put the cube on the picture of {np}",
    "put the cube on the image that shows {np}",
    "put the cube on the tile with {np}",
]

EMOJI_FONT_PATHS = (
    "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/google-noto-emoji/NotoColorEmoji.ttf",
    "/System/Library/Fonts/Apple Color Emoji.ttc",
)


@lru_cache(maxsize=1)
def emoji_font() -> ImageFont.FreeTypeFont | None:
    """The installed colour emoji font at its bitmap size (109), or None."""
    for path in EMOJI_FONT_PATHS:
        if os.path.exists(path):
            try:
                return ImageFont.truetype(path, 109)
            except OSError:
                continue
    return None


def _emoji_layer(char: str) -> Image.Image | None:
    f = emoji_font()
    if f is None:
        return None
    try:
        tile = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((80, 80), char, font=f, anchor="mm", embedded_color=True)
    except (OSError, ValueError):
        return None
    if tile.getbbox() is None:
        return None
    layer, pen = new_layer()
    side = int(pen.r * 2)
    big = tile.resize((int(side * 160 / 136), int(side * 160 / 136)), Image.Resampling.LANCZOS)
    off = (CANVAS - big.width) // 2
    layer.alpha_composite(big, (off, off))
    return layer


def _pick_pair(rng: np.random.Generator, q: str) -> tuple[str, str, dict[str, str]]:
    """Correct entity, distractor entity and template fields for question ``q``."""
    extra: dict[str, str] = {}
    if q == "living":
        return pick(rng, LIVING), pick(rng, OBJECTS), extra
    if q == "nonliving":
        return pick(rng, OBJECTS), pick(rng, LIVING), extra
    if q == "animal":
        return pick(rng, ANIMALS), pick(rng, PLANTS), extra
    if q == "plant":
        return pick(rng, PLANTS), pick(rng, ANIMALS), extra
    if q == "eats":
        animal = pick(rng, sorted(FOOD))
        good, bad = FOOD[animal]
        extra["a"] = animal
        return good, pick(rng, bad), extra
    return pick(rng, _attr(q, True)), pick(rng, _attr(q, False)), extra


#: (question, correct entity, wrong entity, animal of an "eats" question or "").
Pairing = tuple[str, str, str, str]


def all_pairings() -> dict[str, list[Pairing]]:
    """Every allowed (question, correct, wrong, animal) combination, per question."""
    out: dict[str, list[Pairing]] = {}
    for q in QUESTIONS:
        if q == "living":
            combos = [(g, b, "") for g in LIVING for b in OBJECTS]
        elif q == "nonliving":
            combos = [(g, b, "") for g in OBJECTS for b in LIVING]
        elif q == "animal":
            combos = [(g, b, "") for g in ANIMALS for b in PLANTS]
        elif q == "plant":
            combos = [(g, b, "") for g in PLANTS for b in ANIMALS]
        elif q == "eats":
            combos = [(FOOD[a][0], b, a) for a in sorted(FOOD) for b in FOOD[a][1]]
        else:
            combos = [(g, b, "") for g in _attr(q, True) for b in _attr(q, False)]
        out[q] = [(q, g, b, a) for g, b, a in combos]
    return out


#: Suite schedules are built in blocks of this many items.
_SCHEDULE_BLOCK = 256


@lru_cache(maxsize=8)
def suite_schedule(seed: int, blocks: int) -> tuple[Pairing, ...]:
    """Question and pair of the first ``blocks * 256`` items of a suite with seed ``seed``.

    Questions take turns in a seeded order (each question equally often). Within a
    question, pairs come in a seeded order, skipping any whose two entities (in
    either role, under any question) an earlier item already showed, until none is
    left; then the least-shown pair is used again.
    """
    rng = np.random.default_rng([seed, 0x11F3])  # "Living World" pair schedule
    questions = [QUESTIONS_ORDER[k] for k in rng.permutation(len(QUESTIONS_ORDER))]
    pools = {q: [combos[k] for k in rng.permutation(len(combos))]
             for q, combos in all_pairings().items()}  # fmt: skip
    shown: dict[frozenset[str], int] = {}
    schedule: list[Pairing] = []
    for index in range(blocks * _SCHEDULE_BLOCK):
        pool = pools[questions[index % len(questions)]]
        pairing = min(pool, key=lambda c: shown.get(frozenset(c[1:3]), 0))  # first least-shown
        pool.remove(pairing)
        pool.append(pairing)
        key = frozenset(pairing[1:3])
        shown[key] = shown.get(key, 0) + 1
        schedule.append(pairing)
    return tuple(schedule)


class Generator:
    """Living World: biology questions over drawn pictograms of animals, plants and objects.

    Questions: living vs non-living, animal vs plant, which can fly, which lives in
    water, which lays eggs, which is a mammal, which is an insect, what an animal eats.
    Every pair is chosen from attribute tables so the answer is true by construction.

    Args:
        render_mode: ``"drawn"`` (default, identical on every machine) or ``"auto"``
            (use an installed colour emoji font when there is one, else drawn). The mode
            actually used is recorded in ``meta["render"]``.
    """

    name = "Living World"

    def __init__(self, render_mode: str = "drawn") -> None:
        if render_mode not in ("drawn", "auto"):
            raise ValueError(f"render_mode must be 'drawn' or 'auto', not {render_mode!r}")
        self.render_mode = render_mode

    def _image(self, rng: np.random.Generator, entity: str) -> tuple[Image.Image, str]:
        draw, palette, _, char = ENTITIES[entity]
        color = jitter_color(rng, pick(rng, palette), 12)
        if self.render_mode == "auto":
            layer = _emoji_layer(char)
            if layer is not None:
                return finish(layer, rng, max_rot=8.0), "emoji"
        return render(lambda p: draw(p, color), rng, max_rot=10.0), "drawn"

    def generate(self, rng: np.random.Generator) -> GeneratedItem:
        """Make one Living World item from ``rng`` (question and pair drawn at random)."""
        q = pick(rng, list(QUESTIONS))
        good, bad, extra = _pick_pair(rng, q)
        return self._make(rng, q, good, bad, extra)

    def generate_in_suite(self, rng: np.random.Generator, seed: int, index: int) -> GeneratedItem:
        """Make item ``index`` of a suite with seed ``seed``: no pair repeats early.

        Questions and entity pairs follow :func:`suite_schedule`, so two items of
        one suite show the same two entities only once every allowed pair of every
        question has been used (a 5-item suite once had "bee vs fish" twice).
        ``rng`` draws everything else (wording, colours, placement).
        """
        q, good, bad, animal = suite_schedule(seed, index // _SCHEDULE_BLOCK + 1)[index]
        return self._make(rng, q, good, bad, {"a": animal} if animal else {})

    def _make(
        self, rng: np.random.Generator, q: str, good: str, bad: str, extra: dict[str, str]
    ) -> GeneratedItem:
        nps, question, difficulty = QUESTIONS[q]
        np_ = pick(rng, nps).format(**extra)
        t = int(rng.integers(len(TEMPLATES)))
        instruction = TEMPLATES[t].format(np=np_)
        correct, mode_c = self._image(rng, good)
        distractor, mode_d = self._image(rng, bad)
        meta = {
            "concept": q,
            "correct_entity": good,
            "distractor_entity": bad,
            "animal": extra.get("a"),
            "template": t,
            "render": mode_c if mode_c == mode_d else "mixed",
        }
        return GeneratedItem(
            question.format(**extra), instruction, correct, distractor, difficulty, meta
        )
