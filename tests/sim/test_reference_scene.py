"""The reference scene (Act2AnswerV4-v1): geometry, camera, visual matching, backgrounds."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import numpy as np
import pytest

from act2answer.errors import SimulationError
from act2answer.interfaces import ObservationNeeds
from act2answer.sim import SCENE_PRESETS, SimConfig, TableTop, TabletopEnv
from act2answer.sim import backgrounds as bg
from act2answer.sim import reference_camera as rc

NO_IMAGE = ObservationNeeds(image=False)
GREEN = np.array([0, 255, 0], dtype=np.uint8)

# Facts of the released environment (REFERENCE.md), in its own world frame; the camera
# model (act2answer.sim.reference_camera) is numpy only, independent of our scene code, and
# its constants are copied from the upstream files (cited there), not from our preset.
TABLE_Z = rc.STAGE_TOP_Z  # where the study's tiles rest (measured; see reference_camera)
TILE_CENTRES = rc.TILE_CENTRES
reference_pixels = rc.project
tile_corners_world = rc.tile_corners_world


@pytest.fixture(scope="module")
def green_frame() -> tuple[np.ndarray, TabletopEnv]:
    env = TabletopEnv(SimConfig(background="none"))
    green = np.broadcast_to(GREEN, (16, 16, 3)).copy()
    env.set_tiles(green, green)
    env.reset(seed=0, needs=NO_IMAGE)
    yield env.render(), env
    env.close()


def _is_green(pixel: np.ndarray) -> bool:
    r, g, b = (int(v) for v in pixel)
    return g > 150 and g > r + 60 and g > b + 60


def _is_robot(pixel: np.ndarray) -> bool:
    """The robot's dark grey (the gripper hides the left tile's corner nearest the camera)."""
    return int(pixel.max()) < 70 and int(pixel.max()) - int(pixel.min()) < 12


@pytest.mark.parametrize("side", ["left", "right"])
def test_reference_tile_corners_land_on_the_rendered_tiles(green_frame, side):
    """Acceptance: the reference camera model puts each tile corner where our frame shows it.

    Through the observation camera the gripper bracket hides one corner of the
    left tile (as in the study's frames); a hidden corner must show the robot,
    and at most one corner per tile may be hidden.
    """
    frame, _ = green_frame
    x, y = TILE_CENTRES[side]
    centre_px = reference_pixels(np.array([[x, y, TABLE_Z + 0.006]]))[0]
    pixels = reference_pixels(tile_corners_world(side))
    assert np.all(pixels >= 0) and np.all(pixels[:, 0] < 640) and np.all(pixels[:, 1] < 480)
    hidden = 0
    for corner in pixels:
        towards_centre = (centre_px - corner) / np.linalg.norm(centre_px - corner)
        inside = np.round(corner + 3.5 * towards_centre).astype(int)
        outside = np.round(corner - 3.5 * towards_centre).astype(int)
        if _is_robot(frame[inside[1], inside[0]]):
            hidden += 1
            continue
        assert _is_green(frame[inside[1], inside[0]]), f"{side} corner {corner}: not on the tile"
        if outside[1] < corner[1]:  # below a corner the tile's 6 mm side face shows
            assert not _is_green(frame[outside[1], outside[0]]), f"{side} {corner}: tile too big"
    assert hidden <= 1, f"{side}: {hidden} corners hidden"


def test_reference_cube_spawn_lands_on_the_rendered_cube(green_frame):
    """Acceptance: the released env's cube spawn point, projected with the upstream camera
    constants, falls on our rendered cube (grey, not robot, not table)."""
    frame, env = green_frame
    spawn = reference_pixels(rc.CUBE_SPAWN[None])[0]
    ours = env.project(np.array([env.cube_state().position]))[0]
    assert np.linalg.norm(spawn - ours) <= 8.0, (spawn, ours)
    col, row = np.round(spawn).astype(int)
    patch = frame[row - 2 : row + 3, col - 2 : col + 3].reshape(-1, 3).astype(int)
    assert (patch.min(axis=1) > 90).all() and (np.ptp(patch, axis=1) < 25).all(), patch


def test_photo_table_edges_are_square_to_the_axes_through_the_observation_camera():
    """The photo's far and left table edges, back-projected through the upstream observation
    camera, run along the world axes (the released stage is not yawed): <= 1 degree."""
    photo = bg.load_background("bridge_real_eval_1.png", 640, 480)
    for name, line in rc.photo_table_edges(photo).items():
        _, direction = rc.line_on_table(line)
        axis = np.array([0.0, 1.0]) if name == "far" else np.array([1.0, 0.0])
        angle = np.degrees(np.arccos(min(1.0, abs(float(direction @ axis)))))
        assert angle <= 1.0, f"{name} edge yawed {angle:.2f} deg"
    assert abs(SimConfig().scene.table.yaw_deg) <= 1.0


def test_human_view_camera_is_available_for_videos(green_frame):
    """The study's 512x512 human view renders beside the policy camera, from its own pose."""
    _, env = green_frame
    human = env.render("human")
    assert human.shape == (512, 512, 3)
    # Its pose is the upstream render_camera's: the left tile's centre lands where the
    # reference model's human camera puts it.
    x, y = TILE_CENTRES["left"]
    col, row = np.round(rc.project(np.array([[x, y, TABLE_Z + 0.006]]), True)[0]).astype(int)
    assert _is_green(human[row, col])
    policy_col, policy_row = np.round(reference_pixels(np.array([[x, y, TABLE_Z + 0.006]]))[0])
    assert abs(policy_col - col) + abs(policy_row - row) > 15  # two different cameras


def test_our_projection_matches_the_reference_camera_model(green_frame):
    _, env = green_frame
    ours = env.project(env.tile_corners().reshape(-1, 3))
    theirs = np.concatenate([reference_pixels(tile_corners_world(s)) for s in ("left", "right")])
    # Same corners, possibly in another order: match each of ours to the nearest.
    distances = np.linalg.norm(ours[:, None, :] - theirs[None, :, :], axis=2)
    assert distances.min(axis=1).max() < 0.5  # sub-pixel agreement


def _preset_table_edge_world(edge: str) -> np.ndarray:
    """Two reference-world points on the reference preset's far or left table edge."""
    table = SimConfig().scene.table
    yaw = np.radians(table.yaw_deg)
    rotation = np.array([[np.cos(yaw), -np.sin(yaw)], [np.sin(yaw), np.cos(yaw)]])
    other_end = (table.far, table.right) if edge == "far" else (table.near, table.left)
    ends = [(table.far, table.left), other_end]
    base_xy = np.array(ends) @ rotation.T
    world_xy = rc.BASE_POSITION[:2] - base_xy  # the base is turned 180 degrees about z
    return np.column_stack([world_xy, [TABLE_Z, TABLE_Z]])


def _rows_on_line(points_px: np.ndarray, columns: np.ndarray) -> np.ndarray:
    (c0, r0), (c1, r1) = points_px
    return r0 + (r1 - r0) / (c1 - c0) * (columns - c0)


@pytest.mark.parametrize("edge", ["far", "left"])
def test_table_edge_of_the_photo_lands_on_our_rendered_table(green_frame, edge):
    """Acceptance: the real table's edge (photo, back-projected) is where our frame shows it.

    The photo is aligned with the reference camera by construction; its far and
    left table edges are found in it, and our plain render (no photo) must show
    its table edge within a few pixels of them, wherever the edge is seen
    against the empty background (not behind the robot).
    """
    frame, _ = green_frame
    photo = bg.load_background("bridge_real_eval_1.png", 640, 480)
    photo_line = rc.photo_table_edges(photo)[edge]
    assert photo_line.residual < 1.5  # the photo's edge is a straight line
    columns = np.arange(photo_line.columns[0], photo_line.columns[1] + 1)
    signed = frame.astype(np.int16)
    ours = rc.first_rows((signed[..., 0] - signed[..., 2]) > 50, columns)
    assert np.isfinite(ours).all()
    # Seen against the empty background (exactly black; the robot never is), not behind the robot.
    above = np.stack([frame[np.clip(ours.astype(int) - k, 0, None), columns] for k in (2, 4, 6)])
    seen = above.max(axis=(0, 2)) == 0
    assert seen.mean() > 0.55, f"{edge} edge hidden in our frame"
    errors = np.abs(ours[seen] - photo_line.row_at(columns[seen]))
    assert errors.max() <= 4.0 and errors.mean() <= 1.5, f"{edge}: {errors.max():.1f} px"
    # The preset's table, projected with the reference camera model, is the same line.
    model = _rows_on_line(rc.project(_preset_table_edge_world(edge)), columns[seen].astype(float))
    assert np.abs(ours[seen] - model).max() <= 1.5
    assert np.abs(model - photo_line.row_at(columns[seen])).max() <= 2.5


def test_reference_geometry_in_the_base_frame():
    with TabletopEnv(SimConfig()) as env:
        obs, info = env.reset(seed=0, needs=NO_IMAGE)
        assert info.geometry.left_tile_xy == pytest.approx((0.397, 0.183))
        assert info.geometry.right_tile_xy == pytest.approx((0.397, -0.127))
        assert info.geometry.tile_size == 0.11 and info.geometry.cube_size == 0.03
        # The cube is held near the reference spawn (base (0.278, -0.0131), 0.143 above the
        # stage top its tiles rest on).
        spawn = (rc.BASE_POSITION[0] - rc.CUBE_SPAWN[0], rc.BASE_POSITION[1] - rc.CUBE_SPAWN[1])
        spawn_z = rc.CUBE_SPAWN[2] - rc.STAGE_TOP_Z
        assert np.linalg.norm(np.array(info.cube.position) - (*spawn, spawn_z)) < 0.03
        assert not info.cube.released and obs.step == 0


def test_visual_matching_composites_over_the_photo():
    photo = bg.load_background("bridge_real_eval_1.png", 640, 480)
    with TabletopEnv(SimConfig()) as env:
        env.set_tiles(np.full((8, 8, 3), 255, np.uint8), np.full((8, 8, 3), 255, np.uint8))
        env.reset(seed=0, needs=NO_IMAGE)
        frame = env.render()
        small = env.render(width=224, height=224)
        cube_px = env.project(np.array([env.cube_state().position]))[0].round().astype(int)
        tile_px = env.project(env.tile_corners()[1].mean(axis=0, keepdims=True))[0].astype(int)
    assert frame.shape == (480, 640, 3) and small.shape == (224, 224, 3)
    background = np.all(frame == photo, axis=2)
    assert 0.6 < background.mean() < 0.95  # most of the frame is the photo
    assert background[470, 10] and background[20, 620]  # table corner and wall
    assert not background[cube_px[1], cube_px[0]]
    assert frame[tile_px[1], tile_px[0]].min() > 200  # white tile drawn over the photo
    assert not np.array_equal(frame, photo)


def test_background_none_and_bad_path(tmp_path):
    with TabletopEnv(SimConfig(background="none")) as env:
        env.reset(seed=0, needs=NO_IMAGE)
        plain = env.render()
    photo = bg.load_background("bridge_real_eval_1.png", 640, 480)
    assert np.all(plain == photo, axis=2).mean() < 0.01
    with (
        TabletopEnv(SimConfig(background=str(tmp_path / "missing.png"))) as env,
        pytest.raises(SimulationError, match=r"missing\.png"),
    ):
        env.render()


def test_background_found_in_override_folder_never_downloads(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("must not download")

    monkeypatch.setattr(bg.urllib.request, "urlopen", refuse)
    path = bg.resolve_background("bridge_real_eval_1.png")
    assert path.parent == Path(os.environ[bg.ENV_VAR])


def test_background_download_goes_to_cache_with_notice(monkeypatch, tmp_path):
    original = (Path(os.environ[bg.ENV_VAR]) / "bridge_real_eval_1.png").read_bytes()
    monkeypatch.delenv(bg.ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls: list[str] = []

    def fake_urlopen(url, timeout):
        calls.append(url)
        return io.BytesIO(original)

    monkeypatch.setattr(bg.urllib.request, "urlopen", fake_urlopen)
    path = bg.resolve_background("bridge_real_eval_1.png")
    assert path == tmp_path / "act2answer" / "backgrounds" / "bridge_real_eval_1.png"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == bg.KNOWN_BACKGROUNDS[path.name].sha256
    assert "Apache" in path.with_name("bridge_real_eval_1.png.NOTICE.txt").read_text()
    assert calls == [bg.KNOWN_BACKGROUNDS["bridge_real_eval_1.png"].url]
    assert "simpler-env/ManiSkill2_real2sim/ef7a4d4f" in calls[0]
    bg.resolve_background("bridge_real_eval_1.png")  # second use: from the cache
    assert len(calls) == 1


def test_background_download_failures_are_clear(monkeypatch, tmp_path):
    monkeypatch.delenv(bg.ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(bg.urllib.request, "urlopen", lambda url, timeout: io.BytesIO(b"nope"))
    with pytest.raises(SimulationError, match="SHA-256"):
        bg.resolve_background("bridge_sink.png")
    assert not (tmp_path / "act2answer" / "backgrounds" / "bridge_sink.png").exists()

    def offline(url, timeout):
        raise OSError("network unreachable")

    monkeypatch.setattr(bg.urllib.request, "urlopen", offline)
    with pytest.raises(SimulationError, match="ACT2ANSWER_BACKGROUNDS"):
        bg.resolve_background("bridge_sink.png")


def _near_side_pixels(env: TabletopEnv) -> np.ndarray:
    """Pixels at mid-height of each tile's near side face (the face towards the robot)."""
    info = env.reset(seed=0, needs=NO_IMAGE)[1]
    half, thickness = info.geometry.tile_size / 2, env.config.tile_thickness
    points = [
        (x - half, y + dy, thickness / 2)
        for x, y in (info.geometry.left_tile_xy, info.geometry.right_tile_xy)
        for dy in (-0.03, 0.0, 0.03)
    ]
    return env.project(np.array(points)).round().astype(int)


def _framed(centre: np.ndarray, border: np.ndarray, size: int = 64) -> np.ndarray:
    image = np.broadcast_to(centre, (size, size, 3)).copy()
    image[:2], image[-2:], image[:, :2], image[:, -2:] = border, border, border, border
    return image


def _is_red(pixel: np.ndarray) -> bool:
    r, g, b = (int(v) for v in pixel)
    return r > 60 and r > g + 40 and r > b + 40


@pytest.mark.parametrize("sides", ["image_edge", "dark", "wrap"])
def test_reference_tile_sides(sides):
    """Reference tiles take the face image's edge colour on their sides (the study's mesh maps
    its sides to one texel of the face texture); a preset may fix a colour or wrap the image."""
    scene = SimConfig().scene
    if sides != "image_edge":
        side = (0.08, 0.08, 0.08, 1.0) if sides == "dark" else None
        scene = scene.model_copy(update={"tile_side_rgba": side, "tile_styles": {}})
    image = _framed(GREEN, np.array([255, 0, 0], np.uint8))
    with TabletopEnv(SimConfig(scene=scene, background="none")) as env:
        env.set_tiles(image, image)
        pixels = _near_side_pixels(env)
        frame = env.render()
        centre = env.project(env.tile_corners()[1].mean(axis=0, keepdims=True))[0].astype(int)
    assert _is_green(frame[centre[1], centre[0]])  # the top face shows the image either way
    side_pixels = [frame[row, col] for col, row in pixels]
    if sides == "image_edge":
        assert all(_is_red(pixel) for pixel in side_pixels), side_pixels
    elif sides == "dark":
        assert all(int(pixel.max()) < 60 for pixel in side_pixels), side_pixels
    else:  # the texture wraps: the image's middle shows on the side faces
        assert all(_is_green(pixel) for pixel in side_pixels), side_pixels


@pytest.mark.parametrize(
    ("category", "item_size", "size", "dark_sides"),
    [
        ("Time", None, 0.1452, True),
        ("Public Info", None, 0.11, False),
        ("Traffic", 0.13, 0.13, False),
    ],
)
def test_tile_size_and_sides_follow_the_category(category, item_size, size, dark_sides):
    """Counting/Time/Symmetry sets use the study's 14.52 cm tile with dark sides; an item's own
    size overrides; the geometry (and so scoring) follows the tile shown."""
    green = np.broadcast_to(GREEN, (16, 16, 3)).copy()
    with TabletopEnv(SimConfig(background="none")) as env:
        env.set_tiles(green, green, category=category, tile_size=item_size)
        pixels = _near_side_pixels(env)
        info = env.reset(seed=0, needs=NO_IMAGE)[1]
        frame = env.render()
        corners = env.project(env.tile_corners()[1])
        centre = corners.mean(axis=0)
    assert info.geometry.tile_size == pytest.approx(size)
    for corner in corners:  # the right tile's corners are on the rendered tile, not beyond
        inside = np.round(corner + 3.5 * (centre - corner) / np.linalg.norm(centre - corner))
        outside = np.round(corner - 3.5 * (centre - corner) / np.linalg.norm(centre - corner))
        assert _is_green(frame[int(inside[1]), int(inside[0])])
        assert not _is_green(frame[int(outside[1]), int(outside[0])])
    sides = [frame[row, col] for col, row in pixels]
    assert all((int(p.max()) < 60) == dark_sides for p in sides), sides


def test_tile_size_beyond_the_built_scene_is_refused():
    green = np.broadcast_to(GREEN, (16, 16, 3)).copy()
    with (
        TabletopEnv(SimConfig(background="none")) as env,
        pytest.raises(ValueError, match="exceeds"),
    ):
        env.set_tiles(green, green, tile_size=0.2)


def test_table_top_is_checked():
    with pytest.raises(ValueError, match="far > near"):
        TableTop(far=0.1, near=0.2, left=0.3, right=-0.3)
    table = TableTop(far=0.5, near=-0.3, left=0.4, right=-0.4, yaw_deg=10.0)
    preset = SCENE_PRESETS["reference"].model_copy(update={"table": table})
    with TabletopEnv(SimConfig(scene=preset)) as env:
        geom = env.model.geom("table")
        assert geom.size[:2] == pytest.approx((0.4, 0.4))
        yaw = np.radians(10.0)
        assert geom.pos[:2] == pytest.approx((0.1 * np.cos(yaw), 0.1 * np.sin(yaw)))


def test_robot_material_is_preset_data():
    """Reference: glossy (specular 0.9); legacy keeps the Menagerie's own material."""
    looks = {}
    for scene in ("reference", "legacy"):
        with TabletopEnv(SimConfig(scene=scene, background="none")) as env:
            material = env.model.material("black")
            looks[scene] = (float(material.specular[0]), float(material.rgba[0]))
    assert looks["reference"] == pytest.approx((0.9, 1.3))
    assert looks["legacy"][0] != pytest.approx(0.9) and looks["legacy"][1] == pytest.approx(1.0)


def test_an_item_states_its_own_tile_edge():
    """``meta["tile_edge_m"]`` reaches the episode; the importer's bbox (``tile_size_m``) does
    not: the study scores with that bbox but renders its meshes at their own size."""
    from act2answer.errors import SuiteError
    from act2answer.eval.tasks import item_tile_size
    from act2answer.suite import SuiteItem

    def item(meta: dict) -> SuiteItem:
        return SuiteItem(
            id="a", category="Time", instruction="put", options=("l.png", "r.png"), answer=0,
            meta=meta,
        )  # fmt: skip

    assert item_tile_size(item({})) is None
    assert item_tile_size(item({"tile_size_m": [[0.11, 0.11], [0.11, 0.11]]})) is None
    assert item_tile_size(item({"tile_edge_m": 0.1452})) == pytest.approx(0.1452)
    assert item_tile_size(item({"tile_edge_m": [0.12, 0.13]})) == pytest.approx(0.13)
    with pytest.raises(SuiteError, match="tile_edge_m"):
        item_tile_size(item({"tile_edge_m": "big"}))


def _grip_after(scene_name: str, gripper: float, steps: int = 6) -> tuple[float, bool]:
    """Finger opening and whether the cube was let go after some steps of one gripper value."""
    config = SimConfig(scene=scene_name, background="none", gripper_hold_steps=0)
    with TabletopEnv(config) as env:
        env.reset(seed=0, needs=NO_IMAGE)
        for _ in range(steps):
            observation, _, _, _, info = env.step(np.array([0, 0, 0, 0, 0, 0, gripper]))
        return observation.gripper_opening, info.cube.released


def test_reference_gripper_is_continuous_like_the_study():
    """The study's gripper maps -1..+1 onto the finger target (0 = half open, 2.6 cm); binary
    scenes threshold at 0 (0 closes). The Menagerie fingers rest at ~2.56 cm on the 3 cm cube,
    so a half-open target loosens them only slightly (see docs/concepts/reference-fidelity.md)."""
    closed, closed_released = _grip_after("reference", -1.0)
    half, _ = _grip_after("reference", 0.0)
    opened, _ = _grip_after("reference", 1.0)
    assert not closed_released
    assert closed < half < opened and opened > 0.9
    assert half == pytest.approx((0.026 - 0.015) / (0.037 - 0.015), abs=0.05)  # target 2.6 cm
    legacy_half, _ = _grip_after("legacy", 0.0)
    legacy_closed, _ = _grip_after("legacy", -1.0)
    assert legacy_half == pytest.approx(legacy_closed, abs=1e-3)  # binary: 0 closes


def test_workspace_clip_is_preset_data():
    far = np.array([0.05, 0, 0, 0, 0, 0, -1.0])
    reached = {}
    for clip in (True, False):
        scene = SimConfig().scene.model_copy(update={"workspace_clip": clip})
        with TabletopEnv(SimConfig(scene=scene, background="none")) as env:
            env.reset(seed=0, needs=NO_IMAGE)
            for _ in range(6):
                env.step(far)
            reached[clip] = float(env._target_pos[0])
    assert reached[True] == pytest.approx(0.45)
    assert reached[False] > 0.5


def test_control_conditions_can_be_worded_as_the_study_words_them():
    from act2answer.eval.tasks import study_instruction
    from act2answer.interfaces import Side
    from act2answer.suite import Condition, SuiteItem

    item = SuiteItem(
        id="a", category="Traffic", instruction="put the cube on the stop sign",
        options=("l.png", "r.png"), answer=0, explicit_object="put the cube on the red octagon",
        meta={"semantic_answer": "stop sign"},
    )  # fmt: skip
    spatial = study_instruction(item, Condition.EXPLICIT_SPATIAL, Side.RIGHT)
    assert spatial == "Place the cube on the right tile."
    assert study_instruction(item, Condition.EXPLICIT_OBJECT, Side.LEFT) == (
        "Place the cube on the stop sign."
    )
    assert study_instruction(item, Condition.KNOWLEDGE, Side.LEFT) == item.instruction
    plain = item.model_copy(update={"meta": {}})
    assert study_instruction(plain, Condition.EXPLICIT_OBJECT, Side.LEFT) == item.explicit_object


@pytest.mark.parametrize("dynamic", [True, False])
def test_reference_tiles_can_be_pushed_and_scoring_follows(dynamic):
    """The study's tiles are dynamic bodies: a push moves them, the geometry (and so scoring)
    follows, and the drift is traced; fixed tiles stay where they are."""
    scene = SimConfig().scene.model_copy(update={"dynamic_tiles": dynamic})
    with TabletopEnv(SimConfig(scene=scene, background="none")) as env:
        info = env.reset(seed=0, needs=NO_IMAGE)[1]
        start = np.array(info.geometry.right_tile_xy)
        body = env.model.body("tile_right").id
        env.data.xfrc_applied[body, 1] = -8.0  # 8 N towards -y: more than friction holds
        info = env.step(np.array([0, 0, 0, 0, 0, 0, -1.0]))[4]
        env.data.xfrc_applied[body] = 0.0
        for _ in range(3):
            info = env.step(np.array([0, 0, 0, 0, 0, 0, -1.0]))[4]
        moved = np.array(info.geometry.right_tile_xy) - start
        drift = float(np.linalg.norm(env.trace().tiles_xy - env.trace().tiles_xy[0], axis=2).max())
        reset_xy = env.reset(seed=0, needs=NO_IMAGE)[1].geometry.right_tile_xy
    if dynamic:
        assert moved[1] < -0.01 and drift == pytest.approx(np.linalg.norm(moved), abs=1e-6)
        assert env.model.body_mass[body] == pytest.approx(6368 * 0.11**2 * 0.006, rel=1e-3)
    else:
        assert np.abs(moved).max() == 0.0 and drift == 0.0
    assert reset_xy == pytest.approx(tuple(start))  # every episode starts from the slot


def test_rotation_can_be_read_as_the_studys_xyz_euler_angles():
    """``rotation_delta="euler_xyz"`` turns the target by Rx(a) Ry(b) Rz(c), as the study's
    controller reads the three numbers; the default reads extrinsic roll-pitch-yaw."""
    from scipy.spatial.transform import Rotation

    delta = np.array([0.3, -0.2, 0.25])
    targets = {}
    for reading in ("rpy", "euler_xyz"):
        scene = SimConfig().scene.model_copy(update={"rotation_delta": reading})
        with TabletopEnv(SimConfig(scene=scene, background="none")) as env:
            env.reset(seed=0, needs=NO_IMAGE)
            before = env._target_rot.copy()
            env.step(np.array([0, 0, 0, *delta, -1.0]))
            targets[reading] = env._target_rot @ before.T
    assert np.allclose(targets["euler_xyz"], Rotation.from_euler("XYZ", delta).as_matrix())
    assert np.allclose(targets["rpy"], Rotation.from_euler("xyz", delta).as_matrix())
    assert not np.allclose(targets["rpy"], targets["euler_xyz"], atol=1e-3)
