"""Export a suite as a VLMEvalKit multiple-choice TSV (base64 images).

Columns: ``index, image, question, hint, A, B, answer, category, id``.
``image`` holds a Python list literal of two base64 PNGs (left tile image,
right tile image), as VLMEvalKit's multi-image datasets store them (no
quote characters, so the TSV needs no quoting). Which letter names the left
image is drawn per item from ``(seed, item id)``, so letter bias and side
bias separate, as in the study's VLM baseline.
"""

from __future__ import annotations

import base64
import csv
import io
from pathlib import Path

from PIL import Image

from act2answer.sources.curate import stable_int
from act2answer.suite import load_suite, read_rgb

COLUMNS = ("index", "image", "question", "hint", "A", "B", "answer", "category", "id")
HINT = "Two images are shown: the first is the left image, the second the right image."


def _b64_png(path: Path) -> str:
    buffer = io.BytesIO()
    Image.fromarray(read_rgb(path)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def export_vlmevalkit(suite_dir: Path | str, out: Path | str, *, seed: int = 0) -> Path:
    """Write ``out`` (a ``.tsv``), one row per item; returns ``out``."""
    suite = load_suite(suite_dir)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        for index, item in enumerate(suite.items):
            left_is_a = stable_int(seed, item.id, "letter") % 2 == 0
            letters = {"left image": "A" if left_is_a else "B",
                       "right image": "B" if left_is_a else "A"}  # fmt: skip
            by_letter = {letter: text for text, letter in letters.items()}
            correct = letters["left image" if item.answer == 0 else "right image"]
            images = [_b64_png(suite.image_path(option)) for option in item.options]
            writer.writerow(
                [
                    index,
                    str(images),  # a list literal, as VLMEvalKit's toliststr() reads it
                    item.question or item.instruction,
                    HINT,
                    by_letter["A"],
                    by_letter["B"],
                    correct,
                    item.category,
                    item.id,
                ]
            )
    return out
