"""Color: two copies of the same object in different named colours."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from act2answer.synth._base import GeneratedItem
from act2answer.synth._draw import (
    NAMED_COLORS,
    RGB,
    Canvas,
    choice,
    outline_for,
    rotate_points,
    shape_points,
)

#: Pairs too close to be "clearly different" (never used as target/distractor).
CONFUSABLE = {
    frozenset(pair)
    for pair in [
        ("red", "orange"), ("red", "pink"), ("red", "brown"), ("orange", "yellow"),
        ("orange", "brown"), ("pink", "purple"), ("black", "gray"), ("white", "gray"),
        ("brown", "black"), ("pink", "white"), ("yellow", "white"),
    ]
}  # fmt: skip
#: Allowed pairs that are neighbours on the colour wheel (tagged "medium").
NEIGHBOURS = {
    frozenset(pair)
    for pair in [
        ("yellow", "green"), ("green", "blue"), ("blue", "purple"), ("red", "purple"),
        ("orange", "pink"), ("brown", "gray"), ("purple", "black"), ("blue", "black"),
    ]
}  # fmt: skip

OBJECTS = (
    "circle",
    "square",
    "star",
    "heart",
    "triangle",
    "blob",
    "balloon",
    "shirt",
    "car",
    "mug",
)
NOUNS = {"blob": "shape", "shirt": "T-shirt"}

TEMPLATES = (
    "put the cube on the {color} {noun}",
    "place the cube on the {noun} that is {color}",
    "put the cube onto the {color} one",
    "move the cube onto the {color} {noun}",
    "put the cube on the picture of the {color} {noun}",
)
QUESTIONS = ("Which {noun} is {color}?", "Which picture shows a {color} {noun}?")


class Generator:
    """Color category generator."""

    name = "Color"
    version = "1"

    def generate(self, rng: np.random.Generator) -> GeneratedItem:
        names = list(NAMED_COLORS)
        target = choice(rng, names)
        allowed = [n for n in names if n != target and frozenset((n, target)) not in CONFUSABLE]
        other = choice(rng, allowed)
        kind = choice(rng, OBJECTS)
        noun = NOUNS.get(kind, kind)
        t_rgb = choice(rng, NAMED_COLORS[target])
        o_rgb = choice(rng, NAMED_COLORS[other])
        uses_white = "white" in (target, other)
        bg: RGB = (212, 218, 228) if uses_white else choice(rng, ((255, 255, 255), (246, 244, 238)))
        params = _object_params(rng, kind)
        correct = draw_object(kind, t_rgb, bg, params, rng_jitter=rng.uniform(-12, 12, 3))
        distractor = draw_object(kind, o_rgb, bg, params, rng_jitter=rng.uniform(-12, 12, 3))
        fields = {"color": target, "noun": noun}
        return GeneratedItem(
            question=choice(rng, QUESTIONS).format(**fields),
            instruction=choice(rng, TEMPLATES).format(**fields),
            correct=correct,
            distractor=distractor,
            difficulty="medium" if frozenset((target, other)) in NEIGHBOURS else "easy",
            meta={
                "target_color": target,
                "distractor_color": other,
                "target_rgb": list(t_rgb),
                "distractor_rgb": list(o_rgb),
                "object": kind,
                "background": list(bg),
            },
        )


def _object_params(rng: np.random.Generator, kind: str) -> dict[str, float]:
    params = {"size": float(rng.uniform(300, 380)), "rotation": float(rng.uniform(-25, 25))}
    if kind == "blob":
        params.update({f"r{k}": float(rng.uniform(0.75, 1.0)) for k in range(7)})
        params["phase"] = float(rng.uniform(0, 2 * math.pi))
    return params


def draw_object(
    kind: str, fill: RGB, bg: RGB, params: dict[str, float], rng_jitter: np.ndarray
) -> Image.Image:
    """Draw one coloured object, centred with a small position jitter."""
    canvas = Canvas(bg=bg)
    cx, cy = 256 + float(rng_jitter[0]), 256 + float(rng_jitter[1])
    size, rot = params["size"], params["rotation"] + float(rng_jitter[2])
    line = outline_for(fill)
    width = 7
    if kind in ("circle", "square", "star", "heart", "triangle"):
        pts = shape_points(kind, cx, cy, size, rotation=rot if kind != "circle" else 0)
        canvas.polygon(pts, fill=fill, outline=line, width=width)
    elif kind == "blob":
        radii = [params[f"r{k}"] for k in range(7)]
        pts = []
        for k in range(120):
            a = 2 * math.pi * k / 120
            # smooth periodic interpolation of 7 control radii
            pos = a / (2 * math.pi) * 7
            i0 = int(pos) % 7
            t = pos - int(pos)
            w = (1 - math.cos(math.pi * t)) / 2
            r = (radii[i0] * (1 - w) + radii[(i0 + 1) % 7] * w) * size / 2
            pts.append(
                (cx + r * math.cos(a + params["phase"]), cy + r * math.sin(a + params["phase"]))
            )
        canvas.polygon(pts, fill=fill, outline=line, width=width)
    elif kind == "balloon":
        canvas.polyline([(cx, cy + size * 0.42), (cx - 18, cy + 200), (cx + 8, cy + 235)], line, 5)
        canvas.polygon(
            [(cx - 20, cy + size * 0.46), (cx + 20, cy + size * 0.46), (cx, cy + size * 0.36)],
            fill=fill,
            outline=line,
            width=5,
        )
        canvas.ellipse(
            (cx, cy - 30), size * 0.36, size * 0.45, fill=fill, outline=line, width=width
        )
    elif kind == "shirt":
        s = size / 2
        pts = [
            (-0.35, -0.8), (-0.15, -0.8), (0.0, -0.62), (0.15, -0.8), (0.35, -0.8), (1.0, -0.35),
            (0.8, -0.05), (0.55, -0.25), (0.55, 0.85), (-0.55, 0.85), (-0.55, -0.25), (-0.8, -0.05),
            (-1.0, -0.35),
        ]  # fmt: skip
        pts = rotate_points([(cx + x * s, cy + y * s) for x, y in pts], (cx, cy), rot * 0.4)
        canvas.polygon(pts, fill=fill, outline=line, width=width)
    elif kind == "car":
        s = size / 2
        body = [(-1.0, 0.25), (-1.0, -0.15), (-0.55, -0.2), (-0.35, -0.6), (0.4, -0.6),
                (0.6, -0.2), (1.0, -0.12), (1.0, 0.25)]  # fmt: skip
        canvas.polygon(
            [(cx + x * s, cy + y * s) for x, y in body], fill=fill, outline=line, width=width
        )
        window = [(-0.28, -0.22), (-0.18, -0.5), (0.33, -0.5), (0.46, -0.22)]
        canvas.polygon([(cx + x * s, cy + y * s) for x, y in window], fill=(205, 225, 240),
                       outline=line, width=5)  # fmt: skip
        for wx in (-0.55, 0.55):
            canvas.circle((cx + wx * s, cy + 0.28 * s), 0.2 * s, fill=(30, 30, 30))
            canvas.circle((cx + wx * s, cy + 0.28 * s), 0.08 * s, fill=(170, 170, 170))
    elif kind == "mug":
        s = size / 2
        canvas.ellipse((cx + 0.62 * s, cy), 0.32 * s, 0.38 * s, outline=line, width=0.2 * s + 6)
        canvas.ellipse((cx + 0.62 * s, cy), 0.32 * s - 3, 0.38 * s - 3, outline=fill, width=0.2 * s)
        canvas.rectangle((cx - 0.7 * s, cy - 0.7 * s, cx + 0.6 * s, cy + 0.75 * s), fill=fill,
                         outline=line, width=width)  # fmt: skip
    else:
        raise ValueError(f"unknown object {kind!r}")
    return canvas.finish()
