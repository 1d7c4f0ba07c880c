"""The record kept for every question a VLM answered."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from act2answer.eval.results import KeyedRecord
from act2answer.eval.scoring import Outcome
from act2answer.interfaces import Side
from act2answer.vlm.scoring import ScoreMethod


@dataclass(frozen=True)
class VLMAnswer(KeyedRecord):
    """One item in one layout, asked to a VLM (same key as a VLA episode).

    Attributes:
        item_id: Suite item id.
        category: Item category.
        answer_side: Layout: where the correct image lay (left tile / first image).
        frame_seed: Episode seed of the rendered frame (the VLA episode's seed).
        letter_seed: Seed the letter binding was drawn from.
        a_is_left: "A" named the left tile (frame) / the first image (options).
        correct_letter: The letter of the correct image.
        chosen_letter: The letter the model chose, or None.
        chosen_side: The side the chosen letter names, or None.
        outcome: Correct, wrong, no answer (nothing readable, or a tie) or error.
        score_a: log P("A") over its token variants (None when unavailable).
        score_b: log P("B").
        margin: score of the correct letter minus score of the wrong one (> 0: right).
        method: ``logprobs``, ``text`` (generated-text fallback) or ``none``.
        generated_text: Text the model generated, when any.
        prompt: The prompt text asked.
        wall_time_s: Share of wall-clock time of this question.
        error: Error message for ``Outcome.ERROR``.
    """

    item_id: str
    category: str
    answer_side: Side
    frame_seed: int
    letter_seed: int
    a_is_left: bool
    correct_letter: str
    chosen_letter: str | None
    chosen_side: Side | None
    outcome: Outcome
    score_a: float | None
    score_b: float | None
    margin: float | None
    method: ScoreMethod
    generated_text: str | None
    prompt: str
    wall_time_s: float
    error: str | None = None

    def to_row(self) -> dict[str, object]:
        """Flat, JSON/CSV-friendly representation (enums as values, NaN as None)."""
        row = self._enum_row()
        row["method"] = self.method.value
        for name in ("score_a", "score_b", "margin"):
            value = row[name]
            if value is not None and not math.isfinite(value):
                row[name] = None
        return row

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> VLMAnswer:
        values = cls._enum_values(row)
        values["method"] = ScoreMethod(values["method"])
        values["a_is_left"] = bool(values["a_is_left"])
        return cls(**values)
