"""Consistency across layouts: the share of items answered correctly in both layouts.

A policy that knows the answer gets an item right with the tiles either way
round; one that always picks the same side gets exactly one of the two. Only
items stored in both layouts count. The interval is Wilson's over items.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from act2answer.analysis.metrics import Interval, wilson_interval
from act2answer.analysis.outcomes import Trial

#: Name of the row pooled over all items.
ALL_ITEMS = "Overall (all items)"


@dataclass(frozen=True)
class Consistency:
    """Items right in both layouts, of the items stored in both.

    Attributes:
        name: Category, or ``ALL_ITEMS`` (pooled over all items).
        items: Items stored in both layouts.
        both_correct: Items correct in both layouts.
        rate: ``both_correct / items`` (NaN for none).
        interval: Wilson 95% interval.
    """

    name: str
    items: int
    both_correct: int
    rate: float
    interval: Interval


def _group(name: str, trials: Iterable[Trial]) -> Consistency:
    by_item: dict[str, list[bool]] = {}
    for trial in trials:
        by_item.setdefault(trial.item_id, []).append(trial.correct)
    paired = [outcomes for outcomes in by_item.values() if len(outcomes) >= 2]
    both = sum(all(outcomes) for outcomes in paired)
    return Consistency(
        name=name,
        items=len(paired),
        both_correct=both,
        rate=both / len(paired) if paired else math.nan,
        interval=wilson_interval(both, len(paired)),
    )


def layout_consistency(
    trials: Sequence[Trial], category_order: Sequence[str] | None = None
) -> tuple[Consistency, ...]:
    """Per-category consistency, then the ``ALL_ITEMS`` row pooled over all items."""
    by_category: dict[str, list[Trial]] = {}
    for trial in trials:
        by_category.setdefault(trial.category, []).append(trial)
    order = [c for c in (category_order or []) if c in by_category]
    order += sorted(set(by_category) - set(order))
    return (*(_group(name, by_category[name]) for name in order), _group(ALL_ITEMS, trials))
