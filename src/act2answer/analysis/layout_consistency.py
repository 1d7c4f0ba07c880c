"""Consistency across layouts: the share of items answered correctly in both layouts.

A policy that knows the answer gets an item right with the correct image on
the left and on the right; one that always picks the left tile gets exactly
one of the two, so its success rate is 50% but its consistency is 0%. Only
items with both layouts stored count; the interval is Wilson's over items.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from act2answer.analysis.metrics import OVERALL, Interval, wilson_interval
from act2answer.eval.results import EpisodeResult
from act2answer.eval.scoring import Outcome


@dataclass(frozen=True)
class Consistency:
    """Consistency of one category (or of all items, ``name == OVERALL``).

    Attributes:
        name: Category name or ``OVERALL``.
        items: Items with both layouts stored.
        both_correct: Items correct in both layouts.
        rate: both_correct / items (NaN when no item has both layouts).
        interval: Wilson 95% interval of the rate.
    """

    name: str
    items: int
    both_correct: int
    rate: float
    interval: Interval


def _consistency(name: str, per_item: Sequence[list[EpisodeResult]]) -> Consistency:
    paired = [episodes for episodes in per_item if len({e.answer_side for e in episodes}) == 2]
    both = sum(all(e.outcome is Outcome.CORRECT for e in episodes) for episodes in paired)
    rate = both / len(paired) if paired else float("nan")
    return Consistency(name, len(paired), both, rate, wilson_interval(both, len(paired)))


def layout_consistency(
    results: Iterable[EpisodeResult], category_order: Sequence[str] = ()
) -> tuple[Consistency, ...]:
    """Per-category consistency (in ``category_order``, others sorted), then ``OVERALL``.

    The overall row pools items (not a macro mean), so it weighs categories by
    their item counts.
    """
    by_item: dict[str, list[EpisodeResult]] = {}
    for result in results:
        by_item.setdefault(result.item_id, []).append(result)
    by_category: dict[str, list[list[EpisodeResult]]] = {}
    for episodes in by_item.values():
        by_category.setdefault(episodes[0].category, []).append(episodes)
    order = [c for c in category_order if c in by_category]
    order += sorted(set(by_category) - set(order))
    rows = [_consistency(name, by_category[name]) for name in order]
    rows.append(_consistency(OVERALL, list(by_item.values())))
    return tuple(rows)
