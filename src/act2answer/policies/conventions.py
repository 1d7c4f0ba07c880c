"""Small converters between a policy's conventions and act2answer's.

Every VLA was trained with its own image preprocessing, state layout and
action convention. These functions convert one piece each; a
:class:`~act2answer.policies.presets.Preset` bundles them for one model family.
act2answer's own convention (see :mod:`act2answer.interfaces`): actions are
``[dx, dy, dz, droll, dpitch, dyaw, gripper]`` deltas in metres and radians of
extrinsic roll-pitch-yaw, gripper +1 open / -1 close.

Only numpy and Pillow are imported, so remote clients and servers can use this
module without MuJoCo or torch.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from PIL import Image

Interpolation = Literal["area", "nearest", "bilinear", "bicubic", "lanczos"]
GripperMode = Literal["open_pm1", "close_pm1", "open_01", "close_01"]
RotationMode = Literal["rpy", "axis_angle"]

_RESAMPLE = {
    # Upscaling only: downscaling with "area" is the exact area average (see area_resize).
    "area": Image.Resampling.BOX,
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}


# --- images ------------------------------------------------------------------


def _check_rgb(image: np.ndarray) -> np.ndarray:
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 image, got {array.shape} {array.dtype}")
    return array


def _area_axis(values: np.ndarray, size_out: int, axis: int) -> np.ndarray:
    """Area-average ``values`` (float64) down to ``size_out`` along ``axis``.

    Output ``i`` is ``(S(stop) - S(start)) / scale`` over ``[i*s, (i+1)*s)``, ``s = in/out``,
    where ``S(x)`` is the running sum of the source up to position ``x``, linear
    inside a pixel (a partly covered pixel counts by its covered fraction).
    """
    moved = np.moveaxis(values, axis, 0)
    size_in = moved.shape[0]
    scale = size_in / size_out
    running = np.concatenate([np.zeros((1, *moved.shape[1:])), np.cumsum(moved, axis=0)])
    edges = np.minimum(np.arange(size_out + 1) * scale, size_in)
    whole = np.minimum(np.floor(edges).astype(np.int64), size_in - 1)
    fraction = (edges - whole).reshape(-1, *([1] * (moved.ndim - 1)))
    at_edges = running[whole] + fraction * moved[whole]
    return np.moveaxis((at_edges[1:] - at_edges[:-1]) / scale, 0, axis)


def area_resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Downscale by exact area averaging, as OpenCV's ``cv2.INTER_AREA`` does.

    Each output pixel averages the source rectangle it covers, partly covered
    source pixels weighted by the covered fraction. (Pillow's BOX filter instead
    takes whole pixels whose centres fall inside, which differs by about 1.6 grey
    levels on average on a noisy 640x480 frame; ``tests/policies/test_study_preprocessing.py``.)

    Args:
        image: ``(H, W, 3)`` uint8 with ``H >= height`` and ``W >= width``.
        height: Output height.
        width: Output width.

    Returns:
        ``(height, width, 3)`` uint8, rounded to nearest.
    """
    array = _check_rgb(image)
    out = _area_axis(_area_axis(array.astype(np.float64), height, 0), width, 1)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def resize(
    image: np.ndarray, height: int, width: int, interpolation: Interpolation = "area"
) -> np.ndarray:
    """Resize an RGB image to exactly ``height x width`` (aspect ratio not kept).

    Args:
        image: ``(H, W, 3)`` uint8.
        height: Output height in pixels.
        width: Output width in pixels.
        interpolation: ``area`` (exact area average, OpenCV's INTER_AREA), ``nearest``,
            ``bilinear``, ``bicubic`` or ``lanczos``.

    Returns:
        ``(height, width, 3)`` uint8.
    """
    array = _check_rgb(image)
    if array.shape[:2] == (height, width):
        return array
    if interpolation == "area" and height <= array.shape[0] and width <= array.shape[1]:
        return area_resize(array, height, width)
    resized = Image.fromarray(array).resize((width, height), resample=_RESAMPLE[interpolation])
    return np.asarray(resized)


def resize_with_pad(
    image: np.ndarray, height: int, width: int, interpolation: Interpolation = "bilinear"
) -> np.ndarray:
    """Resize keeping the aspect ratio, then pad with black to ``height x width``.

    This is openpi's ``image_tools.resize_with_pad``: the image is scaled so that
    it fits, centred, and the remaining border is zero.

    Args:
        image: ``(H, W, 3)`` uint8.
        height: Output height in pixels.
        width: Output width in pixels.
        interpolation: Filter used for the scaling step.

    Returns:
        ``(height, width, 3)`` uint8.
    """
    array = _check_rgb(image)
    current_height, current_width = array.shape[:2]
    if (current_height, current_width) == (height, width):
        return array
    ratio = max(current_width / width, current_height / height)
    new_height, new_width = int(current_height / ratio), int(current_width / ratio)
    scaled = resize(array, new_height, new_width, interpolation)
    padded = np.zeros((height, width, 3), dtype=np.uint8)
    top, left = (height - new_height) // 2, (width - new_width) // 2
    padded[top : top + new_height, left : left + new_width] = scaled
    return padded


def rotate_180(image: np.ndarray) -> np.ndarray:
    """Turn an image upside down (LIBERO's renders are stored rotated by 180 degrees)."""
    return np.ascontiguousarray(np.asarray(image)[::-1, ::-1])


def mirror(image: np.ndarray) -> np.ndarray:
    """Mirror an image left-right (what LIBERO's ``[::-1, ::-1]`` does to an upright frame).

    robosuite returns frames flipped vertically (Lifelong-Robot-Learning/LIBERO#11,
    openvla/openvla#295); openpi ``examples/libero/main.py`` (openpi@15a9616a) and
    LeRobot's ``LiberoProcessorStep`` turn them by 180 degrees, which leaves them
    upright and mirrored. act2answer renders upright frames, so a mirror matches.
    """
    return np.ascontiguousarray(np.asarray(image)[:, ::-1])


def center_crop(image: np.ndarray, fraction: float) -> np.ndarray:
    """Keep the centred ``fraction`` of height and width (Xiaomi-Robotics-0's crop).

    Sizes and offsets follow ``client_process`` in XiaomiRobotics/Xiaomi-Robotics-0@3c297b25
    ``eval_simplerenv/main.py``: ``crop_h = int(h * fraction)``,
    ``crop_y = (h - crop_h) // 2`` (likewise for the width).
    """
    array = _check_rgb(image)
    height, width = array.shape[:2]
    crop_h, crop_w = int(height * fraction), int(width * fraction)
    top, left = (height - crop_h) // 2, (width - crop_w) // 2
    return np.ascontiguousarray(array[top : top + crop_h, left : left + crop_w])


# --- rotations -----------------------------------------------------------------


def rpy_to_matrix(roll: float, pitch: float, yaw: float) -> np.ndarray:
    """Rotation matrix of extrinsic roll-pitch-yaw (``Rz(yaw) @ Ry(pitch) @ Rx(roll)``).

    Args:
        roll: Rotation about base x, radians.
        pitch: Rotation about base y, radians.
        yaw: Rotation about base z, radians.

    Returns:
        A ``(3, 3)`` rotation matrix.
    """
    cr, sr = math.cos(roll), math.sin(roll)
    cp, sp = math.cos(pitch), math.sin(pitch)
    cy, sy = math.cos(yaw), math.sin(yaw)
    return np.array(
        [
            [cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr],
            [sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr],
            [-sp, cp * sr, cp * cr],
        ]
    )


def matrix_to_rpy(rot: np.ndarray) -> np.ndarray:
    """Extrinsic roll-pitch-yaw of a rotation matrix (inverse of :func:`rpy_to_matrix`).

    Args:
        rot: ``(3, 3)`` rotation matrix (or its 9 row-major entries).

    Returns:
        ``[roll, pitch, yaw]`` in radians.
    """
    r = np.asarray(rot, dtype=float).reshape(3, 3)
    pitch = -math.asin(max(-1.0, min(1.0, r[2, 0])))
    roll = math.atan2(r[2, 1], r[2, 2])
    yaw = math.atan2(r[1, 0], r[0, 0])
    return np.array([roll, pitch, yaw])


def axis_angle_to_matrix(rotvec: np.ndarray) -> np.ndarray:
    """Rotation matrix of a rotation vector (axis times angle in radians; Rodrigues)."""
    vector = np.asarray(rotvec, dtype=float).reshape(3)
    angle = float(np.linalg.norm(vector))
    if angle < 1e-12:
        return np.eye(3)
    x, y, z = vector / angle
    cross = np.array([[0.0, -z, y], [z, 0.0, -x], [-y, x, 0.0]])
    return np.eye(3) + math.sin(angle) * cross + (1.0 - math.cos(angle)) * (cross @ cross)


def matrix_to_axis_angle(rot: np.ndarray) -> np.ndarray:
    """Rotation vector of a rotation matrix (inverse of :func:`axis_angle_to_matrix`)."""
    r = np.asarray(rot, dtype=float).reshape(3, 3)
    cos_angle = max(-1.0, min(1.0, (np.trace(r) - 1.0) / 2.0))
    angle = math.acos(cos_angle)
    if angle < 1e-12:
        return np.zeros(3)
    if math.pi - angle < 1e-6:  # near 180 degrees the antisymmetric part vanishes
        axis = np.sqrt(np.clip((np.diag(r) + 1.0) / 2.0, 0.0, None))
        signs = np.sign([1.0, r[0, 1] + r[1, 0], r[0, 2] + r[2, 0]])
        axis = axis * np.where(signs == 0, 1.0, signs)
        return axis / np.linalg.norm(axis) * angle
    axis = np.array([r[2, 1] - r[1, 2], r[0, 2] - r[2, 0], r[1, 0] - r[0, 1]])
    return axis / (2.0 * math.sin(angle)) * angle


def rpy_to_axis_angle(rpy: np.ndarray) -> np.ndarray:
    """Extrinsic roll-pitch-yaw to a rotation vector."""
    roll, pitch, yaw = np.asarray(rpy, dtype=float).reshape(3)
    return matrix_to_axis_angle(rpy_to_matrix(roll, pitch, yaw))


def axis_angle_to_rpy(rotvec: np.ndarray) -> np.ndarray:
    """Rotation vector to extrinsic roll-pitch-yaw."""
    return matrix_to_rpy(axis_angle_to_matrix(rotvec))


# --- gripper -----------------------------------------------------------------------


def gripper_to_act2answer(value: float, mode: GripperMode) -> float:
    """Convert a policy's gripper command to act2answer's +1 open / -1 close.

    Args:
        value: The policy's gripper number.
        mode: ``open_pm1`` (+1 open, -1 close: ours, SimplerEnv Bridge),
            ``close_pm1`` (+1 close, -1 open: robosuite / LIBERO),
            ``open_01`` (1 open, 0 closed: OpenVLA Bridge) or ``close_01``.

    Returns:
        +1.0 or -1.0 (the command is thresholded at the middle of its range).
    """
    if mode == "open_pm1":
        is_open = value > 0.0
    elif mode == "close_pm1":
        is_open = value < 0.0
    elif mode == "open_01":
        is_open = value > 0.5
    elif mode == "close_01":
        is_open = value < 0.5
    else:
        raise ValueError(f"unknown gripper mode {mode!r}")
    return 1.0 if is_open else -1.0


# --- actions and state ------------------------------------------------------------


def action_to_act2answer(
    raw: np.ndarray,
    *,
    rotation: RotationMode = "rpy",
    gripper: GripperMode = "open_pm1",
    position_scale: float = 1.0,
    rotation_scale: float = 1.0,
) -> np.ndarray:
    """Convert one 7-D delta action of a policy to act2answer's convention.

    Args:
        raw: ``[dx, dy, dz, r0, r1, r2, gripper]`` in the policy's convention
            (extra trailing dimensions are ignored).
        rotation: How ``r0..r2`` encode the rotation delta.
        gripper: Gripper convention of the policy.
        position_scale: Metres per unit of the policy's position output (e.g.
            0.05 for robosuite's normalised OSC actions).
        rotation_scale: Radians per unit of the policy's rotation output.

    Returns:
        A float64 7-vector in act2answer's convention.
    """
    values = np.asarray(raw, dtype=np.float64).reshape(-1)
    if values.size < 7:
        raise ValueError(f"an action needs at least 7 numbers, got {values.size}")
    out = np.empty(7)
    out[:3] = values[:3] * position_scale
    turn = values[3:6] * rotation_scale
    out[3:6] = turn if rotation == "rpy" else axis_angle_to_rpy(turn)
    out[6] = gripper_to_act2answer(float(values[6]), gripper)
    return out


def absolute_to_delta(
    target_position: np.ndarray,
    target_rpy: np.ndarray,
    ee_position: np.ndarray,
    ee_rpy: np.ndarray,
) -> np.ndarray:
    """Delta (position, extrinsic rpy) that takes the current pose to an absolute target.

    Returns:
        ``[dx, dy, dz, droll, dpitch, dyaw]`` with ``R_delta = R_target @ R_current^T``.
    """
    current = rpy_to_matrix(*np.asarray(ee_rpy, dtype=float))
    target = rpy_to_matrix(*np.asarray(target_rpy, dtype=float))
    delta = np.empty(6)
    delta[:3] = np.asarray(target_position, dtype=float) - np.asarray(ee_position, dtype=float)
    delta[3:] = matrix_to_rpy(target @ current.T)
    return delta


def libero_state(ee_position: np.ndarray, ee_rpy: np.ndarray, gripper_opening: float) -> np.ndarray:
    """openpi's LIBERO state: ``[x, y, z, axis-angle (3), finger qpos (2)]`` (8 floats).

    LIBERO reports the Panda's two finger joint positions (0 .. 0.04 m each,
    the second negative); they are derived from the opening fraction here.
    """
    finger = 0.04 * float(gripper_opening)
    return np.concatenate(
        [np.asarray(ee_position, dtype=float), rpy_to_axis_angle(ee_rpy), [finger, -finger]]
    ).astype(np.float32)


def xiaomi_bridge_state(state: np.ndarray) -> np.ndarray:
    """Xiaomi-Robotics-0's Bridge state ``[x, y, z, r, p, y, 0, opening]`` from ours.

    ``client_process`` in XiaomiRobotics/Xiaomi-Robotics-0@3c297b25
    ``eval_simplerenv/main.py`` (and the study's copy, nazar-karpov/bias-vla-benchmark@d5f4ed5d
    ``Act2Answer/SimplerEnv/simpler_env/policies/xiaomi/xiaomi.py``) inserts a zero before
    the gripper openness; the server pads the result to 32.
    """
    values = np.asarray(state, dtype=np.float32).reshape(-1)
    if values.size != 7:
        raise ValueError(f"expected act2answer's 7-D state, got {values.size} values")
    return np.concatenate([values[:6], [0.0], values[6:]]).astype(np.float32)


__all__ = [
    "GripperMode",
    "Interpolation",
    "RotationMode",
    "absolute_to_delta",
    "action_to_act2answer",
    "area_resize",
    "axis_angle_to_matrix",
    "axis_angle_to_rpy",
    "center_crop",
    "gripper_to_act2answer",
    "libero_state",
    "matrix_to_axis_angle",
    "matrix_to_rpy",
    "mirror",
    "resize",
    "resize_with_pad",
    "rotate_180",
    "rpy_to_axis_angle",
    "rpy_to_matrix",
    "xiaomi_bridge_state",
]
