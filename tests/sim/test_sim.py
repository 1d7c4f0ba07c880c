"""Tests of the MuJoCo tabletop simulator (act2answer.sim)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from act2answer.errors import InvalidActionError, RenderBackendError
from act2answer.interfaces import (
    EpisodeStart,
    ObservationNeeds,
    PrivilegedInfo,
    Side,
)
from act2answer.policies.reference import IdlePolicy, OraclePolicy
from act2answer.sim import SimBackend, SimConfig, TabletopEnv, make_env
from act2answer.sim._glerror import render_backend_error

NO_IMAGE = ObservationNeeds(image=False)


@pytest.fixture(scope="module")
def env() -> TabletopEnv:
    environment = TabletopEnv(SimConfig(early_stop=True))
    yield environment
    environment.close()


def run_oracle(env: TabletopEnv, seed: int, side: Side) -> tuple[np.ndarray, np.ndarray, int]:
    """Run one oracle episode; return final cube xyz, the correct tile centre, steps."""
    policy = OraclePolicy()
    obs, info = env.reset(seed=seed, needs=policy.needs)
    geometry = info.geometry
    policy.reset(
        EpisodeStart("", seed, PrivilegedInfo(geometry.left_tile_xy, geometry.right_tile_xy, side))
    )
    for _ in range(env.config.max_steps):
        obs, reward, terminated, truncated, info = env.step(policy.act(obs))
        assert reward == 0.0
        if terminated or truncated:
            break
    assert terminated, "oracle episodes end early once the cube rests on the table"
    return np.array(info.cube.position), np.array(geometry.tile_xy(side)), obs.step


def test_make_env_returns_backend() -> None:
    backend = make_env(SimConfig(tile_jitter=0.0))
    try:
        assert isinstance(backend, SimBackend)
    finally:
        backend.close()


def test_config_is_json_round_trip() -> None:
    config = SimConfig(
        robot="panda", scene="legacy", tile_jitter=0.0, camera_width=224, camera_height=224
    )
    assert SimConfig.model_validate_json(config.model_dump_json()) == config
    with pytest.raises(ValueError):
        SimConfig(control_hz=7.0)
    # The robot's default scene, as `act2answer run --robot panda` picks it.
    assert SimConfig(robot="panda").scene.name == "legacy"
    assert SimConfig().scene.name == "reference"
    with pytest.raises(ValueError, match="made for robot 'widowx'"):
        SimConfig(robot="panda", scene="reference")  # the reference scene is the WidowX's
    with pytest.raises(ValueError, match="unknown scene 'nope'"):
        SimConfig(scene="nope")


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("side", [Side.LEFT, Side.RIGHT])
def test_oracle_reaches_correct_tile(env: TabletopEnv, seed: int, side: Side) -> None:
    position, tile, steps = run_oracle(env, seed, side)
    assert np.linalg.norm(position[:2] - tile) < 0.02
    assert position[2] < env.config.tile_thickness + env.config.cube_size  # on the tile
    assert steps < env.config.max_steps


def test_same_seed_is_bitwise_identical(env: TabletopEnv) -> None:
    first, _, steps_a = run_oracle(env, 7, Side.LEFT)
    run_oracle(env, 8, Side.RIGHT)  # something in between must not leak into the next run
    second, _, steps_b = run_oracle(env, 7, Side.LEFT)
    assert first.tobytes() == second.tobytes()
    assert steps_a == steps_b


def test_reset_state_is_deterministic(env: TabletopEnv) -> None:
    env.reset(seed=11, needs=NO_IMAGE)
    qpos_a = env.data.qpos.copy()
    env.reset(seed=12, needs=NO_IMAGE)
    env.reset(seed=11, needs=NO_IMAGE)
    assert qpos_a.tobytes() == env.data.qpos.tobytes()


def test_different_seeds_differ() -> None:
    # The reference scene has no jitter (its tiles never move); jitter is an option.
    config = SimConfig(early_stop=True, tile_jitter=0.02, start_jitter=0.01)
    with TabletopEnv(config) as env:
        _, info_a = env.reset(seed=1, needs=NO_IMAGE)
        _, info_b = env.reset(seed=2, needs=NO_IMAGE)
        assert info_a.geometry != info_b.geometry
        final_a, _, _ = run_oracle(env, 1, Side.LEFT)
        final_b, _, _ = run_oracle(env, 2, Side.LEFT)
        assert not np.array_equal(final_a, final_b)


def test_zero_jitter_is_allowed() -> None:
    with TabletopEnv(SimConfig(tile_jitter=0.0, start_jitter=0.0)) as still:
        _, info_a = still.reset(seed=1, needs=NO_IMAGE)
        _, info_b = still.reset(seed=2, needs=NO_IMAGE)
        assert info_a.geometry == info_b.geometry
        assert info_a.geometry.left_tile_xy[1] > 0 > info_a.geometry.right_tile_xy[1]


def test_cube_starts_held(env: TabletopEnv) -> None:
    obs, info = env.reset(seed=5, needs=NO_IMAGE)
    assert not info.cube.released
    assert np.linalg.norm(np.array(info.cube.position) - obs.ee_position) < 0.01
    assert 0.0 < obs.gripper_opening < 1.0
    assert obs.image is None and obs.wrist_image is None
    # Pointing down is rpy = 0; the reference start joints leave the gripper 3.3 deg off.
    assert np.allclose(obs.ee_rpy, 0.0, atol=0.07)


def test_gripper_forced_closed_during_hold(env: TabletopEnv) -> None:
    env.reset(seed=3, needs=NO_IMAGE)
    open_action = np.array([0, 0, 0, 0, 0, 0, 1.0])
    for _ in range(env.config.gripper_hold_steps):
        _, _, terminated, _, info = env.step(open_action)
        assert not info.cube.released and not terminated
    for _ in range(4):
        _, _, terminated, _, info = env.step(open_action)
        if terminated:
            break
    assert info.cube.released


def test_idle_never_releases(env: TabletopEnv) -> None:
    policy = IdlePolicy()
    obs, info = env.reset(seed=4, needs=policy.needs)
    policy.reset(EpisodeStart("", 4))
    steps = 0
    while True:
        obs, _, terminated, truncated, info = env.step(policy.act(obs))
        steps += 1
        assert not info.cube.released
        assert not terminated
        if truncated:
            break
    assert steps == env.config.max_steps
    position = np.array(info.cube.position)
    geometry = info.geometry
    for side in Side:
        assert np.linalg.norm(position[:2] - np.array(geometry.tile_xy(side))) > 0.04
    assert position[2] > 0.1  # still up in the air


@pytest.mark.parametrize(
    "action",
    [np.full(7, np.nan), np.zeros(6), np.zeros((7, 1)), [0, 0, 0, 0, 0, np.inf, 1], "abc"],
)
def test_invalid_actions_raise(env: TabletopEnv, action: object) -> None:
    env.reset(seed=0, needs=NO_IMAGE)
    with pytest.raises(InvalidActionError):
        env.step(action)  # type: ignore[arg-type]


def _half_red_half_blue(size: int = 64) -> np.ndarray:
    image = np.zeros((size, size, 3), dtype=np.uint8)
    image[: size // 2, :, 0] = 255  # top half red
    image[size // 2 :, :, 2] = 255  # bottom half blue
    return image


def test_tiles_upright_and_textures_update(env: TabletopEnv) -> None:
    env.set_tiles(np.full((32, 32, 3), 128, np.uint8), np.full((32, 32, 3), 128, np.uint8))
    obs, _ = env.reset(seed=2, needs=ObservationNeeds(image=True))
    assert obs.image is not None and obs.image.shape == (480, 640, 3)
    before = obs.image.copy()
    env.set_tiles(_half_red_half_blue(), _half_red_half_blue(100))
    after = env.render()
    assert after.shape == (480, 640, 3)
    corners = env.tile_corners()
    for tile in range(2):
        centre = corners[tile].mean(axis=0)
        # Points a quarter tile above and below the centre, along the image's up axis.
        up_axis = (corners[tile][3] - corners[tile][0]) / np.linalg.norm(
            corners[tile][3] - corners[tile][0]
        )
        quarter = env.config.tile_size / 4
        top = centre + quarter * up_axis
        bottom = centre - quarter * up_axis
        (tc, tr), (bc, br) = env.project(np.stack([top, bottom])).round().astype(int)
        assert tr < br, "the image top must be higher in the frame"
        top_px, bottom_px = after[tr, tc].astype(int), after[br, bc].astype(int)
        assert top_px[0] > top_px[2] + 60, f"tile {tile}: top should be red, got {top_px}"
        assert bottom_px[2] > bottom_px[0] + 60, f"tile {tile}: bottom not blue: {bottom_px}"
        assert not np.array_equal(before[tr, tc], after[tr, tc])


def test_tiles_fully_in_view_with_jitter() -> None:
    config = SimConfig(tile_jitter=0.02)
    with TabletopEnv(config) as jittered:
        for seed in range(20):
            jittered.reset(seed=seed, needs=NO_IMAGE)
            for width, height in ((640, 480), (224, 224)):
                pixels = jittered.project(jittered.tile_corners().reshape(-1, 3), width, height)
                assert pixels.min() >= 0
                assert (pixels[:, 0] < width).all() and (pixels[:, 1] < height).all()


def test_square_render_size(env: TabletopEnv) -> None:
    env.reset(seed=0, needs=NO_IMAGE)
    assert env.render(width=224, height=224).shape == (224, 224, 3)


def test_render_backend_error_message() -> None:
    error = render_backend_error(RuntimeError("eglInitialize failed"))
    assert isinstance(error, RenderBackendError)
    text = str(error)
    assert "libegl1" in text and "libgl1-mesa-dri" in text and "libosmesa6" in text
    assert "MUJOCO_GL=egl" in text and "eglInitialize failed" in text


def _run_with_gl(backend: str, code: str) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, MUJOCO_GL=backend)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=120
    )


_NO_GL_CODE = (
    "import numpy as np\n"
    "from act2answer.errors import RenderBackendError\n"
    "from act2answer.interfaces import ObservationNeeds\n"
    "from act2answer.sim import SimConfig, TabletopEnv\n"
    "env = TabletopEnv(SimConfig())\n"
    "env.reset(seed=0, needs=ObservationNeeds(image=False))\n"  # no GL needed
    "env.step(np.zeros(7))\n"
    "try:\n"
    "    env.render()\n"
    "except RenderBackendError as exc:\n"
    "    print('OK', exc)\n"
)
_INVALID_GL_CODE = (
    "from act2answer.errors import RenderBackendError\n"
    "try:\n"
    "    import act2answer.sim\n"
    "except RenderBackendError as exc:\n"
    "    print('OK', exc)\n"
)


@pytest.mark.parametrize(
    ("backend", "code", "expected"),
    [
        pytest.param("disable", _NO_GL_CODE, "libegl1", id="no_gl_runs_then_render_raises"),
        pytest.param(
            "invalid-value", _INVALID_GL_CODE, "MUJOCO_GL=invalid-value", id="invalid_mujoco_gl"
        ),
    ],
)
def test_gl_backend_raises_render_backend_error(backend: str, code: str, expected: str) -> None:
    result = _run_with_gl(backend, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK") and expected in result.stdout


def test_panda_oracle() -> None:
    with TabletopEnv(SimConfig(robot="panda", scene="legacy", early_stop=True)) as panda:
        for side in Side:
            position, tile, _ = run_oracle(panda, 0, side)
            assert np.linalg.norm(position[:2] - tile) < 0.02
