"""Episodes as independent units of work: (item, layout, seed)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum
from typing import Any

from act2answer.errors import SuiteError
from act2answer.interfaces import Side
from act2answer.suite import Condition, Suite, SuiteItem

#: Both layouts, in the order episodes are scheduled.
LAYOUTS: tuple[Side, ...] = (Side.LEFT, Side.RIGHT)


def episode_seed(suite_name: str, item_id: str, answer_side: Side, base_seed: int = 0) -> int:
    """Derive an episode's seed from suite name, item id, layout and the run's base seed.

    The seed is stable across machines and Python versions (SHA-256, not ``hash()``)
    and fits in SQLite's signed 64-bit integers.
    """
    key = f"{suite_name}\x1f{item_id}\x1f{answer_side.value}\x1f{base_seed}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big") >> 1


#: The study's wording of the control conditions (yerincho04/YeahPick @ 0e2cfe01,
#: ``SimplerEnv/simpler_env/env/simpler_wrapper_v4.py``): the side names the tile, the
#: object names the correct image's semantic answer.
STUDY_EXPLICIT_SPATIAL = "Place the cube on the {side} tile."
STUDY_EXPLICIT_OBJECT = "Place the cube on the {semantic_answer}."


class Wording(str, Enum):
    """How the control conditions' instructions are worded (a run setting, stored with it).

    ``act2answer``: the item's own texts and the suite's template (the default);
    ``study``: the study's templates (:data:`STUDY_EXPLICIT_SPATIAL`,
    :data:`STUDY_EXPLICIT_OBJECT`). The knowledge condition reads the item's
    instruction under both, as the study reads its ``question``.
    """

    ACT2ANSWER = "act2answer"
    STUDY = "study"


#: The wordings' names, in the order the CLI lists them.
WORDINGS = tuple(wording.value for wording in Wording)


def study_instruction(item: SuiteItem, condition: Condition, answer_side: Side) -> str:
    """An item's instruction worded as the study words its control conditions.

    ``explicit_spatial`` always takes :data:`STUDY_EXPLICIT_SPATIAL`;
    ``explicit_object`` takes :data:`STUDY_EXPLICIT_OBJECT` with the item's
    ``meta["semantic_answer"]`` (the study's field), else the item's own
    ``explicit_object``. The knowledge condition is the item's instruction.

    Raises:
        ValueError: ``explicit_object`` without a semantic answer or an item text.
    """
    condition = Condition(condition)
    if condition is Condition.EXPLICIT_SPATIAL:
        return STUDY_EXPLICIT_SPATIAL.format(side=answer_side.value)
    semantic = item.meta.get("semantic_answer")
    if condition is Condition.EXPLICIT_OBJECT and isinstance(semantic, str) and semantic.strip():
        return STUDY_EXPLICIT_OBJECT.format(semantic_answer=semantic.strip())
    return item.instruction_for(condition, answer_side)


def item_tile_size(item: SuiteItem) -> float | None:
    """An item's own rendered tile edge in metres, from ``meta["tile_edge_m"]``, or None.

    The value is a number, or lists of numbers (per tile): the largest is used.
    Not ``meta["tile_size_m"]``: the ManiSkill importer keeps there each
    tile's ``model_db.json`` bbox, which the study scores with (11 cm in every
    released set) but which is not the size its meshes render at.

    Raises:
        SuiteError: the value is not a positive number or list of them.
    """
    value = item.meta.get("tile_edge_m")
    if value is None:
        return None
    numbers: list[float] = []

    def collect(entry: object) -> None:
        if isinstance(entry, (list, tuple)):
            for inner in entry:
                collect(inner)
        elif isinstance(entry, (int, float)) and not isinstance(entry, bool) and entry > 0:
            numbers.append(float(entry))
        elif entry is not None:
            raise SuiteError(f"item {item.id}: meta.tile_edge_m must be metres, got {value!r}")

    collect(value)
    return max(numbers) if numbers else None


@dataclass(frozen=True)
class EpisodeTask:
    """Everything a worker needs to run one episode (picklable).

    Attributes:
        item_id: Suite item id.
        category: Item category.
        instruction: Instruction given to the policy.
        answer_side: Layout: the side where the correct image lies.
        left_image: Absolute path of the image on the left tile.
        right_image: Absolute path of the image on the right tile.
        seed: Episode seed (initial-state jitter and policy randomness).
        record_video: Write an MP4 of this episode.
        tile_size: The item's own tile edge, metres (``meta["tile_edge_m"]``), or
            None for the scene's size for the category.
    """

    item_id: str
    category: str
    instruction: str
    answer_side: Side
    left_image: str
    right_image: str
    seed: int
    record_video: bool = False
    tile_size: float | None = None

    @property
    def record_fields(self) -> dict[str, Any]:
        """``item_id``, ``category`` and ``answer_side``: the key fields of its stored record."""
        return {"item_id": self.item_id, "category": self.category, "answer_side": self.answer_side}

    @property
    def key(self) -> tuple[str, str]:
        """Unique key of the episode within a run."""
        return (self.item_id, self.answer_side.value)


def make_task(
    suite: Suite,
    item: SuiteItem,
    answer_side: Side,
    base_seed: int = 0,
    record_video: bool = False,
    condition: Condition = Condition.KNOWLEDGE,
    wording: Wording | str = Wording.ACT2ANSWER,
) -> EpisodeTask:
    """Build the task for one item in one layout under an instruction condition.

    Args:
        suite: The suite.
        item: One of its items.
        answer_side: Layout.
        base_seed: The run's base seed.
        record_video: Record this episode.
        condition: Instruction condition.
        wording: ``"act2answer"`` (the item's texts and the suite's template) or
            ``"study"`` (the study's control-condition templates, :func:`study_instruction`).

    Raises:
        SuiteError: the condition needs an instruction the item lacks.
    """
    if wording not in WORDINGS:
        raise ValueError(f"unknown wording {wording!r}; known: {', '.join(WORDINGS)}")
    try:
        if Wording(wording) is Wording.STUDY:
            instruction = study_instruction(item, condition, answer_side)
        else:
            instruction = item.instruction_for(condition, answer_side)
    except ValueError as exc:
        raise SuiteError(f"{suite.root}: condition {Condition(condition).value}: {exc}") from None
    return EpisodeTask(
        item_id=item.id,
        category=item.category,
        instruction=instruction,
        answer_side=answer_side,
        left_image=str(suite.image_path(item.option_for(Side.LEFT, answer_side))),
        right_image=str(suite.image_path(item.option_for(Side.RIGHT, answer_side))),
        seed=episode_seed(suite.name, item.id, answer_side, base_seed),
        tile_size=item_tile_size(item),
        record_video=record_video,
    )


def make_tasks(
    suite: Suite,
    layouts: tuple[Side, ...] = LAYOUTS,
    base_seed: int = 0,
    video_keys: frozenset[tuple[str, str]] = frozenset(),
    condition: Condition = Condition.KNOWLEDGE,
    wording: Wording | str = Wording.ACT2ANSWER,
) -> list[EpisodeTask]:
    """All episodes of a suite: every item in every layout.

    Under ``explicit_object`` only the items that have that instruction run.
    ``wording="study"`` words the control conditions as the study does
    (:func:`study_instruction`).

    Raises:
        SuiteError: no item supports the condition.
    """
    items = [item for item in suite.items if item.supports(condition)]
    if not items:
        raise SuiteError(
            f"{suite.root}: condition {Condition(condition).value}: no item has an "
            "explicit_object instruction"
        )
    return [
        make_task(
            suite, item, side, base_seed, (item.id, side.value) in video_keys, condition, wording
        )
        for item in items
        for side in layouts
    ]
