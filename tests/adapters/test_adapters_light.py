"""Adapter pieces that need no model stack: token arithmetic, presets, registry, errors."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from act2answer.adapters import ADAPTERS, _tokens
from act2answer.adapters.internvla_m1 import unnormalize_m1
from act2answer.adapters.magma import action_tokens_before_eos, builtin_norm_stats
from act2answer.adapters.xiaomi_r0 import xiaomi_prompt
from act2answer.errors import PolicyError
from act2answer.policies import PolicySpec, make_policy, policy_names
from act2answer.policies.presets import get_preset
from act2answer.testing.tiny import TINY_KIND

STATS = {
    "q01": [-1.0, 0, 0, 0, 0, 0, 0],
    "q99": [3.0, 2, 2, 2, 2, 2, 1],
    "mask": [True] * 6 + [False],
}


def test_shipped_bridge_statistics_match_the_published_numbers() -> None:
    # Written out from OpenVLA's published ``bridge_orig`` dataset statistics (the
    # q01 / q99 that ``predict_action(unnorm_key="bridge_orig")`` uses), not read from
    # the shipped JSON, so a corrupted number there fails here.
    action = builtin_norm_stats()["bridge_orig"]["action"]
    assert action["q01"][0] == pytest.approx(-0.02872725307941437, abs=1e-12)
    assert action["q99"][2] == pytest.approx(0.040161586627364146, abs=1e-12)
    assert action["q01"][5] == pytest.approx(-0.20718276381492615, abs=1e-12)
    assert action["q99"][6] == 1.0 and action["mask"] == [True] * 6 + [False]


def test_token_decoding_follows_openvla_arithmetic() -> None:
    vocab = 32000
    # token vocab-1 is bin 0 (the lowest centre), vocab-255 is bin 254 (the highest).
    values = _tokens.tokens_to_normalized([vocab - 1, vocab - 255, vocab - 1000, vocab + 5], vocab)
    width = 2.0 / 255
    assert values[0] == pytest.approx(-1 + width / 2)
    assert values[1] == pytest.approx(1 - width / 2)
    assert values[2] == values[1]  # clipped to the last bin
    assert values[3] == values[0]  # clipped to the first bin
    roundtrip = _tokens.normalized_to_tokens(values[:2], vocab)
    assert roundtrip.tolist() == [vocab - 1, vocab - 255]


def test_unnormalize_maps_to_q01_q99_except_masked_gripper() -> None:
    out = _tokens.unnormalize_q01_q99(np.array([-1, 1, 0, 0, 0, 0, 0.25]), STATS)
    assert out[0] == pytest.approx(-1.0)
    assert out[1] == pytest.approx(2.0)
    assert out[2] == pytest.approx(1.0)
    assert out[6] == pytest.approx(0.25)  # gripper is not un-normalised
    with pytest.raises(PolicyError, match="do not match"):
        _tokens.unnormalize_q01_q99(np.zeros(6), STATS)


def test_dataset_stats_needs_a_known_key() -> None:
    stats = builtin_norm_stats()
    assert len(_tokens.dataset_stats(stats, "bridge_orig")["q01"]) == 7
    assert _tokens.dataset_stats(stats, None) == stats["bridge_orig"]["action"]
    with pytest.raises(PolicyError, match="bridge_orig"):
        _tokens.dataset_stats(stats, "fractal")
    with pytest.raises(PolicyError, match="pass unnorm_key"):
        _tokens.dataset_stats({"a": {}, "b": {}}, None)


def test_internvla_unnormalisation_clips_and_binarises_gripper() -> None:
    out = unnormalize_m1(np.array([[2.0, -3.0, 0, 0, 0, 0, 0.4], [0, 0, 0, 0, 0, 0, 0.6]]), STATS)
    assert out[0, 0] == pytest.approx(3.0)  # clipped to 1 then mapped to q99
    assert out[0, 1] == pytest.approx(0.0)  # clipped to -1 then mapped to q01
    assert out[0, 6] == 0.0 and out[1, 6] == 1.0


def test_magma_action_tokens_are_the_seven_before_eos() -> None:
    row = [5, 6, 7, 8, 9, 10, 11, 12, 2, 0, 0]
    assert action_tokens_before_eos(row, eos_token_id=2).tolist() == [6, 7, 8, 9, 10, 11, 12]
    with pytest.raises(PolicyError, match="before EOS"):
        action_tokens_before_eos([5, 6, 2], eos_token_id=2)


def test_xiaomi_prompt_has_one_block_per_view() -> None:
    text = xiaomi_prompt("put the cube on the cat", ["Base View", "Left-Wrist View"])
    assert text.count("<|vision_start|><|image_pad|><|vision_end|>") == 2
    assert "Generate robot actions for the task:\nput the cube on the cat /no_cot<|im_end|>" in text
    assert text.endswith("<|im_start|>assistant\n<cot></cot><|im_end|>\n")


@pytest.mark.parametrize(
    ("preset", "size", "unnorm_key"),
    [
        ("bridge-openvla", (224, 224), "bridge_orig"),
        ("bridge-spatialvla", (224, 224), "bridge_orig/1.0.0"),
        ("bridge-magma", (256, 256), "bridge_orig"),
        ("bridge-internvla-m1", (224, 224), "bridge_dataset"),
    ],
)
def test_bridge_presets_map_open_fraction_to_plus_minus_one(
    preset: str, size: tuple[int, int], unnorm_key: str
) -> None:
    found = get_preset(preset)
    assert found.image_size == size and found.unnorm_key == unnorm_key
    raw = np.array([[0.01, -0.02, 0.03, 0.1, -0.2, 0.3, 0.7], [0, 0, 0, 0, 0, 0, 0.3]])
    actions = found.decode(raw)
    np.testing.assert_allclose(actions[0, :6], raw[0, :6])  # metres and rpy radians unchanged
    assert actions[:, 6].tolist() == [1.0, -1.0]
    frame = np.zeros((480, 640, 3), dtype=np.uint8)
    assert found.prepare_image(frame).shape == (*size, 3)


@pytest.mark.parametrize("preset", ["pi0-libero", "pi0-fast-libero", "pi05-libero"])
def test_openpi_presets_use_libero_keys(preset: str) -> None:
    found = get_preset(preset)
    assert (found.image_key, found.wrist_image_key, found.state_key, found.prompt_key) == (
        "observation/image",
        "observation/wrist_image",
        "observation/state",
        "prompt",
    )
    assert found.actions_key == "actions" and found.replan_steps == 5
    assert found.mirror and not found.rotate_180  # our render is upright: LIBERO mirror


def test_every_adapter_is_registered_and_has_a_tiny_model() -> None:
    assert set(ADAPTERS) <= set(policy_names())
    assert set(TINY_KIND) == set(ADAPTERS)


def test_adapter_without_its_stack_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.setitem(sys.modules, "lerobot", None)
    for name in ("openvla", "spatialvla", "magma", "xiaomi-r0"):
        with pytest.raises(PolicyError, match="torch and transformers"):
            make_policy(name)
    with pytest.raises(PolicyError, match="needs LeRobot"):
        make_policy(PolicySpec(name="lerobot", kwargs={"model_path": "lerobot/smolvla_base"}))
