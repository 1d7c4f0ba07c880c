"""An asymmetric test frame and each model's image preprocessing written out from upstream code.

The frame (480x640, like the reference camera) has four coloured quadrants whose
red and blue channels differ (a BGR swap changes every quadrant), a white marker
in the top-left corner, and seeded per-pixel noise so that resize filters can be
told apart. Each ``expected_*`` function reproduces what the model's own client
or harness does to an upright frame, from the cited file, without calling
act2answer's preset code. Shared by ``tests/policies/test_study_preprocessing.py`` and the
stand-in tests in ``tests_models/``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

HEIGHT, WIDTH = 480, 640
#: Top-left, top-right, bottom-left, bottom-right (R, G, B); R != B everywhere.
QUADRANTS = ((220, 40, 10), (30, 200, 60), (10, 60, 230), (240, 210, 20))
MARKER = 48


def quadrant_frame(height: int = HEIGHT, width: int = WIDTH, seed: int = 0) -> np.ndarray:
    """Four coloured quadrants, a white top-left marker and +-25 noise, ``(H, W, 3)`` uint8."""
    frame = np.zeros((height, width, 3), dtype=np.int16)
    half_h, half_w = height // 2, width // 2
    frame[:half_h, :half_w] = QUADRANTS[0]
    frame[:half_h, half_w:] = QUADRANTS[1]
    frame[half_h:, :half_w] = QUADRANTS[2]
    frame[half_h:, half_w:] = QUADRANTS[3]
    noise = np.random.default_rng(seed).integers(-25, 26, size=frame.shape)
    frame = np.clip(frame + noise, 0, 255)
    frame[: height // 10, : width // 10] = 255
    return frame.astype(np.uint8)


def quadrant_means(image: np.ndarray) -> np.ndarray:
    """Mean colour of the central half of each quadrant, ``(4, 3)`` in TL, TR, BL, BR order."""
    height, width = image.shape[:2]
    rows = (slice(height // 8, 3 * height // 8), slice(5 * height // 8, 7 * height // 8))
    cols = (slice(width // 8, 3 * width // 8), slice(5 * width // 8, 7 * width // 8))
    return np.array(
        [image[rows[r], cols[c]].reshape(-1, 3).mean(axis=0) for r in (0, 1) for c in (0, 1)]
    )


# --- resizes, as the upstream code calls them --------------------------------------------


def area_weights(size_in: int, size_out: int) -> np.ndarray:
    """``(out, in)`` weights of an area-average resize (OpenCV ``INTER_AREA`` downscaling).

    Output pixel ``i`` averages the source interval ``[i * s, (i + 1) * s)``, ``s = in / out``,
    each source pixel weighted by how much of it lies in the interval.
    """
    scale = size_in / size_out
    weights = np.zeros((size_out, size_in))
    for i in range(size_out):
        start, stop = i * scale, (i + 1) * scale
        for j in range(int(np.floor(start)), min(int(np.ceil(stop)), size_in)):
            weights[i, j] = min(stop, j + 1) - max(start, j)
    return weights / scale


def cv2_inter_area(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """``cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)`` written in numpy."""
    rows = area_weights(image.shape[0], height)
    cols = area_weights(image.shape[1], width)
    partial = np.tensordot(rows, image.astype(np.float64), axes=(1, 0))
    out = np.tensordot(partial, cols, axes=(1, 1)).transpose(0, 2, 1)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def pil_resize(
    image: np.ndarray, height: int, width: int, resample: int | None = None
) -> np.ndarray:
    """``Image.fromarray(image).resize((width, height))``; no ``resample``: PIL's bicubic."""
    picture = Image.fromarray(image)
    resized = (
        picture.resize((width, height))
        if resample is None
        else picture.resize((width, height), resample=resample)
    )
    return np.asarray(resized)


def openpi_resize_with_pad(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """openpi ``packages/openpi-client/src/openpi_client/image_tools.py`` ``resize_with_pad``.

    Physical-Intelligence/openpi@15a9616a: ``ratio = max(cur_w / w, cur_h / h)``,
    ``resized = int(cur / ratio)`` with PIL BILINEAR, zero padding split as
    ``int((h - resized_h) / 2)`` above and ``int((w - resized_w) / 2)`` left.
    """
    cur_h, cur_w = image.shape[:2]
    ratio = max(cur_w / width, cur_h / height)
    new_h, new_w = int(cur_h / ratio), int(cur_w / ratio)
    resized = pil_resize(image, new_h, new_w, Image.Resampling.BILINEAR)
    out = np.zeros((height, width, 3), dtype=np.uint8)
    top, left = max(0, int((height - new_h) / 2)), max(0, int((width - new_w) / 2))
    out[top : top + new_h, left : left + new_w] = resized
    return out


def robosuite_raw(upright: np.ndarray) -> np.ndarray:
    """What robosuite/LIBERO returns for an upright view: the rows flipped (LIBERO#11)."""
    return upright[::-1]


def libero_training_view(upright: np.ndarray) -> np.ndarray:
    """openpi ``examples/libero/main.py``: ``obs["agentview_image"][::-1, ::-1]`` (raw frame)."""
    return np.ascontiguousarray(robosuite_raw(upright)[::-1, ::-1])


def openpi_libero_image(upright: np.ndarray) -> np.ndarray:
    """openpi ``examples/libero/main.py``: the training view, ``resize_with_pad(img, 224, 224)``."""
    return openpi_resize_with_pad(libero_training_view(upright), 224, 224)


def xiaomi_client_image(upright: np.ndarray) -> np.ndarray:
    """Xiaomi-Robotics-0@3c297b25 ``eval_simplerenv/main.py`` ``client_process`` (Bridge).

    ``base_obs.resize((256, 256))`` (PIL default: bicubic); crop ``int(256 * 0.95) = 243``
    at ``(256 - 243) // 2 = 6``; torchvision ``F.resize(base_obs, (256, 256))`` on a PIL
    image = PIL bilinear.
    """
    base = Image.fromarray(upright).resize((256, 256))
    crop = int(256 * 0.95)
    offset = (256 - crop) // 2
    base = base.crop((offset, offset, offset + crop, offset + crop))
    return np.asarray(base.resize((256, 256), resample=Image.Resampling.BILINEAR))


#: Preset name -> (what the model's client does to an upright render, max mean |difference|).
#: The area tolerance covers float rounding (OpenCV rounds its own float result).
EXPECTED: dict[str, tuple[Callable[[np.ndarray], np.ndarray], float]] = {
    "act2answer": (lambda frame: frame, 0.0),
    # SimplerEnv openvla_model.py / spatialvla_model.py, InternVLA-M1 model2simpler_interface.py:
    # cv2.resize(image, (224, 224), interpolation=cv2.INTER_AREA).
    "bridge-openvla": (lambda frame: cv2_inter_area(frame, 224, 224), 0.05),
    "bridge-spatialvla": (lambda frame: cv2_inter_area(frame, 224, 224), 0.05),
    "bridge-internvla-m1": (lambda frame: cv2_inter_area(frame, 224, 224), 0.05),
    "study-internvla-m1": (lambda frame: cv2_inter_area(frame, 224, 224), 0.05),
    # The study's Magma get_action and upstream magma_model.py: image.resize((256, 256)).
    "bridge-magma": (lambda frame: pil_resize(frame, 256, 256), 0.0),
    "study-magma": (lambda frame: pil_resize(frame, 256, 256), 0.0),
    "bridge-xiaomi-r0": (xiaomi_client_image, 0.0),
    "study-xiaomi-r0": (xiaomi_client_image, 0.0),
    # The study's OpenVLA: the processor's TVF.resize(bicubic, antialias) of the raw frame;
    # PIL bicubic is the same filter up to rounding.
    "study-openvla": (
        lambda frame: pil_resize(frame, 224, 224, Image.Resampling.BICUBIC),
        0.0,
    ),
    # The study's SpatialVLA hands the raw frame to the processor.
    "study-spatialvla": (lambda frame: frame, 0.0),
    # INT-ACT's Bridge adapter: cv2 INTER_LANCZOS4 to 224 (PIL Lanczos: a stated departure).
    "study-pi0": (lambda frame: pil_resize(frame, 224, 224, Image.Resampling.LANCZOS), 0.0),
    "libero-openpi": (
        lambda frame: openpi_resize_with_pad(libero_training_view(frame), 224, 224),
        0.0,
    ),
    "pi0-libero": (
        lambda frame: openpi_resize_with_pad(libero_training_view(frame), 224, 224),
        0.0,
    ),
    "pi0-fast-libero": (
        lambda frame: openpi_resize_with_pad(libero_training_view(frame), 224, 224),
        0.0,
    ),
    "pi05-libero": (
        lambda frame: openpi_resize_with_pad(libero_training_view(frame), 224, 224),
        0.0,
    ),
    # LeRobot's LiberoProcessorStep flips both axes of the raw frame; the policy resizes.
    "libero-lerobot": (libero_training_view, 0.0),
}


def assert_same_image(actual: np.ndarray, expected: np.ndarray, tolerance: float) -> None:
    """Same shape; mean absolute difference at most ``tolerance`` (grey levels)."""
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert actual.dtype == np.uint8
    difference = np.abs(actual.astype(np.float64) - expected.astype(np.float64)).mean()
    assert difference <= tolerance, f"mean |difference| {difference:.3f} > {tolerance}"
