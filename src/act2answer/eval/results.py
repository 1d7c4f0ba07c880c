"""The record kept for every finished episode."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from act2answer.eval.scoring import Outcome
from act2answer.interfaces import Side


@dataclass(frozen=True)
class EpisodeResult:
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
        steps: Control steps taken.
        wall_time_s: Wall-clock time of the episode.
        error: Error message for ``Outcome.ERROR`` episodes.
        video: Path of the MP4 relative to the run folder, when recorded.
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
    steps: int
    wall_time_s: float
    error: str | None = None
    video: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.item_id, self.answer_side.value)

    def to_row(self) -> dict[str, object]:
        """Flat, JSON/CSV-friendly representation (enums as their values)."""
        row = asdict(self)
        row["answer_side"] = self.answer_side.value
        row["outcome"] = self.outcome.value
        row["chosen_side"] = self.chosen_side.value if self.chosen_side else None
        return row
