"""Acceptance of the core protocol, measured over 200 episodes per reference policy."""

from __future__ import annotations

import pytest

from act2answer.analysis import Verdict
from act2answer.report import load_report
from act2answer.runner import run_evaluation

ITEMS = 100  # x 2 layouts = 200 episodes per policy, default jitter


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from tests.conftest import make_colour_suite

    root = tmp_path_factory.mktemp("acceptance")
    suite = make_colour_suite(root / "suite", ITEMS)
    loaded = {}
    for policy in ("oracle", "random", "left", "idle"):
        run_evaluation(suite, policy, root / policy, workers=2)
        loaded[policy] = load_report(root / policy)
    return loaded


def test_oracle_succeeds_in_at_least_99_percent(reports):
    results = reports["oracle"].results
    assert len(results) == 2 * ITEMS
    correct = sum(r.outcome.value == "correct" for r in results)
    assert correct / len(results) >= 0.99
    assert reports["oracle"].metrics.overall.verdict is Verdict.ABOVE


def test_idle_never_answers(reports):
    assert all(r.outcome.value == "no_answer" for r in reports["idle"].results)


def test_left_is_pure_side_bias(reports):
    overall = reports["left"].metrics.overall
    results = reports["left"].results
    success = sum(r.outcome.value == "correct" for r in results) / len(results)
    assert abs(success - 0.5) <= 0.02
    assert overall.left_choice_rate == 1.0


def test_random_is_inside_the_chance_band(reports):
    results = reports["random"].results
    success = sum(r.outcome.value == "correct" for r in results) / len(results)
    band = reports["random"].metrics.categories[0].chance_band
    pooled_band_half = 1.959964 * (0.25 / len(results)) ** 0.5
    assert abs(success - 0.5) <= pooled_band_half, (success, band)
    assert all(r.outcome.value in ("correct", "wrong") for r in results)
