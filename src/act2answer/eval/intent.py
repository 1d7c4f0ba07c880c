"""End-effector intent metrics of one episode: did the policy *want* the right tile?

They separate "aimed at the correct tile but could not place the cube" from
"did not know", after the reference study's per-episode metrics. Two sets are
stored side by side:

* :class:`IntentMetrics` (ours): the end effector is "over" a tile when its xy
  lies on the tile's footprint; dwell is the longest run; progress is relative.
* :class:`StudyIntentMetrics` (the study's, field names as its ``episode_stats``
  keys; CognitiveAISystems/Act2Answer @ d22e22fc and nazar-karpov/bias-vla-benchmark
  @ 0deec118, ``put_on_in_scene_multi_v4.py`` ``evaluate``): "over" = end effector
  within the ``model_db`` bbox + 8 cm of the tile centre in x and y and at least
  2 cm above the tile top; dwell as total and longest run (3 s if either reaches
  15 steps); progress as any decrease of the distance, net progress in metres.
  The study counts every ``evaluate`` call, including its 10 scripted grasp
  steps; we count the state after reset and after each policy step.
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
#: The study's "over a tile" margin around the ``model_db`` bbox (+-0.055 m), metres.
STUDY_OVER_MARGIN = 0.08
#: ... and its height margin above the tile top, metres.
STUDY_OVER_HEIGHT = 0.02
#: Half extent of the study's tile bbox (model_db.json, every released set), metres.
STUDY_BBOX_HALF = 0.055


@dataclass(frozen=True)
class StudyIntentMetrics:
    """The study's end-effector intent metrics, under its own definitions and names.

    Attributes:
        tcp_dwell_target_steps: Steps with the end effector over the target.
        tcp_dwell_target_consec_max: Longest run of such steps.
        tcp_dwell_target_3s: Either of the two reaches 15 steps (3 s at 5 Hz).
        tcp_first_enter_target_t: Step index of the first entry over the target, or None.
        tcp_first_enter_wrong_t: ... over the other tile, or None.
        tcp_first_choice_correct: Entered the target first (and entered one at all).
        tcp_min_dist_target_xy: Closest xy approach to the target centre, metres.
        tcp_min_dist_wrong_xy: ... to the other tile's centre.
        tcp_closer_to_target_than_wrong: The first beats the second.
        tcp_correct_side_frac: Fraction of steps on the target's side of the midline.
        tcp_vel_align_mean: Mean per-step xy displacement along the unit direction
            to the target centre, metres.
        tcp_vel_align_pos_frac: Fraction of steps with a positive such displacement.
        tcp_progress_frac: Fraction of steps whose distance to the target decreased at all.
        tcp_net_progress: Start distance minus the closest distance, metres.
        release_near_target: At the first release (held -> let go) the end
            effector was over the target; False when never released.
    """

    tcp_dwell_target_steps: int
    tcp_dwell_target_consec_max: int
    tcp_dwell_target_3s: bool
    tcp_first_enter_target_t: int | None
    tcp_first_enter_wrong_t: int | None
    tcp_first_choice_correct: bool
    tcp_min_dist_target_xy: float
    tcp_min_dist_wrong_xy: float
    tcp_closer_to_target_than_wrong: bool
    tcp_correct_side_frac: float
    tcp_vel_align_mean: float
    tcp_vel_align_pos_frac: float
    tcp_progress_frac: float
    tcp_net_progress: float
    release_near_target: bool


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
        study: The same questions under the study's definitions
            (:class:`StudyIntentMetrics`), or None when the trace lacks heights.
        tile_drift_m: Largest xy displacement of either tile from its start over
            the episode, metres (the study's tiles are pushable and drift in ~20%
            of its follow-up's episodes; ours are fixed, so 0). None: not traced.
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
    study: StudyIntentMetrics | None = None
    tile_drift_m: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> IntentMetrics:
        values = dict(values)
        if isinstance(values.get("study"), dict):
            values["study"] = StudyIntentMetrics(**values["study"])
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
        study=study_intent_metrics(trace, geometry, answer_side),
        tile_drift_m=tile_drift(trace),
    )


def tile_drift(trace: EpisodeTrace) -> float | None:
    """Largest xy displacement of either tile from its start, metres (None: not traced)."""
    if trace.tiles_xy is None or len(trace.tiles_xy) == 0:
        return None
    tiles = np.asarray(trace.tiles_xy, dtype=float)
    return float(np.linalg.norm(tiles - tiles[:1], axis=2).max())


def study_intent_metrics(
    trace: EpisodeTrace, geometry: SceneGeometry, answer_side: Side
) -> StudyIntentMetrics | None:
    """The study's intent metrics of an episode (see the module docstring); None without heights."""
    if trace.ee_z is None or len(trace.ee_xy) == 0:
        return None
    xy = np.asarray(trace.ee_xy, dtype=float)
    z = np.asarray(trace.ee_z, dtype=float)
    target = np.asarray(geometry.tile_xy(answer_side))
    other = np.asarray(geometry.tile_xy(answer_side.other))
    reach = STUDY_BBOX_HALF + STUDY_OVER_MARGIN
    high = z >= geometry.tile_thickness + STUDY_OVER_HEIGHT  # tile top + 2 cm

    def over(centre: np.ndarray) -> np.ndarray:
        return np.all(np.abs(xy - centre) <= reach, axis=1) & high

    over_target, over_other = over(target), over(other)
    d_target = np.linalg.norm(xy - target, axis=1)
    d_other = np.linalg.norm(xy - other, axis=1)
    steps = np.diff(xy, axis=0)
    to_target = target - xy[:-1]
    units = to_target / (np.linalg.norm(to_target, axis=1, keepdims=True) + 1e-8)
    along = (steps * units).sum(axis=1)
    first_target = int(np.argmax(over_target)) if over_target.any() else None
    first_other = int(np.argmax(over_other)) if over_other.any() else None
    released = np.asarray(trace.cube_released, dtype=bool)
    releases = np.flatnonzero(~released[:-1] & released[1:]) + 1
    total, longest = int(over_target.sum()), _longest_run(over_target)
    return StudyIntentMetrics(
        tcp_dwell_target_steps=total,
        tcp_dwell_target_consec_max=longest,
        tcp_dwell_target_3s=total >= DWELL_STEPS or longest >= DWELL_STEPS,
        tcp_first_enter_target_t=first_target,
        tcp_first_enter_wrong_t=first_other,
        tcp_first_choice_correct=first_target is not None
        and (first_other is None or first_target < first_other),
        tcp_min_dist_target_xy=float(d_target.min()),
        tcp_min_dist_wrong_xy=float(d_other.min()),
        tcp_closer_to_target_than_wrong=bool(d_target.min() < d_other.min()),
        tcp_correct_side_frac=float(((xy - (target + other) / 2) @ (target - other) > 0).mean()),
        tcp_vel_align_mean=float(along.mean()) if len(along) else 0.0,
        tcp_vel_align_pos_frac=float((along > 0).mean()) if len(along) else 0.0,
        tcp_progress_frac=float((np.diff(d_target) < 0).mean()) if len(d_target) > 1 else 0.0,
        tcp_net_progress=float(d_target[0] - d_target.min()),
        release_near_target=bool(over_target[releases[0]]) if len(releases) else False,
    )


def _longest_run(flags: np.ndarray) -> int:
    longest = current = 0
    for flag in flags:
        current = current + 1 if flag else 0
        longest = max(longest, current)
    return longest
