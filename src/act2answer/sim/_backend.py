"""The narrow simulator interface the evaluation codes against, and its factory."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from act2answer.interfaces import CubeState, Observation, ObservationNeeds, SceneGeometry, StepInfo
from act2answer.sim._config import SimConfig


@runtime_checkable
class SimBackend(Protocol):
    """What any tabletop simulator backend (MuJoCo now, ManiSkill3 later) provides."""

    config: SimConfig

    def set_tiles(
        self,
        left: np.ndarray,
        right: np.ndarray,
        *,
        category: str | None = None,
        tile_size: float | None = None,
    ) -> None:
        """Show two ``(H, W, 3)`` uint8 images on the left and right tiles.

        ``category`` picks the scene's tile style (size, side colour);
        ``tile_size`` (metres) is an item's own tile size.
        """
        ...

    def reset(
        self, *, seed: int, instruction: str = "", needs: ObservationNeeds | None = None
    ) -> tuple[Observation, StepInfo]:
        """Start a seeded episode with the cube already in the closed gripper."""
        ...

    def step(self, action: np.ndarray) -> tuple[Observation, float, bool, bool, StepInfo]:
        """Apply one action; return ``(obs, reward, terminated, truncated, info)``."""
        ...

    @property
    def geometry(self) -> SceneGeometry:
        """Tile centres (after jitter) and tile size, base frame."""
        ...

    def cube_state(self) -> CubeState:
        """Current cube position, released and at-rest flags."""
        ...

    def render(
        self, camera: str = "third_person", width: int | None = None, height: int | None = None
    ) -> np.ndarray:
        """Render an RGB frame."""
        ...

    def close(self) -> None:
        """Release resources."""
        ...


def make_env(config: SimConfig | None = None) -> SimBackend:
    """Create the simulator backend for a configuration.

    Args:
        config: Simulator configuration (defaults to ``SimConfig()``).

    Returns:
        A MuJoCo :class:`~act2answer.sim.TabletopEnv`.
    """
    from act2answer.sim._env import TabletopEnv

    return TabletopEnv(config if config is not None else SimConfig())
