"""MMBench ``celebrity_recognition`` -> Celebrity.

Reads the VLMEvalKit TSV (``MMBench_DEV_EN.tsv``: ``index, question, hint,
A..D, answer, category, image`` with base64 images) or a parquet/arrow copy.
Each item pairs a celebrity's photo with another celebrity's photo; the
instruction names the person ("put the cube on Ada Lovelace").
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from act2answer.sources import _model as reasons
from act2answer.sources._files import SourceFileError, image_from_cell, read_rows
from act2answer.sources._model import Candidate, Skipped
from act2answer.sources.binarise import LabelledImage, pair_with_distractors

NAME = "mmbench"
CATEGORIES = ("Celebrity",)
EXPECTED = "MMBench_*.tsv (VLMEvalKit, base64 images) or *.parquet with the same columns"
CELEBRITY = "celebrity_recognition"


def records(root: Path, seed: int = 0) -> Iterator[Candidate | Skipped]:
    """Celebrity candidates from every table file in ``root`` (or ``root`` itself, a file)."""
    tables = [root] if root.is_file() else [
        path for path in sorted(root.iterdir()) if path.suffix in (".tsv", ".parquet", ".arrow")
    ]
    if not tables:
        raise SourceFileError(root, "no MMBench .tsv / .parquet file")
    base = root.parent if root.is_file() else root
    labelled: list[LabelledImage] = []
    for table in tables:
        rows = list(read_rows(table))
        image_by_index = {str(row.get("index")): row.get("image") for row in rows}
        for number, row in enumerate(rows):
            record_id = str(row.get("index", number))
            category = str(row.get("category") or "")
            if category != CELEBRITY:
                yield Skipped(record_id, f"({category or 'none'})", reasons.NOT_IN_STUDY)
                continue
            letter = str(row.get("answer") or "").strip().upper()
            name = str(row.get(letter) or "").strip() if letter in "ABCD" and letter else ""
            if not name:
                yield Skipped(record_id, "Celebrity", reasons.MALFORMED)
                continue
            cell = row.get("image")
            # VLMEvalKit stores a repeated image once; later rows hold the first row's index.
            if isinstance(cell, str) and cell.isdigit() and cell in image_by_index:
                cell = image_by_index[cell]
            try:
                image = image_from_cell(cell, base, f"{table.name} index {record_id}")
            except SourceFileError:
                yield Skipped(record_id, "Celebrity", reasons.MALFORMED)
                continue
            labelled.append(
                LabelledImage(
                    id=record_id,
                    category="Celebrity",
                    question=str(row.get("question") or "").strip(),
                    image=image,
                    label=name,
                    accepted=frozenset({name.lower()}),
                    meta={"source_file": table.name},
                )
            )
    yield from pair_with_distractors(labelled, NAME, seed)
