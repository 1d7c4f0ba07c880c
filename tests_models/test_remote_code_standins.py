"""Remote-code adapters around stand-ins loaded through the real ``from_pretrained`` path.

Each stand-in (``act2answer.testing.tiny.standin_*``) is saved to a local folder
whose ``config.json`` maps ``AutoConfig`` / ``AutoModel...`` / ``AutoProcessor`` to
a local module, and loaded with ``trust_remote_code=True`` exactly as the hub
model would be. The tests check what the stand-in received (prompt string,
image size, ``unnorm_key``, generation arguments) against the upstream code,
and the decoded actions against arithmetic written out here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from act2answer.adapters._hf import request_seed
from act2answer.adapters.magma import builtin_norm_stats
from act2answer.interfaces import Observation, PolicyRequest
from act2answer.policies import PolicySpec, make_policy
from act2answer.testing.tiny import build_tiny

STATS = builtin_norm_stats()["bridge_orig"]["action"]
Q01, Q99 = np.array(STATS["q01"]), np.array(STATS["q99"])
CENTERS = (np.linspace(-1, 1, 256)[:-1] + np.linspace(-1, 1, 256)[1:]) / 2


def _request(level: int, seed: int = 11, step: int = 0, instruction: str = "") -> PolicyRequest:
    observation = Observation(
        instruction=instruction or "Put the cube on the RED patch",
        step=step,
        ee_position=np.array([0.25, 0.01, 0.15]),
        ee_rpy=np.array([0.0, 0.1, -0.2]),
        gripper_opening=0.3,
        image=np.full((480, 640, 3), level, dtype=np.uint8),
        wrist_image=np.full((120, 160, 3), level, dtype=np.uint8),
    )
    return PolicyRequest(seed, observation)


def _adapter(name: str, folder: Path, **extra: Any) -> Any:
    kwargs = build_tiny(name, folder / name)
    return make_policy(PolicySpec(name=name, kwargs={**kwargs, **extra}))


def _unnorm(normalized: np.ndarray) -> np.ndarray:
    mask = np.array([True] * 6 + [False])
    return np.where(mask, 0.5 * (normalized + 1) * (Q99 - Q01) + Q01, normalized)


def _gripper(open_fraction: float) -> float:
    return 2.0 * (open_fraction > 0.5) - 1.0


def test_openvla_gets_the_deploy_prompt_224_pixels_and_bridge_key(tmp_path: Path) -> None:
    policy = _adapter("openvla", tmp_path)
    assert policy.replan_steps == 1 and policy.needs.image and not policy.needs.wrist_image
    chunks = policy.act_batch([_request(40), _request(200)])
    assert chunks.shape == (2, 1, 7)
    model_calls = type(policy.model).calls[-2:]
    processor_calls = type(policy.processor).calls[-2:]
    prompt = "In: What action should the robot take to put the cube on the red patch?\nOut:"
    for model_call, processor_call in zip(model_calls, processor_calls, strict=True):
        assert processor_call == {"prompt": prompt, "image_size": (224, 224)}
        assert model_call["prompt"] == prompt
        assert model_call["image_size"] == (224, 224)
        assert model_call["unnorm_key"] == "bridge_orig"
        assert model_call["do_sample"] is False
        assert model_call["kwargs"] == ["attention_mask", "do_sample", "pixel_values"]
    for row, level in zip(chunks[:, 0], (40, 200), strict=True):
        bin_index = int(level / 255 * 254)
        bins = np.array([bin_index, 254 - bin_index, 127, 128, 0, 254, bin_index])
        raw = _unnorm(CENTERS[bins])
        np.testing.assert_allclose(row[:6], raw[:6], atol=1e-9)  # rpy passed through as rpy
        assert row[6] == _gripper(raw[6])
    assert chunks[0, 0, 6] == -1.0 and chunks[1, 0, 6] == 1.0
    # A row does not depend on the other rows of the batch.
    np.testing.assert_array_equal(policy.act_batch([_request(200)])[0], chunks[1])


def test_openvla_prompt_template_reproduces_simplerenv(tmp_path: Path) -> None:
    policy = _adapter("openvla", tmp_path, prompt_template="{instruction}", lowercase=False)
    policy.act_batch([_request(90)])
    assert type(policy.model).calls[-1]["prompt"] == "Put the cube on the RED patch"


def test_spatialvla_gets_the_task_224_pixels_and_its_bridge_key(tmp_path: Path) -> None:
    policy = _adapter("spatialvla", tmp_path)
    chunks = policy.act_batch([_request(60), _request(180)])
    assert chunks.shape == (2, 4, 7)
    call = type(policy.processor).calls[-1]
    assert call["prompt"] == "Put the cube on the RED patch"
    assert call["image_size"] == (224, 224) and call["n_images"] == 1
    assert call["unnorm_key"] == "bridge_orig/1.0.0"
    assert call["kwargs"] == {"return_tensors": "pt", "do_normalize": False}
    assert type(policy.model).calls[-1]["image_size"] == (224, 224)
    level = int(180 / 255 * 254)
    levels = np.array([level, 254 - level, level, 127]) / 254.0
    for action, value in zip(chunks[1], levels, strict=True):
        normalized = np.full(7, 2 * value - 1)
        normalized[6] = value
        raw = _unnorm(normalized)
        np.testing.assert_allclose(action[:6], raw[:6], atol=1e-9)
        assert action[6] == _gripper(value)


def test_magma_gets_the_study_chat_prompt_256_pixels_and_crops_axis(tmp_path: Path) -> None:
    policy = _adapter("magma", tmp_path)
    chunks = policy.act_batch([_request(120)])
    assert chunks.shape == (1, 1, 7)
    prompt = (  # Llama-3 chat template (the stand-in renders Meta-Llama-3-Instruct's)
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
        "You are agent that can see, talk and act.<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\n<image_start><image><image_end>\n"
        "What action should the robot take to Put the cube on the RED patch?<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n"
    )
    assert type(policy.processor).calls[-1] == {"prompt": prompt, "image_size": (256, 256)}
    call = type(policy.model).calls[-1]
    assert call["pixel_shape"] == (1, 1, 3, 256, 256)
    assert call["image_sizes_shape"] == (1, 1, 2)
    assert call["kwargs"]["do_sample"] is False and call["kwargs"]["pad_token_id"] == 0
    level = int(120 / 255 * 254)
    raw = _unnorm(CENTERS[np.array([level, 254 - level, 127, 128, 0, 254, level])])
    np.testing.assert_allclose(chunks[0, 0, :6], raw[:6], atol=1e-9)
    assert chunks[0, 0, 6] == _gripper(raw[6])


def test_magma_sampling_is_seeded_per_request(tmp_path: Path) -> None:
    policy = _adapter("magma", tmp_path, temperature=0.7)
    first = policy.act_batch([_request(120, seed=1), _request(120, seed=2)])
    again = policy.act_batch([_request(120, seed=1), _request(120, seed=2)])
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first[0], first[1])
    assert type(policy.model).calls[-1]["kwargs"]["temperature"] == 0.7


def test_xiaomi_gets_the_readme_prompt_padded_state_and_request_seed(tmp_path: Path) -> None:
    policy = _adapter("xiaomi-r0", tmp_path)
    assert policy.robot_type == "bridge_delta"
    requests = [_request(70, seed=5, step=3), _request(70, seed=6, step=3)]
    chunks = policy.act_batch(requests)
    assert chunks.shape == (2, 4, 7)
    prompt_call = type(policy.processor).calls[-1]
    assert prompt_call["prompt"].count("<|image_pad|>") == 1
    assert "# Base View\n" in prompt_call["prompt"]
    assert "the task:\nPut the cube on the RED patch. /no_cot" in prompt_call["prompt"]
    assert prompt_call["videos"] is None
    assert {"use_fast": False, "trust_remote_code": True}.items() <= type(policy.processor).calls[
        0
    ]["from_pretrained_kwargs"].items()
    model_call = type(policy.model).calls[-1]
    assert model_call["seed"] == request_seed(6, 3) % 2**32
    assert model_call["state_shape"] == (1, 1, 32) and model_call["mask_shape"] == (1, 1, 32)
    state = requests[1].observation.state  # [xyz, rpy, 0, opening] (client_process)
    np.testing.assert_allclose(model_call["state"][:6], state[:6], atol=1e-6)
    assert model_call["state"][6] == 0.0
    assert model_call["state"][7] == pytest.approx(state[6])
    assert model_call["state"][8:] == [0.0] * 24
    assert not np.array_equal(chunks[0], chunks[1])  # different seeds, different noise
    np.testing.assert_array_equal(policy.act_batch(requests[1:])[0], chunks[1])


def test_internvla_m1_one_batched_call_with_upstream_arguments(tmp_path: Path) -> None:
    policy = _adapter("internvla-m1", tmp_path)
    chunks = policy.act_batch([_request(30), _request(230)])
    assert chunks.shape == (2, 5, 7)
    call = type(policy.model).calls[-1]
    assert call["n_images"] == [1, 1]
    assert call["image_shapes"] == [(224, 224, 3), (224, 224, 3)]
    assert call["instructions"] == ["Put the cube on the RED patch"] * 2
    assert call["unnorm_key"] == "bridge_dataset"
    assert (call["do_sample"], call["cfg_scale"], call["use_ddim"], call["num_ddim_steps"]) == (
        False,
        1.5,
        True,
        10,
    )
    for row, level in zip(chunks, (30, 230), strict=True):
        value = level / 255
        normalized = np.full(7, 2 * value - 1)
        normalized[6] = 1.0 if value >= 0.5 else 0.0
        raw = _unnorm(normalized)
        np.testing.assert_allclose(row[0, :6], raw[:6], atol=1e-6)
        assert row[0, 6] == _gripper(raw[6])


def test_internvla_m1_served_over_openpi_matches_in_process(tmp_path: Path) -> None:
    from act2answer.client import OpenpiPolicy
    from act2answer.interfaces import EpisodeStart
    from act2answer.serve import PolicyServer, backend_for_spec

    kwargs = build_tiny("internvla-m1", tmp_path / "m1")
    local = make_policy(PolicySpec(name="internvla-m1", kwargs=kwargs))
    request = _request(230, seed=9)
    expected = local.act_batch([request])[0, 0]
    spec = PolicySpec(name="internvla-m1", kwargs=kwargs)
    with PolicyServer(backend_for_spec(spec), port=0) as server:
        remote = OpenpiPolicy(f"127.0.0.1:{server.port}", connect_timeout=10)
        remote.reset(EpisodeStart(request.observation.instruction, 9))
        np.testing.assert_allclose(remote.act(request.observation), expected, atol=1e-9)
        remote.close()
