"""Scoring zones, seeds, Wilson intervals, chance bands and verdicts."""

from __future__ import annotations

import math

import pytest

from act2answer.analysis import Verdict, chance_band, compute_metrics, wilson_interval
from act2answer.eval import EpisodeResult, Outcome, default_radius, episode_seed, judge
from act2answer.interfaces import SceneGeometry, Side

GEOMETRY = SceneGeometry(left_tile_xy=(0.3, 0.1), right_tile_xy=(0.3, -0.1), tile_size=0.11)


def test_default_radius_is_half_diagonal():
    assert default_radius(0.11) == pytest.approx(0.0778, abs=1e-4)


@pytest.mark.parametrize(
    ("cube", "answer", "outcome", "chosen"),
    [
        ((0.3, 0.1), Side.LEFT, Outcome.CORRECT, Side.LEFT),
        ((0.3, 0.1), Side.RIGHT, Outcome.WRONG, Side.LEFT),
        ((0.35, -0.05), Side.RIGHT, Outcome.CORRECT, Side.RIGHT),  # on the corner
        ((0.3, 0.0), Side.LEFT, Outcome.NO_ANSWER, None),  # between the tiles
        ((0.45, 0.1), Side.LEFT, Outcome.NO_ANSWER, None),  # behind the tile
    ],
)
def test_judge_zones(cube, answer, outcome, chosen):
    judgement = judge(cube, GEOMETRY, answer)
    assert judgement.outcome is outcome
    assert judgement.chosen_side is chosen


def test_overlapping_zones_go_to_the_nearer_tile():
    close = SceneGeometry((0.3, 0.05), (0.3, -0.05), 0.11)
    assert judge((0.3, 0.01), close, Side.LEFT).chosen_side is Side.LEFT
    assert judge((0.3, -0.01), close, Side.LEFT).chosen_side is Side.RIGHT


def test_custom_radius():
    assert judge((0.3, 0.05), GEOMETRY, Side.LEFT, radius=0.03).outcome is Outcome.NO_ANSWER
    assert judge((0.3, 0.08), GEOMETRY, Side.LEFT, radius=0.03).outcome is Outcome.CORRECT


def test_episode_seed_is_stable_and_distinct():
    seed = episode_seed("suite-v1", "item-1", Side.LEFT)
    assert seed == episode_seed("suite-v1", "item-1", Side.LEFT)
    assert 0 <= seed < 2**63
    others = {
        episode_seed("suite-v1", "item-1", Side.RIGHT),
        episode_seed("suite-v1", "item-2", Side.LEFT),
        episode_seed("suite-v2", "item-1", Side.LEFT),
        episode_seed("suite-v1", "item-1", Side.LEFT, base_seed=1),
    }
    assert seed not in others and len(others) == 4


def test_wilson_interval_known_values():
    # Reference values from the closed form (e.g. statsmodels proportion_confint method="wilson").
    interval = wilson_interval(8, 10)
    assert interval.low == pytest.approx(0.4902, abs=1e-4)
    assert interval.high == pytest.approx(0.9433, abs=1e-4)
    assert wilson_interval(0, 20).low == 0.0
    assert wilson_interval(20, 20).high == pytest.approx(1.0)
    assert wilson_interval(0, 0).low == 0.0 and wilson_interval(0, 0).high == 1.0


def test_chance_band_width_for_300_episodes():
    band = chance_band(300)
    assert band.low == pytest.approx(0.5 - 1.96 * math.sqrt(0.25 / 300), abs=1e-4)
    assert band.high == pytest.approx(0.5566, abs=1e-4)


def _result(category, outcome, chosen, answer=Side.LEFT, index=0):
    return EpisodeResult(
        item_id=f"{category}-{index}",
        category=category,
        answer_side=answer,
        seed=index,
        outcome=outcome,
        chosen_side=chosen,
        cube_x=0.3,
        cube_y=0.0,
        cube_z=0.0,
        distance_to_correct=0.0,
        released=outcome is not Outcome.NO_ANSWER,
        steps=10,
        wall_time_s=0.1,
    )


def test_metrics_per_category_and_macro_overall():
    results = [_result("A", Outcome.CORRECT, Side.LEFT, index=i) for i in range(90)]
    results += [_result("A", Outcome.WRONG, Side.RIGHT, index=100 + i) for i in range(10)]
    results += [_result("B", Outcome.CORRECT, Side.LEFT, index=i) for i in range(20)]
    results += [_result("B", Outcome.WRONG, Side.LEFT, index=100 + i) for i in range(20)]
    results += [_result("B", Outcome.NO_ANSWER, None, index=200 + i) for i in range(50)]
    results += [_result("B", Outcome.ERROR, None, index=300 + i) for i in range(10)]
    metrics = compute_metrics(results, category_order=["B", "A"])
    b, a = metrics.categories
    assert (a.name, b.name) == ("A", "B")
    assert a.success_rate == pytest.approx(0.9)
    assert a.verdict is Verdict.ABOVE
    assert a.left_choice_rate == pytest.approx(0.9)
    assert b.success_rate == pytest.approx(0.2)
    assert b.verdict is Verdict.BELOW
    assert b.no_answer_rate == pytest.approx(0.5)
    assert b.error_rate == pytest.approx(0.1)
    assert b.release_rate == pytest.approx(0.5) and a.release_rate == 1.0
    assert b.left_choice_rate == pytest.approx(1.0)
    assert a.success_interval.contains(0.9) and not a.success_interval.contains(0.8)
    assert metrics.overall.success_rate == pytest.approx(0.55)
    assert metrics.overall.episodes == 200
    assert metrics.overall.chance_band.contains(0.5)


def test_chance_level_is_within_band():
    results = [
        _result("A", Outcome.CORRECT if i % 2 else Outcome.WRONG, Side.LEFT, index=i)
        for i in range(200)
    ]
    group = compute_metrics(results).categories[0]
    assert group.verdict is Verdict.WITHIN
    assert group.left_choice_rate == 1.0


def test_macro_interval_is_not_degenerate_at_100_percent():
    results = [_result(c, Outcome.CORRECT, Side.LEFT, index=i) for c in "AB" for i in range(16)]
    overall = compute_metrics(results).overall
    assert overall.success_rate == 1.0
    assert 0.85 < overall.success_interval.low < 1.0
    assert overall.success_interval.high == 1.0
    assert overall.verdict is Verdict.ABOVE


# --- the study's definitions, stored beside ours ------------------------------------------

REF_GEOMETRY = SceneGeometry(
    left_tile_xy=(0.397, 0.183), right_tile_xy=(0.397, -0.127), tile_size=0.11
)


def _trace(ee_xyz, released, cube_xyz=None, tiles=None):
    import numpy as np

    from act2answer.interfaces import EpisodeTrace

    ee = np.array(ee_xyz, dtype=float)
    return EpisodeTrace(
        ee_xy=ee[:, :2],
        cube_released=np.array(released, dtype=bool),
        ee_z=ee[:, 2],
        cube_xyz=None if cube_xyz is None else np.array(cube_xyz, dtype=float),
        tiles_xy=None if tiles is None else np.array(tiles, dtype=float),
    )


def test_pull_release_reads_the_cube_at_the_last_release():
    """Answer = tile nearest the cube the last step the gripper held it; always an answer."""
    from act2answer.eval.scoring import ScoringRule, judge_all, release_position

    # Held until index 2 near the left tile, then let go and it rolled to the middle.
    cube = [(0.29, 0.0, 0.12), (0.35, 0.1, 0.08), (0.39, 0.17, 0.05), (0.35, 0.03, 0.015)]
    released = [False, False, False, True]
    at_release = release_position(cube, released)
    assert at_release == pytest.approx((0.39, 0.17, 0.05))
    judgements = judge_all(cube[-1], REF_GEOMETRY, Side.LEFT, release_cube=at_release)
    assert judgements[ScoringRule.PULL_RELEASE].outcome is Outcome.CORRECT
    assert judgements[ScoringRule.DEFAULT].outcome is Outcome.NO_ANSWER  # rests between tiles
    # Never let go: the final cube decides (nearest tile, even far from both).
    held = release_position(cube, [False] * 4)
    assert held == pytest.approx(cube[-1])
    right = judge_all(cube[-1], REF_GEOMETRY, Side.LEFT, release_cube=(0.29, -0.02, 0.12))
    assert right[ScoringRule.PULL_RELEASE].chosen_side is Side.RIGHT


def test_study_intent_uses_its_own_over_definition_beside_ours():
    """The study's "over" reaches 8 cm past the bbox and needs 2 cm of height: a robot held at
    its start pose is "over" the right tile there, never in ours."""
    from act2answer.eval.intent import intent_metrics

    start = (0.2916, -0.0064, 0.117)  # the reference start pose, base frame
    trace = _trace([start] * 81, [False] * 81, tiles=[[(0.397, 0.183), (0.397, -0.127)]] * 81)
    ours = intent_metrics(trace, REF_GEOMETRY, Side.RIGHT)
    assert ours.steps_over_target == 0 and not ours.dwell_over_target
    study = ours.study
    assert study.tcp_dwell_target_steps == 81 and study.tcp_dwell_target_consec_max == 81
    assert study.tcp_dwell_target_3s and study.tcp_first_enter_target_t == 0
    assert study.tcp_first_choice_correct and study.tcp_net_progress == 0.0
    assert not study.release_near_target  # never released
    assert ours.tile_drift_m == 0.0
    assert not intent_metrics(trace, REF_GEOMETRY, Side.LEFT).study.tcp_dwell_target_3s


def test_study_dwell_counts_total_or_longest_run_and_release():
    from act2answer.eval.intent import intent_metrics

    over = (0.397, 0.183, 0.08)
    away = (0.29, 0.0, 0.08)
    low = (0.397, 0.183, 0.01)  # under the 2 cm height margin
    path = ([over] * 8 + [away]) * 2 + [low] * 3  # 16 steps over in total, longest run 8
    released = [False] * 18 + [True] * 3
    metrics = intent_metrics(_trace(path, released), REF_GEOMETRY, Side.LEFT)
    study = metrics.study
    assert study.tcp_dwell_target_steps == 16 and study.tcp_dwell_target_consec_max == 8
    assert study.tcp_dwell_target_3s  # total >= 15 although no run is
    assert not metrics.dwell_over_target  # ours: longest run only
    assert not study.release_near_target  # let go at index 18: too low to be "over"
    assert study.tcp_progress_frac == pytest.approx(2 / 20)  # the two returns from "away"


def test_intent_with_study_metrics_round_trips_through_a_row():
    from act2answer.eval.intent import IntentMetrics, intent_metrics

    trace = _trace([(0.29, 0.0, 0.1), (0.35, 0.1, 0.08)], [False, True])
    metrics = intent_metrics(trace, REF_GEOMETRY, Side.LEFT)
    assert IntentMetrics.from_dict(metrics.to_dict()) == metrics
    old_row = {k: v for k, v in metrics.to_dict().items() if k not in ("study", "tile_drift_m")}
    assert IntentMetrics.from_dict(old_row).study is None  # runs stored before still load


def test_intent_summary_reports_the_study_definitions_and_drift_beside_ours():
    from dataclasses import replace

    from act2answer.analysis.metrics import intent_summary
    from act2answer.eval.intent import intent_metrics

    start = (0.2916, -0.0064, 0.117)
    still = _trace([start] * 20, [False] * 20, tiles=[[(0.397, 0.183), (0.397, -0.127)]] * 20)
    pushed = _trace(
        [start] * 20, [False] * 20,
        tiles=[[(0.397, 0.183), (0.397, -0.127)]] * 10 + [[(0.397, 0.203), (0.397, -0.127)]] * 10,
    )  # fmt: skip
    results = [
        replace(
            _result("A", Outcome.NO_ANSWER, None, Side.RIGHT, i),
            intent=intent_metrics(trace, REF_GEOMETRY, Side.RIGHT),
        )
        for i, trace in enumerate((still, pushed))
    ]
    summary = intent_summary(results)
    assert summary.dwell_rate == 0.0  # ours: never over the footprint
    assert summary.study_dwell_3s_rate == 1.0  # the study's: "over" the right tile from the start
    assert summary.tile_drift_rate == 0.5 and summary.mean_tile_drift_m == pytest.approx(0.01)
