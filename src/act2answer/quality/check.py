"""Validate a suite folder and summarise it (counts, balance, duplicates, wording).

Unlike :func:`act2answer.suite.load_suite`, :func:`check_suite` never stops at
the first problem: it reads what it can and lists what is broken.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image
from pydantic import ValidationError

from act2answer.errors import Act2AnswerError, ImageFileError
from act2answer.suite._io import SUITE_FILE
from act2answer.suite._model import SuiteItem
from act2answer.suite.images import read_rgb, verify_image
from act2answer.suite.review import ReviewCoverage, review_coverage

#: Side of the difference hash grid (``HASH_SIZE**2`` bits).
HASH_SIZE = 16
#: Two images of different items whose dHashes differ in at most this many bits...
DHASH_MAX_DISTANCE = 6
#: ...and whose 32x32 colour thumbnails differ by at most this mean |delta| are near-duplicates.
THUMB_MAX_DIFF = 4.0
#: Problem lines shown by ``to_text`` / ``to_rich`` before "... and N more".
MAX_LINES = 30


@dataclass(frozen=True)
class WordStats:
    """Instruction length in words."""

    min: int
    mean: float
    max: int


@dataclass(frozen=True)
class DuplicatePair:
    """Two near-identical images of different items (a warning, not an error)."""

    first: str
    second: str
    distance: int


@dataclass
class SuiteCheckReport:
    """What :func:`check_suite` found.

    Attributes:
        root: The suite folder.
        n_items: Items that parsed.
        counts: Items per category (file order).
        balance: Per category, how many items have answer 0 and answer 1.
        words: Instruction word-count statistics per category and ``"all"``.
        duplicates: Near-duplicate image pairs across items (perceptual hash + thumbnail).
        identical_options: Items whose two option images have identical pixels.
        unreadable: ``(item id, image path, reason)`` for missing or undecodable images.
        line_errors: ``(line number, message)`` for lines that did not parse.
        duplicate_ids: Item ids that occur more than once.
        audit_line: One-line summary of the shortcut audit (None when not run).
        review: Human review coverage from ``review.json`` (``None`` when never reviewed).
    """

    root: Path
    n_items: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    balance: dict[str, tuple[int, int]] = field(default_factory=dict)
    words: dict[str, WordStats] = field(default_factory=dict)
    duplicates: list[DuplicatePair] = field(default_factory=list)
    identical_options: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str, str]] = field(default_factory=list)
    line_errors: list[tuple[int, str]] = field(default_factory=list)
    duplicate_ids: list[str] = field(default_factory=list)
    audit_line: str | None = None
    review: ReviewCoverage | None = None

    @property
    def ok(self) -> bool:
        """True when nothing is broken (near-duplicates across items are warnings only)."""
        return not (
            self.unreadable
            or self.line_errors
            or self.duplicate_ids
            or self.identical_options
            or self.n_items == 0
        )

    def problem_lines(self) -> list[str]:
        """One line per problem or warning (errors first)."""
        lines = [f"line {n}: {msg}" for n, msg in self.line_errors]
        lines.extend(f"duplicate id {i}" for i in self.duplicate_ids)
        lines.extend(f"unreadable image {p} ({i}): {why}" for i, p, why in self.unreadable)
        lines.extend(
            f"item {i}: both options have identical pixels" for i in self.identical_options
        )
        lines.extend(
            f"near-duplicate (warning): {pair.first} ~ {pair.second} (distance {pair.distance})"
            for pair in self.duplicates
        )
        if len(lines) > MAX_LINES:
            lines = [*lines[:MAX_LINES], f"... and {len(lines) - MAX_LINES} more"]
        if self.audit_line is not None:
            lines.append(self.audit_line)
        return lines

    def to_text(self) -> str:
        """Plain-text rendering of the report."""
        lines = [f"suite {self.root}: {self.n_items} items, {'OK' if self.ok else 'PROBLEMS'}"]
        lines.append(f"{'category':<14} {'items':>5} {'ans0/ans1':>10} {'words min/mean/max':>20}")
        for category, count in self.counts.items():
            a0, a1 = self.balance.get(category, (0, 0))
            w = self.words.get(category)
            wtxt = f"{w.min}/{w.mean:.1f}/{w.max}" if w else "-"
            lines.append(f"{category:<14} {count:>5} {f'{a0}/{a1}':>10} {wtxt:>20}")
        if "all" in self.words:
            w = self.words["all"]
            lines.append(
                f"{'all':<14} {self.n_items:>5} {'':>10} {f'{w.min}/{w.mean:.1f}/{w.max}':>20}"
            )
        if self.review is not None:
            lines.append(self.review.to_text())
        lines.extend(self.problem_lines())
        return "\n".join(lines)

    def to_rich(self):  # type: ignore[no-untyped-def]  # rich types stay optional here
        """A ``rich`` renderable (table plus problem lines)."""
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        table = Table(title=f"{self.root} - {self.n_items} items")
        for column in ("category", "items", "answer 0/1", "words min/mean/max"):
            table.add_column(column, justify="left" if column == "category" else "right")
        for category, count in self.counts.items():
            a0, a1 = self.balance.get(category, (0, 0))
            w = self.words.get(category)
            table.add_row(category, str(count), f"{a0}/{a1}",
                          f"{w.min}/{w.mean:.1f}/{w.max}" if w else "-")  # fmt: skip
        if "all" in self.words:
            w = self.words["all"]
            table.add_row("all", str(self.n_items), "", f"{w.min}/{w.mean:.1f}/{w.max}")
        problems = self.problem_lines()
        status = Text("OK", style="bold green") if self.ok else Text("PROBLEMS", style="bold red")
        review = [Text(self.review.to_text())] if self.review is not None else []
        return Group(table, status, *review, *(Text(line, style="yellow") for line in problems))


def check_suite(
    root: Path | str, *, hash_duplicates: bool = True, audit: bool = False
) -> SuiteCheckReport:
    """Check a suite folder without stopping at the first problem.

    Args:
        root: Suite folder.
        hash_duplicates: Decode every image and look for near-duplicates (slower).
        audit: Also run the shortcut audit (:mod:`act2answer.quality.audit`) and put
            its one-line summary in ``report.audit_line`` (a warning, never an error).

    Returns:
        The report; ``report.ok`` tells whether the suite is usable.
    """
    root = Path(root)
    report = SuiteCheckReport(root=root)
    suite_file = root / SUITE_FILE
    if not suite_file.is_file():
        report.line_errors.append((0, f"no {SUITE_FILE} in {root}"))
        return report
    items: list[SuiteItem] = []
    seen: set[str] = set()
    text = suite_file.read_bytes().decode("utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = SuiteItem.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            report.line_errors.append((number, f"not valid JSON: {exc.msg}"))
            continue
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            report.line_errors.append((number, f"{where}: {first['msg']}"))
            continue
        if item.id in seen:
            report.duplicate_ids.append(item.id)
        seen.add(item.id)
        items.append(item)
    report.n_items = len(items)
    report.review = review_coverage(root, [item.id for item in items])
    _summarise(report, items)
    hashes: dict[str, tuple[np.ndarray, np.ndarray, str]] = {}
    owner: dict[str, str] = {}
    for item in items:
        for option in item.options:
            owner.setdefault(option, item.id)
            reason = _image_problem(root, option)
            if reason is not None:
                report.unreadable.append((item.id, option, reason))
            elif hash_duplicates and option not in hashes:
                hashes[option] = image_fingerprint(root / option)
    if hash_duplicates:
        report.identical_options = [
            item.id
            for item in items
            if all(option in hashes for option in item.options)
            and hashes[item.options[0]][2] == hashes[item.options[1]][2]
        ]
        report.duplicates = _near_duplicates(hashes, owner)
    if audit:
        report.audit_line = _audit_line(root, report)
    return report


def _audit_line(root: Path, report: SuiteCheckReport) -> str:
    if report.line_errors or report.unreadable or report.duplicate_ids or not report.n_items:
        return "shortcut audit: skipped (fix the problems above first)"
    from act2answer.quality.audit import audit_suite

    try:
        return audit_suite(root).summary_line()
    except Act2AnswerError as exc:
        return f"shortcut audit: skipped ({exc})"


def _summarise(report: SuiteCheckReport, items: Iterable[SuiteItem]) -> None:
    words: dict[str, list[int]] = {}
    balance: dict[str, list[int]] = {}
    for item in items:
        report.counts[item.category] = report.counts.get(item.category, 0) + 1
        balance.setdefault(item.category, [0, 0])[item.answer] += 1
        words.setdefault(item.category, []).append(len(item.instruction.split()))
    report.balance = {category: (a, b) for category, (a, b) in balance.items()}
    every = [n for values in words.values() for n in values]
    for category, values in [*words.items(), ("all", every)]:
        if values:
            report.words[category] = WordStats(min(values), float(np.mean(values)), max(values))


def _image_problem(root: Path, option: str) -> str | None:
    path = root / option
    if Path(option).is_absolute() or not path.resolve().is_relative_to(root.resolve()):
        return "path outside the suite folder"
    if not path.is_file():
        return "missing"
    try:
        verify_image(path)
    except ImageFileError as exc:
        return exc.reason
    return None


def image_fingerprint(path: Path) -> tuple[np.ndarray, np.ndarray, str]:
    """Perceptual fingerprint of an image.

    Returns:
        ``(packed dHash bits, 32x32 RGB thumbnail, SHA-256 of the decoded pixels)``.
    """
    rgb = Image.fromarray(read_rgb(path))
    digest = hashlib.sha256(rgb.tobytes()).hexdigest()
    small = rgb.reduce(max(1, min(rgb.size) // 128))
    gray = small.convert("L").resize((HASH_SIZE + 1, HASH_SIZE), Image.Resampling.BOX)
    g = np.asarray(gray, dtype=np.int16)
    bits = np.packbits((g[:, 1:] > g[:, :-1]).ravel())
    thumb = np.asarray(small.resize((32, 32), Image.Resampling.BOX), dtype=np.float32)
    return bits, thumb, digest


def _near_duplicates(
    hashes: dict[str, tuple[np.ndarray, np.ndarray, str]], owner: dict[str, str]
) -> list[DuplicatePair]:
    """Near-identical image pairs whose images belong to different items."""
    paths = list(hashes)
    if len(paths) < 2:
        return []
    codes = np.stack([hashes[p][0] for p in paths])
    thumbs = np.stack([hashes[p][1] for p in paths])
    found = []
    for i in range(len(paths) - 1):
        distance = np.bitwise_count(codes[i] ^ codes[i + 1 :]).sum(axis=1)
        for offset in np.flatnonzero(distance <= DHASH_MAX_DISTANCE).tolist():
            j = i + 1 + offset
            if owner.get(paths[i]) == owner.get(paths[j]):
                continue
            if float(np.abs(thumbs[i] - thumbs[j]).mean()) <= THUMB_MAX_DIFF:
                found.append(DuplicatePair(paths[i], paths[j], int(distance[offset])))
    return found
