"""Turn a final cube position into an answer.

Zones (the reference study's Z+, Z-, Z0): a point within ``radius`` of a tile
centre belongs to that tile; a point within ``radius`` of both belongs to the
nearer one; anything else is "no answer". The default radius is the tile's
half-diagonal, i.e. the circle through the tile's corners: every point on the
tile counts as choosing it, and a cube that slid a little past an edge after
release still counts, while a cube dropped between the tiles or in front of
them does not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from act2answer.interfaces import SceneGeometry, Side


class Outcome(str, Enum):
    """How an episode ended."""

    CORRECT = "correct"
    WRONG = "wrong"
    NO_ANSWER = "no_answer"
    ERROR = "error"


def default_radius(tile_size: float) -> float:
    """The default zone radius: the half-diagonal of a square tile of edge ``tile_size``."""
    return tile_size * math.sqrt(2.0) / 2.0


@dataclass(frozen=True)
class Judgement:
    """The scored answer of one episode.

    Attributes:
        outcome: Correct, wrong or no answer (errors are decided by the caller).
        chosen_side: The tile whose zone holds the cube, or None.
        distance_to_correct: Distance of the cube from the correct tile centre, metres.
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
    """Score a final cube position.

    Args:
        cube_xy: Final cube centre on the table (base frame, metres).
        geometry: Tile centres of this episode (after jitter).
        answer_side: The side where the correct image lies.
        radius: Zone radius in metres; defaults to the tile half-diagonal.

    Returns:
        The judgement; ``outcome`` is never ``ERROR`` here.
    """
    radius = default_radius(geometry.tile_size) if radius is None else radius
    distances = {side: math.dist(cube_xy, geometry.tile_xy(side)) for side in Side}
    nearest = min(Side, key=lambda side: distances[side])
    chosen = nearest if distances[nearest] <= radius else None
    if chosen is None:
        outcome = Outcome.NO_ANSWER
    elif chosen is answer_side:
        outcome = Outcome.CORRECT
    else:
        outcome = Outcome.WRONG
    return Judgement(outcome, chosen, distances[answer_side])
