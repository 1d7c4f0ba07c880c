"""openpi presets of pi0 / pi0-FAST / pi0.5 against a server speaking openpi's protocol.

The server is written like openpi's ``WebsocketPolicyServer`` on the official
``openpi-client`` msgpack code (``tests/helpers/openpi_fakes.py``); it answers
with the chunk length of each openpi LIBERO config and checks the keys of
``LiberoInputs`` it would read.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from act2answer.interfaces import EpisodeStart, Observation
from act2answer.policies import PolicySpec, make_policy
from tests.helpers.openpi_fakes import openpi_style_server

pytestmark = pytest.mark.filterwarnings("ignore:connect\\(\\) must be used:DeprecationWarning")


@pytest.mark.parametrize(
    ("preset", "horizon"), [("pi0-libero", 50), ("pi0-fast-libero", 10), ("pi05-libero", 10)]
)
def test_openpi_libero_presets_send_libero_keys_and_convert_replies(
    preset: str, horizon: int
) -> None:
    seen: list[dict[str, Any]] = []

    def infer(obs: dict[str, Any]) -> dict[str, Any]:
        seen.append(obs)
        chunk = np.zeros((horizon, 7), dtype=np.float32)
        chunk[:, 1] = 0.5  # normalised dy -> 0.025 m at robosuite's 0.05 m scale
        chunk[:, 5] = 0.2  # axis-angle about z -> 0.1 rad of yaw
        chunk[:, 6] = 1.0  # robosuite / LIBERO: +1 closes
        return {"actions": chunk, "server_timing": {"infer_ms": 1.0}}

    frame = np.zeros((480, 640, 3), dtype=np.uint8)
    frame[:240, :320] = 200  # top-left bright: LIBERO's training view mirrors it to top-right
    observation = Observation(
        instruction="put the cube on the cat",
        step=0,
        ee_position=np.array([0.25, 0.0, 0.15]),
        ee_rpy=np.zeros(3),
        gripper_opening=0.5,
        image=frame,
        wrist_image=frame,
    )
    with openpi_style_server(infer) as port:
        policy = make_policy(
            PolicySpec(name=f"openpi://127.0.0.1:{port}", kwargs={"preset": preset})
        )
        assert policy.replan_steps == 5 and policy.needs.wrist_image
        policy.reset(EpisodeStart(observation.instruction, 3))
        actions = [policy.act(observation) for _ in range(6)]
        policy.close()
    assert len(seen) == 2  # 5 actions of each chunk, then a new request
    obs = seen[0]
    assert set(obs) == {
        "prompt",
        "observation/image",
        "observation/wrist_image",
        "observation/state",
    }
    assert obs["prompt"] == "put the cube on the cat"
    image = obs["observation/image"]
    assert image.shape == (224, 224, 3) and image.dtype == np.uint8
    # Mirrored left-right (raw robosuite rows flipped, then [::-1, ::-1]), letterboxed 224x168.
    assert image[40:100, 130:200].mean() > 150 and image[40:100, 20:90].mean() < 50
    assert image[130:180].mean() < 50
    assert image[:20].max() == 0  # resize_with_pad: black bars above and below
    state = obs["observation/state"]
    assert state.shape == (8,) and np.isclose(state[6], 0.02) and np.isclose(state[7], -0.02)
    np.testing.assert_allclose(actions[0][:6], [0, 0.025, 0, 0, 0, 0.1], atol=1e-6)
    assert actions[0][6] == -1.0  # LIBERO close -> act2answer close
