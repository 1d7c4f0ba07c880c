"""Per-category tests against chance with the Holm correction."""

from __future__ import annotations

import math

import pytest

from act2answer.analysis import Verdict, compute_metrics
from act2answer.analysis.metrics import category_metrics
from act2answer.analysis.verdicts import binomial_p_value, corrected_verdicts
from act2answer.eval import EpisodeResult
from act2answer.eval.scoring import Outcome
from act2answer.interfaces import Side


def episode(item: str, category: str, side: Side, outcome: Outcome) -> EpisodeResult:
    other = Side.RIGHT if side is Side.LEFT else Side.LEFT
    chosen = {Outcome.CORRECT: side, Outcome.WRONG: other}.get(outcome)
    return EpisodeResult(item, category, side, 0, outcome, chosen, 0.0, 0.0, 0.0, 0.0,
                         True, 10, 0.1)  # fmt: skip


def category_with(name: str, correct: int, episodes: int) -> list[EpisodeResult]:
    results = []
    for index in range(episodes):
        outcome = Outcome.CORRECT if index < correct else Outcome.WRONG
        side = Side.LEFT if index % 2 == 0 else Side.RIGHT
        results.append(episode(f"{name}-{index // 2}", name, side, outcome))
    return results


def test_binomial_p_values_are_exact():
    assert binomial_p_value(10, 20) == pytest.approx(1.0)
    assert binomial_p_value(20, 20) == pytest.approx(2 * 0.5**20)
    assert binomial_p_value(15, 20) == pytest.approx(0.04138946533203125)  # scipy/R binom.test
    assert math.isnan(binomial_p_value(0, 0))


def test_holm_turns_a_lucky_category_back_to_within():
    results = category_with("Lucky", 15, 20) + category_with("Sure", 20, 20)
    for index in range(10):
        results += category_with(f"Coin{index}", 10, 20)
    metrics = compute_metrics(results)
    verdicts = corrected_verdicts(metrics).by_category()
    lucky, sure = verdicts["Lucky"], verdicts["Sure"]
    assert lucky.verdict is Verdict.ABOVE  # p = 0.041 alone ...
    assert lucky.verdict_corrected is Verdict.WITHIN  # ... but not among 12 categories
    assert sure.verdict is sure.verdict_corrected is Verdict.ABOVE
    # Holm: the smallest p is multiplied by m = 12, the next by 11 (then running max).
    assert sure.p_adjusted == pytest.approx(12 * sure.p_value)
    assert lucky.p_adjusted == pytest.approx(11 * lucky.p_value)
    assert all(v.p_adjusted >= v.p_value for v in verdicts.values())


def test_below_chance_and_empty_categories():
    metrics = compute_metrics(category_with("Wrong", 0, 20))
    (test,) = corrected_verdicts(metrics).tests
    assert test.verdict_corrected is Verdict.BELOW
    empty = corrected_verdicts([category_metrics("Nothing", [])]).tests[0]
    assert math.isnan(empty.p_value) and empty.verdict_corrected is Verdict.WITHIN
