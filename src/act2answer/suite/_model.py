"""Typed model of a suite item and of a loaded suite."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from act2answer.interfaces import Side


class Condition(str, Enum):
    """Which instruction an episode gives the policy.

    ``knowledge`` is the item's own instruction; ``explicit_object`` names the
    correct image's content (no knowledge needed, only visual grounding);
    ``explicit_spatial`` names the side (no knowledge, no grounding: motor skill).
    """

    KNOWLEDGE = "knowledge"
    EXPLICIT_OBJECT = "explicit_object"
    EXPLICIT_SPATIAL = "explicit_spatial"


#: Used for ``explicit_spatial`` when an item has no template of its own.
DEFAULT_SPATIAL_TEMPLATE = "put the cube on the {side} picture"


class SuiteItem(BaseModel):
    """One binary knowledge item: a question with two answer images.

    Attributes:
        id: Unique within the suite.
        category: Taxonomy label (e.g. ``"Color"``, ``"Time"``).
        source: Where the item comes from (benchmark name, generator...).
        question: The original question wording.
        instruction: Imperative robot instruction, "put the cube on ...".
        options: Two image paths relative to the suite folder.
        answer: Index (0 or 1) of the correct option.
        meta: Free-form metadata (generator parameters, difficulty...).
        explicit_object: Optional control instruction naming the correct
            image's content ("put the cube on the picture of a red square").
        explicit_spatial: Optional control instruction template with a
            ``{side}`` placeholder, filled with ``left`` / ``right`` per layout.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    category: str = Field(min_length=1)
    source: str = ""
    question: str = ""
    instruction: str
    options: tuple[str, str]
    answer: int
    meta: dict[str, Any] = Field(default_factory=dict)
    explicit_object: str | None = None
    explicit_spatial: str | None = None

    @field_validator("explicit_spatial")
    @classmethod
    def _spatial_has_placeholder(cls, value: str | None) -> str | None:
        if value is not None and "{side}" not in value:
            raise ValueError("explicit_spatial must contain the placeholder {side}")
        return value

    def supports(self, condition: Condition | str) -> bool:
        """Whether the item has an instruction for ``condition``."""
        return Condition(condition) is not Condition.EXPLICIT_OBJECT or bool(self.explicit_object)

    def instruction_for(self, condition: Condition | str, answer_side: Side) -> str:
        """The instruction of one episode under an instruction condition.

        Raises:
            ValueError: ``explicit_object`` is asked for but the item has none.
        """
        condition = Condition(condition)
        if condition is Condition.KNOWLEDGE:
            return self.instruction
        if condition is Condition.EXPLICIT_SPATIAL:
            template = self.explicit_spatial or DEFAULT_SPATIAL_TEMPLATE
            return template.replace("{side}", answer_side.value)
        if not self.explicit_object:
            raise ValueError(f"item {self.id!r} has no explicit_object instruction")
        return self.explicit_object

    @field_validator("instruction")
    @classmethod
    def _instruction_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("instruction is empty")
        return value

    @field_validator("answer")
    @classmethod
    def _answer_is_binary(cls, value: int) -> int:
        if value not in (0, 1):
            raise ValueError(f"answer must be 0 or 1, got {value!r}")
        return value

    def option_for(self, side: Side, answer_side: Side) -> str:
        """Image path shown on ``side`` when the correct image is placed on ``answer_side``."""
        correct = self.options[self.answer]
        wrong = self.options[1 - self.answer]
        return correct if side is answer_side else wrong


@dataclass(frozen=True)
class Suite:
    """A loaded and validated suite.

    Attributes:
        root: The suite folder.
        name: Versioned suite name (from ``suite.json`` or the folder name).
        items: Items in file order.
        content_hash: SHA-256 over ``suite.jsonl`` and every referenced image.
    """

    root: Path
    name: str
    items: tuple[SuiteItem, ...]
    content_hash: str

    def image_path(self, relative: str) -> Path:
        return self.root / relative

    @property
    def categories(self) -> list[str]:
        """Categories in order of first appearance."""
        return list(dict.fromkeys(item.category for item in self.items))

    def item(self, item_id: str) -> SuiteItem:
        for candidate in self.items:
            if candidate.id == item_id:
                return candidate
        raise KeyError(item_id)
