"""Multiple-choice prompts: which letter names which image, and the question text.

Which letter names the left tile (frame mode) or the first image (options
mode) is drawn per item from a recorded seed, so that a model's letter bias
(always "A") and side bias (always the left picture) are separate rates: over
the two layouts of one item, the correct letter and the correct side each
change once, independently of each other.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from enum import Enum

import numpy as np
from pydantic import BaseModel, ConfigDict, field_validator

from act2answer.interfaces import Side

LETTERS: tuple[str, str] = ("A", "B")


class InputMode(str, Enum):
    """What the VLM is shown."""

    FRAME = "frame"
    """The episode's first rendered frame: the exact pixels a VLA sees."""
    OPTIONS = "options"
    """The two option images; the 'left' layout shows the left tile's image first."""


@dataclass(frozen=True)
class LetterBinding:
    """Which letter names the left tile (or first image) for one item.

    Attributes:
        seed: The recorded seed the binding was drawn from.
        a_is_left: ``True`` when "A" names the left tile / first image.
    """

    seed: int
    a_is_left: bool

    def letter_for(self, side: Side) -> str:
        """The letter that names the tile on ``side``."""
        return "A" if (side is Side.LEFT) == self.a_is_left else "B"

    def side_for(self, letter: str) -> Side:
        """The tile a letter names."""
        return Side.LEFT if (letter == "A") == self.a_is_left else Side.RIGHT


def letter_binding(suite_name: str, item_id: str, base_seed: int = 0) -> LetterBinding:
    """Draw an item's letter binding from a seed derived like episode seeds (SHA-256).

    The same suite name, item id and base seed give the same binding on every
    machine; both layouts of an item share it.
    """
    key = f"{suite_name}\x1f{item_id}\x1fletters\x1f{base_seed}".encode()
    seed = int.from_bytes(hashlib.sha256(key).digest()[:8], "big") >> 1
    return LetterBinding(seed=seed, a_is_left=bool(np.random.default_rng(seed).integers(0, 2)))


DEFAULT_TEMPLATE = (
    "{context}\n"
    "Question: {question}\n"
    "A. {option_a}\n"
    "B. {option_b}\n"
    "Answer with the option's letter from the given choices directly."
)

_FIELDS = {"context", "question", "instruction", "option_a", "option_b"}


class PromptTemplate(BaseModel):
    """The text around the images; stored with every VLM run.

    ``text`` is a :meth:`str.format` template with the fields ``{context}``,
    ``{question}`` (the item's question, or one built from its instruction),
    ``{instruction}``, ``{option_a}`` and ``{option_b}`` (the names of the
    pictures the letters stand for, e.g. "the picture on the left").

    Attributes:
        text: The template.
        frame_context: ``{context}`` in frame mode.
        options_context: ``{context}`` in options mode.
        frame_names: How the left and right tiles are named in frame mode.
        options_names: How the first and second images are named in options mode.
        fallback_question: Used when an item has no question; may use ``{instruction}``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = DEFAULT_TEMPLATE
    frame_context: str = (
        "The image shows a table with two pictures lying on it, one on the left "
        "and one on the right."
    )
    options_context: str = "Two pictures are shown, the first image and then the second image."
    frame_names: tuple[str, str] = ("the picture on the left", "the picture on the right")
    options_names: tuple[str, str] = ("the first image", "the second image")
    fallback_question: str = 'Which picture fits the instruction "{instruction}"?'

    @field_validator("text")
    @classmethod
    def _check_fields(cls, value: str) -> str:
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        unknown = names - _FIELDS
        if unknown:
            raise ValueError(f"unknown template fields {sorted(unknown)}; known: {sorted(_FIELDS)}")
        missing = {"option_a", "option_b"} - names
        if missing:
            raise ValueError(f"template must contain {sorted(missing)}")
        return value

    def render(
        self, mode: InputMode, binding: LetterBinding, question: str, instruction: str
    ) -> str:
        """The prompt of one question."""
        left_name, right_name = self.frame_names if mode is InputMode.FRAME else self.options_names
        names = {Side.LEFT: left_name, Side.RIGHT: right_name}
        return self.text.format(
            context=self.frame_context if mode is InputMode.FRAME else self.options_context,
            question=question.strip() or self.fallback_question.format(instruction=instruction),
            instruction=instruction,
            option_a=names[binding.side_for("A")],
            option_b=names[binding.side_for("B")],
        )
