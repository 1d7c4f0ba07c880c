"""OK-VQA "Plants and Animals" questions -> Living World.

Reads the original release (``OpenEnded_mscoco_*_questions.json`` +
``mscoco_*_annotations.json`` + COCO images under ``train2014/`` /
``val2014/``) or a table copy (parquet / arrow / jsonl with ``question_id,
image, question, answers, question_type``, e.g. ``lmms-lab/OK-VQA``).

An item's answer is its most frequent human answer, kept only with at least
3 of 10 votes and a strict lead over the runner-up. "What kind of bird is
this?" items become "put the cube on the parrot" (the distractor photo
shows another answer); other question forms ("what does it eat?") need
LLM rewriting.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from act2answer.sources import _model as reasons
from act2answer.sources._files import (
    SourceFileError,
    image_from_cell,
    load_json,
    read_rows,
)
from act2answer.sources._model import Candidate, Skipped
from act2answer.sources.binarise import LabelledImage, pair_with_distractors

NAME = "okvqa"
CATEGORIES = ("Living World",)
EXPECTED = (
    "OpenEnded_mscoco_*_questions.json + mscoco_*_annotations.json + <split>2014/*.jpg, "
    "or a parquet/arrow/jsonl table"
)
#: OK-VQA's question-type code for "Plants and Animals".
LIVING_TYPES = {"eight", "plants and animals"}
MIN_VOTES = 3
_IDENTITY = re.compile(
    r"^\s*what\s+(?:kind|type|breed|species|sort|variety)\s+of\s+[a-z ]+?\s+(?:is|are)\s+"
    r"(?:this|that|these|those|shown|pictured|in the (?:picture|photo|image))\b"
    r"|^\s*what\s+(?:animal|animals|bird|plant|flower|tree|insect|fish)\s+(?:is|are)\s+"
    r"(?:this|that|these|those|shown|pictured)\b",
    re.IGNORECASE,
)


def majority_answer(answers: list[str]) -> str | None:
    """The most frequent answer when it has >= 3 votes and beats the runner-up."""
    counts = Counter(a.strip().lower() for a in answers if a and a.strip()).most_common(2)
    if not counts or counts[0][1] < MIN_VOTES:
        return None
    if len(counts) > 1 and counts[1][1] == counts[0][1]:
        return None
    return counts[0][0]


def records(root: Path, seed: int = 0) -> Iterator[Candidate | Skipped]:
    """Living World candidates (plus counted skips) from either layout."""
    labelled: list[LabelledImage] = []
    rows = _original_rows(root) if list(root.glob("*questions*.json")) else _table_rows(root)
    for row in rows:
        record_id = str(row["question_id"])
        if str(row.get("question_type") or "").lower() not in LIVING_TYPES:
            yield Skipped(record_id, "(other question types)", reasons.NOT_IN_STUDY)
            continue
        answers = row.get("answers")
        question = row.get("question")
        if not isinstance(answers, list) or not isinstance(question, str):
            yield Skipped(record_id, "Living World", reasons.MALFORMED)
            continue
        answers = [a.get("answer", "") if isinstance(a, dict) else str(a) for a in answers]
        top = majority_answer(answers)
        if top is None:
            yield Skipped(record_id, "Living World", reasons.AMBIGUOUS)
            continue
        try:
            image = row["image_ref"]()
        except SourceFileError:
            yield Skipped(record_id, "Living World", reasons.PATH_OUTSIDE)
            continue
        identity = bool(_IDENTITY.match(question))
        labelled.append(
            LabelledImage(
                id=record_id,
                category="Living World",
                question=question.strip(),
                image=image,
                label=top if identity else "",
                accepted=frozenset(a.strip().lower() for a in answers if a.strip()),
                answer_text="" if identity else top,
                meta={"answers": answers},
            )
        )
    yield from pair_with_distractors(labelled, NAME, seed)


def _original_rows(root: Path) -> Iterator[dict[str, Any]]:
    for questions_file in sorted(root.glob("*questions*.json")):
        annotations_file = root / questions_file.name.replace(
            "OpenEnded_", ""
        ).replace("questions", "annotations")
        if not annotations_file.is_file():
            raise SourceFileError(annotations_file, "annotation file for this split is missing")
        questions = load_json(questions_file)
        annotations = load_json(annotations_file)
        if not isinstance(questions, dict) or not isinstance(annotations, dict):
            raise SourceFileError(questions_file, "expected the VQA JSON layout")
        listed = annotations.get("annotations", [])
        by_id = {a.get("question_id"): a for a in listed if isinstance(a, dict)}
        split = "val2014" if "val" in questions_file.name else "train2014"
        for question in questions.get("questions", []):
            if not isinstance(question, dict):
                continue
            annotation = by_id.get(question.get("question_id"), {})
            image_name = f"{split}/COCO_{split}_{int(question.get('image_id') or 0):012d}.jpg"
            yield {
                "question_id": question.get("question_id"),
                "question": question.get("question"),
                "question_type": annotation.get("question_type"),
                "answers": annotation.get("answers"),
                "image_ref": lambda name=image_name: image_from_cell(name, root, name),
            }


def _table_rows(root: Path) -> Iterator[dict[str, Any]]:
    tables = [root] if root.is_file() else [
        p for p in sorted(root.iterdir()) if p.suffix in (".parquet", ".arrow", ".jsonl")
    ]
    if not tables and not any(root.glob("*/*.arrow")):
        raise SourceFileError(root, "neither OK-VQA question/annotation JSON nor a table file")
    base = root.parent if root.is_file() else root
    for table in tables or [root]:
        for number, row in enumerate(read_rows(table)):
            cell = row.get("image")
            row.setdefault("question_id", number)
            name = f"{table.name} question {row['question_id']}"
            row["image_ref"] = lambda cell=cell, name=name: image_from_cell(cell, base, name)
            yield row
