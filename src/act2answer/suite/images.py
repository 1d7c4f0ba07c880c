"""Read answer images from strangers safely: one clear error, never a traceback.

Every image act2answer reads (suite options, converter inputs, imported
textures) goes through :func:`read_rgb` or :func:`verify_image`, so a file
Pillow refuses (not an image, truncated, or past Pillow's decompression-bomb
limit) ends as :class:`~act2answer.errors.ImageFileError` naming the file.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from act2answer.errors import ImageFileError

#: Largest image accepted, in pixels (Pillow's own bomb limit is about 89 M).
MAX_PIXELS = 64_000_000

_READ_ERRORS = (
    UnidentifiedImageError,
    Image.DecompressionBombError,
    OSError,
    SyntaxError,
    ValueError,
)


def _open(path: Path) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(path)
        except Image.DecompressionBombWarning as exc:
            raise Image.DecompressionBombError(str(exc)) from None
    if image.width * image.height > MAX_PIXELS:
        image.close()
        raise Image.DecompressionBombError(
            f"{image.width}x{image.height} pixels is over the limit of {MAX_PIXELS:,}"
        )
    return image


def verify_image(path: Path | str) -> tuple[int, int]:
    """Decode ``path`` fully and return its ``(width, height)``.

    Raises:
        ImageFileError: the file is missing, not an image, truncated or too large.
    """
    path = Path(path)
    try:
        with _open(path) as image:
            image.load()
            return image.width, image.height
    except _READ_ERRORS as exc:
        raise ImageFileError(path, _reason(exc)) from None


def read_rgb(path: Path | str) -> np.ndarray:
    """Decode ``path`` to an ``(H, W, 3)`` uint8 RGB array.

    Raises:
        ImageFileError: the file is missing, not an image, truncated or too large.
    """
    path = Path(path)
    try:
        with _open(path) as image:
            return np.asarray(image.convert("RGB"), dtype=np.uint8)
    except _READ_ERRORS as exc:
        raise ImageFileError(path, _reason(exc)) from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return "file does not exist"
    if isinstance(exc, UnidentifiedImageError):
        return "not an image Pillow can read"
    if isinstance(exc, Image.DecompressionBombError):
        return f"image too large (decompression-bomb guard): {exc}"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"does not decode: {text}"


def read_rgb_bytes(data: bytes, name: str) -> np.ndarray:
    """Decode encoded image bytes (from a TSV or parquet cell) to ``(H, W, 3)`` uint8.

    Args:
        data: The encoded file content (PNG, JPEG...).
        name: What to call it in errors, e.g. ``"mmbench.tsv row 3, column image"``.

    Raises:
        ImageFileError: the bytes are not an image, truncated or too large.
    """
    import io

    try:
        with _open(io.BytesIO(data)) as image:  # type: ignore[arg-type]
            return np.asarray(image.convert("RGB"), dtype=np.uint8)
    except _READ_ERRORS as exc:
        raise ImageFileError(name, _reason(exc)) from None
