"""Per-category tests against chance, corrected for multiple comparisons.

A run's categories are tested one by one, so with 12 categories one of them
is "significant" at 5% by luck fairly often. Each category gets a two-sided
exact binomial test of its correct episodes against p = 0.5 (``scipy.stats.
binomtest``; both layouts count, as in the success rate), and the p-values of
a run's categories are adjusted together with Holm's step-down method
(``statsmodels.stats.multitest.multipletests``), which controls the
family-wise error rate without assuming independence. The verdict is
``above`` / ``below`` when the (adjusted) p-value is under ``alpha`` and the
success rate is above / below one half, else ``within``.

The uncorrected verdict from the exact test agrees with the chance-band
verdict of :mod:`act2answer.analysis.metrics` except at the band's edge, where
the band's normal approximation and the exact test can differ by one episode.

Error episodes count as failures here as in the success rate, so a policy that
crashes on every episode is ``below`` chance, not ``within``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from act2answer.analysis.metrics import GroupMetrics, RunMetrics, Verdict

#: The method name passed to ``multipletests`` and shown in reports.
HOLM = "holm"
METHOD_TEXT = (
    "two-sided exact binomial test of correct episodes against p = 0.5 per category; "
    "Holm step-down correction across the run's categories (family-wise error rate)"
)


@dataclass(frozen=True)
class CategoryTest:
    """One category's test against chance.

    Attributes:
        category: Category name.
        episodes: Episodes tested.
        correct: Correct episodes.
        p_value: Uncorrected two-sided exact binomial p-value (NaN without episodes).
        p_adjusted: The p-value after the correction across categories.
        verdict: Verdict from the uncorrected p-value.
        verdict_corrected: Verdict from the adjusted p-value.
    """

    category: str
    episodes: int
    correct: int
    p_value: float
    p_adjusted: float
    verdict: Verdict
    verdict_corrected: Verdict


@dataclass(frozen=True)
class CorrectedVerdicts:
    """The tests of all categories of one run, with the method used."""

    tests: tuple[CategoryTest, ...]
    alpha: float
    method: str

    def by_category(self) -> dict[str, CategoryTest]:
        return {test.category: test for test in self.tests}


def binomial_p_value(correct: int, episodes: int) -> float:
    """Two-sided exact binomial p-value of ``correct`` out of ``episodes`` at p = 0.5."""
    from scipy.stats import binomtest

    if episodes == 0:
        return float("nan")
    return float(binomtest(correct, episodes, 0.5, alternative="two-sided").pvalue)


def _verdict(p_value: float, group: GroupMetrics, alpha: float) -> Verdict:
    if not p_value < alpha:  # also NaN
        return Verdict.WITHIN
    return Verdict.ABOVE if group.correct > group.episodes / 2 else Verdict.BELOW


def corrected_verdicts(
    metrics: RunMetrics | Sequence[GroupMetrics], alpha: float = 0.05, method: str = HOLM
) -> CorrectedVerdicts:
    """Test every category against chance and correct across categories.

    Args:
        metrics: A run's metrics (its categories are tested; the overall row is not).
        alpha: Family-wise significance level.
        method: Any method name of ``statsmodels.stats.multitest.multipletests``.
    """
    from statsmodels.stats.multitest import multipletests

    groups = list(metrics.categories if isinstance(metrics, RunMetrics) else metrics)
    raw = [binomial_p_value(g.correct, g.episodes) for g in groups]
    tested = [i for i, p in enumerate(raw) if p == p]  # drop NaN (empty categories)
    adjusted = [float("nan")] * len(groups)
    if tested:
        _, corrected, _, _ = multipletests([raw[i] for i in tested], alpha=alpha, method=method)
        for index, value in zip(tested, corrected, strict=True):
            adjusted[index] = float(value)
    tests = tuple(
        CategoryTest(
            category=group.name,
            episodes=group.episodes,
            correct=group.correct,
            p_value=p,
            p_adjusted=p_adj,
            verdict=_verdict(p, group, alpha),
            verdict_corrected=_verdict(p_adj, group, alpha),
        )
        for group, p, p_adj in zip(groups, raw, adjusted, strict=True)
    )
    return CorrectedVerdicts(tests=tests, alpha=alpha, method=method)
