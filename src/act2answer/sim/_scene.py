"""Build and compile the tabletop scene once, with MjSpec, from a Menagerie arm."""

from __future__ import annotations

import math
from dataclasses import dataclass

import mujoco
import numpy as np

from act2answer.errors import SimulationError
from act2answer.sim._config import SimConfig
from act2answer.sim._robots import PROFILES, RobotProfile

THIRD_PERSON = "third_person"
WRIST = "wrist"
TILE_NAMES = ("tile_left", "tile_right")
_TABLE_RGBA = (0.62, 0.55, 0.47, 1.0)
_CUBE_RGBA = (0.85, 0.15, 0.12, 1.0)


@dataclass(frozen=True)
class Scene:
    """The compiled model and the ids the environment needs.

    Attributes:
        model: Compiled MuJoCo model (the only one for this environment).
        profile: Robot constants.
        arm_qpos_adr: qpos addresses of the IK joints.
        arm_dof_adr: dof addresses of the IK joints.
        arm_ctrl: Actuator ids of the IK joints.
        arm_range: Joint limits, shape ``(n, 2)``.
        gripper_ctrl: Actuator id of the gripper.
        finger_qpos_adr: qpos address of the joint measuring the opening.
        finger_open: ``(qpos address, value)`` of every finger joint when open.
        ee_site: Grasp site id.
        cube_body: Cube body id.
        cube_geom: Cube geom id.
        cube_qpos_adr: First qpos address of the cube's free joint.
        cube_dof_adr: First dof address of the cube's free joint.
        gripper_geoms: Geom ids that count as "holding" when touching the cube.
        tile_mocap: Mocap ids of the left and right tiles.
        tile_tex: Texture ids of the left and right tiles.
        tile_yaw: Yaw of the tiles so their images read upright in the camera.
        tile_slots: Nominal ``(x, y)`` of the left and right tile centres.
        camera: Third-person camera id.
        camera_fovy: Its 4:3 vertical field of view, degrees.
        wrist_camera: Wrist camera id, or -1.
    """

    model: mujoco.MjModel
    profile: RobotProfile
    arm_qpos_adr: np.ndarray
    arm_dof_adr: np.ndarray
    arm_ctrl: np.ndarray
    arm_range: np.ndarray
    gripper_ctrl: int
    finger_qpos_adr: int
    finger_open: tuple[tuple[int, float], ...]
    ee_site: int
    cube_body: int
    cube_geom: int
    cube_qpos_adr: int
    cube_dof_adr: int
    gripper_geoms: np.ndarray
    tile_mocap: tuple[int, int]
    tile_tex: tuple[int, int]
    tile_yaw: float
    tile_slots: tuple[tuple[float, float], tuple[float, float]]
    camera: int
    camera_fovy: float
    wrist_camera: int


def _site_quat(profile: RobotProfile) -> np.ndarray:
    """Quaternion of the grasp site in the ee body: identity when pointing down.

    The site frame is the base frame when the gripper points straight down
    (site z = -approach) and the fingers close along base y.
    """
    z_axis = -np.asarray(profile.approach_axis, dtype=float)
    y_axis = np.asarray(profile.finger_axis, dtype=float)
    x_axis = np.cross(y_axis, z_axis)
    rot = np.stack([x_axis, y_axis, z_axis], axis=1)  # columns: site axes in body
    quat = np.zeros(4)
    mujoco.mju_mat2Quat(quat, rot.reshape(-1))
    return quat


def _look_at(camera: tuple[float, float, float], target: np.ndarray) -> list[float]:
    forward = target - np.asarray(camera)
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    return [*right.tolist(), *up.tolist()]


def _load_robot(profile: RobotProfile) -> mujoco.MjSpec:
    try:
        import mujoco_menagerie as mm

        return mm.get(profile.menagerie_name).spec(profile.entry)
    except Exception as exc:  # menagerie raises several types when assets are missing
        raise SimulationError(
            f"cannot load Menagerie robot {profile.menagerie_name!r}: {exc} "
            "(is mujoco-menagerie installed and MENAGERIE_ROOT set?)"
        ) from exc


def build_scene(config: SimConfig) -> Scene:
    """Build the robot, table, two textured tiles, cube and cameras; compile once.

    Args:
        config: Simulator configuration.

    Returns:
        The compiled scene with its ids.

    Raises:
        SimulationError: the robot model cannot be loaded or compiled.
    """
    profile = PROFILES[config.robot]
    spec = _load_robot(profile)

    spec.option.timestep = config.physics_timestep
    spec.option.cone = mujoco.mjtCone.mjCONE_ELLIPTIC
    spec.option.impratio = 10.0
    for key in list(spec.keys):
        spec.delete(key)

    vis = spec.visual
    vis.quality.offsamples = 4 if config.multisampling else 0
    vis.global_.offwidth = max(640, config.camera_width, config.wrist_width)
    vis.global_.offheight = max(480, config.camera_height, config.wrist_height)
    vis.headlight.ambient = [0.45, 0.45, 0.45]
    vis.headlight.diffuse = [0.45, 0.45, 0.45]
    vis.headlight.specular = [0.0, 0.0, 0.0]
    for light in spec.lights:
        light.castshadow = config.shadows

    for body in spec.bodies:
        if body.name != "world":
            body.gravcomp = 1.0

    world = spec.worldbody
    slot_x, slot_y = profile.tile_slot_x, profile.tile_slot_y
    world.add_light(
        name="sun",
        pos=[slot_x, 0.0, 1.5],
        dir=[0.0, 0.0, -1.0],
        diffuse=[0.5, 0.5, 0.5],
        specular=[0.0, 0.0, 0.0],
        castshadow=config.shadows,
    )
    table_half = (0.45 + slot_x / 2, 0.7, 0.02)
    world.add_geom(
        name="table",
        type=mujoco.mjtGeom.mjGEOM_BOX,
        size=list(table_half),
        pos=[slot_x - 0.1, 0.0, -table_half[2]],
        rgba=list(_TABLE_RGBA),
        friction=[0.8, 0.005, 0.0001],
    )

    # Tiles: mocap bodies (moved at reset), yawed so images read upright.
    preset = config.camera
    tile_yaw = math.radians(preset.azimuth_deg - 90.0)
    tile_quat = [math.cos(tile_yaw / 2), 0.0, 0.0, math.sin(tile_yaw / 2)]
    size = config.texture_size
    half = config.tile_size / 2
    slots = ((slot_x, slot_y), (slot_x, -slot_y))
    for name, (x, y) in zip(TILE_NAMES, slots, strict=True):
        spec.add_texture(
            name=name,
            type=mujoco.mjtTexture.mjTEXTURE_2D,
            width=size,
            height=size,
            nchannel=3,
            builtin=mujoco.mjtBuiltin.mjBUILTIN_FLAT,
            rgb1=[0.8, 0.8, 0.8],
        )
        material = spec.add_material(
            name=name,
            texrepeat=[1.0, 1.0],
            specular=0.0,
            shininess=0.0,
            reflectance=0.0,
            emission=0.35,
        )
        material.textures[mujoco.mjtTextureRole.mjTEXROLE_RGB] = name
        tile = world.add_body(name=name, mocap=True, pos=[x, y, 0.0], quat=tile_quat)
        tile.add_geom(
            name=name,
            type=mujoco.mjtGeom.mjGEOM_BOX,
            material=name,
            size=[half, half, config.tile_thickness / 2],
            pos=[0.0, 0.0, config.tile_thickness / 2],
            friction=[0.8, 0.005, 0.0001],
        )

    cube = world.add_body(name="cube", pos=[slot_x, 0.0, 0.3])
    cube.add_freejoint(name="cube")
    cube_half = config.cube_size / 2
    cube.add_geom(
        name="cube",
        type=mujoco.mjtGeom.mjGEOM_BOX,
        size=[cube_half] * 3,
        mass=config.cube_mass,
        rgba=list(_CUBE_RGBA),
        condim=4,
        friction=[config.cube_friction, 0.005, 0.0001],
    )

    ee_body = spec.body(profile.ee_body)
    if ee_body is None:
        raise SimulationError(f"robot has no body {profile.ee_body!r}")
    ee_body.add_site(
        name="ee",
        pos=list(profile.ee_offset),
        quat=_site_quat(profile).tolist(),
        size=[0.004, 0.004, 0.004],
        group=5,
    )
    if profile.fingertip_pads:
        fingers = ((profile.gripper_bodies[1], -1.0), (profile.gripper_bodies[2], 1.0))
        for body_name, sign in fingers:
            finger = spec.body(body_name)
            finger.add_geom(
                name=f"pad_{body_name.split('/')[-1]}",
                type=mujoco.mjtGeom.mjGEOM_BOX,
                size=[0.008, 0.002, 0.012],
                pos=[0.036, sign * 0.010, 0.0],
                rgba=[0.1, 0.1, 0.1, 1.0],
                group=3,
                friction=[1.0, 0.005, 0.0001],
                condim=4,
            )

    target = np.asarray(preset.target if preset.target is not None else (slot_x, 0.0, 0.0))
    distance = preset.distance if preset.distance is not None else profile.camera_distance
    el, az = math.radians(preset.elevation_deg), math.radians(preset.azimuth_deg)
    forward = np.array([math.cos(el) * math.cos(az), math.cos(el) * math.sin(az), -math.sin(el)])
    cam_pos = target - distance * forward
    world.add_camera(
        name=THIRD_PERSON,
        pos=cam_pos.tolist(),
        xyaxes=_look_at(tuple(cam_pos), target),
        fovy=preset.fovy_deg,
    )
    if config.wrist_camera:
        # Looks along the approach axis from behind the fingers.
        approach = np.asarray(profile.approach_axis)
        finger = np.asarray(profile.finger_axis)
        ee_body.add_camera(
            name=WRIST,
            pos=(np.asarray(profile.ee_offset) - 0.09 * approach).tolist(),
            xyaxes=[*finger.tolist(), *np.cross(-approach, finger).tolist()],
            fovy=75.0,
        )

    try:
        model = spec.compile()
    except Exception as exc:
        raise SimulationError(f"scene failed to compile: {exc}") from exc
    return _collect_ids(model, profile, config, tile_yaw, slots)


def _collect_ids(
    model: mujoco.MjModel,
    profile: RobotProfile,
    config: SimConfig,
    tile_yaw: float,
    slots: tuple[tuple[float, float], ...],
) -> Scene:
    def jid(name: str) -> int:
        return mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_JOINT, name)

    def aid(name: str) -> int:
        return mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_ACTUATOR, name)

    def bid(name: str) -> int:
        return mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_BODY, name)

    arm_j = [jid(n) for n in profile.arm_joints]
    gripper_body_ids = {bid(n) for n in profile.gripper_bodies}
    gripper_geoms = np.array(
        [g for g in range(model.ngeom) if model.geom_bodyid[g] in gripper_body_ids], dtype=np.int32
    )
    cube_joint = jid("cube")
    tiles = [bid(n) for n in TILE_NAMES]
    texs = [mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_TEXTURE, n) for n in TILE_NAMES]
    return Scene(
        model=model,
        profile=profile,
        arm_qpos_adr=np.array([model.jnt_qposadr[j] for j in arm_j]),
        arm_dof_adr=np.array([model.jnt_dofadr[j] for j in arm_j]),
        arm_ctrl=np.array([aid(n) for n in profile.arm_actuators]),
        arm_range=np.array([model.jnt_range[j] for j in arm_j]),
        gripper_ctrl=aid(profile.gripper_actuator),
        finger_qpos_adr=int(model.jnt_qposadr[jid(profile.finger_joint)]),
        finger_open=tuple(
            (int(model.jnt_qposadr[jid(n)]), v) for n, v in profile.finger_joints_open
        ),
        ee_site=mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_SITE, "ee"),
        cube_body=bid("cube"),
        cube_geom=mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_GEOM, "cube"),
        cube_qpos_adr=int(model.jnt_qposadr[cube_joint]),
        cube_dof_adr=int(model.jnt_dofadr[cube_joint]),
        gripper_geoms=gripper_geoms,
        tile_mocap=(int(model.body_mocapid[tiles[0]]), int(model.body_mocapid[tiles[1]])),
        tile_tex=(texs[0], texs[1]),
        tile_yaw=tile_yaw,
        tile_slots=(slots[0], slots[1]),
        camera=mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_CAMERA, THIRD_PERSON),
        camera_fovy=config.camera.fovy_deg,
        wrist_camera=mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_CAMERA, WRIST),
    )
