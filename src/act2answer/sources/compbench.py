"""MLLM-CompBench: image pairs with a Left/Right answer (Attribute, State, Emotion).

Expects the benchmark folder: one JSON file per source dataset (a list of
``{image_1, image_2, question, answer, [type]}`` with ``answer`` "Left" or
"Right") and the images at the relative paths the JSON names.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from act2answer.sources import _model as reasons
from act2answer.sources._files import ImageRef, SourceFileError, inside, read_rows
from act2answer.sources._model import Candidate, Skipped

NAME = "compbench"
CATEGORIES = ("Attribute", "State", "Emotion")
EXPECTED = "*.json (one per source: image_1, image_2, question, answer Left/Right) + images"
ATTRIBUTE_TYPES = {"size", "color", "colour", "pattern", "texture", "shape"}
ATTRIBUTE_SOURCES = ("cub", "fashion", "vaw", "attribute", "mit_attr")


def category_for(stem: str, row_type: str) -> str | None:
    """Study category of a CompBench record from its file name and ``type`` field."""
    stem, row_type = stem.lower(), row_type.lower()
    if "fer" in stem or "emotion" in stem or row_type == "emotion":
        return "Emotion"
    if "state" in stem or row_type == "state":
        return "State"
    if row_type in ATTRIBUTE_TYPES or any(key in stem for key in ATTRIBUTE_SOURCES):
        return "Attribute"
    return None


def records(root: Path, seed: int = 0) -> Iterator[Candidate | Skipped]:
    """Every record of every JSON file in ``root``, as a candidate or a counted skip."""
    files = sorted(root.glob("*.json"))
    if not files:
        raise SourceFileError(root, "no CompBench *.json files in this folder")
    for json_file in files:
        for number, row in enumerate(read_rows(json_file)):
            record_id = f"{json_file.stem}-{row.get('id', number)}"
            category = category_for(json_file.stem, str(row.get("type") or ""))
            if category is None:
                yield Skipped(record_id, f"({json_file.stem})", reasons.NOT_IN_STUDY)
                continue
            question = row.get("question")
            answer = str(row.get("answer") or "").strip().lower()
            if not isinstance(question, str) or not row.get("image_1") or not row.get("image_2"):
                yield Skipped(record_id, category, reasons.MALFORMED)
                continue
            if answer not in ("left", "right"):
                yield Skipped(record_id, category, reasons.AMBIGUOUS)
                continue
            try:
                images = [
                    ImageRef(str(row[key]), path=inside(root, str(row[key])))
                    for key in ("image_1", "image_2")
                ]
            except SourceFileError:
                yield Skipped(record_id, category, reasons.PATH_OUTSIDE)
                continue
            correct = 0 if answer == "left" else 1
            yield Candidate(
                id=record_id,
                category=category,
                source=NAME,
                question=question.strip(),
                correct=images[correct],
                wrong=images[1 - correct],
                meta={"source_file": json_file.name, "type": row.get("type")},
            )
