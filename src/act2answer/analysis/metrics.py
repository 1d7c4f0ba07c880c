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
from dataclasses import dataclass, fields
from enum import Enum
from typing import TYPE_CHECKING

from act2answer.eval.results import EpisodeResult
from act2answer.eval.scoring import Outcome
from act2answer.interfaces import Side

if TYPE_CHECKING:
    from act2answer.store import RunRecord

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
class IntentSummary:
    """Intent metrics of a group of episodes (see :mod:`act2answer.eval.intent`).

    Attributes:
        episodes: Episodes with intent metrics.
        first_entered_target_rate: Of the episodes whose end effector went over a
            tile, the share whose first tile was the target.
        closer_to_target_rate: Share whose closest approach favoured the target.
        dwell_rate: Share that stayed over the target for 3 s or more.
        mean_steps_over_target: Mean policy steps over the target.
        mean_correct_side_fraction: Mean fraction of steps on the target's side.
        mean_towards_target_fraction: Mean fraction of steps moving towards the target.
        mean_net_progress: Mean net progress towards the target (1 = reached it).
        release_over_target_rate: Of the episodes that let the cube go, the share
            that did so over the target.
        study_dwell_3s_rate: The study's definitions (``intent.study``): share with
            ``tcp_dwell_target_3s`` (over = bbox + 8 cm, 2 cm up; total or longest run).
        study_first_choice_correct_rate: Share with ``tcp_first_choice_correct``.
        study_release_near_target_rate: Share with ``release_near_target``.
        study_mean_net_progress_m: Mean ``tcp_net_progress``, metres.
        tile_drift_rate: Share of episodes whose tiles moved more than 1 cm.
        mean_tile_drift_m: Mean largest tile displacement, metres.
    """

    episodes: int
    first_entered_target_rate: float
    closer_to_target_rate: float
    dwell_rate: float
    mean_steps_over_target: float
    mean_correct_side_fraction: float
    mean_towards_target_fraction: float
    mean_net_progress: float
    release_over_target_rate: float
    study_dwell_3s_rate: float = math.nan
    study_first_choice_correct_rate: float = math.nan
    study_release_near_target_rate: float = math.nan
    study_mean_net_progress_m: float = math.nan
    tile_drift_rate: float = math.nan
    mean_tile_drift_m: float = math.nan


#: A tile "drifted" when it moved more than this during an episode, metres.
TILE_DRIFT_THRESHOLD = 0.01


def _mean(values: Sequence[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return sum(finite) / len(finite) if finite else math.nan


def intent_summary(results: Sequence[RunRecord]) -> IntentSummary | None:
    """Aggregate the per-episode intent metrics of a group (None when there are none).

    Records without intent metrics (VLM answers, episodes of policies that
    report none) are left out.
    """
    metrics = [intent for r in results if (intent := getattr(r, "intent", None)) is not None]
    if not metrics:
        return None
    entered = [m.first_tile_entered == "target" for m in metrics if m.first_tile_entered]
    released = [bool(m.release_over_target) for m in metrics if m.release_over_target is not None]
    study = [m for m in metrics if m.study is not None]
    drifts = [m.tile_drift_m for m in metrics if m.tile_drift_m is not None]
    return IntentSummary(
        episodes=len(metrics),
        first_entered_target_rate=_mean([float(e) for e in entered]),
        closer_to_target_rate=_mean([float(m.closer_to_target) for m in metrics]),
        dwell_rate=_mean([float(m.dwell_over_target) for m in metrics]),
        mean_steps_over_target=_mean([float(m.steps_over_target) for m in metrics]),
        mean_correct_side_fraction=_mean([m.correct_side_fraction for m in metrics]),
        mean_towards_target_fraction=_mean([m.towards_target_fraction for m in metrics]),
        mean_net_progress=_mean([m.net_progress for m in metrics]),
        release_over_target_rate=_mean([float(r) for r in released]),
        study_dwell_3s_rate=_mean([float(m.study.tcp_dwell_target_3s) for m in study]),
        study_first_choice_correct_rate=_mean(
            [float(m.study.tcp_first_choice_correct) for m in study]
        ),
        study_release_near_target_rate=_mean([float(m.study.release_near_target) for m in study]),
        study_mean_net_progress_m=_mean([m.study.tcp_net_progress for m in study]),
        tile_drift_rate=_mean([float(d > TILE_DRIFT_THRESHOLD) for d in drifts]),
        mean_tile_drift_m=_mean(drifts),
    )


def _macro_intent(groups: Sequence[GroupMetrics]) -> IntentSummary | None:
    summaries = [g.intent for g in groups if g.intent is not None]
    if not summaries:
        return None
    names = [f.name for f in fields(IntentSummary) if f.name != "episodes"]
    values = {name: _mean([getattr(s, name) for s in summaries]) for name in names}
    return IntentSummary(episodes=sum(s.episodes for s in summaries), **values)


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
        intent: End-effector intent summary (None when no episode has intent metrics).
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
    intent: IntentSummary | None = None


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


def category_metrics(name: str, results: Sequence[RunRecord]) -> GroupMetrics:
    """Metrics of one group of records (episodes or answers).

    ``release_rate`` counts records that carry ``released`` (episodes); it is
    NaN for a group without any (VLM answers).
    """
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
        release_rate=_release_rate(results),
        verdict=verdict(rate, band) if n else Verdict.WITHIN,
        intent=intent_summary(results),
    )


def _release_rate(results: Sequence[RunRecord]) -> float:
    released = [bool(r.released) for r in results if isinstance(r, EpisodeResult)]
    return sum(released) / len(released) if released else math.nan


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
        intent=_macro_intent(groups),
    )


def _adjusted_variance(successes: int, trials: int, z: float = Z_95) -> float:
    adjusted_trials = trials + z * z
    p = (successes + z * z / 2) / adjusted_trials
    return p * (1 - p) / adjusted_trials


def compute_metrics(
    results: Iterable[RunRecord], category_order: Sequence[str] | None = None
) -> RunMetrics:
    """Per-category and overall metrics of a run of any kind.

    Args:
        results: Stored records (VLA episodes or VLM answers; see
            :class:`act2answer.store.RunRecord`).
        category_order: Order of the rows (e.g. suite order); others follow sorted.
    """
    by_category: dict[str, list[RunRecord]] = {}
    for result in results:
        by_category.setdefault(result.category, []).append(result)
    order = [c for c in (category_order or []) if c in by_category]
    order += sorted(set(by_category) - set(order))
    groups = tuple(category_metrics(name, by_category[name]) for name in order)
    return RunMetrics(categories=groups, overall=macro_metrics(groups))
