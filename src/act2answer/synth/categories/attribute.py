"""Attribute: compare size, length, height, thickness or pattern of two depictions."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageChops, ImageDraw

from act2answer.synth._base import GeneratedItem
from act2answer.synth._draw import (
    FIGURE_COLORS,
    LIGHT_BACKGROUNDS,
    RGB,
    Canvas,
    Point,
    choice,
    outline_for,
    rotate_points,
    shape_points,
)

#: Backgrounds for pattern items: never white, so white pattern parts stay inside the figure.
PATTERN_BACKGROUNDS: tuple[RGB, ...] = ((224, 232, 242), (236, 228, 214), (226, 238, 226))
PATTERNS = ("striped", "dotted", "checkered", "plain")
PATTERN_NOUNS = ("ball", "flag", "box")
SIZE_NOUNS = ("ball", "star", "heart", "box")

TEMPLATES = {
    "size": (
        "put the cube on the {adj} {noun}",
        "place the cube on the picture of the {adj} {noun}",
        "move the cube onto the {noun} that is {adj}",
    ),
    "length": (
        "put the cube on the {adj} pencil",
        "place the cube on the picture with the {adj} pencil",
        "move the cube onto the {adj} of the two pencils",
    ),
    "height": (
        "put the cube on the {adj} tower",
        "place the cube on the {adj} stack of blocks",
        "move the cube onto the picture with the {adj} tower",
    ),
    "thickness": (
        "put the cube on the {adj} line",
        "place the cube on the picture with the {adj} line",
        "move the cube onto the {adj} of the two lines",
    ),
    "pattern": (
        "put the cube on the {adj} {noun}",
        "place the cube on the {noun} that is {adj}",
        "move the cube onto the {adj} {noun}",
        "put the cube on the picture of a {adj} {noun}",
    ),
}
#: Ratio ranges (larger / smaller, in the image) per difficulty. They are wide enough to
#: survive the camera: the far tile renders at ~0.71-0.85x the height and ~0.85-0.92x
#: the width of the near one (measured on 224 px frames of the default camera, see
#: ``benchmarks/frame_contrast.py``), and every item must still show a >= 10%
#: difference in the right direction in both layouts. "size" is a linear ratio
#: (the area ratio is its square); the others are lengths along one direction.
LINEAR_RATIOS = {"easy": (1.95, 2.3), "medium": (1.75, 1.95), "hard": (1.6, 1.75)}
AREA_RATIOS = {"easy": (1.75, 2.0), "medium": (1.55, 1.75), "hard": (1.4, 1.55)}

ADJECTIVES = {
    "size": ("bigger", "smaller"),
    "length": ("longer", "shorter"),
    "height": ("taller", "shorter"),
    "thickness": ("thicker", "thinner"),
}


class Generator:
    """Attribute category generator."""

    name = "Attribute"
    version = "2"

    def generate(self, rng: np.random.Generator) -> GeneratedItem:
        attribute = choice(rng, ("size", "length", "height", "thickness", "pattern"))
        fill = choice(rng, FIGURE_COLORS)
        if attribute == "pattern":
            return _pattern_item(rng, fill)
        bigger = rng.random() < 0.5
        adj = ADJECTIVES[attribute][0 if bigger else 1]
        level = choice(rng, ("easy", "medium", "hard"))
        low, high = (AREA_RATIOS if attribute == "size" else LINEAR_RATIOS)[level]
        ratio = float(rng.uniform(low, high))
        bg = choice(rng, LIGHT_BACKGROUNDS)
        noun = choice(rng, SIZE_NOUNS) if attribute == "size" else ""
        large, small, params = _draw_pair(rng, attribute, ratio, fill, bg, noun)
        correct, distractor = (large, small) if bigger else (small, large)
        question = {
            "size": f"Which {noun} is {adj}?",
            "length": f"Which pencil is {adj}?",
            "height": f"Which tower is {adj}?",
            "thickness": f"Which line is {adj}?",
        }[attribute]
        return GeneratedItem(
            question=question,
            instruction=choice(rng, TEMPLATES[attribute]).format(adj=adj, noun=noun),
            correct=correct,
            distractor=distractor,
            difficulty=level,
            meta={
                "attribute": attribute,
                "adjective": adj,
                "ratio": round(ratio, 4),
                "noun": noun or None,
                "relies_on": "relative size",
                **params,
            },
        )


def _draw_pair(
    rng: np.random.Generator, attribute: str, ratio: float, fill: RGB, bg: RGB, noun: str
) -> tuple[Image.Image, Image.Image, dict[str, object]]:
    """(larger-attribute image, smaller-attribute image, parameters)."""
    if attribute == "size":
        big = float(rng.uniform(330, 390))
        rot = float(rng.uniform(-20, 20))
        images = [_sized(noun, s, rot, fill, bg, rng) for s in (big, big / ratio)]
        return images[0], images[1], {"sizes": [round(big, 2), round(big / ratio, 2)]}
    if attribute == "length":
        long = float(rng.uniform(400, 460))
        angle = float(rng.uniform(-30, 30))
        images = [_pencil(length, angle, fill, bg, rng) for length in (long, long / ratio)]
        return images[0], images[1], {"lengths": [round(long, 2), round(long / ratio, 2)]}
    if attribute == "height":
        block = float(rng.uniform(44, 56))
        tall = int(rng.integers(6, 9))
        short = max(1, min(tall - 1, math.floor(tall / ratio)))
        width = float(rng.uniform(140, 190))
        colors = [choice(rng, FIGURE_COLORS) for _ in range(tall)]
        images = [_tower(k, block, width, colors, bg) for k in (tall, short)]
        return images[0], images[1], {"blocks": [tall, short], "block_height": round(block, 2)}
    thick = float(rng.uniform(72, 92))  # the thin line stays >= ~1.5 px in a 224 px frame
    angle = float(rng.uniform(-40, 40))
    length = float(rng.uniform(360, 420))
    images = [_stroke(length, w, angle, fill, bg) for w in (thick, thick / ratio)]
    return images[0], images[1], {"widths": [round(thick, 2), round(thick / ratio, 2)]}


def _sized(
    noun: str, size: float, rot: float, fill: RGB, bg: RGB, rng: np.random.Generator
) -> Image.Image:
    canvas = Canvas(bg=bg)
    cx, cy = 256 + float(rng.uniform(-15, 15)), 256 + float(rng.uniform(-15, 15))
    if noun == "ball":
        r = size / 2
        canvas.circle((cx, cy), r, fill=fill, outline=outline_for(fill), width=6)
        canvas.ellipse((cx - r * 0.3, cy - r * 0.35), r * 0.22, r * 0.14, fill=(255, 255, 255))
    else:
        name = {"box": "square"}.get(noun, noun)
        pts = shape_points(name, cx, cy, size, rotation=rot if noun != "heart" else rot / 2)
        canvas.polygon(pts, fill=fill, outline=outline_for(fill), width=6)
    return canvas.finish()


def _pencil(
    length: float, angle: float, fill: RGB, bg: RGB, rng: np.random.Generator
) -> Image.Image:
    canvas = Canvas(bg=bg)
    cx, cy = 256 + float(rng.uniform(-10, 10)), 256 + float(rng.uniform(-30, 30))
    w = 30.0
    x0, x1 = cx - length / 2, cx + length / 2
    tip = 0.2 * length if length < 300 else 60.0
    parts: list[tuple[list[Point], RGB]] = [
        ([(x0, cy - w), (x0 + 26, cy - w), (x0 + 26, cy + w), (x0, cy + w)], (240, 130, 150)),
        ([(x0 + 26, cy - w), (x0 + 44, cy - w), (x0 + 44, cy + w), (x0 + 26, cy + w)],
         (150, 150, 160)),
        ([(x0 + 44, cy - w), (x1 - tip, cy - w), (x1 - tip, cy + w), (x0 + 44, cy + w)], fill),
        ([(x1 - tip, cy - w), (x1, cy), (x1 - tip, cy + w)], (235, 190, 130)),
        ([(x1 - tip * 0.3, cy - w * 0.3), (x1, cy), (x1 - tip * 0.3, cy + w * 0.3)], (40, 40, 40)),
    ]  # fmt: skip
    for pts, color in parts:
        canvas.polygon(rotate_points(pts, (cx, cy), angle), fill=color, outline=(60, 60, 60),
                       width=3)  # fmt: skip
    return canvas.finish()


def _tower(k: int, block: float, width: float, colors: list[RGB], bg: RGB) -> Image.Image:
    canvas = Canvas(bg=bg)
    bottom = 488.0
    for i in range(k):
        y1 = bottom - i * block
        color = colors[i]
        canvas.rectangle((256 - width / 2, y1 - block, 256 + width / 2, y1), fill=color,
                         outline=outline_for(color), width=4)  # fmt: skip
    return canvas.finish()


def _stroke(length: float, width: float, angle: float, fill: RGB, bg: RGB) -> Image.Image:
    canvas = Canvas(bg=bg)
    pts = rotate_points([(256 - length / 2, 256), (256 + length / 2, 256)], (256, 256), angle)
    canvas.line(pts[0], pts[1], fill, width, round_caps=False)
    return canvas.finish()


# ----------------------------------------------------------------------------- patterns


def _pattern_item(rng: np.random.Generator, fill: RGB) -> GeneratedItem:
    target = choice(rng, PATTERNS[:3])
    other = choice(rng, [p for p in PATTERNS if p != target])
    noun = choice(rng, PATTERN_NOUNS)
    bg = choice(rng, PATTERN_BACKGROUNDS)
    second: RGB = choice(rng, ((255, 255, 255), (30, 30, 40)))
    angle = float(rng.uniform(-40, 40))
    correct = draw_patterned(noun, target, fill, second, bg, angle)
    distractor = draw_patterned(noun, other, fill, second, bg, angle)
    return GeneratedItem(
        question=f"Which {noun} is {target}?",
        instruction=choice(rng, TEMPLATES["pattern"]).format(adj=target, noun=noun),
        correct=correct,
        distractor=distractor,
        difficulty="easy",
        meta={
            "attribute": "pattern",
            "pattern": target,
            "distractor_pattern": other,
            "noun": noun,
            "pattern_angle": round(angle, 3),
        },
    )


def draw_patterned(
    noun: str, pattern: str, fill: RGB, second: RGB, bg: RGB, angle: float
) -> Image.Image:
    """A ball, flag or box filled with ``pattern`` (striped/dotted/checkered/plain)."""
    canvas = Canvas(bg=bg)
    ss = canvas.ss
    if noun == "ball":
        outline: list[Point] = [
            (256 + 190 * math.cos(t), 256 + 190 * math.sin(t))
            for t in np.linspace(0, 2 * math.pi, 120, endpoint=False)
        ]
    elif noun == "flag":
        outline = [(86, 126), (456, 126), (456, 386), (86, 386)]
        canvas.line((76, 110), (76, 490), (90, 70, 40), 16)
    else:
        outline = [(96, 96), (416, 96), (416, 416), (96, 416)]
    canvas.polygon(outline, fill=fill)
    if pattern != "plain":
        shape_mask = Image.new("L", canvas.image.size, 0)
        ImageDraw.Draw(shape_mask).polygon([(x * ss, y * ss) for x, y in outline], fill=255)
        layer = Image.new("L", canvas.image.size, 0)
        draw = ImageDraw.Draw(layer)
        c = 256 * ss
        if pattern == "striped":
            for k in range(-6, 7):
                off = k * 70
                band = [(-700, off - 19), (700, off - 19), (700, off + 19), (-700, off + 19)]
                pts = rotate_points([(c + x * ss, c + y * ss) for x, y in band], (c, c), angle)
                draw.polygon(pts, fill=255)
        elif pattern == "dotted":
            for i in range(-5, 6):
                for j in range(-5, 6):
                    spot = (c + i * 62 * ss, c + (j + 0.5 * (i % 2)) * 62 * ss)
                    ((px, py),) = rotate_points([spot], (c, c), angle)
                    r = 16 * ss
                    draw.ellipse((px - r, py - r, px + r, py + r), fill=255)
        else:  # checkered
            cell = 56 * ss
            for i in range(-6, 6):
                for j in range(-6, 6):
                    if (i + j) % 2 == 0:
                        sq = [
                            (c + i * cell, c + j * cell),
                            (c + (i + 1) * cell, c + j * cell),
                            (c + (i + 1) * cell, c + (j + 1) * cell),
                            (c + i * cell, c + (j + 1) * cell),
                        ]
                        draw.polygon(rotate_points(sq, (c, c), angle * 0.3), fill=255)  # fmt: skip
        canvas.paste_mask(ImageChops.multiply(layer, shape_mask), second)
    canvas.polygon(outline, outline=outline_for(fill), width=6)
    return canvas.finish()
