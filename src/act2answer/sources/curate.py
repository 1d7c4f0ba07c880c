"""From converter records to a suite folder: filter, sample, balance, rewrite, write.

Every record a converter yields is counted exactly once in the curation
report: kept, or dropped with one reason (so ``pool == kept + dropped``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from act2answer.errors import ImageFileError
from act2answer.sources import _model as reasons
from act2answer.sources._files import SourceFileError
from act2answer.sources._model import Candidate, CurationReport, Skipped
from act2answer.sources.rewrite import Rewriter, TemplateRewriter, rewrite
from act2answer.suite import Suite, SuiteItem, load_suite, save_suite


@dataclass(frozen=True)
class CurationConfig:
    """Filters and sampling.

    Attributes:
        per_category: Items kept per category (``None``: every usable record).
            The study used 150 (70 for Celebrity).
        seed: Drives the sampling order, distractor choice and answer slots.
        max_question_words: Longer source questions are dropped.
        min_image_side: Images smaller than this (pixels, either side) are dropped.
        categories: Only these categories (``None``: all the source maps).
    """

    per_category: int | None = None
    seed: int = 0
    max_question_words: int = 30
    min_image_side: int = 48
    categories: tuple[str, ...] | None = None


def stable_int(*parts: object) -> int:
    """A 64-bit integer from ``parts``, the same on every machine and Python run."""
    text = "\x1f".join(str(part) for part in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")


def _file_stem(item_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", item_id)[:120]


def build_suite(
    records: Iterable[Candidate | Skipped],
    out: Path | str,
    *,
    source: str,
    config: CurationConfig = CurationConfig(),
    rewriters: list[Rewriter] | None = None,
    name: str | None = None,
) -> tuple[Suite, CurationReport]:
    """Curate ``records`` into a suite at ``out`` and write its curation report there.

    Returns:
        The written suite and the report (also saved as ``curation_report.{json,md}``).
    """
    out = Path(out)
    rewriters = rewriters if rewriters is not None else [TemplateRewriter()]
    report = CurationReport(source=source)
    by_category: dict[str, list[Candidate]] = {}
    for record in records:
        if config.categories is not None and record.category not in config.categories:
            continue
        report.count(record.category).pool += 1
        if isinstance(record, Skipped):
            report.drop(record.category, record.reason, record.id)
        else:
            by_category.setdefault(record.category, []).append(record)
    items: list[SuiteItem] = []
    (out / "images").mkdir(parents=True, exist_ok=True)
    for category, candidates in by_category.items():
        candidates.sort(key=lambda c: c.id)
        order = np.random.default_rng([config.seed, stable_int(category)]).permutation(
            len(candidates)
        )
        slot_offset = stable_int(config.seed, category, "slot") % 2
        kept = 0
        for index in order.tolist():
            candidate = candidates[index]
            if config.per_category is not None and kept >= config.per_category:
                report.drop(category, reasons.OVER_QUOTA, candidate.id)
                continue
            item = _curate_one(candidate, out, config, rewriters, (kept + slot_offset) % 2, report)
            if item is not None:
                items.append(item)
                kept += 1
        report.count(category).kept = kept
    report.write(out)
    if not items:
        raise SourceFileError(out, f"no item survived curation ({report.dropped()})")
    save_suite(out, items, name=name or f"{source}-seed{config.seed}")
    return load_suite(out, check_images=False), report


def _curate_one(
    candidate: Candidate,
    out: Path,
    config: CurationConfig,
    rewriters: list[Rewriter],
    answer: int,
    report: CurationReport,
) -> SuiteItem | None:
    def drop(reason: str) -> None:
        report.drop(candidate.category, reason, candidate.id)

    if len(candidate.question.split()) > config.max_question_words:
        return drop(reasons.TOO_LONG)
    try:
        correct = candidate.correct.load()
        wrong = candidate.wrong.load()
    except ImageFileError:
        return drop(reasons.UNREADABLE)
    if min(*correct.shape[:2], *wrong.shape[:2]) < config.min_image_side:
        return drop(reasons.TOO_SMALL)
    if correct.shape == wrong.shape and np.array_equal(correct, wrong):
        return drop(reasons.IDENTICAL)
    written = rewrite(candidate, rewriters)
    if isinstance(written, str):
        return drop(reasons.NO_REWRITE if written == "no template fits" else reasons.LEAK)
    instruction, written_by = written
    item_id = f"{candidate.source}-{candidate.id}"
    stem = _file_stem(item_id)
    paths = [f"images/{stem}_0.png", f"images/{stem}_1.png"]
    pixels = [wrong, wrong]
    pixels[answer] = correct
    for relative, rgb in zip(paths, pixels, strict=True):
        Image.fromarray(rgb).save(out / relative)
    meta = {
        **candidate.meta,
        "instruction_by": written_by,
        "source_images": [candidate.correct.name, candidate.wrong.name],
    }
    if candidate.correct_label:
        meta["labels"] = [candidate.wrong_label, candidate.wrong_label]
        meta["labels"][answer] = candidate.correct_label
    return SuiteItem(
        id=item_id,
        category=candidate.category,
        source=candidate.source,
        question=candidate.question,
        instruction=instruction,
        options=(paths[0], paths[1]),
        answer=answer,
        meta=meta,
    )

