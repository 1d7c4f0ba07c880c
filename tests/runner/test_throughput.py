"""Speed-ups of the simulator must not change what it computes (issue #9, part 1).

Each shortcut is checked against the slow path it replaces: the saved
post-grasp state against simulating the grasp, skipped off-screen geoms
against drawing everything, the default physics step against 2 ms.
"""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from act2answer.cli.main import app
from act2answer.errors import SimulationError
from act2answer.eval.scoring import Outcome
from act2answer.interfaces import ObservationNeeds
from act2answer.report import load_report
from act2answer.runner import run_evaluation
from act2answer.sim import SimConfig, TabletopEnv

NO_IMAGE = ObservationNeeds(image=False)


def _wander(step: int) -> np.ndarray:
    """Large moves and rotations, releasing late: reaches poses far from the start."""
    rng = np.random.default_rng(step)
    action = np.concatenate([rng.uniform(-0.05, 0.05, 3), rng.uniform(-0.2, 0.2, 3), [-1.0]])
    action[6] = 1.0 if step > 20 else -1.0
    return action


@pytest.mark.parametrize(
    "config",
    [SimConfig(), SimConfig(scene="legacy", start_jitter=0.0)],  # legacy: tiles jitter per seed
    ids=["reference", "legacy-tile-jitter"],
)
def test_saved_grasp_state_replays_the_simulated_grasp_bit_for_bit(config):
    cached, simulated = TabletopEnv(config), TabletopEnv(config)
    try:
        for seed in range(4):
            simulated._settled = None  # forces the full grasp simulation every reset
            cached.reset(seed=seed, needs=NO_IMAGE)
            simulated.reset(seed=seed, needs=NO_IMAGE)
            assert seed == 0 or cached._settled is not None
            for step in range(25):
                cached.step(_wander(step))
                simulated.step(_wander(step))
            assert np.array_equal(cached.data.qpos, simulated.data.qpos)
            assert np.array_equal(cached.data.qvel, simulated.data.qvel)
            assert cached.geometry == simulated.geometry
    finally:
        cached.close()
        simulated.close()


def test_start_jitter_still_simulates_each_grasp():
    env = TabletopEnv(SimConfig(start_jitter=0.01))
    try:
        starts = []
        for seed in range(3):
            observation, _ = env.reset(seed=seed, needs=NO_IMAGE)
            starts.append(observation.ee_position)
        assert env._settled is None
        assert not np.allclose(starts[0], starts[1])
    finally:
        env.close()


@pytest.mark.parametrize(
    "config",
    [
        SimConfig(camera_width=160, camera_height=120),
        SimConfig(scene="legacy", background="none", camera_width=96, camera_height=96),
    ],
    ids=["reference-photo", "legacy-plain"],
)
def test_skipping_offscreen_geoms_leaves_every_pixel_unchanged(config):
    env = TabletopEnv(config)
    try:
        env.reset(seed=0, needs=ObservationNeeds(image=True))
        skipped_somewhere = False
        for step in range(30):
            env.step(_wander(step))
            skipped = env._offscreen_geoms(config.camera_width, config.camera_height)
            skipped_somewhere |= skipped.size > 0
            fast = env.render()
            everything, env._cullable = env._cullable, env._cullable[:0]
            try:
                slow = env.render()
            finally:
                env._cullable = everything
            assert np.array_equal(fast, slow), f"step {step}: skipped geoms {skipped}"
        assert skipped_somewhere
    finally:
        env.close()


def test_reference_view_skips_the_forearm_at_the_start():
    env = TabletopEnv(SimConfig(camera_width=224, camera_height=224))
    try:
        env.reset(seed=0, needs=NO_IMAGE)
        skipped = env._offscreen_geoms(224, 224)
        bodies = {env.model.body(env.model.geom_bodyid[g]).name for g in skipped}
        # Out of the frame: the base and forearm, ~5,100 of the robot's ~10,900 triangles. The
        # observation camera (0.36 m mount, 43.5 deg down) sees the wrist and the top of the
        # upper arm: the dark column at the top of the study's frames.
        arm = {"base", "upper_forearm", "lower_forearm"}
        assert {f"wx250s/{link}_link" for link in arm} <= bodies
        visible = {"wx250s/gripper_link", "wx250s/left_finger_link", "wx250s/wrist_link"}
        assert not bodies & visible
    finally:
        env.close()


def test_default_physics_step_is_the_robots():
    assert SimConfig().physics_timestep == 1 / 150
    assert SimConfig().substeps == 30
    assert SimConfig(robot="panda", scene="legacy").physics_timestep == 0.002
    assert SimConfig(physics_timestep=0.002).substeps == 100
    stored = SimConfig().model_dump()
    assert stored["physics_timestep"] == 1 / 150  # runs record the step they used


def test_default_physics_step_places_like_two_millisecond_steps(make_suite, tmp_path):
    suite = make_suite(n=3)
    finals = {}
    for step in (None, 0.002):
        sim = SimConfig(**({"physics_timestep": step} if step else {}))
        run_evaluation(suite, "oracle", tmp_path / f"run-{step}", sim=sim, workers=1)
        finals[step] = {
            (r.item_id, r.answer_side): (r.outcome, np.array([r.cube_x, r.cube_y, r.cube_z]))
            for r in load_report(tmp_path / f"run-{step}").results
        }
    assert finals[None].keys() == finals[0.002].keys()
    for key, (outcome, position) in finals[None].items():
        assert outcome is Outcome.CORRECT and finals[0.002][key][0] is Outcome.CORRECT
        assert np.linalg.norm(position - finals[0.002][key][1]) < 0.001


def test_a_cube_inside_the_table_is_an_error_not_an_answer():
    with TabletopEnv(SimConfig()) as env:
        env.reset(seed=0, needs=ObservationNeeds(image=False))
        env.step(np.zeros(7))  # a cube held above the table is fine
        cube = env._cube_qadr
        env.data.qpos[cube : cube + 3] = (0.30, 0.0, -0.10)  # tunnelled: under the table
        env.data.qvel[:] = 0.0
        with pytest.raises(SimulationError, match="passed through the table at step 2"):
            env.step(np.zeros(7))
        env.reset(seed=0, needs=ObservationNeeds(image=False))
        env.data.qpos[cube : cube + 3] = (0.30, 1.50, -0.50)  # fell past the table's edge
        env.step(np.zeros(7))  # off the table is an outcome, not a physics failure


def test_diverged_physics_is_an_error_not_an_answer(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # MuJoCo logs the warning to ./MUJOCO_LOG.TXT
    with TabletopEnv(SimConfig()) as env:
        env.reset(seed=0, needs=ObservationNeeds(image=False))
        env.data.qvel[:] = np.nan  # what an exploding solver leaves behind
        with pytest.raises(SimulationError, match="physics diverged at step 1"):
            env.step(np.zeros(7))


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
def test_constant_policy_runs_every_step_and_reports_rates(make_suite, tmp_path):
    suite = make_suite(n=2)
    sim = SimConfig(camera_width=64, camera_height=64, max_steps=12)
    summary = run_evaluation(suite, "constant", tmp_path / "run", sim=sim, workers=2)
    results = load_report(tmp_path / "run").results
    assert len(results) == 4
    assert all(r.steps == 12 and r.outcome is Outcome.NO_ANSWER for r in results)
    assert not any(r.released for r in results)
    rates = summary.timing["steps_per_s_by_process"]
    assert isinstance(rates, dict) and 1 <= len(rates) <= 2
    assert all(rate > 0 for rate in rates.values())
    assert summary.timing["cpu_ms_per_step"] > 0
    stored = load_report(tmp_path / "run").timings
    assert stored and stored[-1]["steps_per_s_by_process"] == rates


def test_cli_image_size_sets_the_render_size(make_suite, tmp_path):
    suite = make_suite(n=1)
    out = tmp_path / "run"
    args = ["run", "--policy", "constant", "--suite", str(suite.root), "--out", str(out)]
    result = CliRunner().invoke(
        app, [*args, "--workers", "1", "--max-steps", "2", "--image-size", "48x32"]
    )
    assert result.exit_code == 0, result.output
    sim = load_report(out).config.sim
    assert (sim.camera_width, sim.camera_height) == (48, 32)
    bad = CliRunner().invoke(app, [*args, "--image-size", "big"])
    assert bad.exit_code != 0
    assert "224x224" in bad.output


def test_a_run_from_another_physics_step_names_it_and_resumes_with_it(make_suite, tmp_path):
    suite = make_suite(n=1)
    out = tmp_path / "run"
    old = SimConfig(physics_timestep=0.005, max_steps=2)  # a run made before the 1/150 s default
    run_evaluation(suite, "constant", out, sim=old, workers=1)
    args = ["run", "--policy", "constant", "--suite", str(suite.root), "--out", str(out)]
    args += ["--workers", "1", "--max-steps", "2"]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code != 0
    # Only the field that differs is named, not two whole simulator configs.
    assert "sim.physics_timestep: stored 0.005" in refused.output
    assert "sim.max_steps" not in refused.output
    resumed = CliRunner().invoke(app, [*args, "--physics-timestep", "0.005"])
    assert resumed.exit_code == 0, resumed.output
    assert "0 episodes run, 2 already stored" in resumed.output
    invalid = CliRunner().invoke(app, [*args, "--physics-timestep", "0.003"])
    assert invalid.exit_code != 0
    assert "whole number" in invalid.output

