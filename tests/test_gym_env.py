"""The Gymnasium environment: registration, spaces, check_env, same outcome as `act2answer run`."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from act2answer.interfaces import EpisodeStart, Observation, PrivilegedInfo, Side
from act2answer.policies.reference import OraclePolicy
from act2answer.runner import run_evaluation
from act2answer.sim import SimConfig
from act2answer.store import ResultStore
from tests.helpers import tiers

gymnasium = tiers.import_or_skip("gymnasium", "gym")  # collection works without the gym extra
check_env = tiers.import_or_skip("gymnasium.utils.env_checker", "gym").check_env
gym_env = tiers.import_or_skip("act2answer.gym_env", "gym")
ENV_ID, TabletopGymEnv = gym_env.ENV_ID, gym_env.TabletopGymEnv

pytestmark = pytest.mark.sim
SMALL = SimConfig(camera_width=96, camera_height=72)


def test_registered_and_passes_check_env(make_suite):
    suite = make_suite(2)
    env = gymnasium.make(ENV_ID, suite=suite.root, sim=SMALL)
    try:
        assert isinstance(env.unwrapped, TabletopGymEnv)
        assert env.observation_space["image"].shape == (72, 96, 3)
        assert env.action_space.shape == (7,)
        check_env(env.unwrapped, skip_render_check=True)
        obs, info = env.reset(seed=3)
        assert obs["image"].dtype == np.uint8 and obs["state"].shape == (7,)
        assert info["instruction"].startswith("put the cube")
    finally:
        env.close()


def test_module_prefixed_id_imports_the_module(make_suite):
    """In a fresh interpreter, "module:id" alone registers and builds the environment."""
    script = (
        "import sys, gymnasium\n"
        "assert 'act2answer.gym_env' not in sys.modules\n"
        f"env = gymnasium.make('act2answer.gym_env:{ENV_ID}', suite=sys.argv[1])\n"
        "print(type(env.unwrapped).__module__, type(env.unwrapped).__name__)\n"
        "env.close()\n"
    )
    suite = make_suite(1).root
    done = subprocess.run(
        [sys.executable, "-c", script, str(suite)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["act2answer.gym_env", "TabletopGymEnv"]


def test_unknown_episode_is_a_clear_error(make_suite):
    env = TabletopGymEnv(make_suite(1), sim=SMALL)
    try:
        with pytest.raises(ValueError, match="no episode 'nope'"):
            env.reset(options={"item_id": "nope"})
    finally:
        env.close()


def _oracle_in_gym(env: TabletopGymEnv, item_id: str, side: Side) -> tuple[dict, float]:
    obs, info = env.reset(options={"item_id": item_id, "answer_side": side.value})
    privileged = info["privileged"]
    policy = OraclePolicy()
    policy.reset(
        EpisodeStart(
            info["instruction"],
            info["seed"],
            PrivilegedInfo(privileged["left_tile_xy"], privileged["right_tile_xy"], side),
        )
    )
    step, done = 0, False
    while not done:
        state = obs["state"].astype(float)
        observation = Observation(info["instruction"], step, state[:3], state[3:6], state[6])
        obs, reward, terminated, truncated, info = env.step(policy.act(observation))
        step += 1
        done = terminated or truncated
    return info, reward


def test_same_outcome_as_act2answer_run(make_suite, tmp_path):
    suite = make_suite(1)
    sim = SimConfig(camera_width=96, camera_height=72, max_steps=30)
    run_evaluation(suite, "oracle", tmp_path / "run", sim=sim, workers=1)
    with ResultStore.open_existing(tmp_path / "run") as store:
        stored = {r.answer_side: r for r in store.results()}
    env = TabletopGymEnv(suite, sim=sim)
    try:
        for side in Side:
            info, reward = _oracle_in_gym(env, suite.items[0].id, side)
            expected = stored[side]
            assert info["outcome"] == expected.outcome.value == "correct"
            assert reward == 1.0
            # float32 state in the observation vs float64 in the run: millimetre agreement.
            position = np.array(info["cube_position"])
            stored_position = (expected.cube_x, expected.cube_y, expected.cube_z)
            assert np.allclose(position, stored_position, atol=2e-3)
            assert set(info["scores"]) == {"default", "reference", "radius", "pull_release"}
            assert info["scores"] == dict(
                (name, outcome) for name, outcome, _ in expected.scores
            )  # the same answer under every rule as the run stored
    finally:
        env.close()
