"""Shape: a named geometric shape vs a different shape, same colour."""

from __future__ import annotations

import numpy as np
from PIL import Image

from act2answer.synth._base import GeneratedItem
from act2answer.synth._draw import (
    FIGURE_COLORS,
    LIGHT_BACKGROUNDS,
    RGB,
    SHAPE_NAMES,
    Canvas,
    choice,
    outline_for,
    shape_points,
)

#: Pairs that need a closer look (tagged "hard").
HARD_PAIRS = {
    frozenset(p)
    for p in [("square", "rectangle"), ("square", "diamond"), ("circle", "oval"),
              ("pentagon", "hexagon"), ("rectangle", "diamond"), ("hexagon", "circle")]
}  # fmt: skip
#: (asked, distractor) pairs never used: the distractor is also an instance of the asked
#: name (a square is a rectangle and a rhombus, a circle is an oval), so both options
#: would be right. The reverse pairs ("the square" against a rectangle) stay.
NOT_ASKED_AGAINST = {("rectangle", "square"), ("diamond", "square"), ("oval", "circle")}
SIDES = {"triangle": "three", "pentagon": "five", "hexagon": "six"}
#: Shapes told apart by their proportions alone. The camera distorts a tile's image (legacy
#: scene: squashed vertically, a circle on the far tile renders ~1.4-1.6x wider than tall;
#: reference scene: the near tile squashed vertically, the far one sheared), so these
#: items are marked ``relies_on: "absolute shape"``, ovals and rectangles lie
#: near-horizontal (their elongation adds to the vertical squash instead of cancelling
#: it), and a rendered-frame test checks on both scenes that the elongated one still
#: looks more elongated in both layouts.
ASPECT_SHAPES = {"circle": "round", "square": "round", "oval": "long", "rectangle": "long"}
#: Rotation range in degrees per shape (limits keep e.g. a square from becoming a diamond).
ROTATION = {
    "square": 12, "rectangle": 12, "diamond": 8, "heart": 20, "cross": 15, "oval": 12,
    "circle": 0, "triangle": 180, "pentagon": 180, "hexagon": 180, "star": 180, "arrow": 180,
}  # fmt: skip

TEMPLATES = (
    "put the cube on the {shape}",
    "place the cube on the picture of {article} {shape}",
    "put the cube on the shape that is {article} {shape}",
    "move the cube onto the {shape}",
    "put the cube on the {shape} shape",
)
SIDES_TEMPLATES = ("put the cube on the shape with {sides} sides",)


def article(word: str) -> str:
    """``"a"`` or ``"an"`` for a noun."""
    return "an" if word[0] in "aeiou" else "a"


class Generator:
    """Shape category generator."""

    name = "Shape"
    version = "3"

    def generate(self, rng: np.random.Generator) -> GeneratedItem:
        target = choice(rng, SHAPE_NAMES)
        hard = rng.random() < 0.3
        pool = [s for s in SHAPE_NAMES if s != target and (target, s) not in NOT_ASKED_AGAINST]
        hard_pool = [s for s in pool if frozenset((s, target)) in HARD_PAIRS]
        if hard and hard_pool:
            other = choice(rng, hard_pool)
        else:
            other = choice(rng, [s for s in pool if frozenset((s, target)) not in HARD_PAIRS])
        fill = choice(rng, FIGURE_COLORS)
        bg = choice(rng, LIGHT_BACKGROUNDS)
        correct, c_params = draw_shape(rng, target, fill, bg)
        distractor, d_params = draw_shape(rng, other, fill, bg)
        use_sides = target in SIDES and other not in SIDES and rng.random() < 0.35
        if use_sides:
            instruction = choice(rng, SIDES_TEMPLATES).format(sides=SIDES[target])
            question = f"Which shape has {SIDES[target]} sides?"
        else:
            instruction = choice(rng, TEMPLATES).format(shape=target, article=article(target))
            question = f"Which shape is {article(target)} {target}?"
        return GeneratedItem(
            question=question,
            instruction=instruction,
            correct=correct,
            distractor=distractor,
            difficulty="hard" if frozenset((target, other)) in HARD_PAIRS else "easy",
            meta={
                "target_shape": target,
                "distractor_shape": other,
                "fill": list(fill),
                "correct_params": c_params,
                "distractor_params": d_params,
                "by_sides": use_sides,
                "relies_on": "absolute shape"
                if {ASPECT_SHAPES.get(target), ASPECT_SHAPES.get(other)} == {"round", "long"}
                else None,
            },
        )


def draw_shape(
    rng: np.random.Generator, name: str, fill: RGB, bg: RGB
) -> tuple[Image.Image, dict[str, float]]:
    """Draw one shape with random size, rotation, aspect and offset."""
    limit = ROTATION[name]
    params = {
        "size": float(rng.uniform(280, 360)),
        "rotation": float(rng.uniform(-limit, limit)) if limit else 0.0,
        "aspect": float(rng.uniform(1.35, 1.55) if name == "diamond" else rng.uniform(1.6, 1.9)),
        "dx": float(rng.uniform(-15, 15)),
        "dy": float(rng.uniform(-15, 15)),
    }
    canvas = Canvas(bg=bg)
    pts = shape_points(
        name,
        256 + params["dx"],
        256 + params["dy"],
        params["size"],
        rotation=params["rotation"],
        aspect=params["aspect"],
    )
    canvas.polygon(pts, fill=fill, outline=outline_for(fill), width=6)
    return canvas.finish(), params
