"""Tests of the scripted reference policies (act2answer.policies.reference)."""

from __future__ import annotations

import numpy as np
import pytest

from act2answer.errors import PolicyError
from act2answer.interfaces import (
    EpisodeStart,
    Observation,
    Policy,
    PrivilegedInfo,
    Side,
)
from act2answer.policies.reference import (
    CarryController,
    IdlePolicy,
    LeftPolicy,
    OraclePolicy,
    RandomTilePolicy,
)
from act2answer.sim import SimConfig, TabletopEnv

PRIVILEGED = PrivilegedInfo((0.3, 0.1), (0.3, -0.1), Side.RIGHT)


def _obs(step: int = 0, position: tuple[float, float, float] = (0.2, 0.0, 0.2)) -> Observation:
    return Observation("", step, np.array(position), np.zeros(3), 0.5)


@pytest.mark.parametrize("cls", [OraclePolicy, RandomTilePolicy, LeftPolicy, IdlePolicy])
def test_policies_implement_protocol(cls: type) -> None:
    policy = cls()
    assert isinstance(policy, Policy)
    assert policy.needs.image is False
    policy.reset(EpisodeStart("put the cube", 3, PRIVILEGED))
    action = policy.act(_obs())
    assert action.shape == (7,) and np.all(np.isfinite(action))


def test_names_and_needs() -> None:
    assert [c.name for c in (OraclePolicy, RandomTilePolicy, LeftPolicy, IdlePolicy)] == [
        "oracle",
        "random",
        "left",
        "idle",
    ]
    assert OraclePolicy.needs.answer and OraclePolicy.needs.scene_geometry
    assert not RandomTilePolicy.needs.answer and RandomTilePolicy.needs.scene_geometry
    assert not IdlePolicy.needs.scene_geometry


def test_side_choices() -> None:
    oracle, left = OraclePolicy(), LeftPolicy()
    oracle.reset(EpisodeStart("", 0, PRIVILEGED))
    left.reset(EpisodeStart("", 0, PRIVILEGED))
    assert oracle.side is Side.RIGHT and left.side is Side.LEFT
    sides = []
    for seed in range(40):
        policy = RandomTilePolicy()
        policy.reset(EpisodeStart("", seed, PRIVILEGED))
        again = RandomTilePolicy()
        again.reset(EpisodeStart("", seed, PRIVILEGED))
        assert policy.side is again.side  # deterministic in the seed
        sides.append(policy.side)
    assert Side.LEFT in sides and Side.RIGHT in sides


def test_missing_privileged_info_raises() -> None:
    with pytest.raises(PolicyError):
        OraclePolicy().reset(EpisodeStart("", 0))
    with pytest.raises(PolicyError):
        OraclePolicy().reset(EpisodeStart("", 0, PrivilegedInfo((0.3, 0.1), (0.3, -0.1))))
    with pytest.raises(PolicyError):
        LeftPolicy().act(_obs())


def test_idle_holds_still() -> None:
    action = IdlePolicy().act(_obs())
    assert np.array_equal(action, [0, 0, 0, 0, 0, 0, -1])


def test_controller_moves_towards_target_and_never_opens_early() -> None:
    controller = CarryController((0.3, 0.1), max_step=0.03)
    first = controller.act(_obs(0))
    assert np.linalg.norm(first[:3]) == pytest.approx(0.03)
    assert first[0] > 0 and first[1] > 0 and first[6] == -1
    for step in range(1, 15):  # pretend the arm tracks perfectly: ee == target
        target = controller._target
        assert target is not None
        action = controller.act(_obs(step, tuple(target)))
        assert action[6] == -1, "must not open before the hold period is over"
    assert controller.phase == "descend"


def test_left_and_random_policies_in_sim() -> None:
    with TabletopEnv(SimConfig(early_stop=True)) as env:
        for policy, seed in ((LeftPolicy(), 0), (RandomTilePolicy(), 1)):
            obs, info = env.reset(seed=seed, needs=policy.needs)
            geometry = info.geometry
            privileged = PrivilegedInfo(geometry.left_tile_xy, geometry.right_tile_xy)
            policy.reset(EpisodeStart("", seed, privileged))
            terminated = truncated = False
            while not (terminated or truncated):
                obs, _, terminated, truncated, info = env.step(policy.act(obs))
            assert terminated
            assert policy.side is not None
            error = np.linalg.norm(
                np.array(info.cube.position[:2]) - np.array(geometry.tile_xy(policy.side))
            )
            assert error < 0.02
