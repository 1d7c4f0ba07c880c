"""Every preset's image, state and statistics against arithmetic written from the upstream code.

The frame is asymmetric (``tests/helpers/study_images.py``): turning it upside down,
mirroring it or swapping red and blue changes every quadrant, and its noise
separates resize filters (area vs bicubic vs bilinear differ by a grey
level or more on average). Mutations checked by hand (see
``notes/2026-12-05-issue-20-study-models.md``): ``Preset.prepare_image`` returning
its result upside down and BGR, or mirrored, fails ``test_preset_image_*`` for
every preset.
"""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

from act2answer.adapters.xiaomi_r0 import upstream_instruction
from act2answer.interfaces import Observation
from act2answer.policies import conventions
from act2answer.policies.presets import get_preset, preset_names
from tests.helpers.study_images import (
    EXPECTED,
    QUADRANTS,
    assert_same_image,
    cv2_inter_area,
    pil_resize,
    quadrant_frame,
    quadrant_means,
)

FRAME = quadrant_frame()


def test_every_registered_preset_has_its_upstream_arithmetic() -> None:
    assert set(preset_names()) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_preset_image_matches_the_models_own_preprocessing(name: str) -> None:
    expected, tolerance = EXPECTED[name]
    assert_same_image(get_preset(name).prepare_image(FRAME), expected(FRAME), tolerance)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_preset_image_keeps_quadrants_and_channels(name: str) -> None:
    """Orientation and channel order, stated directly: which colour sits in which quadrant."""
    preset = get_preset(name)
    prepared = preset.prepare_image(FRAME)
    if preset.resize_mode == "resize_with_pad":  # drop the black bars (224x168 content)
        rows = np.flatnonzero(prepared.reshape(prepared.shape[0], -1).max(axis=1) > 0)
        prepared = prepared[rows[0] : rows[-1] + 1]
    means = quadrant_means(prepared)
    order = [1, 0, 3, 2] if preset.mirror else [0, 1, 2, 3]  # LIBERO: left-right mirror
    np.testing.assert_allclose(means, np.array(QUADRANTS, dtype=float)[order], atol=6)
    marker_corner = prepared[:8, -8:] if preset.mirror else prepared[:8, :8]
    assert marker_corner.min() >= 250  # the white marker stays in its (mirrored) corner


def test_area_and_bicubic_filters_differ_on_the_frame() -> None:
    """The tolerances above separate the filters: a filter swap would fail."""
    area = cv2_inter_area(FRAME, 224, 224)
    bicubic = pil_resize(FRAME, 224, 224)
    assert np.abs(area.astype(float) - bicubic.astype(float)).mean() > 1.0
    assert_same_image(conventions.resize(FRAME, 224, 224, "area"), area, 0.05)
    for other in ("bilinear", "bicubic", "lanczos"):
        with pytest.raises(AssertionError):
            assert_same_image(conventions.resize(FRAME, 224, 224, other), area, 0.05)


def test_xiaomi_crop_geometry_follows_client_process() -> None:
    frame = np.zeros((256, 256, 3), dtype=np.uint8)
    frame[6, 6] = 255  # first kept pixel: crop int(256 * 0.95) = 243 at (256 - 243) // 2 = 6
    cropped = conventions.center_crop(frame, 0.95)
    assert cropped.shape == (243, 243, 3) and cropped[0, 0, 0] == 255


def _observation() -> Observation:
    return Observation(
        instruction="put the cube on the cat",
        step=0,
        ee_position=np.array([0.25, -0.05, 0.12]),
        ee_rpy=np.array([0.1, -0.2, 0.3]),
        gripper_opening=0.8,
        image=FRAME,
    )


def test_xiaomi_state_puts_the_gripper_in_slot_seven() -> None:
    """client_process: ``[xyz, rpy, 0, openness]`` (a zero inserted before the gripper)."""
    for name in ("bridge-xiaomi-r0", "study-xiaomi-r0"):
        state = get_preset(name).state(_observation())
        np.testing.assert_allclose(state, [0.25, -0.05, 0.12, 0.1, -0.2, 0.3, 0.0, 0.8], atol=1e-6)


def test_xiaomi_instruction_is_capitalised_with_a_full_stop() -> None:
    assert upstream_instruction("put the cube on the cat") == "Put the cube on the cat."


def test_libero_state_is_position_axis_angle_and_two_fingers() -> None:
    state = get_preset("libero-lerobot").state(_observation())
    expected_axis_angle = conventions.rpy_to_axis_angle(np.array([0.1, -0.2, 0.3]))
    np.testing.assert_allclose(state[:3], [0.25, -0.05, 0.12], atol=1e-6)
    np.testing.assert_allclose(state[3:6], expected_axis_angle, atol=1e-6)
    np.testing.assert_allclose(state[6:], [0.032, -0.032], atol=1e-6)


def test_bridge_orig_statistics_are_the_published_numbers() -> None:
    """Literals from the study's Magma wrapper (nazar-karpov/bias-vla-benchmark@d5f4ed5d
    ``Act2Answer/SimplerEnv/simpler_env/policies/magma/magma_model.py``, ``bridge_orig``),
    which are OpenVLA's ``bridge_orig`` statistics."""
    text = (
        resources.files("act2answer.adapters")
        .joinpath("data/bridge_orig_action_stats.json")
        .read_text()
    )
    stats = json.loads(text)["bridge_orig"]["action"]
    assert stats["q01"][0] == -0.02872725307941437
    assert stats["q99"][5] == 0.20382574498653397
    assert stats["q01"][5] == -0.20718276381492615
    assert stats["mask"] == [True] * 6 + [False]


@pytest.mark.parametrize(
    ("name", "unnorm_key", "replan"),
    [
        ("study-openvla", "sft", 1),
        ("study-spatialvla", "bridge_orig/1.0.0", 1),
        ("study-magma", "bridge_orig", 1),
        ("study-internvla-m1", "bridge_dataset", 1),
        ("study-xiaomi-r0", None, 4),
        ("study-pi0", None, 4),
    ],
)
def test_study_presets_keys_and_replanning(name: str, unnorm_key: str | None, replan: int) -> None:
    preset = get_preset(name)
    assert preset.unnorm_key == unnorm_key and preset.replan_steps == replan
    assert "bias-vla-benchmark@d5f4ed5d" in preset.source  # each study value is cited
    actions = preset.decode(np.array([[0.01, -0.02, 0.03, 0.1, -0.2, 0.3, 0.7]]))
    np.testing.assert_allclose(actions[0, :6], [0.01, -0.02, 0.03, 0.1, -0.2, 0.3])
    assert actions[0, 6] == 1.0


@pytest.mark.parametrize(
    ("model_type", "version", "refused"),
    [
        ("openvla", "4.40.1", False),
        ("openvla", "4.49.0", False),
        ("openvla", "4.50.0", True),
        ("openvla", "5.24.0", True),
        ("openvla_standin", "5.24.0", False),  # only OpenVLA's own remote code is blinded
    ],
)
def test_openvla_on_transformers_450_or_newer_is_refused_with_the_fix(
    model_type: str, version: str, refused: bool
) -> None:
    from act2answer.adapters.openvla import check_openvla_transformers
    from act2answer.errors import PolicyError

    if not refused:
        check_openvla_transformers(model_type, version)
        return
    with pytest.raises(PolicyError, match=r"openvla/openvla#346.*act2answer env create openvla"):
        check_openvla_transformers(model_type, version)
