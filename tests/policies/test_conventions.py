"""Conventions and presets: image preprocessing, rotations, gripper, state, action decoding."""

from __future__ import annotations

import math

import numpy as np
import pytest

from act2answer.errors import PolicyError
from act2answer.interfaces import Observation
from act2answer.policies import conventions as cv
from act2answer.policies.presets import Preset, get_preset, preset_names


def _observation(image: np.ndarray | None = None, wrist: np.ndarray | None = None) -> Observation:
    return Observation(
        instruction="put the cube on the red patch",
        step=3,
        ee_position=np.array([0.3, -0.05, 0.12]),
        ee_rpy=np.array([0.1, -0.2, 0.3]),
        gripper_opening=0.5,
        image=image,
        wrist_image=wrist,
    )


def test_resize_with_pad_keeps_aspect_and_centres_with_black_borders():
    image = np.full((480, 640, 3), 200, dtype=np.uint8)
    out = cv.resize_with_pad(image, 224, 224)
    assert out.shape == (224, 224, 3) and out.dtype == np.uint8
    # 640x480 -> 224x168, centred: 28 black rows above and below.
    assert (out[:28] == 0).all() and (out[-28:] == 0).all()
    assert (out[28:-28] == 200).all()


def test_resize_area_averages_and_rotate_180_flips_both_axes():
    image = np.zeros((4, 4, 3), dtype=np.uint8)
    image[:2, :2] = 255  # top-left quadrant white
    small = cv.resize(image, 2, 2, "area")
    assert small[0, 0].tolist() == [255, 255, 255] and small[1, 1].tolist() == [0, 0, 0]
    turned = cv.rotate_180(image)
    assert (turned[2:, 2:] == 255).all() and (turned[:2, :2] == 0).all()
    with pytest.raises(ValueError, match="uint8"):
        cv.resize(image.astype(np.float32), 2, 2)


@pytest.mark.parametrize(
    "rpy", [(0.1, -0.2, 0.3), (0.0, 0.0, 0.0), (1.2, 0.4, -2.5), (3.0, 0.0, 0.0)]
)
def test_rotation_round_trips(rpy):
    rotvec = cv.rpy_to_axis_angle(np.array(rpy))
    back = cv.axis_angle_to_rpy(rotvec)
    assert np.allclose(cv.rpy_to_matrix(*back), cv.rpy_to_matrix(*rpy), atol=1e-9)
    matrix = cv.axis_angle_to_matrix(rotvec)
    assert np.allclose(matrix @ matrix.T, np.eye(3), atol=1e-12)


def test_axis_angle_about_z_is_yaw():
    assert np.allclose(cv.axis_angle_to_rpy(np.array([0.0, 0.0, 0.4])), [0.0, 0.0, 0.4])
    assert np.allclose(cv.rpy_to_axis_angle(np.array([0.3, 0.0, 0.0])), [0.3, 0.0, 0.0])


@pytest.mark.parametrize(
    ("mode", "open_value", "closed_value"),
    [
        ("open_pm1", 1.0, -1.0),
        ("close_pm1", -1.0, 1.0),
        ("open_01", 0.9, 0.1),
        ("close_01", 0.0, 1.0),
    ],
)
def test_gripper_modes(mode, open_value, closed_value):
    assert cv.gripper_to_act2answer(open_value, mode) == 1.0
    assert cv.gripper_to_act2answer(closed_value, mode) == -1.0


def test_action_scaling_and_axis_angle_conversion():
    raw = np.array([1.0, -0.5, 0.2, 0.0, 0.0, 1.0, 1.0, 99.0])  # an 8th dim is ignored
    out = cv.action_to_act2answer(
        raw, rotation="axis_angle", gripper="close_pm1", position_scale=0.05, rotation_scale=0.5
    )
    assert np.allclose(out, [0.05, -0.025, 0.01, 0.0, 0.0, 0.5, -1.0])


def test_absolute_to_delta_reaches_the_target():
    delta = cv.absolute_to_delta([0.4, 0.0, 0.1], [0.0, 0.0, 0.5], [0.3, 0.1, 0.1], [0.0, 0.0, 0.2])
    assert np.allclose(delta[:3], [0.1, -0.1, 0.0])
    assert np.allclose(delta[3:], [0.0, 0.0, 0.3])


def test_libero_state_layout():
    state = cv.libero_state(np.array([0.3, 0.0, 0.1]), np.array([0.0, 0.0, 0.4]), 1.0)
    assert state.shape == (8,) and state.dtype == np.float32
    assert np.allclose(state, [0.3, 0.0, 0.1, 0.0, 0.0, 0.4, 0.04, -0.04])


def test_presets_exist_and_encode_what_their_model_expects():
    assert {"act2answer", "bridge-openvla", "libero-openpi"} <= set(preset_names())
    frame = np.zeros((480, 640, 3), dtype=np.uint8)
    frame[:96, :128] = (255, 0, 0)  # red top-left marker, a fifth of each side (RGB order)
    libero = get_preset("libero-openpi")
    wire = libero.encode(_observation(frame, frame))
    assert set(wire) == {
        "prompt",
        "observation/image",
        "observation/wrist_image",
        "observation/state",
    }
    assert wire["observation/image"].shape == (224, 224, 3)
    image = wire["observation/image"]
    assert image[:28].max() == 0 and image[-28:].max() == 0  # padded rows
    # LIBERO mirrors left-right (openpi flips robosuite's upside-down frames with [::-1, ::-1]):
    # the marker ends top-right of the 224x168 picture, i.e. rows 28-61, columns 179-223.
    assert (image[32:58, 184:222] == (255, 0, 0)).all()
    assert image[32:58, 2:170].max() == 0 and image[64:196].max() == 0
    assert wire["observation/state"].shape == (8,)
    assert libero.replan_steps == 5 and libero.needs.wrist_image
    openvla = get_preset("bridge-openvla")
    wire = openvla.encode(_observation(frame))
    image = wire["observation/image"]
    assert image.shape == (224, 224, 3) and "observation/state" not in wire
    # OpenVLA neither turns nor mirrors: the marker stays top-left (rows and columns 0-44).
    assert (image[2:42, 2:42] == (255, 0, 0)).all()
    assert image[2:42, 50:].max() == 0 and image[50:].max() == 0
    assert openvla.unnorm_key == "bridge_orig"
    with pytest.raises(PolicyError, match="wrist"):
        libero.encode(_observation(frame))


def test_decode_chunks_and_rejects_bad_outputs():
    libero = get_preset("libero-openpi")
    chunk = np.zeros((10, 7))
    chunk[:, 6] = -1.0  # LIBERO: -1 open
    decoded = libero.decode(chunk)
    assert decoded.shape == (10, 7) and (decoded[:, 6] == 1.0).all()
    assert get_preset("act2answer").decode(np.zeros(7)).shape == (1, 7)
    with pytest.raises(PolicyError, match="shape"):
        libero.decode(np.zeros((2, 6)))
    with pytest.raises(PolicyError, match="non-finite"):
        libero.decode(np.full((1, 7), math.nan))
    with pytest.raises(PolicyError, match="did you mean 'libero-openpi'"):
        get_preset("libero-openp")


def test_custom_preset_is_data():
    preset = Preset(name="mine", image_size=(96, 128), resize_mode="resize", state_layout="none")
    out = preset.encode(_observation(np.zeros((480, 640, 3), dtype=np.uint8)))
    assert out["observation/image"].shape == (96, 128, 3)
    assert Preset.model_validate_json(preset.model_dump_json()) == preset
