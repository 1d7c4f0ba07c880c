"""Counting: pictures of n separate objects ("five apples", "more stars")."""

from __future__ import annotations

import numpy as np
from PIL import Image

from act2answer.synth._base import GeneratedItem
from act2answer.synth._draw import (
    FIGURE_COLORS,
    LIGHT_BACKGROUNDS,
    RGB,
    Canvas,
    Point,
    choice,
    outline_for,
    sample_positions,
    shape_points,
)

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten")  # fmt: skip
OBJECTS = {"dot": "dots", "star": "stars", "apple": "apples", "square": "squares",
           "heart": "hearts", "triangle": "triangles"}  # fmt: skip
MAX_COUNT = 10

EXACT_TEMPLATES = (
    "put the cube on the picture with {word} {plural}",
    "place the cube on the picture that shows exactly {word} {plural}",
    "put the cube on the image with {n} {plural}",
    "move the cube onto the group of {word} {plural}",
)
COMPARE_TEMPLATES = (
    "put the cube on the picture with {more} {plural}",
    "place the cube on the picture that has {more} {plural}",
    "put the cube on the group with {more} {plural}",
    "move the cube onto the picture showing {more} {plural}",
)


class Generator:
    """Counting category generator."""

    name = "Counting"
    version = "1"

    def generate(self, rng: np.random.Generator) -> GeneratedItem:
        kind = choice(rng, list(OBJECTS))
        plural = OBJECTS[kind]
        task = choice(rng, ("exact", "exact", "more", "fewer"))
        if task == "exact":
            n = int(rng.integers(2, 10))
            deltas = [d for d in (-3, -2, -1, 1, 2, 3) if 1 <= n + d <= MAX_COUNT]
            m = n + int(choice(rng, deltas))
            fields = {"word": NUMBER_WORDS[n], "plural": plural, "n": n}
            instruction = choice(rng, EXACT_TEMPLATES).format(**fields)
            question = f"Which picture shows {NUMBER_WORDS[n]} {plural}?"
        else:
            a, b = (int(v) for v in rng.choice(np.arange(1, MAX_COUNT + 1), size=2, replace=False))
            n, m = (max(a, b), min(a, b)) if task == "more" else (min(a, b), max(a, b))
            word = "more" if task == "more" else "fewer"
            instruction = choice(rng, COMPARE_TEMPLATES).format(more=word, plural=plural)
            question = f"Which picture has {word} {plural}?"
        diff = abs(n - m)
        bg = choice(rng, LIGHT_BACKGROUNDS)
        radius = _radius(max(n, m))  # same item size in both: size is no cue for the count
        correct = draw_scene(rng, kind, n, bg, radius)
        distractor = draw_scene(rng, kind, m, bg, radius)
        return GeneratedItem(
            question=question,
            instruction=instruction,
            correct=correct,
            distractor=distractor,
            difficulty="hard" if diff == 1 else "medium" if diff == 2 else "easy",
            meta={"task": task, "object": kind, "count": n, "distractor_count": m},
        )


def _radius(n: int) -> float:
    return 82.0 if n <= 3 else 68.0 if n <= 5 else 57.0 if n <= 7 else 49.0


def draw_scene(rng: np.random.Generator, kind: str, n: int, bg: RGB, radius: float) -> Image.Image:
    """Draw ``n`` non-touching objects of ``kind`` (about ``radius`` each), rejection-sampled."""
    positions: list[Point] | None = None
    while positions is None:
        positions = sample_positions(rng, n, radius, margin=10, gap=14)
        radius *= 0.95
    multi = rng.random() < 0.3
    base = choice(rng, FIGURE_COLORS)
    canvas = Canvas(bg=bg)
    for x, y in positions:
        color = choice(rng, FIGURE_COLORS) if multi else base
        r = radius * float(rng.uniform(0.88, 1.0))
        rot = float(rng.uniform(-30, 30))
        if kind == "dot":
            canvas.circle((x, y), r * 0.9, fill=color)
        elif kind == "apple":
            _apple(canvas, x, y, r, rng)
        else:
            pts = shape_points(kind, x, y, 2 * r * 0.95, rotation=rot)
            canvas.polygon(pts, fill=color, outline=outline_for(color), width=3)
    return canvas.finish()


def _apple(canvas: Canvas, x: float, y: float, r: float, rng: np.random.Generator) -> None:
    body: RGB = choice(rng, ((215, 30, 35), (200, 25, 30), (120, 190, 40)))
    line = outline_for(body)
    cy = y + r * 0.12
    canvas.ellipse((x - r * 0.28, cy), r * 0.55, r * 0.7, fill=body, outline=line, width=3)
    canvas.ellipse((x + r * 0.28, cy), r * 0.55, r * 0.7, fill=body, outline=line, width=3)
    canvas.ellipse((x, cy + r * 0.05), r * 0.5, r * 0.62, fill=body)
    canvas.line((x, cy - r * 0.5), (x + r * 0.12, y - r * 0.92), (100, 60, 20), r * 0.16)
    canvas.polygon(
        [(x + r * 0.08, y - r * 0.7), (x + r * 0.45, y - r * 0.98), (x + r * 0.62, y - r * 0.78),
         (x + r * 0.3, y - r * 0.62)],
        fill=(40, 150, 50),
    )  # fmt: skip
