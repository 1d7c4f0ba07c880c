"""Episode protocol, scoring rules, intent metrics and instruction conditions of issue #12."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from act2answer.cli.main import app
from act2answer.errors import RunError, SuiteError
from act2answer.eval import EpisodeResult
from act2answer.eval.intent import DWELL_STEPS, intent_metrics
from act2answer.eval.scoring import Outcome, ScoringRule, judge_all, judge_rule
from act2answer.interfaces import EpisodeTrace, ObservationNeeds, SceneGeometry, Side
from act2answer.report import load_report
from act2answer.runner import run_evaluation
from act2answer.sim import SimConfig, TabletopEnv
from act2answer.store import ResultStore
from act2answer.suite import Condition, SuiteItem, load_suite, save_suite

REF = SceneGeometry((0.397, 0.183), (0.397, -0.127), 0.11, tile_thickness=0.006, cube_size=0.03)
ON_TABLE = 0.006 + 0.015  # cube resting on a tile


def test_fixed_protocol_runs_exactly_max_steps_with_grasp_before_first_observation():
    with TabletopEnv(SimConfig(max_steps=20)) as env:
        obs, info = env.reset(seed=0, needs=ObservationNeeds(image=False))
        assert obs.step == 0 and not info.cube.released
        assert obs.gripper_opening < 0.5  # closed on the cube by the scripted grasp steps
        release = np.zeros(7)
        release[6] = 1.0
        steps = 0
        while True:
            obs, _, terminated, truncated, info = env.step(release)
            steps += 1
            if steps <= 15:
                assert not info.cube.released, "gripper is forced closed for 15 policy steps"
            assert not terminated, "the reference protocol never ends early"
            if truncated:
                break
        assert steps == 20 and info.cube.released


def test_early_stop_is_an_option():
    with TabletopEnv(SimConfig(early_stop=True)) as env:
        env.reset(seed=0, needs=ObservationNeeds(image=False))
        release = np.zeros(7)
        release[6] = 1.0
        steps, terminated, truncated = 0, False, False
        while not (terminated or truncated):
            _, _, terminated, truncated, _ = env.step(release)
            steps += 1
        assert terminated and not truncated and steps < 80


@pytest.mark.parametrize(
    ("cube", "rule", "outcome", "side"),
    [
        # The idle start pose, held 12 cm up between the tiles.
        ((0.292, -0.006, 0.117), ScoringRule.REFERENCE, Outcome.WRONG, Side.RIGHT),
        ((0.292, -0.006, 0.117), ScoringRule.DEFAULT, Outcome.NO_ANSWER, None),
        ((0.292, -0.006, 0.117), ScoringRule.RADIUS, Outcome.NO_ANSWER, None),
        # Resting on the left tile, and just beside it (2.8 cm past the edge).
        ((0.40, 0.18, ON_TABLE), ScoringRule.DEFAULT, Outcome.CORRECT, Side.LEFT),
        ((0.40, 0.18 + 0.055 + 0.028, 0.015), ScoringRule.DEFAULT, Outcome.CORRECT, Side.LEFT),
        ((0.40, 0.18 + 0.055 + 0.028, 0.015), ScoringRule.REFERENCE, Outcome.CORRECT, Side.LEFT),
        ((0.40, 0.18 + 0.055 + 0.028, 0.015), ScoringRule.RADIUS, Outcome.NO_ANSWER, None),
        # 6 cm past the edge: only the reference's 8 cm margin takes it.
        ((0.40 + 0.055 + 0.06, 0.18, 0.015), ScoringRule.DEFAULT, Outcome.NO_ANSWER, None),
        ((0.40 + 0.055 + 0.06, 0.18, 0.015), ScoringRule.REFERENCE, Outcome.CORRECT, Side.LEFT),
        # Held 5 cm over the left tile: reference counts it, default does not.
        ((0.40, 0.18, 0.07), ScoringRule.REFERENCE, Outcome.CORRECT, Side.LEFT),
        ((0.40, 0.18, 0.07), ScoringRule.DEFAULT, Outcome.NO_ANSWER, None),
        # Between the tiles on the table: nobody's.
        ((0.40, 0.03, 0.015), ScoringRule.REFERENCE, Outcome.NO_ANSWER, None),
        ((0.40, 0.03, 0.015), ScoringRule.DEFAULT, Outcome.NO_ANSWER, None),
    ],
)
def test_scoring_rules(cube, rule, outcome, side):
    judgement = judge_rule(rule, cube, REF, Side.LEFT)
    assert judgement.outcome is outcome
    assert judgement.chosen_side is side


def test_judge_all_covers_every_rule():
    assert set(judge_all((0.4, 0.18, ON_TABLE), REF, Side.RIGHT)) == set(ScoringRule)


def test_intent_metrics_tell_aiming_from_not_knowing():
    target_path = np.linspace((0.29, -0.006), REF.left_tile_xy, 10)
    hover = np.repeat([REF.left_tile_xy], DWELL_STEPS + 5, axis=0)
    xy = np.concatenate([target_path, hover])
    released = np.zeros(len(xy), dtype=bool)
    released[-3:] = True
    aimed = intent_metrics(EpisodeTrace(xy, released), REF, Side.LEFT)
    assert aimed is not None
    assert aimed.first_tile_entered == "target" and aimed.closer_to_target
    assert aimed.dwell_over_target and aimed.release_over_target is True
    assert aimed.net_progress == pytest.approx(1.0)
    assert aimed.correct_side_fraction > 0.9
    wrong = intent_metrics(EpisodeTrace(xy, released), REF, Side.RIGHT)
    assert wrong is not None
    assert wrong.first_tile_entered == "other" and not wrong.closer_to_target
    assert wrong.release_over_target is False and wrong.net_progress < 0
    still = intent_metrics(
        EpisodeTrace(np.repeat([[0.29, -0.006]], 5, axis=0), np.zeros(5, bool)), REF, Side.LEFT
    )
    assert still is not None
    assert still.first_tile_entered is None and still.release_over_target is None
    assert still.steps_over_target == 0


def test_every_rule_stored_and_report_rescored_without_rerunning(make_suite, tmp_path):
    suite = make_suite(2)
    out = tmp_path / "idle"
    run_evaluation(suite, "idle", out, workers=1, sim=SimConfig(max_steps=20))
    default = load_report(out)
    assert default.scoring is ScoringRule.DEFAULT
    assert all(r.outcome is Outcome.NO_ANSWER for r in default.results)
    assert {rule for rule, _, _ in default.results[0].scores} == {r.value for r in ScoringRule}
    reference = load_report(out, scoring="reference")
    # Idle is scored "on the right tile" by the reference rule: its start pose is inside.
    assert all(r.chosen_side is Side.RIGHT for r in reference.results)
    assert reference.metrics.overall.success_rate == 0.5
    assert default.by_rule[ScoringRule.REFERENCE].overall.no_answer_rate == 0.0
    assert all(r.intent is not None for r in default.results)
    result = CliRunner().invoke(app, ["report", str(out), "--scoring", "reference"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["scoring"] == "reference" and metrics["condition"] == "knowledge"
    assert metrics["overall_by_rule"]["default"]["no_answer_rate"] == 1.0
    assert metrics["overall"]["intent"]["mean_steps_over_target"] == 0.0
    assert "End-effector intent" in (out / "report.md").read_text()
    result = CliRunner().invoke(app, ["report", str(out), "--scoring", "nope"])
    assert result.exit_code == 1 and "choose from default, reference, radius" in result.output


def test_episode_result_row_round_trip_with_scores_and_intent(make_suite, tmp_path):
    run_evaluation(make_suite(1), "oracle", tmp_path / "r", workers=1, sim=SimConfig(max_steps=25))
    with ResultStore.open_existing(tmp_path / "r") as store:
        results = store.results()
    for result in results:
        assert result.outcome is Outcome.CORRECT
        assert EpisodeResult.from_row(result.to_row()) == result
        assert result.under("reference").outcome is Outcome.CORRECT
        assert result.steps == 25  # fixed protocol: no early end


def test_old_schema_is_refused_clearly(tmp_path):
    import sqlite3

    with ResultStore(tmp_path):
        pass
    with sqlite3.connect(tmp_path / "results.sqlite") as db:
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    with pytest.raises(RunError, match="rerun into a new"):
        ResultStore(tmp_path)


def _item(**extra: object) -> SuiteItem:
    return SuiteItem(
        id="x", category="Color", instruction="put the cube on the red one",
        options=("a.png", "b.png"), answer=0, **extra,
    )  # fmt: skip


def test_instruction_conditions():
    item = _item(explicit_object="put the cube on the red square",
                 explicit_spatial="place the cube on the {side} image")  # fmt: skip
    assert item.instruction_for(Condition.KNOWLEDGE, Side.LEFT) == "put the cube on the red one"
    assert item.instruction_for("explicit_object", Side.RIGHT) == "put the cube on the red square"
    spatial = item.instruction_for("explicit_spatial", Side.RIGHT)
    assert spatial == "place the cube on the right image"
    plain = _item()
    assert plain.instruction_for("explicit_spatial", Side.LEFT) == (
        "put the cube on the left picture"
    )
    with pytest.raises(ValueError, match="no explicit_object"):
        plain.instruction_for("explicit_object", Side.LEFT)
    with pytest.raises(ValueError, match="placeholder"):
        _item(explicit_spatial="put it on the correct side")


def test_condition_stored_in_run_and_tasks_use_it(make_suite, tmp_path):
    suite = make_suite(2)
    items = [item.model_copy(update={"explicit_object": f"put the cube on {item.id}"})
             for item in suite.items]  # fmt: skip
    save_suite(suite.root, items, name=suite.name)
    suite = load_suite(suite.root)
    assert "explicit_object" in (suite.root / "suite.jsonl").read_text()
    sim = SimConfig(max_steps=20, early_stop=True)
    run_evaluation(
        suite, "oracle", tmp_path / "s", workers=1, sim=sim, condition="explicit_spatial"
    )
    report = load_report(tmp_path / "s")
    assert report.config.condition is Condition.EXPLICIT_SPATIAL
    assert "instruction condition: explicit_spatial" in (
        __import__("act2answer.report", fromlist=["x"])._write._markdown(report)
    )
    with pytest.raises(RunError, match="condition"):  # a different condition is another run
        run_evaluation(suite, "oracle", tmp_path / "s", workers=1, sim=sim)
    bare = make_suite(1, folder="bare")
    with pytest.raises(SuiteError, match="no item has an explicit_object"):
        run_evaluation(bare, "oracle", tmp_path / "b", workers=1, condition="explicit_object")


def test_wording_is_a_stored_run_setting_that_changes_the_policys_instruction(make_suite, tmp_path):
    from act2answer.eval.config import RunConfig
    from act2answer.eval.tasks import Wording
    from act2answer.policies import PolicySpec

    suite = make_suite(1)
    sim = SimConfig(max_steps=2)

    def spec(log):
        return PolicySpec(
            name="tests.helpers.policies_for_tests:InstructionLoggingPolicy",
            kwargs={"log_file": str(log)},
        )

    def instructions(log):
        return sorted(log.read_text().splitlines())

    study_log, ours_log = tmp_path / "study.log", tmp_path / "ours.log"
    run = dict(workers=1, sim=sim, condition="explicit_spatial")
    run_evaluation(suite, spec(study_log), tmp_path / "study", wording="study", **run)
    run_evaluation(suite, spec(ours_log), tmp_path / "ours", **run)
    assert instructions(study_log) == [
        "Place the cube on the left tile.",
        "Place the cube on the right tile.",
    ]
    ours = instructions(ours_log)  # the suite's own template, not the study's
    assert len(ours) == 2 and not set(ours) & set(instructions(study_log))
    assert load_report(tmp_path / "study").config.wording is Wording.STUDY
    assert load_report(tmp_path / "ours").config.wording is Wording.ACT2ANSWER
    with pytest.raises(RunError, match="wording"):  # another wording is another run
        run_evaluation(suite, spec(study_log), tmp_path / "study", **run)
    # A run stored before the field existed was worded the suite's way.
    stored = json.loads(load_report(tmp_path / "ours").config.model_dump_json())
    del stored["wording"]
    assert RunConfig.model_validate(stored).wording is Wording.ACT2ANSWER
    args = ["run", "--suite", str(suite.root), "--policy", "left", "--workers", "1"]
    args += ["--max-steps", "2", "--condition", "explicit_spatial"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "c"), "--wording", "study"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "c" / "metrics.json").read_text())
    assert metrics["run"]["wording"] == metrics["wording"] == "study"
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "d"), "--wording", "nope"])
    assert result.exit_code != 0 and "--wording" in result.output


def test_cli_run_reference_options(make_suite, tmp_path):
    suite = make_suite(1)
    args = ["run", "--suite", str(suite.root), "--policy", "left", "--workers", "1"]
    result = CliRunner().invoke(
        app,
        [*args, "--out", str(tmp_path / "a"), "--scene", "legacy", "--early-stop",
         "--scoring", "radius", "--condition", "explicit_spatial"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "a" / "metrics.json").read_text())
    assert metrics["run"]["sim"]["scene"]["name"] == "legacy"
    assert metrics["run"]["sim"]["early_stop"] is True
    assert metrics["run"]["scoring"] == "radius"
    assert metrics["run"]["condition"] == "explicit_spatial"
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "b"), "--scene", "nope"])
    assert result.exit_code == 1 and "unknown scene 'nope'" in result.output
    panda_reference = ["--robot", "panda", "--scene", "reference"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "c"), *panda_reference])
    assert result.exit_code == 1 and "scene='legacy'" in result.output


def test_nan_intent_fields_stay_json_safe(make_suite, tmp_path):
    run_evaluation(make_suite(1), "idle", tmp_path / "r", workers=1, sim=SimConfig(max_steps=3))
    report = load_report(tmp_path / "r")
    intent = report.metrics.overall.intent
    assert intent is not None and math.isnan(intent.first_entered_target_rate)
    from act2answer.report import write_report

    write_report(report)
    data = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert data["overall"]["intent"]["first_entered_target_rate"] is None


def test_synth_writes_control_instructions_and_explicit_object_runs_described_items(tmp_path):
    from act2answer.synth import generate_suite

    suite = generate_suite(
        tmp_path / "s", per_category=2, seed=0, categories=["Time", "Emotion"], workers=1
    )
    for item in suite.items:  # every procedural category has a plain visual description
        expected = ("short hand", "display shows") if item.category == "Time" else ("face with",)
        assert any(word in (item.explicit_object or "") for word in expected), item
    template = "put the cube on the {side} picture"
    assert all(item.explicit_spatial == template for item in suite.items)
    # Items without a description are skipped by an explicit_object run.
    items = [item.model_copy(update={"explicit_object": None}) if item.category == "Emotion"
             else item for item in suite.items]  # fmt: skip
    save_suite(suite.root, items, name=suite.name)
    suite = load_suite(suite.root)
    sim = SimConfig(max_steps=20, early_stop=True)
    run_evaluation(suite, "oracle", tmp_path / "r", workers=1, sim=sim, condition="explicit_object")
    report = load_report(tmp_path / "r")
    assert {r.category for r in report.results} == {"Time"}
    assert report.complete is True and report.expected_episodes == 4
