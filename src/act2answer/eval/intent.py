"""End-effector intent metrics of one episode: did the policy *want* the right tile?

They separate "aimed at the correct tile but could not place the cube" from
"did not know", after the reference study's per-episode metrics. The end
effector is "over" a tile when its xy lies on the tile's footprint.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from act2answer.interfaces import EpisodeTrace, SceneGeometry, Side

#: Consecutive steps over the target that count as a deliberate dwell (3 s at 5 Hz).
DWELL_STEPS = 15
#: A step moves "towards" the target when its distance shrinks by more than this, metres.
TOWARDS_EPSILON = 0.001


@dataclass(frozen=True)
class IntentMetrics:
    """What the end effector did relative to the correct (target) and wrong tile.

    Attributes:
        first_tile_entered: ``"target"``, ``"other"`` or None (never over a tile).
        steps_over_target: Policy steps with the end effector over the target tile.
        longest_over_target: Longest run of consecutive such steps.
        dwell_over_target: ``longest_over_target >= DWELL_STEPS`` (3 s at 5 Hz).
        min_distance_target: Closest xy approach to the target tile centre, metres.
        min_distance_other: Closest xy approach to the other tile centre, metres.
        closer_to_target: The closest approach to the target beat the one to the other.
        correct_side_fraction: Fraction of steps on the target's side of the
            line halfway between the tiles.
        towards_target_fraction: Fraction of steps that reduced the distance to
            the target by more than 1 mm.
        net_progress: (start distance - end distance) / start distance to the target.
        release_over_target: The cube was first let go with the end effector over
            the target; None when it was never released.
    """

    first_tile_entered: str | None
    steps_over_target: int
    longest_over_target: int
    dwell_over_target: bool
    min_distance_target: float
    min_distance_other: float
    closer_to_target: bool
    correct_side_fraction: float
    towards_target_fraction: float
    net_progress: float
    release_over_target: bool | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> IntentMetrics:
        return cls(**values)


def intent_metrics(
    trace: EpisodeTrace, geometry: SceneGeometry, answer_side: Side
) -> IntentMetrics | None:
    """Compute the intent metrics of an episode; None for an empty trace."""
    xy = np.asarray(trace.ee_xy, dtype=float)
    if len(xy) == 0:
        return None
    target = np.asarray(geometry.tile_xy(answer_side))
    other = np.asarray(geometry.tile_xy(answer_side.other))
    half = geometry.tile_size / 2
    over_target = np.all(np.abs(xy - target) <= half, axis=1)
    over_other = np.all(np.abs(xy - other) <= half, axis=1)
    policy_steps = slice(1, None)  # after each policy step (index 0 is the reset pose)
    first = None
    for on_target, on_other in zip(over_target, over_other, strict=True):
        if on_target or on_other:
            first = "target" if on_target else "other"
            break
    d_target = np.linalg.norm(xy - target, axis=1)
    d_other = np.linalg.norm(xy - other, axis=1)
    side = (xy - (target + other) / 2) @ (target - other) > 0
    towards = np.diff(d_target) < -TOWARDS_EPSILON
    released = np.asarray(trace.cube_released, dtype=bool)
    release_at = int(np.argmax(released)) if released.any() else None
    start = float(d_target[0])
    return IntentMetrics(
        first_tile_entered=first,
        steps_over_target=int(over_target[policy_steps].sum()),
        longest_over_target=_longest_run(over_target[policy_steps]),
        dwell_over_target=_longest_run(over_target[policy_steps]) >= DWELL_STEPS,
        min_distance_target=float(d_target.min()),
        min_distance_other=float(d_other.min()),
        closer_to_target=bool(d_target.min() < d_other.min()),
        correct_side_fraction=float(side[policy_steps].mean()) if len(xy) > 1 else math.nan,
        towards_target_fraction=float(towards.mean()) if len(towards) else math.nan,
        net_progress=(start - float(d_target[-1])) / start if start > 0 else math.nan,
        release_over_target=None if release_at is None else bool(over_target[release_at]),
    )


def _longest_run(flags: np.ndarray) -> int:
    longest = current = 0
    for flag in flags:
        current = current + 1 if flag else 0
        longest = max(longest, current)
    return longest
