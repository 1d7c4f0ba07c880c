"""Observations carry exactly what a policy declared it needs."""

from __future__ import annotations

import numpy as np

from act2answer.interfaces import ObservationNeeds
from act2answer.sim import SimConfig, TabletopEnv


def test_wrist_and_third_person_images_on_request():
    config = SimConfig(
        camera_width=96, camera_height=72, wrist_camera=True, wrist_width=64, wrist_height=48
    )
    with TabletopEnv(config) as env:
        env.set_tiles(np.full((32, 32, 3), 255, np.uint8), np.zeros((32, 32, 3), np.uint8))
        observation, _ = env.reset(seed=1, needs=ObservationNeeds(image=True, wrist_image=True))
        assert observation.image is not None and observation.image.shape == (72, 96, 3)
        assert observation.wrist_image is not None and observation.wrist_image.shape == (48, 64, 3)
        assert observation.wrist_image.std() > 1.0  # not a blank frame
        observation, _ = env.reset(seed=1, needs=ObservationNeeds(image=False))
        assert observation.image is None and observation.wrist_image is None
        assert observation.state.shape == (7,) and observation.state.dtype == np.float32
        assert 0.3 < observation.gripper_opening < 0.9  # closed on the 3.5 cm cube, not empty
