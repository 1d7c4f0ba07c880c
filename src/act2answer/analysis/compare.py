"""Compare runs on the same items: gap with a paired bootstrap interval, exact McNemar test.

Pairing is by ``(item_id, layout)``, the key VLA episodes and VLM answers share.
For each category:

* success rates of both runs on the shared trials, with Wilson intervals;
* gap = SR(other) - SR(baseline), in points, with a 95% percentile bootstrap
  interval that resamples *items* (both layouts of an item move together);
* exact McNemar test on the paired outcomes (the discordant pairs);
* agreement counts: both right, only the baseline, only the other, both wrong.

The overall row is the macro mean over categories (like the report), and its
bootstrap resamples items within each category (scipy's ``bootstrap`` has no
stratified resampling, hence the few lines of numpy). Its McNemar test pools
all pairs. Trials present in only one run are listed, never silently dropped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from act2answer.analysis.metrics import OVERALL, Interval, wilson_interval
from act2answer.analysis.outcomes import RunOutcomes

DEFAULT_RESAMPLES = 4000


@dataclass(frozen=True)
class Agreement:
    """Paired outcomes counted by who got them right."""

    both_right: int
    only_baseline: int
    only_other: int
    both_wrong: int

    @property
    def total(self) -> int:
        return self.both_right + self.only_baseline + self.only_other + self.both_wrong


@dataclass(frozen=True)
class CategoryComparison:
    """One category (or the macro ``OVERALL`` row) of a two-run comparison.

    Attributes:
        name: Category or ``OVERALL``.
        items: Items with at least one shared trial.
        trials: Shared trials (item x layout).
        baseline_rate: SR of the baseline on the shared trials.
        baseline_interval: Its Wilson interval (normal approximation for the macro row).
        other_rate: SR of the other run on the shared trials.
        other_interval: Its interval.
        gap: ``other_rate - baseline_rate`` (a fraction; x100 for points).
        gap_interval: 95% paired bootstrap interval of the gap.
        mcnemar_p: Exact McNemar p-value (1 when no pair is discordant).
        agreement: Paired outcome counts.
    """

    name: str
    items: int
    trials: int
    baseline_rate: float
    baseline_interval: Interval
    other_rate: float
    other_interval: Interval
    gap: float
    gap_interval: Interval
    mcnemar_p: float
    agreement: Agreement


@dataclass(frozen=True)
class RunComparison:
    """The other run against the baseline, per category and overall.

    Attributes:
        baseline: Label of the baseline run.
        other: Label of the other run.
        categories: Per-category rows, then ``overall``.
        overall: Macro row.
        only_baseline: Trial keys stored only in the baseline run.
        only_other: Trial keys stored only in the other run.
        same_suite: Both runs used the same suite content.
        same_scene: Both runs saw frames from the same simulator settings and
            seeds (None when either was shown the option images instead).
    """

    baseline: str
    other: str
    categories: tuple[CategoryComparison, ...]
    overall: CategoryComparison
    only_baseline: tuple[tuple[str, str], ...]
    only_other: tuple[tuple[str, str], ...]
    same_suite: bool
    same_scene: bool | None = None


def mcnemar_exact(only_baseline: int, only_other: int) -> float:
    """Exact McNemar p-value from the two discordant counts (two-sided).

    The exact McNemar test is a binomial test of the discordant pairs against
    1/2, which is what ``scipy.stats.binomtest`` computes (statsmodels'
    ``mcnemar(exact=True)`` gives the same value; scipy avoids a pandas dependency).
    """
    discordant = only_baseline + only_other
    if discordant == 0:
        return 1.0
    from scipy.stats import binomtest

    return float(min(1.0, binomtest(only_other, discordant, 0.5).pvalue))


@dataclass(frozen=True)
class _Paired:
    """Shared trials of one category: per item, the baseline and other outcomes."""

    name: str
    baseline: list[list[bool]]
    other: list[list[bool]]

    def differences(self) -> np.ndarray:
        return np.array(
            [np.mean(o) - np.mean(b) for b, o in zip(self.baseline, self.other, strict=True)]
        )

    def agreement(self) -> Agreement:
        pairs = [
            (b, o)
            for bs, os_ in zip(self.baseline, self.other, strict=True)
            for b, o in zip(bs, os_, strict=True)
        ]
        return Agreement(
            both_right=sum(b and o for b, o in pairs),
            only_baseline=sum(b and not o for b, o in pairs),
            only_other=sum(o and not b for b, o in pairs),
            both_wrong=sum(not b and not o for b, o in pairs),
        )


def _bootstrap_macro(groups: Sequence[_Paired], resamples: int, seed: int) -> Interval:
    rng = np.random.default_rng(seed)
    totals = np.zeros(resamples)
    for group in groups:
        diffs = group.differences()
        picks = rng.integers(0, len(diffs), size=(resamples, len(diffs)))
        totals += diffs[picks].mean(axis=1)
    means = totals / len(groups)
    low, high = np.percentile(means, [2.5, 97.5])
    return Interval(float(low), float(high))


def _row(
    name: str,
    groups: Sequence[_Paired],
    resamples: int,
    seed: int,
) -> CategoryComparison:
    agreements = [group.agreement() for group in groups]
    agreement = Agreement(
        *(sum(getattr(a, f) for a in agreements) for f in Agreement.__dataclass_fields__)
    )
    trials = agreement.total
    rates_b = [(a.both_right + a.only_baseline) / a.total for a in agreements]
    rates_o = [(a.both_right + a.only_other) / a.total for a in agreements]
    baseline_rate, other_rate = float(np.mean(rates_b)), float(np.mean(rates_o))
    if len(groups) == 1:
        a = agreements[0]
        baseline_interval = wilson_interval(a.both_right + a.only_baseline, a.total)
        other_interval = wilson_interval(a.both_right + a.only_other, a.total)
    else:
        baseline_interval = _macro_interval(rates_b, [a.total for a in agreements])
        other_interval = _macro_interval(rates_o, [a.total for a in agreements])
    return CategoryComparison(
        name=name,
        items=sum(len(group.baseline) for group in groups),
        trials=trials,
        baseline_rate=baseline_rate,
        baseline_interval=baseline_interval,
        other_rate=other_rate,
        other_interval=other_interval,
        gap=other_rate - baseline_rate,
        gap_interval=_bootstrap_macro(groups, resamples, seed),
        mcnemar_p=mcnemar_exact(agreement.only_baseline, agreement.only_other),
        agreement=agreement,
    )


def _macro_interval(rates: Sequence[float], counts: Sequence[int]) -> Interval:
    from act2answer.analysis.metrics import Z_95

    mean = float(np.mean(rates))
    variance = sum(r * (1 - r) / n for r, n in zip(rates, counts, strict=True)) / len(rates) ** 2
    half = Z_95 * math.sqrt(variance)
    return Interval(max(0.0, mean - half), min(1.0, mean + half))


def compare_runs(
    baseline: RunOutcomes,
    other: RunOutcomes,
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    category_order: Sequence[str] | None = None,
) -> RunComparison:
    """Compare ``other`` against ``baseline`` on their shared trials.

    Raises:
        ValueError: the runs share no trial.
    """
    base_trials, other_trials = baseline.by_key(), other.by_key()
    shared = [key for key in base_trials if key in other_trials]
    if not shared:
        raise ValueError(f"runs {baseline.label!r} and {other.label!r} share no item/layout")
    by_category: dict[str, dict[str, tuple[list[bool], list[bool]]]] = {}
    for key in shared:
        trial = base_trials[key]
        items = by_category.setdefault(trial.category, {})
        pair = items.setdefault(trial.item_id, ([], []))
        pair[0].append(trial.correct)
        pair[1].append(other_trials[key].correct)
    order = [c for c in (category_order or []) if c in by_category]
    order += sorted(set(by_category) - set(order))
    groups = [
        _Paired(
            name,
            [pair[0] for pair in by_category[name].values()],
            [pair[1] for pair in by_category[name].values()],
        )
        for name in order
    ]
    rows = tuple(
        _row(group.name, [group], resamples, seed + index) for index, group in enumerate(groups)
    )
    return RunComparison(
        baseline=baseline.label,
        other=other.label,
        categories=rows,
        overall=_row(OVERALL, groups, resamples, seed + len(groups)),
        only_baseline=tuple(sorted(set(base_trials) - set(other_trials))),
        only_other=tuple(sorted(set(other_trials) - set(base_trials))),
        same_suite=baseline.suite_hash == other.suite_hash,
        same_scene=None
        if baseline.scene is None or other.scene is None
        else baseline.scene == other.scene,
    )
