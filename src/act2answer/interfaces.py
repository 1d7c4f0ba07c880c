"""Data types that cross the simulator / policy / evaluation boundaries.

This module imports only numpy so that light clients (remote policies,
analysis) can use it without pulling in MuJoCo.

Action convention (SimplerEnv's Bridge convention, the model for ours):
a 7-vector ``[dx, dy, dz, droll, dpitch, dyaw, gripper]``.

* ``dx, dy, dz``: change of the end-effector *target* position in metres, in
  the robot base frame (+x forward away from the base, +y to the robot's left,
  +z up).
* ``droll, dpitch, dyaw``: change of the target orientation in radians, as
  extrinsic roll-pitch-yaw applied in the base frame (``R_target <- R_delta @ R_target``).
* ``gripper``: +1 open, -1 close. Values in between are thresholded at 0 in
  scenes with ``gripper_command="binary"``; the reference scene, like the
  study's controller, maps -1..+1 linearly onto the finger target (0 = half open).

Actions are applied at the control rate (5 Hz by default) through inverse
kinematics; targets accumulate, as in SimplerEnv's ``target_delta`` controllers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol, runtime_checkable

import numpy as np

ACTION_DIM = 7
GRIPPER_OPEN = 1.0
GRIPPER_CLOSE = -1.0


class Side(str, Enum):
    """A tile slot, as seen from the robot base looking forward."""

    LEFT = "left"
    RIGHT = "right"

    @property
    def other(self) -> Side:
        return Side.RIGHT if self is Side.LEFT else Side.LEFT


@dataclass(frozen=True)
class ObservationNeeds:
    """What a policy consumes; the simulator skips work nobody needs.

    Attributes:
        image: Third-person RGB camera frame.
        wrist_image: Wrist camera frame.
        scene_geometry: Privileged: tile centres (scripted baselines only).
        answer: Privileged: which side is correct (the oracle only).
    """

    image: bool = True
    wrist_image: bool = False
    scene_geometry: bool = False
    answer: bool = False


@dataclass
class Observation:
    """What a policy sees at one control step.

    Attributes:
        instruction: Natural-language instruction of the episode.
        step: Index of the control step this observation precedes (0 at reset).
        ee_position: End-effector (grasp site) position in the base frame, metres.
        ee_rpy: End-effector orientation as extrinsic roll-pitch-yaw, radians.
        gripper_opening: 0 fully closed ... 1 fully open.
        image: Third-person RGB, ``(H, W, 3)`` uint8, or None when not requested.
        wrist_image: Wrist RGB, ``(H, W, 3)`` uint8, or None when not requested.
    """

    instruction: str
    step: int
    ee_position: np.ndarray
    ee_rpy: np.ndarray
    gripper_opening: float
    image: np.ndarray | None = None
    wrist_image: np.ndarray | None = None

    @property
    def state(self) -> np.ndarray:
        """Proprioceptive state ``[x, y, z, roll, pitch, yaw, gripper_opening]``."""
        return np.concatenate([self.ee_position, self.ee_rpy, [self.gripper_opening]]).astype(
            np.float32
        )


@dataclass(frozen=True)
class PrivilegedInfo:
    """Information learned policies never get; scripted baselines may.

    Attributes:
        left_tile_xy: Centre of the left tile on the table (base frame, metres).
        right_tile_xy: Centre of the right tile.
        answer: Correct side, given only to policies whose needs ask for it.
    """

    left_tile_xy: tuple[float, float]
    right_tile_xy: tuple[float, float]
    answer: Side | None = None

    def tile_xy(self, side: Side) -> tuple[float, float]:
        return self.left_tile_xy if side is Side.LEFT else self.right_tile_xy


@dataclass(frozen=True)
class EpisodeStart:
    """Everything a policy is told when an episode begins.

    Attributes:
        instruction: The instruction text.
        seed: The episode seed; a stochastic policy derives its RNG from it.
        privileged: Present only for policies whose needs ask for it.
    """

    instruction: str
    seed: int
    privileged: PrivilegedInfo | None = None


@runtime_checkable
class Policy(Protocol):
    """The minimal policy interface. Remote and batching variants wrap it.

    A policy declares ``needs`` so that the simulator renders only what is used.
    ``act`` returns a 7-vector following the action convention of this module.
    """

    name: str
    needs: ObservationNeeds

    def reset(self, start: EpisodeStart) -> None: ...

    def act(self, observation: Observation) -> np.ndarray: ...


@dataclass(frozen=True)
class PolicyRequest:
    """One in-flight episode's request to a batched policy.

    Attributes:
        episode_seed: Seed of the episode; a stochastic model derives its noise
            for this row from ``(episode_seed, observation.step)`` so that its
            answer does not depend on which other episodes share the batch.
        observation: What the policy sees now.
    """

    episode_seed: int
    observation: Observation


@runtime_checkable
class BatchPolicy(Protocol):
    """A policy that answers many episodes in one call (how GPU models run fast).

    Batched policies are stateless between calls: everything a model needs is
    in the request (image, instruction, state, step, seed). ``act_batch``
    returns one action chunk per request, shape ``(B, H, 7)`` with ``H >= 1``,
    in the action convention of this module; the runner executes up to
    ``replan_steps`` actions of a chunk before asking again. Stateful policies
    keep using :class:`Policy`.
    """

    name: str
    needs: ObservationNeeds
    replan_steps: int

    def act_batch(self, requests: Sequence[PolicyRequest]) -> np.ndarray: ...


@dataclass(frozen=True)
class CubeState:
    """The cube at the end (or any point) of an episode.

    Attributes:
        position: ``(x, y, z)`` in the base frame, metres.
        released: The gripper no longer holds it.
        at_rest: Its speed is below the rest threshold.
    """

    position: tuple[float, float, float]
    released: bool
    at_rest: bool


@dataclass(frozen=True)
class SceneGeometry:
    """Where the tiles ended up after reset jitter.

    Attributes:
        left_tile_xy: Left tile centre (base frame, metres).
        right_tile_xy: Right tile centre.
        tile_size: Edge length of the square tiles, metres.
        tile_thickness: Tile thickness (the tile top's height above the table), metres.
        cube_size: Edge length of the cube, metres.
    """

    left_tile_xy: tuple[float, float]
    right_tile_xy: tuple[float, float]
    tile_size: float
    tile_thickness: float = 0.006
    cube_size: float = 0.03

    def tile_xy(self, side: Side) -> tuple[float, float]:
        return self.left_tile_xy if side is Side.LEFT else self.right_tile_xy


@dataclass(frozen=True)
class EpisodeTrace:
    """What the end effector and cube did over an episode, for intent metrics.

    Attributes:
        ee_xy: ``(T + 1, 2)`` end-effector xy (base frame) after reset and after
            each of the ``T`` policy steps.
        cube_released: ``(T + 1,)`` whether the gripper had let go of the cube then.
        ee_z: ``(T + 1,)`` end-effector height above the table top, or None.
        cube_xyz: ``(T + 1, 3)`` cube centre, or None.
        tiles_xy: ``(T + 1, 2, 2)`` left and right tile centres, or None.
    """

    ee_xy: np.ndarray
    cube_released: np.ndarray
    ee_z: np.ndarray | None = None
    cube_xyz: np.ndarray | None = None
    tiles_xy: np.ndarray | None = None


@dataclass
class StepInfo:
    """Typed ``info`` returned by ``reset`` and ``step``."""

    cube: CubeState
    geometry: SceneGeometry
    extras: dict[str, float] = field(default_factory=dict)


def validate_action(action: object) -> np.ndarray:
    """Check a policy's action and return it as a float64 7-vector.

    Raises:
        InvalidActionError: wrong type or shape, or non-finite values.
    """
    from act2answer.errors import InvalidActionError

    try:
        array = np.asarray(action, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidActionError(f"action is not numeric: {exc}") from None
    if array.shape != (ACTION_DIM,):
        raise InvalidActionError(f"action must have shape ({ACTION_DIM},), got {array.shape}")
    if not np.all(np.isfinite(array)):
        bad = [i for i, value in enumerate(array) if not np.isfinite(value)]
        raise InvalidActionError(f"action has non-finite values at indices {bad}: {array.tolist()}")
    return array
