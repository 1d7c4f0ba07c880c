"""Types a converter yields: binary candidates, skipped records, and the curation report."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from act2answer.sources._files import ImageRef

# Reasons a record is dropped (the curation report counts them by these names).
NOT_IN_STUDY = "category not in the study"
MALFORMED = "malformed record"
TEXT_ANSWERS = "text answers (as a rendered image it would test reading, not the skill)"
NEEDS_QUERY_IMAGE = "question needs its own image"
AMBIGUOUS = "ambiguous answer"
NO_DISTRACTOR = "no distractor with a different answer"
PATH_OUTSIDE = "path outside the dataset folder"
UNREADABLE = "unreadable image"
TOO_SMALL = "image too small"
TOO_LONG = "question too long"
IDENTICAL = "identical option images"
NO_REWRITE = "no instruction (no template fits; try --llm-base-url)"
LEAK = "instruction leaks the answer's position or drops the question"
OVER_QUOTA = "not needed (category quota reached)"


@dataclass(frozen=True)
class Candidate:
    """A binary item before curation.

    Attributes:
        id: Stable id from the source (kept as the item id, prefixed by the source).
        category: Study category.
        source: Converter name.
        question: The source question, as written.
        correct: The correct answer image.
        wrong: The distractor image.
        correct_label: What the correct image shows, when the source names it
            (celebrity name, concept name, OK-VQA answer); templates use it.
        wrong_label: The same for the distractor.
        meta: Source fields worth keeping (split, skills, original choice index...).
    """

    id: str
    category: str
    source: str
    question: str
    correct: ImageRef
    wrong: ImageRef
    correct_label: str = ""
    wrong_label: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Skipped:
    """A source record that cannot become an item, and why."""

    id: str
    category: str
    reason: str


@dataclass
class CategoryCounts:
    """Curation counts for one category: ``pool == kept + sum(dropped.values())``."""

    pool: int = 0
    kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)

    def drop(self, reason: str) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1

    @property
    def consistent(self) -> bool:
        return self.pool == self.kept + sum(self.dropped.values())


@dataclass
class CurationReport:
    """Pool, kept and dropped-per-reason counts per category, like the study's suite table."""

    source: str
    categories: dict[str, CategoryCounts] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def count(self, category: str) -> CategoryCounts:
        return self.categories.setdefault(category, CategoryCounts())

    def drop(self, category: str, reason: str, record_id: str) -> None:
        self.count(category).drop(reason)
        shown = self.examples.setdefault(reason, [])
        if len(shown) < 5:
            shown.append(record_id)

    @property
    def pool(self) -> int:
        return sum(c.pool for c in self.categories.values())

    @property
    def kept(self) -> int:
        return sum(c.kept for c in self.categories.values())

    def dropped(self) -> dict[str, int]:
        """Dropped records per reason over all categories."""
        total: dict[str, int] = {}
        for counts in self.categories.values():
            for reason, n in counts.dropped.items():
                total[reason] = total.get(reason, 0) + n
        return total

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "pool": self.pool,
            "kept": self.kept,
            "dropped": self.dropped(),
            "categories": {
                name: {"pool": c.pool, "kept": c.kept, "dropped": c.dropped}
                for name, c in self.categories.items()
            },
            "examples": self.examples,
        }

    def to_markdown(self) -> str:
        reasons = list(self.dropped())
        header = ["category", "pool", "kept", *reasons]
        lines = [
            f"# Curation report: {self.source}",
            "",
            "| " + " | ".join(header) + " |",
            "|" + " --- |" * len(header),
        ]
        rows = [*self.categories.items(), ("all", None)]
        for name, counts in rows:
            if counts is None:
                values = [self.pool, self.kept, *(self.dropped()[r] for r in reasons)]
            else:
                values = [counts.pool, counts.kept, *(counts.dropped.get(r, 0) for r in reasons)]
            lines.append("| " + " | ".join(str(v) for v in [name, *values]) + " |")
        lines += ["", "Examples of dropped records per reason:", ""]
        lines += [f"- {reason}: {', '.join(ids)}" for reason, ids in self.examples.items()]
        return "\n".join(lines) + "\n"

    def write(self, folder: Path) -> tuple[Path, Path]:
        """Write ``curation_report.json`` and ``curation_report.md`` into ``folder``."""
        json_path = folder / "curation_report.json"
        md_path = folder / "curation_report.md"
        json_path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        md_path.write_text(self.to_markdown(), encoding="utf-8")
        return json_path, md_path
