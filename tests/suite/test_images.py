"""Hostile image files end as one clear ImageFileError naming the file."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from act2answer.errors import ImageFileError
from act2answer.suite import images as images_module
from act2answer.suite import read_rgb, verify_image


def _png(path, size=(8, 6)):
    Image.new("RGB", size, (10, 200, 30)).save(path)
    return path


def test_reads_a_good_image(tmp_path):
    array = read_rgb(_png(tmp_path / "ok.png"))
    assert array.shape == (6, 8, 3) and array.dtype == np.uint8
    assert tuple(array[0, 0]) == (10, 200, 30)
    assert verify_image(tmp_path / "ok.png") == (8, 6)


def test_not_an_image(tmp_path):
    path = tmp_path / "text.png"
    path.write_text("hello")
    with pytest.raises(ImageFileError, match=r"text\.png: not an image"):
        read_rgb(path)


def test_truncated_image(tmp_path):
    path = _png(tmp_path / "cut.png", size=(64, 64))
    Image.effect_noise((64, 64), 50).convert("RGB").save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageFileError, match=r"cut\.png: does not decode"):
        verify_image(path)


def test_missing_file(tmp_path):
    with pytest.raises(ImageFileError, match="does not exist"):
        read_rgb(tmp_path / "nope.png")


def test_decompression_bomb(tmp_path, monkeypatch):
    monkeypatch.setattr(images_module, "MAX_PIXELS", 100)
    path = _png(tmp_path / "big.png", size=(20, 20))
    with pytest.raises(ImageFileError, match=r"big\.png: image too large"):
        read_rgb(path)
    message = ""
    try:
        verify_image(path)
    except ImageFileError as exc:
        message = str(exc)
    assert "\n" not in message and "Traceback" not in message
