"""Make binary items out of multi-choice and single-image records, deterministically by seed.

- Several answer images (IconQA ``choose_img``): keep the correct one and one
  wrong choice picked by ``(seed, record id)``.
- One image with a text answer (MMBench celebrities, OK-VQA, concept boards):
  the answer stays a picture, never rendered text. The record's image is the
  correct option; the distractor is the image of another record of the same
  category whose answer differs, picked by ``(seed, record id)``. The
  instruction then names the answer ("put the cube on Ada Lovelace"), so
  the robot still has to recognise who or what is pictured.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from act2answer.errors import ImageFileError
from act2answer.sources import _model as reasons
from act2answer.sources._files import ImageRef
from act2answer.sources._model import Candidate, Skipped
from act2answer.sources.curate import stable_int


def wrong_choice(n_choices: int, answer: int, seed: int, record_id: str) -> int:
    """Index of the distractor among ``n_choices`` (never ``answer``), fixed by seed and id."""
    others = [index for index in range(n_choices) if index != answer]
    return others[stable_int(seed, record_id, "wrong-choice") % len(others)]


@dataclass(frozen=True)
class LabelledImage:
    """One image whose content the source names.

    Attributes:
        label: What the image shows (the answer), used in the instruction.
        accepted: Every answer the source accepts for it; a distractor must match none.
        answer_text: For questions that are not "what is this" (OK-VQA "what does it
            eat?"), the answer goes here and ``label`` stays empty (templates skip it).
    """

    id: str
    category: str
    question: str
    image: ImageRef
    label: str
    accepted: frozenset[str]
    answer_text: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


def pair_with_distractors(
    records: list[LabelledImage], source: str, seed: int
) -> Iterator[Candidate | Skipped]:
    """One candidate per record, its distractor drawn from the same category."""
    by_category: dict[str, list[LabelledImage]] = {}
    for record in records:
        try:
            record.image.load()  # an unreadable image must not become anyone's distractor
        except ImageFileError:
            yield Skipped(record.id, record.category, reasons.UNREADABLE)
            continue
        by_category.setdefault(record.category, []).append(record)
    for category, group in by_category.items():
        group = sorted(group, key=lambda r: r.id)
        for record in group:
            key = (record.answer_text or record.label).lower()
            others = [
                other
                for other in group
                if (other.answer_text or other.label).lower() not in record.accepted
                and key not in other.accepted
            ]
            if not others:
                yield Skipped(record.id, category, reasons.NO_DISTRACTOR)
                continue
            other = others[stable_int(seed, record.id, "distractor") % len(others)]
            meta = {**record.meta, "distractor_id": other.id}
            if record.answer_text:
                meta["answer_text"] = record.answer_text
            yield Candidate(
                id=record.id,
                category=category,
                source=source,
                question=record.question,
                correct=record.image,
                wrong=other.image,
                correct_label=record.label,
                wrong_label=other.label or other.answer_text,
                meta=meta,
            )
