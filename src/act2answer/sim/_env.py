"""The MuJoCo tabletop environment: reset with the cube in hand, step EE-delta actions."""

from __future__ import annotations

import math
from dataclasses import dataclass

import mujoco
import numpy as np
from scipy.spatial.transform import Rotation

from act2answer.errors import SimulationError
from act2answer.interfaces import (
    CubeState,
    EpisodeTrace,
    Observation,
    ObservationNeeds,
    SceneGeometry,
    StepInfo,
    validate_action,
)
from act2answer.sim._config import IMAGE_EDGE, MountedCamera, SimConfig
from act2answer.sim._ik import SiteIK, matrix_to_rpy, rpy_to_matrix
from act2answer.sim._render import VISUAL_GROUP, RenderPool, fovy_for_aspect, write_texture
from act2answer.sim._scene import TILE_DENSITY, build_scene
from act2answer.sim.backgrounds import load_background

_RAMP_CHUNKS = 10  # joint targets are ramped over the substeps in this many chunks
_PIN_TIME = 0.15  # s: the cube is pinned in the hand while the fingers close
_SETTLE_TIME = 0.15  # s: then it settles freely in the closed grip
#: Everything mj_step reads and writes, warm start included: restoring it replays bit for bit.
_SETTLED_STATE = mujoco.mjtState.mjSTATE_INTEGRATION
#: The study's gripper controller widens the finger range by 1 mm each way (ManiSkill3
#: base_env.py ``extra_gripper_clearance``) when it maps -1..+1 onto finger targets.
GRIPPER_CLEARANCE = 0.001


#: Corner signs of a box: centre + sign * half-size gives its 8 corners.
_BOX_SIGNS = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], float)


def _hull_points(model: mujoco.MjModel, geom: int) -> np.ndarray:
    """Points (geom frame) whose convex hull contains the geom, scaled 5% about its centre.

    A mesh with a compiled convex hull gives the hull's vertices (MuJoCo's
    hull graph: numvert, numface, edge addresses, then the hull's vertex
    ids); any other geom the 8 corners of its bounding box.
    """
    mesh = int(model.geom_dataid[geom])
    if model.geom_type[geom] == mujoco.mjtGeom.mjGEOM_MESH and mesh >= 0:
        graph = int(model.mesh_graphadr[mesh])
        if graph >= 0:  # meshes without a compiled hull fall back to their box
            first, hull_count = int(model.mesh_vertadr[mesh]), int(model.mesh_graph[graph])
            ids = model.mesh_graph[graph + 2 + hull_count : graph + 2 + 2 * hull_count]
            vertices = model.mesh_vert[first + ids].astype(float)
            centre = vertices.mean(axis=0)
            return centre + 1.05 * (vertices - centre)
    centre, half = model.geom_aabb[geom].reshape(2, 3)
    return centre + 1.05 * half * _BOX_SIGNS


def image_edge_rgba(image: np.ndarray) -> tuple[float, float, float, float]:
    """The colour at an image's edge: the mean of its outer ring of pixels (1/64 of a side).

    The study's tile mesh maps every side vertex to one texel at the face
    texture's edge, so its tile sides show the image's edge colour.
    """
    array = np.asarray(image)[:, :, :3].astype(float)
    ring = max(1, min(array.shape[:2]) // 64)
    mask = np.ones(array.shape[:2], dtype=bool)
    mask[ring:-ring, ring:-ring] = False
    mean = array[mask].mean(axis=0) / 255.0
    return (float(mean[0]), float(mean[1]), float(mean[2]), 1.0)


@dataclass(frozen=True)
class _Settled:
    """The physics state and IK targets right after an un-jittered grasp."""

    state: np.ndarray
    target_pos: np.ndarray
    target_rot: np.ndarray
    q_target: np.ndarray
    tiles_xy: np.ndarray


class TabletopEnv:
    """Two image tiles on a table, a cube in the robot's hand, EE-delta control.

    The scene is compiled once; :meth:`set_tiles` only rewrites texture pixels.
    All randomness of an episode comes from ``np.random.default_rng(seed)``.

    Args:
        config: Simulator configuration (defaults to ``SimConfig()``).

    Raises:
        SimulationError: the scene cannot be built.
    """

    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = config if config is not None else SimConfig()
        scene = build_scene(self.config)
        self._scene = scene
        self.model = scene.model
        self.data = mujoco.MjData(self.model)
        self._profile = scene.profile
        self._ik = SiteIK(
            self.model, scene.ee_site, scene.arm_qpos_adr, scene.arm_dof_adr, scene.arm_range
        )
        # Look-at cameras widen their 4:3 field of view for other aspect ratios;
        # mounted cameras have pinhole intrinsics and scale instead.
        fovy = {scene.camera: scene.camera_fovy} if scene.camera_native is None else {}
        self._render = RenderPool(self.model, self.config, fovy)
        self._background = self.config.background_source
        self._substeps = self.config.substeps
        self._chunk = max(1, self._substeps // _RAMP_CHUNKS)
        self._nchunks = self._substeps // self._chunk
        self._tail = self._substeps - self._chunk * self._nchunks
        self._ramp = np.arange(1, self._nchunks + 1) / self._nchunks
        self._work_low = np.asarray(self._profile.workspace_low)
        self._work_high = np.asarray(self._profile.workspace_high)
        self._is_gripper_geom = np.zeros(self.model.ngeom, dtype=bool)
        self._is_gripper_geom[scene.gripper_geoms] = True
        self._cube_qadr = scene.cube_qpos_adr
        self._cube_dadr = scene.cube_dof_adr
        # What _check_physics needs of the table (a box, only yawed) and of the clock.
        table = scene.table_geom
        table_axes = np.empty(9)
        mujoco.mju_quat2Mat(table_axes, self.model.geom_quat[table])
        self._table_to_local_xy = table_axes.reshape(3, 3)[:2, :2].T.copy()
        self._table_centre_xy = self.model.geom_pos[table][:2].copy()
        self._table_half_xy = self.model.geom_size[table][:2].copy()
        top = self.model.geom_pos[table][2] + self.model.geom_size[table][2]
        # A cube whose centre is this low has its top face under the table top.
        self._cube_floor = float(top - self.model.geom_size[scene.cube_geom][0])
        self._half_control_period = 0.5 / self.config.control_hz
        self._continuous_gripper = self.config.scene.gripper_command == "continuous"
        self._euler_xyz = self.config.scene.rotation_delta == "euler_xyz"
        self._down = np.eye(3)
        start_qpos = self.config.scene.start_qpos
        if start_qpos is not None:
            self._q_home = np.asarray(start_qpos, dtype=float)
            self.data.qpos[scene.arm_qpos_adr] = self._q_home
            mujoco.mj_kinematics(self.model, self.data)
            self._start_pos = self.data.site_xpos[scene.ee_site].copy()
            self._start_rot = self.data.site_xmat[scene.ee_site].reshape(3, 3).copy()
        else:
            self._start_pos = np.asarray(self._profile.start_position, dtype=float)
            self._start_rot = self._down.copy()
            self._q_home = self._ik.solve(
                self._start_pos,
                self._down,
                np.asarray(self._profile.home_qpos),
                iterations=200,
                tolerance=1e-7,
            )
        # Episode state.
        self._needs = ObservationNeeds()
        self._instruction = ""
        self._step = 0
        self._target_pos = np.zeros(3)
        self._target_rot = np.eye(3)
        self._q_target = self._q_home.copy()
        self._tiles_xy = np.array(scene.tile_slots, dtype=float)
        self._tiles_start = self._tiles_xy.copy()
        self._dynamic_tiles = self.config.scene.dynamic_tiles
        self._tile_size = self.config.tile_size
        default_side = self.config.scene.tile_side_rgba
        self._size_tiles(self._tile_size)  # the default style until set_tiles says otherwise
        for body, face in scene.tile_geoms:
            if face >= 0 and isinstance(default_side, tuple):
                self.model.geom_rgba[body] = default_side
        self._has_reset = False
        self._closed = False
        self._trace_xy: list[np.ndarray] = []
        self._trace_z: list[float] = []
        self._trace_cube: list[tuple[float, float, float]] = []
        self._trace_tiles: list[np.ndarray] = []
        self._trace_released: list[bool] = []
        self._settled: _Settled | None = None
        self._cullable = np.flatnonzero(self.model.geom_group == VISUAL_GROUP)
        hulls = [_hull_points(self.model, geom) for geom in self._cullable]
        # One (geoms, points, 3) block for one batched product; short hulls repeat their
        # first point, which changes no "all points past a plane" test.
        longest = max((len(hull) for hull in hulls), default=0)
        self._cull_points = np.array(
            [
                np.concatenate([hull, np.repeat(hull[:1], longest - len(hull), axis=0)])
                for hull in hulls
            ]
        ).reshape(len(hulls), longest, 3)

    # ------------------------------------------------------------------ tiles
    def set_tiles(
        self,
        left: np.ndarray,
        right: np.ndarray,
        *,
        category: str | None = None,
        tile_size: float | None = None,
    ) -> None:
        """Show two images on the left (+y) and right (-y) tiles, sized for their category.

        Cheap: writes the compiled model's texture pixels, geom sizes and side
        colours and re-uploads the textures to live GL contexts; the scene is
        never rebuilt. Takes effect at the next reset.

        Args:
            left: ``(H, W, 3)`` uint8 image for the left tile (any size).
            right: ``(H, W, 3)`` uint8 image for the right tile.
            category: The item's category: picks the scene's tile style
                (``ScenePreset.tile_styles``); None: the scene's defaults.
            tile_size: The item's own tile edge, metres (overrides the style's size).

        Raises:
            ValueError: an image has the wrong shape, or the size exceeds the
                largest tile the scene was built for.
        """
        style = self.config.scene.tile_style_for(category, tile_size)
        if style.size > self.config.scene.max_tile_size + 1e-9:
            raise ValueError(
                f"tile size {style.size:g} m exceeds the scene's largest tile "
                f"({self.config.scene.max_tile_size:g} m); add a tile style for it"
            )
        for tex_id, image in zip(self._scene.tile_tex, (left, right), strict=True):
            write_texture(self.model, tex_id, image)
        self._render.upload_textures(self._scene.tile_tex)
        self._size_tiles(style.size)
        for (body, face), image in zip(self._scene.tile_geoms, (left, right), strict=True):
            if face >= 0:
                side = style.side_rgba
                rgba = image_edge_rgba(image) if side is None or side == IMAGE_EDGE else side
                self.model.geom_rgba[body] = rgba
        self._tile_size = style.size

    def _size_tiles(self, size: float) -> None:
        """Set both tiles' edge (geoms, and mass and inertia of dynamic tiles), metres."""
        thickness = self.config.tile_thickness
        for index, (body, face) in enumerate(self._scene.tile_geoms):
            self.model.geom_size[body][:2] = size / 2
            if face >= 0:
                self.model.geom_size[face][:2] = size / 2
            if self._dynamic_tiles:  # a bigger tile is heavier (same density)
                tile_body = self._scene.tile_bodies[index]
                mass = TILE_DENSITY * size**2 * thickness
                self.model.body_mass[tile_body] = mass
                across = mass / 12 * (size**2 + thickness**2)
                self.model.body_inertia[tile_body] = (across, across, mass / 12 * 2 * size**2)

    # ------------------------------------------------------------------ reset
    def reset(
        self,
        *,
        seed: int,
        instruction: str = "",
        needs: ObservationNeeds | None = None,
    ) -> tuple[Observation, StepInfo]:
        """Start an episode: jitter tiles and start pose, grasp the cube, settle.

        Args:
            seed: Seed of every random draw of the episode.
            instruction: Instruction text echoed in observations.
            needs: What observations must contain (images are rendered only if asked).

        Returns:
            The first observation and the step info.
        """
        if self._closed:
            raise SimulationError("environment is closed")
        cfg, scene, m, d = self.config, self._scene, self.model, self.data
        rng = np.random.default_rng(seed)
        tile_jitter, start_jitter = cfg.effective_tile_jitter, cfg.effective_start_jitter
        tile_offsets = rng.uniform(-tile_jitter, tile_jitter, size=(2, 2))
        start_offset = rng.uniform(-start_jitter, start_jitter, size=3)
        self._needs = needs if needs is not None else ObservationNeeds()
        self._instruction = instruction
        self._step = 0

        mujoco.mj_resetData(m, d)
        self._tiles_xy = np.array(scene.tile_slots, dtype=float) + tile_offsets
        self._tiles_start = self._tiles_xy.copy()
        self._place_tiles()

        if not start_offset.any() and self._settled is not None:
            self._restore_settled()
        else:
            self._grasp(start_offset)
            if not start_offset.any():
                self._save_settled()
        mujoco.mj_forward(m, d)
        self._has_reset = True
        info = self._info()
        self._trace_xy = [d.site_xpos[scene.ee_site][:2].copy()]
        self._trace_z = [float(d.site_xpos[scene.ee_site][2])]
        self._trace_cube = [info.cube.position]
        self._trace_tiles = [self._tiles_xy.copy()]
        self._trace_released = [info.cube.released]
        return self._observe(), info

    def _grasp(self, start_offset: np.ndarray) -> None:
        """Close the hand on the cube at the start pose and run the scripted grasp steps."""
        cfg, scene, m, d = self.config, self._scene, self.model, self.data
        self._target_pos = self._start_pos + start_offset
        self._target_rot = self._start_rot.copy()
        if cfg.effective_start_jitter > 0.0 or cfg.scene.start_qpos is None:
            q = self._ik.solve(
                self._target_pos, self._target_rot, self._q_home, iterations=50, tolerance=1e-7
            )
        else:
            q = self._q_home.copy()
        self._q_target = q
        d.qpos[scene.arm_qpos_adr] = q
        for adr, value in scene.finger_open:
            d.qpos[adr] = value
        d.ctrl[scene.arm_ctrl] = q
        d.ctrl[scene.gripper_ctrl] = self._profile.gripper_close_ctrl
        mujoco.mj_forward(m, d)

        # Put the cube between the open fingers, aligned with the grasp site.
        cube_pos = d.site_xpos[scene.ee_site].copy()
        cube_quat = np.zeros(4)
        mujoco.mju_mat2Quat(cube_quat, d.site_xmat[scene.ee_site])
        qa, da = self._cube_qadr, self._cube_dadr
        d.qpos[qa : qa + 3] = cube_pos
        d.qpos[qa + 3 : qa + 7] = cube_quat
        mujoco.mj_forward(m, d)
        pin_steps = round(_PIN_TIME / cfg.physics_timestep)
        for _ in range(pin_steps):
            mujoco.mj_step(m, d)
            d.qpos[qa : qa + 3] = cube_pos
            d.qpos[qa + 3 : qa + 7] = cube_quat
            d.qvel[da : da + 6] = 0.0
        mujoco.mj_step(m, d, nstep=round(_SETTLE_TIME / cfg.physics_timestep))
        for _ in range(cfg.scene.grasp_steps):  # the reference's scripted grasp steps
            self._advance(np.zeros(3), None, close=True)

    def _place_tiles(self) -> None:
        """Put both tiles at this episode's centres, flat on the table, at rest."""
        scene, d = self._scene, self.data
        half_yaw = scene.tile_yaw / 2
        quat = (math.cos(half_yaw), 0.0, 0.0, math.sin(half_yaw))
        for index, (x, y) in enumerate(self._tiles_start):
            qadr, dadr = scene.tile_qpos_adr[index], scene.tile_dof_adr[index]
            if qadr >= 0:  # dynamic tile: a free body
                d.qpos[qadr : qadr + 3] = (x, y, 0.0)
                d.qpos[qadr + 3 : qadr + 7] = quat
                d.qvel[dadr : dadr + 6] = 0.0
            else:
                d.mocap_pos[scene.tile_mocap[index]] = (x, y, 0.0)
                d.mocap_quat[scene.tile_mocap[index]] = quat

    def _save_settled(self) -> None:
        """Keep the state after an un-jittered grasp: every such reset reaches it again."""
        state = np.empty(mujoco.mj_stateSize(self.model, _SETTLED_STATE))
        mujoco.mj_getState(self.model, self.data, state, _SETTLED_STATE)
        self._settled = _Settled(
            state,
            self._target_pos.copy(),
            self._target_rot.copy(),
            self._q_target.copy(),
            self._tiles_start.copy(),
        )

    def _restore_settled(self) -> None:
        """Jump to the saved post-grasp state (bit-identical to simulating the grasp again).

        The hand never touches the tiles during the grasp, so they are put back
        at this episode's centres (fixed, or at rest), unless they are dynamic
        tiles already there (then the state they settled in is kept).
        """
        settled, d = self._settled, self.data
        assert settled is not None
        mujoco.mj_setState(self.model, d, settled.state, _SETTLED_STATE)
        if not (self._dynamic_tiles and np.array_equal(settled.tiles_xy, self._tiles_start)):
            self._place_tiles()  # dynamic tiles where they settled are kept as they settled
        self._target_pos = settled.target_pos.copy()
        self._target_rot = settled.target_rot.copy()
        self._q_target = settled.q_target.copy()

    # ------------------------------------------------------------------- step
    def step(self, action: np.ndarray) -> tuple[Observation, float, bool, bool, StepInfo]:
        """Apply one 7-D end-effector delta action for one control period.

        Args:
            action: ``[dx, dy, dz, droll, dpitch, dyaw, gripper]`` (see
                :mod:`act2answer.interfaces`).

        Returns:
            ``(observation, reward, terminated, truncated, info)``; reward is 0,
            truncated at ``max_steps`` (the reference protocol); with
            ``early_stop`` also terminated once the cube is released and at rest.

        Raises:
            InvalidActionError: wrong shape or non-finite action.
            SimulationError: step before reset, or after close; or the physics
                failed (diverged, or the cube passed through the table).
        """
        a = validate_action(action)
        if not self._has_reset or self._closed:
            raise SimulationError("call reset() before step()")
        m, d = self.model, self.data
        if not (a[3] or a[4] or a[5]):
            rotation = None
        elif self._euler_xyz:  # the study's controller: Rx(a) Ry(b) Rz(c)
            rotation = Rotation.from_euler("XYZ", a[3:6]).as_matrix()
        else:
            rotation = rpy_to_matrix(a[3], a[4], a[5])
        if self._step < self.config.gripper_hold_steps:
            grip: bool | float = True  # forced closed, as the reference's hold steps
        elif self._continuous_gripper:
            grip = float(a[6])
        else:
            grip = bool(a[6] <= 0.0)
        time_before = d.time
        self._advance(a[:3], rotation, close=grip)
        mujoco.mj_kinematics(m, d)  # poses consistent with the new qpos for observers
        mujoco.mj_camlight(m, d)

        self._step += 1
        self._check_physics(time_before)
        cube = self.cube_state()
        self._trace_xy.append(d.site_xpos[self._scene.ee_site][:2].copy())
        self._trace_z.append(float(d.site_xpos[self._scene.ee_site][2]))
        self._trace_cube.append(cube.position)
        if self._dynamic_tiles:  # the study's tiles can be pushed; scoring follows them
            self._tiles_xy = d.xpos[list(self._scene.tile_bodies), :2].copy()
        self._trace_tiles.append(self._tiles_xy.copy())
        self._trace_released.append(cube.released)
        terminated = self.config.early_stop and cube.released and cube.at_rest
        truncated = not terminated and self._step >= self.config.max_steps
        return self._observe(), 0.0, terminated, truncated, self._info(cube)

    def _advance(
        self, delta: np.ndarray, rotation: np.ndarray | None, *, close: bool | float
    ) -> None:
        """Move the end-effector target, solve IK and run one control period of physics.

        ``close`` is True/False for a closed/open gripper, or a float in [-1, 1]:
        a continuous finger target (-1 closed - 1 mm ... +1 open + 1 mm).
        """
        scene, m, d, prof = self._scene, self.model, self.data, self._profile
        self._target_pos += delta
        if self.config.scene.workspace_clip:
            np.clip(self._target_pos, self._work_low, self._work_high, out=self._target_pos)
        if rotation is not None:
            self._target_rot = rotation @ self._target_rot
        if isinstance(close, bool):
            d.ctrl[scene.gripper_ctrl] = (
                prof.gripper_close_ctrl if close else prof.gripper_open_ctrl
            )
        else:
            low = prof.gripper_close_ctrl - GRIPPER_CLEARANCE
            high = prof.gripper_open_ctrl + GRIPPER_CLEARANCE
            fraction = (min(1.0, max(-1.0, close)) + 1.0) / 2.0
            d.ctrl[scene.gripper_ctrl] = low + fraction * (high - low)
        q_prev = self._q_target
        q_new = self._ik.solve(self._target_pos, self._target_rot, q_prev)
        self._q_target = q_new
        delta_q = q_new - q_prev
        arm_ctrl = scene.arm_ctrl
        for fraction in self._ramp:
            d.ctrl[arm_ctrl] = q_prev + fraction * delta_q
            mujoco.mj_step(m, d, nstep=self._chunk)
        if self._tail:
            mujoco.mj_step(m, d, nstep=self._tail)

    def _check_physics(self, time_before: float) -> None:
        """Refuse to go on from a state no real table could reach.

        A physics step too large for the contacts fails in two ways that would
        otherwise be scored as answers: the solver diverges (MuJoCo then resets
        the state to the model's initial pose, which puts the cube somewhere it
        never went), or a contact tunnels and the cube ends inside or under the
        table. Neither was seen at the robots' default steps; both are caught
        here for any ``physics_timestep`` a user sets, for a few microseconds.

        Args:
            time_before: Simulation time before this control step.

        Raises:
            SimulationError: the solver diverged, or the cube is under the table top.
        """
        d = self.data
        # MuJoCo's reset after a bad qpos/qvel/qacc warning also zeroes the clock (which
        # reads at least 0.3 s after the grasp), so it is then behind this step's end.
        if d.time < time_before + self._half_control_period or not math.isfinite(
            float(d.qpos.sum())
        ):
            raise self._physics_failure("physics diverged")
        qa = self._cube_qadr
        if d.qpos[qa + 2] >= self._cube_floor:  # the common case: on or above the table
            return
        local = self._table_to_local_xy @ (d.qpos[qa : qa + 2] - self._table_centre_xy)
        if (np.abs(local) < self._table_half_xy).all():
            raise self._physics_failure("the cube passed through the table")

    def _physics_failure(self, what: str) -> SimulationError:
        return SimulationError(
            f"{what} at step {self._step} (physics_timestep "
            f"{self.config.physics_timestep:g} s); use a smaller physics_timestep"
        )

    # ---------------------------------------------------------------- queries
    @property
    def geometry(self) -> SceneGeometry:
        """Tile centres after jitter (base frame) and tile size."""
        (lx, ly), (rx, ry) = self._tiles_xy
        return SceneGeometry(
            left_tile_xy=(float(lx), float(ly)),
            right_tile_xy=(float(rx), float(ry)),
            tile_size=self._tile_size,
            tile_thickness=self.config.tile_thickness,
            cube_size=self.config.cube_size,
        )

    def trace(self) -> EpisodeTrace:
        """End-effector, cube and tile positions and release flags of the episode so far."""
        return EpisodeTrace(
            ee_xy=np.array(self._trace_xy, dtype=float).reshape(-1, 2),
            cube_released=np.array(self._trace_released, dtype=bool),
            ee_z=np.array(self._trace_z, dtype=float),
            cube_xyz=np.array(self._trace_cube, dtype=float).reshape(-1, 3),
            tiles_xy=np.array(self._trace_tiles, dtype=float).reshape(-1, 2, 2),
        )

    def cube_state(self) -> CubeState:
        """Where the cube is, whether the gripper still touches it, whether it rests."""
        d = self.data
        qa, da = self._cube_qadr, self._cube_dadr
        pos = d.qpos[qa : qa + 3]
        lin = d.qvel[da : da + 3]
        ang = d.qvel[da + 3 : da + 6]
        at_rest = bool(
            float(lin @ lin) < self.config.rest_speed**2
            and float(ang @ ang) < self.config.rest_angular_speed**2
        )
        return CubeState(
            position=(float(pos[0]), float(pos[1]), float(pos[2])),
            released=not self._cube_touches_gripper(),
            at_rest=at_rest,
        )

    def _cube_touches_gripper(self) -> bool:
        d = self.data
        ncon = d.ncon
        if ncon == 0:
            return False
        geoms = d.contact.geom[:ncon]
        cube = self._scene.cube_geom
        other = np.where(
            geoms[:, 0] == cube, geoms[:, 1], np.where(geoms[:, 1] == cube, geoms[:, 0], -1)
        )
        return bool(self._is_gripper_geom[other[other >= 0]].any())

    def render(
        self, camera: str = "third_person", width: int | None = None, height: int | None = None
    ) -> np.ndarray:
        """Render a frame for videos or previews.

        Args:
            camera: ``"third_person"`` (what the policy sees), ``"wrist"`` (if
                configured) or ``"human"`` (the scene's video camera, if it has one;
                the reference preset's is the study's 512x512 human view).
            width: Image width (defaults to the camera's configured width).
            height: Image height (defaults to the camera's configured height).

        Returns:
            ``(height, width, 3)`` uint8 RGB image.

        Raises:
            ValueError: unknown camera.
            RenderBackendError: no OpenGL backend could start.
            SimulationError: the background photo cannot be found or read.
        """
        if camera == "third_person":
            cam = self._scene.camera
            width = width or self.config.camera_width
            height = height or self.config.camera_height
            hidden = self._offscreen_geoms(width, height)
            if self._background is not None:
                photo = load_background(self._background, width, height)
                return self._render.render_over(self.data, cam, photo, hidden)
            return self._render.render(self.data, cam, width, height, hidden)
        elif camera == "human" and self._scene.human_camera >= 0:
            # The study's video camera: plain render (the photo matches only the policy's
            # camera), at its native size unless asked otherwise.
            human = self.config.scene.human_camera
            assert human is not None
            cam = self._scene.human_camera
            width = width or human.width
            height = height or human.height
        elif camera == "wrist" and self._scene.wrist_camera >= 0:
            cam = self._scene.wrist_camera
            width = width or self.config.wrist_width
            height = height or self.config.wrist_height
        else:
            raise ValueError(
                f"unknown camera {camera!r} (wrist needs SimConfig(wrist_camera=True); "
                "human needs a scene with a human_camera)"
            )
        return self._render.render(self.data, cam, width, height)

    def project(
        self, points: np.ndarray, width: int | None = None, height: int | None = None
    ) -> np.ndarray:
        """Pixel coordinates of base-frame points in the third-person camera.

        Args:
            points: ``(N, 3)`` points, base frame, metres.
            width: Image width (defaults to the configured width).
            height: Image height (defaults to the configured height).

        Returns:
            ``(N, 2)`` array of ``(column, row)`` pixel coordinates (row 0 at the top).
        """
        width = width or self.config.camera_width
        height = height or self.config.camera_height
        cam = self._scene.camera
        rot = self.data.cam_xmat[cam].reshape(3, 3)
        local = (np.atleast_2d(points) - self.data.cam_xpos[cam]) @ rot
        depth = -local[:, 2]
        right, up = local[:, 0] / depth, local[:, 1] / depth
        camera = self.config.scene.camera
        if isinstance(camera, MountedCamera):
            # The native pinhole model (pixel centres at integers), scaled to the frame.
            sx, sy = width / camera.width, height / camera.height
            cols = (camera.cx + camera.fx * right + 0.5) * sx - 0.5
            rows = (camera.cy - camera.fy * up + 0.5) * sy - 0.5
            return np.stack([cols, rows], axis=1)
        focal = self._look_at_focal(width, height)
        cols = width / 2 + focal * right
        rows = height / 2 - focal * up
        return np.stack([cols, rows], axis=1)

    def _offscreen_geoms(self, width: int, height: int) -> np.ndarray:
        """Robot visual geoms wholly outside the third-person frame (not worth drawing).

        Software GL pays for every vertex it is given, seen or not: most of
        the arm is out of the reference view (~70% of the robot's
        triangles). A geom is skipped only when its convex hull (5% larger) lies
        entirely outside one side plane of the view frustum widened by 4
        pixels, so it cannot touch a pixel.
        """
        geoms = self._cullable
        if geoms.size == 0:
            return geoms
        d, cam = self.data, self._scene.camera
        to_camera = d.cam_xmat[cam].reshape(3, 3)
        # Camera coordinates of every hull point: p_cam = (x_g - x_cam + R_g p) @ R_cam.
        rotations = d.geom_xmat[geoms].reshape(-1, 3, 3).transpose(0, 2, 1) @ to_camera
        offsets = (d.geom_xpos[geoms] - d.cam_xpos[cam]) @ to_camera
        local = self._cull_points @ rotations + offsets[:, None, :]
        right, up, depth = local[..., 0], local[..., 1], -local[..., 2]
        low_x, high_x, low_y, high_y = self._view_tangents(width, height)
        # Each side plane passes through the camera centre (inside: right >= low_x * depth,
        # and so on); a geom is skipped when all its hull points are past one plane.
        outside = (
            (right < low_x * depth).all(axis=1)
            | (right > high_x * depth).all(axis=1)
            | (up < low_y * depth).all(axis=1)
            | (up > high_y * depth).all(axis=1)
            | (depth < 0.0).all(axis=1)
        )
        return geoms[outside]

    def _look_at_focal(self, width: int, height: int) -> float:
        """Focal length in pixels of the look-at camera (field of view widened per aspect)."""
        fovy = fovy_for_aspect(self._scene.camera_fovy, width, height)
        return (height / 2) / math.tan(math.radians(fovy) / 2)

    def _view_tangents(self, width: int, height: int) -> tuple[float, float, float, float]:
        """Frustum of the third-person frame as (right/depth, up/depth) bounds, 4 px wider."""
        camera, margin = self.config.scene.camera, 4.0
        if isinstance(camera, MountedCamera):
            # Any render size shows the native 640x480 view (see project()).
            return (
                (-0.5 - margin - camera.cx) / camera.fx,
                (camera.width - 0.5 + margin - camera.cx) / camera.fx,
                (camera.cy - camera.height + 0.5 - margin) / camera.fy,
                (camera.cy + 0.5 + margin) / camera.fy,
            )
        focal = self._look_at_focal(width, height)
        half_x, half_y = (width / 2 + margin) / focal, (height / 2 + margin) / focal
        return -half_x, half_x, -half_y, half_y

    def tile_corners(self) -> np.ndarray:
        """Top-face corners of both tiles, ``(2, 4, 3)``, base frame (left first)."""
        half = self._tile_size / 2
        yaw = self._scene.tile_yaw
        c, s = math.cos(yaw), math.sin(yaw)
        local = np.array([[-half, -half], [half, -half], [half, half], [-half, half]])
        rotated = local @ np.array([[c, s], [-s, c]])
        corners = np.zeros((2, 4, 3))
        for i, (x, y) in enumerate(self._tiles_xy):
            corners[i, :, 0] = x + rotated[:, 0]
            corners[i, :, 1] = y + rotated[:, 1]
            corners[i, :, 2] = self.config.tile_thickness
        return corners

    def close(self) -> None:
        """Release rendering resources. The environment cannot be used afterwards."""
        self._render.close()
        self._closed = True

    # -------------------------------------------------------------- internals
    def _observe(self) -> Observation:
        d, scene, prof = self.data, self._scene, self._profile
        finger = float(d.qpos[scene.finger_qpos_adr])
        opening = (finger - prof.finger_closed_qpos) / (
            prof.finger_open_qpos - prof.finger_closed_qpos
        )
        image = self.render("third_person") if self._needs.image else None
        wrist = None
        if self._needs.wrist_image:
            if scene.wrist_camera < 0:
                raise SimulationError(
                    "a policy needs wrist images: use SimConfig(wrist_camera=True)"
                )
            wrist = self.render("wrist")
        return Observation(
            instruction=self._instruction,
            step=self._step,
            ee_position=d.site_xpos[scene.ee_site].copy(),
            ee_rpy=matrix_to_rpy(d.site_xmat[scene.ee_site]),
            gripper_opening=float(min(1.0, max(0.0, opening))),
            image=image,
            wrist_image=wrist,
        )

    def _info(self, cube: CubeState | None = None) -> StepInfo:
        return StepInfo(
            cube=cube if cube is not None else self.cube_state(), geometry=self.geometry
        )

    def __enter__(self) -> TabletopEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
