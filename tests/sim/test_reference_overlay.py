"""The overlay/offset tool of benchmarks/reference_overlay.py measures known shifts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "reference_overlay.py"


@pytest.fixture(scope="module")
def overlay():
    spec = importlib.util.spec_from_file_location("reference_overlay", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def _scene_like(seed: int = 0) -> np.ndarray:
    """A 640x480 image with a few bright and dark rectangles (edges to lock on)."""
    rng = np.random.default_rng(seed)
    image = np.full((480, 640, 3), 120, np.uint8)
    for _ in range(25):
        r, c = rng.integers(0, 440), rng.integers(0, 600)
        h, w = rng.integers(10, 60), rng.integers(10, 60)
        image[r : r + h, c : c + w] = rng.integers(0, 255, size=3)
    return image


@pytest.mark.parametrize(("dx", "dy"), [(3, -2), (-7, 5), (0, 0)])
def test_best_shift_recovers_a_known_offset(overlay, dx, dy):
    ours = _scene_like()
    theirs = np.roll(ours, (dy, dx), axis=(0, 1))
    got_dx, got_dy, score = overlay.best_shift(ours, theirs, (200, 150, 440, 330))
    assert (got_dx, got_dy) == pytest.approx((dx, dy), abs=0.3)
    assert score > 0.9


def test_split_panels_finds_the_panels_between_white_gutters(overlay):
    sheet = np.full((500, 1000, 3), 255, np.uint8)
    sheet[10:240, 10:320] = 90
    sheet[10:240, 340:650] = 60
    sheet[260:490, 10:320] = 30
    sheet[260:490, 340:650] = 150
    panels = overlay.split_panels(sheet)  # a grid, row by row
    assert [p.shape[:2] for p in panels] == [(230, 310)] * 4
    assert [int(p[0, 0, 0]) for p in panels] == [90, 60, 30, 150]
    assert overlay.to_frame(panels[0]).shape == (480, 640, 3)


def test_framing_offsets_find_the_one_panel_framed_differently(overlay):
    panels = [_scene_like(1) for _ in range(4)]
    panels[0] = np.roll(panels[0], (1, -6), axis=(0, 1))  # the first one cropped differently
    framings = overlay.framing_offsets(panels)
    assert framings[0] == pytest.approx((-6, 1), abs=0.3)
    assert all(f == pytest.approx((0, 0), abs=0.3) for f in framings[1:])
    assert overlay.framing_offsets(panels[:2]) == [None, None]  # no median of two


def test_cube_blob_measures_the_light_blob_nearest_the_cube(overlay):
    frame = np.full((480, 640, 3), (150, 80, 40), np.uint8)  # wood
    frame[110:183, 300:360] = 215  # the cube: 60 x 73 px, light grey
    frame[100:160, 200:285] = 235  # a light tile beside it, further from our cube
    blob = overlay.cube_blob(frame, np.array([322.0, 150.0]))
    assert blob.centre == pytest.approx((329.5, 146.0))
    assert (blob.width, blob.height) == (60, 73)
    assert overlay.cube_blob(frame, np.array([560.0, 400.0])) is None  # nothing light near


def test_polygon_silhouette_of_a_square(overlay):
    square = np.array([[10.0, 20.0], [50.0, 20.0], [50.0, 60.0], [10.0, 60.0], [30.0, 40.0]])
    silhouette = overlay.polygon_silhouette(square)
    assert silhouette.centre == pytest.approx((30.0, 40.0))
    assert (silhouette.width, silhouette.height) == (41, 41)
