"""Interface every procedural category generator implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from PIL import Image

#: Option images are square PNGs of this many pixels per side (the asset format's size).
IMAGE_SIZE = 512


@dataclass
class GeneratedItem:
    """One binary item as a generator makes it, before it is written to disk.

    Attributes:
        question: Original question form ("Which clock shows 3:30?").
        instruction: Robot instruction ("put the cube on the clock that shows 3:30").
        correct: The correct option image, ``IMAGE_SIZE`` square, RGB.
        distractor: The wrong option image, same size.
        difficulty: ``"easy"``, ``"medium"``, ``"hard"`` or None when not meaningful.
        meta: JSON-serialisable generating parameters (enough to check the answer).
    """

    question: str
    instruction: str
    correct: Image.Image
    distractor: Image.Image
    difficulty: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


class CategoryGenerator(Protocol):
    """A category of the procedural suite.

    ``name`` is the category label written to ``suite.jsonl`` (e.g. ``"Public Info"``).
    ``generate`` must draw all randomness from ``rng`` so the same seed gives
    byte-identical images.
    """

    name: str

    def generate(self, rng: np.random.Generator) -> GeneratedItem: ...
