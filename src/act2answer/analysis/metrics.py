"""Success rates with uncertainty, chance bands and verdicts.

Definitions (all documented in the README):

* success rate SR = correct episodes / all episodes (both layouts; errors count
  as failures and are reported separately);
* Wilson score interval at 95% for SR;
* chance band 0.5 +- z * sqrt(0.25 / n): where SR of a policy that picks a tile
  at random lands 95% of the time (normal approximation to Binomial(n, 0.5));
* verdict: ``above`` / ``below`` chance when SR lies outside the band, else ``within``;
* no-answer rate = episodes whose cube ended on neither tile / all episodes;
* left-choice rate = episodes ending on the left tile / episodes ending on a tile
  (NaN when no episode ended on a tile); 0.5 means no side bias;
* release rate = episodes whose cube was no longer held at the end / all episodes
  (scoring follows the cube's xy only, as the reference study's soft success).

The overall row is the macro mean over categories (each category weighs the
same). Its interval uses the normal approximation to a mean of independent
binomial proportions with Agresti-Coull adjusted proportions (so a category at
0% or 100% still contributes variance): variance = sum(p~_c (1 - p~_c) /
(n_c + z^2)) / C^2 with p~_c = (k_c + z^2 / 2) / (n_c + z^2). Its chance band
is 0.5 +- z * sqrt(sum(0.25 / n_c)) / C.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from act2answer.eval.results import EpisodeResult
from act2answer.eval.scoring import Outcome
from act2answer.interfaces import Side

Z_95 = 1.959963984540054
OVERALL = "Overall (macro)"


class Verdict(str, Enum):
    """Where a success rate stands against the chance band."""

    ABOVE = "above"
    WITHIN = "within"
    BELOW = "below"


@dataclass(frozen=True)
class Interval:
    """A closed interval ``[low, high]``."""

    low: float
    high: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class GroupMetrics:
    """Metrics of one category (or of the macro-averaged overall row).

    Attributes:
        name: Category name, or ``OVERALL``.
        episodes: Number of episodes.
        correct: Episodes ending on the correct tile (macro row: sum over categories).
        success_rate: SR.
        success_interval: 95% interval of SR (Wilson per category; normal for the macro row).
        chance_band: 0.5 +- the binomial half-width at this episode count.
        no_answer_rate: Fraction ending on neither tile.
        left_choice_rate: Fraction of tile choices that were the left tile.
        error_rate: Fraction of episodes that ended in error.
        release_rate: Fraction of episodes whose cube had been let go at the end.
        verdict: Above, within or below chance.
    """

    name: str
    episodes: int
    correct: int
    success_rate: float
    success_interval: Interval
    chance_band: Interval
    no_answer_rate: float
    left_choice_rate: float
    error_rate: float
    release_rate: float
    verdict: Verdict


@dataclass(frozen=True)
class RunMetrics:
    """Per-category metrics in suite order plus the macro-averaged overall row."""

    categories: tuple[GroupMetrics, ...]
    overall: GroupMetrics


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> Interval:
    """Wilson score interval for a binomial proportion (``[0, 1]`` when ``trials`` is 0)."""
    if trials == 0:
        return Interval(0.0, 1.0)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def chance_band(trials: int, z: float = Z_95) -> Interval:
    """0.5 +- z * sqrt(0.25 / trials): the 95% range of SR under random choice."""
    if trials == 0:
        return Interval(0.0, 1.0)
    half = z * math.sqrt(0.25 / trials)
    return Interval(0.5 - half, 0.5 + half)


def verdict(success_rate: float, band: Interval) -> Verdict:
    """Compare a success rate with its chance band."""
    if success_rate > band.high:
        return Verdict.ABOVE
    if success_rate < band.low:
        return Verdict.BELOW
    return Verdict.WITHIN


def category_metrics(name: str, results: Sequence[EpisodeResult]) -> GroupMetrics:
    """Metrics of one group of episodes."""
    n = len(results)
    correct = sum(r.outcome is Outcome.CORRECT for r in results)
    no_answer = sum(r.outcome is Outcome.NO_ANSWER for r in results)
    errors = sum(r.outcome is Outcome.ERROR for r in results)
    chose_tile = [r for r in results if r.outcome in (Outcome.CORRECT, Outcome.WRONG)]
    left = sum(r.chosen_side is Side.LEFT for r in chose_tile)
    rate = correct / n if n else math.nan
    band = chance_band(n)
    return GroupMetrics(
        name=name,
        episodes=n,
        correct=correct,
        success_rate=rate,
        success_interval=wilson_interval(correct, n),
        chance_band=band,
        no_answer_rate=no_answer / n if n else math.nan,
        left_choice_rate=left / len(chose_tile) if chose_tile else math.nan,
        error_rate=errors / n if n else math.nan,
        release_rate=sum(r.released for r in results) / n if n else math.nan,
        verdict=verdict(rate, band) if n else Verdict.WITHIN,
    )


def macro_metrics(groups: Sequence[GroupMetrics]) -> GroupMetrics:
    """Macro mean over categories, with a normal-approximation interval and band."""
    groups = [g for g in groups if g.episodes > 0]
    if not groups:
        empty = Interval(0.0, 1.0)
        return GroupMetrics(OVERALL, 0, 0, math.nan, empty, empty, *(math.nan,) * 4, Verdict.WITHIN)
    count = len(groups)
    mean_rate = sum(g.success_rate for g in groups) / count
    variance = sum(_adjusted_variance(g.correct, g.episodes) for g in groups) / count**2
    half = Z_95 * math.sqrt(variance)
    chance_half = Z_95 * math.sqrt(sum(0.25 / g.episodes for g in groups)) / count
    band = Interval(0.5 - chance_half, 0.5 + chance_half)
    left_rates = [g.left_choice_rate for g in groups if not math.isnan(g.left_choice_rate)]
    return GroupMetrics(
        name=OVERALL,
        episodes=sum(g.episodes for g in groups),
        correct=sum(g.correct for g in groups),
        success_rate=mean_rate,
        success_interval=Interval(max(0.0, mean_rate - half), min(1.0, mean_rate + half)),
        chance_band=band,
        no_answer_rate=sum(g.no_answer_rate for g in groups) / count,
        left_choice_rate=sum(left_rates) / len(left_rates) if left_rates else math.nan,
        error_rate=sum(g.error_rate for g in groups) / count,
        release_rate=sum(g.release_rate for g in groups) / count,
        verdict=verdict(mean_rate, band),
    )


def _adjusted_variance(successes: int, trials: int, z: float = Z_95) -> float:
    adjusted_trials = trials + z * z
    p = (successes + z * z / 2) / adjusted_trials
    return p * (1 - p) / adjusted_trials


def compute_metrics(
    results: Iterable[EpisodeResult], category_order: Sequence[str] | None = None
) -> RunMetrics:
    """Per-category and overall metrics of a run.

    Args:
        results: Stored episode results.
        category_order: Order of the rows (e.g. suite order); others follow sorted.
    """
    by_category: dict[str, list[EpisodeResult]] = {}
    for result in results:
        by_category.setdefault(result.category, []).append(result)
    order = [c for c in (category_order or []) if c in by_category]
    order += sorted(set(by_category) - set(order))
    groups = tuple(category_metrics(name, by_category[name]) for name in order)
    return RunMetrics(categories=groups, overall=macro_metrics(groups))
