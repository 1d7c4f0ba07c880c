"""Turn a final cube position into an answer, under each scoring rule.

Three rules; every episode is scored under all of them and stores each outcome,
so a run can be reported under any rule without re-running.

* ``default`` (placed): the cube counts for a tile when its centre lies over
  the tile's footprint grown by ``PLACED_MARGIN`` (3 cm: on the tile or just
  beside it) and it rests low: centre no higher than the tile top + half the
  cube + ``PLACED_HEIGHT`` (2 cm). A cube still held in the air answers nothing,
  so an idle policy scores 100% no answer.
* ``reference``: the rule of the study's released environment
  (``Act2AnswerV4-v1``): the ``model_db`` bbox (11 cm, whatever size the tile
  renders at) + 8 cm margin on each side, and the cube
  centre no lower than the tile top + half the cube - 1 cm. A cube held above
  a tile counts, including at the start pose (see the README).
* ``radius``: act2answer's first rule: within the tile's half-diagonal of its
  centre, xy only.
* ``pull_release``: the study group's follow-up reading of a VLA's answer
  (nazar-karpov/bias-vla-benchmark @ 08e1041d, ``Act2Answer/scripts/
  export_tsv_vlasim.py``): the tile nearest the cube at the gripper's last
  release (the last step the gripper still held it; the final cube if it never
  let go). Every episode answers; under a strict on-tile rule its VLAs left
  70-97% of episodes unanswered.

Overlapping zones go to the nearer tile centre. The rules use axis-aligned
footprints in the base frame, as the reference does (its tiles are turned 90
degrees, so square footprints stay axis-aligned).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import numpy as np

from act2answer.interfaces import SceneGeometry, Side

#: Margin around the tile footprint under the reference rule, metres.
REFERENCE_MARGIN = 0.08
#: Half extent of the tile bbox the reference rule reads: ``model_db.json``'s bbox
#: (+-0.055 m in every released set, also where the mesh renders at 14.52 cm; yerincho04/
#: YeahPick @ bdb1363b ``assets/carrot/time_clock_v1/model_db.json``), not the mesh.
REFERENCE_BBOX_HALF = 0.055
#: The reference rule's cube centre may sit this far below tile top + half cube, metres.
REFERENCE_HEIGHT_TOLERANCE = 0.01
#: Margin around the footprint under the default rule, metres.
PLACED_MARGIN = 0.03
#: The default rule's cube centre may sit this far above tile top + half cube, metres.
PLACED_HEIGHT = 0.02


class Outcome(str, Enum):
    """How an episode ended."""

    CORRECT = "correct"
    WRONG = "wrong"
    NO_ANSWER = "no_answer"
    ERROR = "error"


class ScoringRule(str, Enum):
    """Which rule decides whether the cube is on a tile."""

    DEFAULT = "default"
    REFERENCE = "reference"
    RADIUS = "radius"
    PULL_RELEASE = "pull_release"


def release_position(
    cube_xyz: np.ndarray, released: np.ndarray
) -> tuple[float, float, float] | None:
    """Where the cube was at the gripper's last release (``pull_release``).

    Args:
        cube_xyz: ``(T + 1, 3)`` cube centre after reset and after each step.
        released: ``(T + 1,)`` whether the gripper had let go then.

    Returns:
        The cube at the last step the gripper still held it (the final cube if
        it never let go or never held it), or None for an empty trace.
    """
    cube_xyz = np.asarray(cube_xyz, dtype=float).reshape(-1, 3)
    if len(cube_xyz) == 0:
        return None
    held = np.flatnonzero(~np.asarray(released, dtype=bool))
    index = int(held[-1]) if len(held) else len(cube_xyz) - 1
    x, y, z = cube_xyz[index]
    return (float(x), float(y), float(z))


def default_radius(tile_size: float) -> float:
    """The radius rule's zone radius: the half-diagonal of a square tile of edge ``tile_size``."""
    return tile_size * math.sqrt(2.0) / 2.0


@dataclass(frozen=True)
class Judgement:
    """The scored answer of one episode.

    Attributes:
        outcome: Correct, wrong or no answer (errors are decided by the caller).
        chosen_side: The tile whose zone holds the cube, or None.
        distance_to_correct: xy distance of the cube from the correct tile centre, metres.
    """

    outcome: Outcome
    chosen_side: Side | None
    distance_to_correct: float


def judge(
    cube_xy: tuple[float, float],
    geometry: SceneGeometry,
    answer_side: Side,
    radius: float | None = None,
) -> Judgement:
    """Score a final cube position under the radius rule (xy only).

    Args:
        cube_xy: Final cube centre on the table (base frame, metres).
        geometry: Tile centres of this episode (after jitter).
        answer_side: The side where the correct image lies.
        radius: Zone radius in metres; defaults to the tile half-diagonal.

    Returns:
        The judgement; ``outcome`` is never ``ERROR`` here.
    """
    radius = default_radius(geometry.tile_size) if radius is None else radius
    return _decide(cube_xy, geometry, answer_side, lambda side, d: d[side] <= radius)


def judge_rule(
    rule: ScoringRule,
    cube: tuple[float, float, float],
    geometry: SceneGeometry,
    answer_side: Side,
    radius: float | None = None,
) -> Judgement:
    """Score a final cube position under one rule.

    Args:
        rule: The scoring rule.
        cube: Final cube centre ``(x, y, z)``, base frame, table top at z = 0.
        geometry: Tiles of this episode.
        answer_side: The side where the correct image lies.
        radius: Zone radius of the radius rule (None: half-diagonal).

    Returns:
        The judgement.
    """
    rule = ScoringRule(rule)
    if rule is ScoringRule.RADIUS:
        return judge((cube[0], cube[1]), geometry, answer_side, radius)
    if rule is ScoringRule.PULL_RELEASE:  # ``cube``: where it was at the last release
        return _decide((cube[0], cube[1]), geometry, answer_side, lambda side, d: True)
    half = geometry.tile_size / 2
    rest_z = geometry.tile_thickness + geometry.cube_size / 2
    if rule is ScoringRule.REFERENCE:
        reach = REFERENCE_BBOX_HALF + REFERENCE_MARGIN
        height_ok = cube[2] >= rest_z - REFERENCE_HEIGHT_TOLERANCE
    else:
        reach = half + PLACED_MARGIN
        height_ok = cube[2] <= rest_z + PLACED_HEIGHT

    def inside(side: Side, _: dict[Side, float]) -> bool:
        x, y = geometry.tile_xy(side)
        return height_ok and abs(cube[0] - x) <= reach and abs(cube[1] - y) <= reach

    return _decide((cube[0], cube[1]), geometry, answer_side, inside)


def judge_all(
    cube: tuple[float, float, float],
    geometry: SceneGeometry,
    answer_side: Side,
    radius: float | None = None,
    release_cube: tuple[float, float, float] | None = None,
) -> dict[ScoringRule, Judgement]:
    """Judgements under every rule.

    Args:
        cube: Final cube centre.
        geometry: Tiles of this episode.
        answer_side: The side where the correct image lies.
        radius: Zone radius of the radius rule (None: half-diagonal).
        release_cube: The cube at the gripper's last release (:func:`release_position`),
            read by ``pull_release``; None: the final cube.
    """
    return {
        rule: judge_rule(
            rule,
            release_cube if rule is ScoringRule.PULL_RELEASE and release_cube else cube,
            geometry,
            answer_side,
            radius,
        )
        for rule in ScoringRule
    }


def _decide(
    cube_xy: tuple[float, float],
    geometry: SceneGeometry,
    answer_side: Side,
    inside: Callable[[Side, dict[Side, float]], bool],
) -> Judgement:
    distances = {side: math.dist(cube_xy, geometry.tile_xy(side)) for side in Side}
    candidates = [side for side in Side if inside(side, distances)]
    chosen = min(candidates, key=lambda side: distances[side]) if candidates else None
    if chosen is None:
        outcome = Outcome.NO_ANSWER
    elif chosen is answer_side:
        outcome = Outcome.CORRECT
    else:
        outcome = Outcome.WRONG
    return Judgement(outcome, chosen, distances[answer_side])
