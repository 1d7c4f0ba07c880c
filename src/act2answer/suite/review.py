"""Human review decisions stored next to a suite (``review.json``), written atomically.

``review.json`` maps item id -> decision. Edits a reviewer makes (a new
instruction, a swapped answer) go into ``suite.jsonl`` itself; the review
file records that they happened and what the item looked like before.
Every write goes to a temporary file in the same folder, is flushed to disk
and renamed over the old file, so a killed server never leaves a half-written
file and never loses a decision it acknowledged.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from act2answer.errors import SuiteError

REVIEW_FILE = "review.json"


class ReviewDecision(BaseModel):
    """One reviewer decision.

    Attributes:
        decision: ``approved``, ``rejected`` or ``pending`` (edited, not yet decided).
        reason: Why it was rejected.
        original_instruction: The instruction before the reviewer edited it.
        swapped: The reviewer swapped the answer (``answer`` in suite.jsonl was flipped).
        updated: ISO time of the last change.
    """

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approved", "rejected", "pending"] = "pending"
    reason: str = ""
    original_instruction: str | None = None
    swapped: bool = False
    updated: str = ""


@dataclass(frozen=True)
class ReviewCoverage:
    """How much of a suite has been reviewed."""

    total: int
    approved: int
    rejected: int

    @property
    def unreviewed(self) -> int:
        return self.total - self.approved - self.rejected

    def to_text(self) -> str:
        return (
            f"review: {self.approved + self.rejected}/{self.total} reviewed "
            f"({self.approved} approved, {self.rejected} rejected, {self.unreviewed} unreviewed)"
        )


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so readers see the old or the new file, never a torn one."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_reviews(root: Path | str) -> dict[str, ReviewDecision]:
    """The decisions in ``root/review.json`` (empty when there is none)."""
    path = Path(root) / REVIEW_FILE
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise SuiteError("must be a JSON object of item id -> decision", path=path)
        return {str(key): ReviewDecision.model_validate(value) for key, value in raw.items()}
    except json.JSONDecodeError as exc:
        raise SuiteError(f"not valid JSON: {exc.msg}", path=path) from None
    except ValidationError as exc:
        raise SuiteError(f"invalid decision: {exc.errors()[0]['msg']}", path=path) from None


def save_reviews(root: Path | str, reviews: dict[str, ReviewDecision]) -> None:
    data = {key: value.model_dump() for key, value in reviews.items()}
    atomic_write_text(Path(root) / REVIEW_FILE, json.dumps(data, indent=1, ensure_ascii=False))


def review_coverage(root: Path | str, item_ids: list[str]) -> ReviewCoverage | None:
    """Coverage of ``item_ids`` by ``review.json``; ``None`` when the suite has no review file."""
    if not (Path(root) / REVIEW_FILE).is_file():
        return None
    reviews = load_reviews(root)
    decisions = [reviews[i].decision for i in item_ids if i in reviews]
    return ReviewCoverage(
        total=len(item_ids),
        approved=decisions.count("approved"),
        rejected=decisions.count("rejected"),
    )
