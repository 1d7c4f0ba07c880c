"""The lerobot adapter with LeRobot's default language padding and with LeRobot's LIBERO cameras.

* ``pad_language_to="longest"`` is LeRobot's SmolVLA default
  (``lerobot/policies/smolvla/configuration_smolvla.py``, v0.4.4): the task tokens
  of a batch are padded to its longest task, so a row's chunk is computed with
  different padding when its batch mates' instructions are longer. The
  attention mask hides the padding; what remains is float rounding, bounded
  here at 1e-6 (measured 1.1e-8 on the tiny SmolVLA, see the issue-20 note).
* LeRobot's LIBERO layout (huggingface/lerobot@7427f318 ``src/lerobot/envs/libero.py``):
  agentview -> ``observation.images.image``, wrist -> ``observation.images.image2``,
  both flipped on both axes from the raw frames (``processor/env_processor.py``),
  i.e. mirrored left-right from act2answer's upright renders.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tests.helpers.study_images import libero_training_view, quadrant_frame

from act2answer.interfaces import Observation, PolicyRequest
from act2answer.policies import PolicySpec, make_policy
from act2answer.testing.tiny.smolvla import build_tiny_smolvla

SHORT = "put the cube on the red patch"
LONG = "put the cube on the red patch next to the blue square on the left"


def _request(seed: int, instruction: str) -> PolicyRequest:
    observation = Observation(
        instruction=instruction,
        step=0,
        ee_position=np.array([0.2, 0.0, 0.1]),
        ee_rpy=np.zeros(3),
        gripper_opening=0.5,
        image=quadrant_frame(64, 64),
        wrist_image=quadrant_frame(64, 64, seed=1)[::-1],
    )
    return PolicyRequest(seed, observation)


def test_default_longest_padding_changes_tokens_but_not_the_row_beyond_1e6(tmp_path: Path) -> None:
    folder = build_tiny_smolvla(tmp_path / "longest", pad_language_to="longest")
    policy = make_policy(PolicySpec(name="lerobot", kwargs={"model_path": str(folder)}))
    assert policy.config.pad_language_to == "longest"
    alone = [_request(1, SHORT)]
    mixed = [_request(1, SHORT), _request(2, LONG)]
    tokens_alone = policy.preprocessor(policy.batch(alone))["observation.language.tokens"]
    tokens_mixed = policy.preprocessor(policy.batch(mixed))["observation.language.tokens"]
    assert tokens_mixed.shape[1] > tokens_alone.shape[1]  # the padding really differs
    difference = np.abs(policy.act_batch(alone)[0] - policy.act_batch(mixed)[0]).max()
    assert difference < 1e-6


def test_libero_preset_sends_the_wrist_frame_to_image2_mirrored(tmp_path: Path) -> None:
    folder = build_tiny_smolvla(
        tmp_path / "libero",
        camera_keys=("observation.images.image", "observation.images.image2"),
    )
    kwargs = {"model_path": str(folder), "preset": "libero-lerobot"}
    policy = make_policy(PolicySpec(name="lerobot", kwargs=kwargs))
    assert policy.cameras == {
        "observation.images.image": "image",
        "observation.images.image2": "wrist_image",
    }
    assert policy.needs.wrist_image
    request = _request(3, SHORT)
    batch = policy.batch([request])
    for key, frame in (
        ("observation.images.image", request.observation.image),
        ("observation.images.image2", request.observation.wrist_image),
    ):
        seen = (batch[key][0].permute(1, 2, 0).numpy() * 255.0).round().astype(np.uint8)
        np.testing.assert_array_equal(seen, libero_training_view(frame))
    state = batch["observation.state"][0].numpy()  # LIBERO: xyz, axis-angle, fingers (cut to 7)
    np.testing.assert_allclose(state, [0.2, 0.0, 0.1, 0.0, 0.0, 0.0, 0.02], atol=1e-6)
    # The default preset keeps the name rule: no "wrist" in image2, so it gets the scene.
    plain = make_policy(PolicySpec(name="lerobot", kwargs={"model_path": str(folder)}))
    assert plain.cameras["observation.images.image2"] == "image"
