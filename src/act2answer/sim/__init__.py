"""MuJoCo tabletop simulator: two image tiles, a cube in hand, EE-delta control.

Public API: :class:`SimConfig`, :class:`TabletopEnv`, the :class:`SimBackend`
protocol and :func:`make_env`; scene presets as data (:class:`ScenePreset` and its
parts, ``SCENE_PRESETS``).
"""

from act2answer.sim._glerror import import_mujoco

import_mujoco()  # a broken GL set-up fails here as RenderBackendError, not a bare RuntimeError

from act2answer.sim._backend import SimBackend, make_env  # noqa: E402
from act2answer.sim._config import (  # noqa: E402
    SCENE_PRESETS,
    CameraPreset,
    DirectionalLight,
    MountedCamera,
    RobotLook,
    ScenePreset,
    SimConfig,
    TableTop,
    TileStyle,
)
from act2answer.sim._env import TabletopEnv  # noqa: E402

__all__ = [
    "SCENE_PRESETS",
    "CameraPreset",
    "DirectionalLight",
    "MountedCamera",
    "RobotLook",
    "ScenePreset",
    "SimBackend",
    "SimConfig",
    "TableTop",
    "TabletopEnv",
    "TileStyle",
    "make_env",
]
