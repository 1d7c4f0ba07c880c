"""The pixels, prompts, states and outputs each adapter hands its model, upstream and study presets.

Each stand-in (``act2answer.testing.tiny.standin_*``) records the RGB pixels it
receives. The asymmetric frame of ``tests/helpers/study_images.py`` goes through every
adapter with its upstream and its study preset, and what the model saw is
compared with the model's own preprocessing written out from the upstream
code: orientation, channel order, crop, size and resize filter. Mutations
checked by hand (notes/2026-12-05-issue-20-study-models.md): flipping upside
down + BGR, or mirroring, in ``Preset.prepare_image`` fails every
``test_model_sees_*`` case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from tests.helpers.study_images import EXPECTED, assert_same_image, quadrant_frame

from act2answer.adapters import magma, openvla
from act2answer.adapters.internvla_m1 import STUDY_ARGS as INTERNVLA_STUDY_ARGS
from act2answer.interfaces import Observation, PolicyRequest
from act2answer.policies import PolicySpec, make_policy
from act2answer.testing.tiny import build_tiny

FRAME = quadrant_frame()
INSTRUCTION = "put the cube on the RED patch"


def _request(seed: int = 11, step: int = 0, instruction: str = INSTRUCTION) -> PolicyRequest:
    observation = Observation(
        instruction=instruction,
        step=step,
        ee_position=np.array([0.25, 0.01, 0.15]),
        ee_rpy=np.array([0.05, 0.1, -0.2]),
        gripper_opening=0.7,
        image=FRAME,
        wrist_image=quadrant_frame(120, 160, seed=1),
    )
    return PolicyRequest(seed, observation)


def _adapter(name: str, folder: Path, **extra: Any) -> Any:
    kwargs = build_tiny(name, folder / name)
    return make_policy(PolicySpec(name=name, kwargs={**kwargs, **extra}))


def _received(policy: Any) -> np.ndarray:
    owner = getattr(policy, "processor", None) or policy.model
    return type(owner).pixels[-1]


CASES = [
    ("openvla", "bridge-openvla"),
    ("openvla", "study-openvla"),
    ("spatialvla", "bridge-spatialvla"),
    ("spatialvla", "study-spatialvla"),
    ("magma", "bridge-magma"),
    ("magma", "study-magma"),
    ("xiaomi-r0", "bridge-xiaomi-r0"),
    ("xiaomi-r0", "study-xiaomi-r0"),
    ("internvla-m1", "bridge-internvla-m1"),
    ("internvla-m1", "study-internvla-m1"),
]


@pytest.mark.parametrize(("adapter", "preset"), CASES)
def test_model_sees_the_frame_as_its_own_client_prepares_it(
    tmp_path: Path, adapter: str, preset: str
) -> None:
    policy = _adapter(adapter, tmp_path, preset=preset)
    policy.act_batch([_request()])
    expected, tolerance = EXPECTED[preset]
    assert_same_image(_received(policy), expected(FRAME), tolerance)


def test_openvla_study_prompt_sampling_and_action_tokens(tmp_path: Path) -> None:
    args = {k: v for k, v in openvla.STUDY_ARGS.items() if k != "model_path"}
    policy = _adapter("openvla", tmp_path, **args)
    assert policy.unnorm_key == "sft"
    policy.act_batch([_request()])
    call = type(policy.model).calls[-1]
    assert call["prompt"] == (
        "In: What action should the robot take to put the cube on the red patch?\nOut: "
    )
    assert call["do_sample"] is True and call["temperature"] == 0.6
    scores = torch.zeros(1, 32064)
    kept = call["logits_processor"](torch.zeros(1, 3, dtype=torch.long), scores)
    finite = torch.isfinite(kept[0]).nonzero().flatten()
    assert finite.min().item() == 32000 - 256 and finite.max().item() == 31999


def test_magma_prompt_is_llama3_chat_in_either_order(tmp_path: Path) -> None:
    user = (
        "<|start_header_id|>user<|end_header_id|>\n\n<image_start><image><image_end>\n"
        "What action should the robot take to put the cube on the RED patch?<|eot_id|>"
    )
    system = (
        "<|start_header_id|>system<|end_header_id|>\n\n"
        "You are agent that can see, talk and act.<|eot_id|>"
    )
    tail = "<|start_header_id|>assistant<|end_header_id|>\n\n"
    upstream = _adapter("magma", tmp_path)
    upstream.act_batch([_request()])
    assert (
        type(upstream.processor).calls[-1]["prompt"] == "<|begin_of_text|>" + system + user + tail
    )
    args = {k: v for k, v in magma.STUDY_ARGS.items() if k not in ("model_path", "dtype")}
    study = _adapter("magma", tmp_path / "study", **args)
    study.act_batch([_request()])
    assert type(study.processor).calls[-1]["prompt"] == "<|begin_of_text|>" + user + system + tail
    kwargs = type(study.model).calls[-1]["kwargs"]
    assert kwargs["do_sample"] is True and kwargs["temperature"] == 0.7
    assert kwargs["max_new_tokens"] == 1000
    guard = kwargs["logits_processor"]
    fixed = guard(None, torch.tensor([[float("nan"), float("inf"), 1.0]], dtype=torch.bfloat16))
    assert fixed.dtype == torch.float32 and fixed.tolist() == [[-1e4, 50.0, 1.0]]


def test_magma_layerscale_remap_restores_the_vision_tower(tmp_path: Path) -> None:
    fixed = _adapter("magma", tmp_path)
    assert fixed.layerscale_loaded == 1
    assert fixed.model.vision_tower.blocks[0].gamma.item() == 1.0
    broken = _adapter("magma", tmp_path / "broken", fix_layerscale=False)
    assert broken.model.vision_tower.blocks[0].gamma.item() == pytest.approx(1e-5)
    # Without the remap the "tower" output collapses and the actions change.
    assert not np.array_equal(fixed.act_batch([_request()]), broken.act_batch([_request()]))


def test_magma_layerscale_key_mapping() -> None:
    mapping = magma.layerscale_remap(
        [
            "model.vision_tower.stages.1.blocks.3.weight",
            "model.vision_tower.stages.1.blocks.3.conv_dw.weight",
            "model.language_model.layers.0.weight",
            "model.vision_tower.gone.weight",
        ],
        [
            "model.vision_tower.stages.1.blocks.3.gamma",
            "model.vision_tower.stages.1.blocks.3.conv_dw.weight",
            "model.language_model.layers.0.weight",
        ],
    )
    assert mapping == {
        "model.vision_tower.stages.1.blocks.3.weight": "model.vision_tower.stages.1.blocks.3.gamma",
        "model.vision_tower.stages.1.blocks.3.conv_dw.weight": (
            "model.vision_tower.stages.1.blocks.3.conv_dw.weight"
        ),
    }


def test_xiaomi_inputs_and_output_values(tmp_path: Path) -> None:
    policy = _adapter("xiaomi-r0", tmp_path)
    assert policy.robot_type == "bridge_delta"  # picked among the processor's types
    request = _request(seed=5, step=3)
    chunk = policy.act_batch([request])[0]
    prompt = type(policy.processor).calls[-1]["prompt"]
    assert "Generate robot actions for the task:\nPut the cube on the RED patch. /no_cot" in prompt
    call = type(policy.model).calls[-1]
    state = np.array(call["state"])
    np.testing.assert_allclose(state[:8], [0.25, 0.01, 0.15, 0.05, 0.1, -0.2, 0.0, 0.7], atol=1e-6)
    assert not state[8:].any() and call["state_shape"] == (1, 1, 32)
    assert 0 <= call["seed"] < 2**32
    # The stand-in's outputs written out: noise(seed) + mean pixel, x 0.01, gripper (a6 > 0).
    pixels = type(policy.processor).pixels[-1].astype(np.float32) / 255.0
    noise = torch.randn(1, 4, 32, generator=torch.Generator().manual_seed(call["seed"]))
    raw = (noise + float(pixels.mean())).numpy()[0]
    assert chunk.shape == (4, 7)
    np.testing.assert_allclose(chunk[:, :6], raw[:, :6] * 0.01, atol=1e-5)
    np.testing.assert_array_equal(chunk[:, 6], np.where(raw[:, 6] > 0, 1.0, -1.0))


def test_internvla_study_args_leave_the_noise_generator_alone(tmp_path: Path) -> None:
    policy = _adapter("internvla-m1", tmp_path, **INTERNVLA_STUDY_ARGS)
    assert policy.seed_noise is False
    torch.manual_seed(123)
    expected_next = torch.rand(1).item()
    torch.manual_seed(123)
    policy.act_batch([_request(seed=1), _request(seed=2)])
    assert torch.rand(1).item() == expected_next  # no manual_seed inside act_batch
