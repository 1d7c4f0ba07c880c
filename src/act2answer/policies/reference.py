"""Scripted reference policies: oracle, random tile, always-left and idle.

They read only ``Observation.ee_position`` / ``gripper_opening`` plus the
privileged tile centres they ask for, and emit actions in the convention of
:mod:`act2answer.interfaces` (accumulating end-effector targets, +1 open).
"""

from __future__ import annotations

import numpy as np

from act2answer.errors import PolicyError
from act2answer.interfaces import (
    ACTION_DIM,
    GRIPPER_CLOSE,
    GRIPPER_OPEN,
    EpisodeStart,
    Observation,
    ObservationNeeds,
    Side,
)

#: Mixed into the episode seed so the random policy's draws are independent of the scene's.
_RANDOM_POLICY_STREAM = 0x5EED


class CarryController:
    """Carry a held cube above a table point, lower it, let go, lift a little.

    The controller keeps its own copy of the accumulated end-effector target
    (initialised from the first observation) and moves it towards waypoints at
    a bounded speed; the action is the change of that target.

    Args:
        target_xy: Where to put the cube, base frame, metres.
        carry_z: Carry height of the end effector; ``None`` keeps the start height.
        release_z: End-effector height at which the cube is let go (table top is
            z = 0; the default leaves ~1 cm under a 3.5 cm cube on a 6 mm tile).
        max_step: Largest target move per control step, metres.
        tolerance: How close the end effector must be to a waypoint, metres.
        min_release_step: Do not try to open before this step (the environment
            forces the gripper closed for the first steps anyway).
        lift: How far to rise after opening, metres.
        open_steps: Steps to keep the gripper open before lifting.
    """

    def __init__(
        self,
        target_xy: tuple[float, float],
        *,
        carry_z: float | None = None,
        release_z: float = 0.037,
        max_step: float = 0.03,
        tolerance: float = 0.006,
        min_release_step: int = 15,
        lift: float = 0.04,
        open_steps: int = 2,
    ) -> None:
        self.target_xy = (float(target_xy[0]), float(target_xy[1]))
        self.carry_z = carry_z
        self.release_z = release_z
        self.max_step = max_step
        self.tolerance = tolerance
        self.min_release_step = min_release_step
        self.lift = lift
        self.open_steps = open_steps
        self._target: np.ndarray | None = None
        self._phase = "carry"
        self._opened_at = -1

    @property
    def phase(self) -> str:
        """Current phase: ``carry``, ``descend``, ``release`` or ``lift``."""
        return self._phase

    def act(self, observation: Observation) -> np.ndarray:
        """Next action for an observation.

        Args:
            observation: Current observation (``ee_position`` and ``step`` are used).

        Returns:
            A float64 7-vector ``[dx, dy, dz, 0, 0, 0, gripper]``.
        """
        ee = np.asarray(observation.ee_position, dtype=float)
        if self._target is None:
            self._target = ee.copy()
            if self.carry_z is None:
                self.carry_z = max(float(ee[2]), self.release_z + 0.03)
        tx, ty = self.target_xy
        carry_z = float(self.carry_z if self.carry_z is not None else ee[2])
        gripper = GRIPPER_CLOSE

        if self._phase == "carry":
            waypoint = np.array([tx, ty, carry_z])
            if self._reached(ee, waypoint, xy_only=True):
                self._phase = "descend"
        if self._phase == "descend":
            waypoint = np.array([tx, ty, self.release_z])
            if self._reached(ee, waypoint) and observation.step >= self.min_release_step:
                self._phase = "release"
                self._opened_at = observation.step
        if self._phase == "release":
            waypoint = np.array([tx, ty, self.release_z])
            gripper = GRIPPER_OPEN
            if observation.step - self._opened_at >= self.open_steps:
                self._phase = "lift"
        if self._phase == "lift":
            waypoint = np.array([tx, ty, self.release_z + self.lift])
            gripper = GRIPPER_OPEN

        step = waypoint - self._target
        norm = float(np.linalg.norm(step))
        if norm > self.max_step:
            step *= self.max_step / norm
        self._target = self._target + step
        action = np.zeros(ACTION_DIM)
        action[:3] = step
        action[6] = gripper
        return action

    def _reached(self, ee: np.ndarray, waypoint: np.ndarray, xy_only: bool = False) -> bool:
        assert self._target is not None
        n = 2 if xy_only else 3
        target_there = float(np.linalg.norm(self._target[:n] - waypoint[:n])) < 1e-9
        return target_there and float(np.linalg.norm(ee[:n] - waypoint[:n])) < self.tolerance


class _TilePolicy:
    """Shared logic: carry the cube to one tile chosen at reset."""

    name: str = "tile"
    needs: ObservationNeeds = ObservationNeeds(image=False, scene_geometry=True)

    def __init__(self) -> None:
        self._controller: CarryController | None = None
        self.side: Side | None = None

    def choose(self, start: EpisodeStart) -> Side:
        """The side to carry the cube to (subclasses decide)."""
        raise NotImplementedError

    def reset(self, start: EpisodeStart) -> None:
        """Pick the tile and aim the carry controller at its centre.

        Args:
            start: Episode start; ``privileged`` must carry the tile centres.

        Raises:
            PolicyError: the privileged tile centres are missing.
        """
        if start.privileged is None:
            raise PolicyError(f"policy {self.name!r} needs privileged scene geometry")
        self.side = self.choose(start)
        self._controller = CarryController(start.privileged.tile_xy(self.side))

    def act(self, observation: Observation) -> np.ndarray:
        """Next carry action.

        Args:
            observation: Current observation.

        Returns:
            A 7-vector action.

        Raises:
            PolicyError: ``act`` before ``reset``.
        """
        if self._controller is None:
            raise PolicyError(f"policy {self.name!r}: act() before reset()")
        return self._controller.act(observation)


class OraclePolicy(_TilePolicy):
    """Puts the cube on the correct tile (upper bound of the protocol)."""

    name: str = "oracle"
    needs: ObservationNeeds = ObservationNeeds(image=False, scene_geometry=True, answer=True)

    def choose(self, start: EpisodeStart) -> Side:
        """The correct side, from the privileged answer."""
        if start.privileged is None or start.privileged.answer is None:
            raise PolicyError("oracle policy needs the privileged answer")
        return start.privileged.answer


class RandomTilePolicy(_TilePolicy):
    """Puts the cube on a tile chosen at random from the episode seed (chance level)."""

    name: str = "random"
    needs: ObservationNeeds = ObservationNeeds(image=False, scene_geometry=True)

    def choose(self, start: EpisodeStart) -> Side:
        """A side drawn from the episode seed, on a stream separate from the simulator's.

        The simulator draws the tile jitter from ``default_rng(seed)``; using the
        same stream would tie the choice to the left tile's x offset.
        """
        rng = np.random.default_rng([start.seed, _RANDOM_POLICY_STREAM])
        return Side.LEFT if rng.random() < 0.5 else Side.RIGHT


class LeftPolicy(_TilePolicy):
    """Always puts the cube on the left tile (side-bias probe)."""

    name: str = "left"
    needs: ObservationNeeds = ObservationNeeds(image=False, scene_geometry=True)

    def choose(self, start: EpisodeStart) -> Side:
        """Always :attr:`Side.LEFT`."""
        return Side.LEFT


class IdlePolicy:
    """Holds still with the gripper closed: never answers (no-answer probe)."""

    name: str = "idle"
    needs: ObservationNeeds = ObservationNeeds(image=False)

    def reset(self, start: EpisodeStart) -> None:
        """Nothing to prepare."""

    def act(self, observation: Observation) -> np.ndarray:
        """Zero motion, gripper closed."""
        action = np.zeros(ACTION_DIM)
        action[6] = GRIPPER_CLOSE
        return action


class ConstantPolicy(IdlePolicy):
    """Asks for a camera frame every step and ignores it: the idle action, at no cost.

    A run with it measures the simulator alone (physics, IK, rendering,
    compositing, storage) with the work of an image policy; it never releases
    the cube, so every episode runs the protocol's full ``max_steps``.
    """

    name: str = "constant"
    needs: ObservationNeeds = ObservationNeeds(image=True)


__all__ = [
    "CarryController",
    "ConstantPolicy",
    "IdlePolicy",
    "LeftPolicy",
    "OraclePolicy",
    "RandomTilePolicy",
]
