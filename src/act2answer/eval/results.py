"""The record kept for every finished episode."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from act2answer.eval.intent import IntentMetrics
from act2answer.eval.scoring import Outcome, ScoringRule
from act2answer.interfaces import Side


class KeyedRecord:
    """Row conversion shared by the records of every run kind (episodes, VLM answers).

    Subclasses are frozen dataclasses with ``item_id``, ``answer_side``,
    ``outcome`` and ``chosen_side`` fields.
    """

    item_id: str
    answer_side: Side
    outcome: Outcome
    chosen_side: Side | None

    @classmethod
    def field_names(cls) -> list[str]:
        """Names of the stored fields, in order."""
        return [field.name for field in fields(cls)]  # type: ignore[arg-type]

    @property
    def key(self) -> tuple[str, str]:
        return (self.item_id, self.answer_side.value)

    def _enum_row(self) -> dict[str, object]:
        """``asdict`` with the shared enums as their values."""
        row = asdict(self)  # type: ignore[call-overload]
        row["answer_side"] = self.answer_side.value
        row["outcome"] = self.outcome.value
        row["chosen_side"] = self.chosen_side.value if self.chosen_side else None
        return row

    @staticmethod
    def _enum_values(row: Mapping[str, Any]) -> dict[str, Any]:
        """A stored row with the shared enums read back."""
        values = dict(row)
        values["answer_side"] = Side(values["answer_side"])
        values["outcome"] = Outcome(values["outcome"])
        values["chosen_side"] = Side(values["chosen_side"]) if values["chosen_side"] else None
        return values


@dataclass(frozen=True)
class EpisodeResult(KeyedRecord):
    """Outcome of one episode, as stored in the run database.

    Attributes:
        item_id: Suite item id.
        category: Item category.
        answer_side: Layout: where the correct image lay.
        seed: Seed the initial state came from.
        outcome: Correct, wrong, no answer or error.
        chosen_side: Tile the cube ended on, if any.
        cube_x: Final cube x (base frame, m); NaN if the episode never started.
        cube_y: Final cube y.
        cube_z: Final cube z.
        distance_to_correct: Final distance from the correct tile centre, m.
        released: The gripper had let go of the cube at the end. Scoring uses
            the cube's xy only (the reference study's soft success), so a cube
            still held above a tile counts for that tile; this flag tells them apart.
        steps: Control steps taken.
        wall_time_s: Wall-clock time of the episode.
        error: Error message for ``Outcome.ERROR`` episodes.
        video: Path of the MP4 relative to the run folder, when recorded.
        scores: ``(rule, outcome, chosen side or None)`` under every scoring
            rule; ``outcome`` / ``chosen_side`` above are those of the run's rule.
        intent: End-effector intent metrics (None when the episode never started).
    """

    item_id: str
    category: str
    answer_side: Side
    seed: int
    outcome: Outcome
    chosen_side: Side | None
    cube_x: float
    cube_y: float
    cube_z: float
    distance_to_correct: float
    released: bool
    steps: int
    wall_time_s: float
    error: str | None = None
    video: str | None = None
    scores: tuple[tuple[str, str, str | None], ...] = ()
    intent: IntentMetrics | None = None

    def under(self, rule: ScoringRule | str) -> EpisodeResult:
        """This episode with ``outcome`` / ``chosen_side`` taken from another scoring rule.

        Raises:
            KeyError: the episode has no stored score under that rule.
        """
        rule = ScoringRule(rule).value
        if self.outcome is Outcome.ERROR:
            return self
        for name, outcome, side in self.scores:
            if name == rule:
                chosen = Side(side) if side else None
                return replace(self, outcome=Outcome(outcome), chosen_side=chosen)
        raise KeyError(f"episode {self.key} has no score under rule {rule!r}")

    def to_row(self) -> dict[str, object]:
        """Flat, JSON/CSV-friendly representation (enums as their values)."""
        row = self._enum_row()
        row["scores"] = json.dumps([list(score) for score in self.scores])
        row["intent"] = json.dumps(self.intent.to_dict()) if self.intent else None
        return row

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> EpisodeResult:
        """Inverse of :meth:`to_row` (missing floats, e.g. SQL NULL, become NaN)."""
        values = cls._enum_values(row)
        for name in _FLOAT_FIELDS:
            values[name] = math.nan if values[name] is None else float(values[name])
        values["released"] = bool(values["released"])
        raw_scores = values.get("scores")
        if isinstance(raw_scores, str):
            values["scores"] = tuple(tuple(score) for score in json.loads(raw_scores))
        raw_intent = values.get("intent")
        if isinstance(raw_intent, str):
            values["intent"] = IntentMetrics.from_dict(json.loads(raw_intent))
        return cls(**values)


_FLOAT_FIELDS = ("cube_x", "cube_y", "cube_z", "distance_to_correct", "wall_time_s")
