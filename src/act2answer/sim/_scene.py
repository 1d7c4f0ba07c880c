"""Build and compile the tabletop scene once, with MjSpec, from a Menagerie arm."""

from __future__ import annotations

import math
from dataclasses import dataclass

import mujoco
import numpy as np

from act2answer.errors import SimulationError
from act2answer.sim._config import CameraPreset, MountedCamera, SimConfig, TableTop
from act2answer.sim._robots import PROFILES, RobotProfile

THIRD_PERSON = "third_person"
WRIST = "wrist"
#: The preset's second mounted camera, for videos (the study's 512x512 human view).
HUMAN = "human"
TILE_NAMES = ("tile_left", "tile_right")
#: Geom group of the table: hidden when a background photo replaces it (visual matching).
TABLE_GROUP = 1
#: Shadow map side (MuJoCo's default 4096 costs ~15x more per frame on software GL).
SHADOW_MAP_SIZE = 1024
#: Tile density of the study's asset sets (model_db.json ``density``), kg/m^3: ~0.46 kg at 11 cm.
TILE_DENSITY = 6368.0
#: Half thickness of the textured skin on a tile with plain sides (0.2 mm: < 0.3 px in view).
TILE_FACE_HALF_THICKNESS = 0.0001


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
        tile_mocap: Mocap ids of the left and right tiles (-1 for dynamic tiles).
        tile_bodies: Body ids of the left and right tiles.
        tile_qpos_adr: First qpos address of each dynamic tile's free joint (-1: fixed).
        tile_dof_adr: First dof address of each dynamic tile's free joint (-1: fixed).
        tile_tex: Texture ids of the left and right tiles.
        tile_geoms: Geom ids of each tile's body and, with plain sides, its face
            skin (left first); -1 where a tile has no skin.
        tile_yaw: Yaw of the tiles so their images read upright in the camera.
        tile_slots: Nominal ``(x, y)`` of the left and right tile centres.
        camera: Third-person camera id.
        camera_fovy: Its 4:3 vertical field of view, degrees.
        camera_native: ``(width, height)`` of a mounted camera's native image,
            or None for a look-at camera.
        table_geom: Table geom id.
        wrist_camera: Wrist camera id, or -1.
        human_camera: Human-view camera id (the preset's ``human_camera``), or -1.
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
    tile_bodies: tuple[int, int]
    tile_qpos_adr: tuple[int, int]
    tile_dof_adr: tuple[int, int]
    tile_tex: tuple[int, int]
    tile_geoms: tuple[tuple[int, int], tuple[int, int]]
    tile_yaw: float
    tile_slots: tuple[tuple[float, float], tuple[float, float]]
    camera: int
    camera_fovy: float
    camera_native: tuple[int, int] | None
    table_geom: int
    wrist_camera: int
    human_camera: int


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
        config: Simulator configuration (its ``scene`` preset says where things go).

    Returns:
        The compiled scene with its ids.

    Raises:
        SimulationError: the robot model cannot be loaded or compiled.
    """
    profile = PROFILES[config.robot]
    preset = config.scene
    spec = _load_robot(profile)

    if preset.robot_look is not None:  # before the scene adds its own materials
        for material in spec.materials:
            material.specular = preset.robot_look.specular
            material.shininess = preset.robot_look.shininess
            if preset.robot_look.rgba is not None:
                material.rgba = list(preset.robot_look.rgba)

    spec.option.timestep = config.physics_timestep
    spec.option.cone = mujoco.mjtCone.mjCONE_ELLIPTIC
    spec.option.impratio = 10.0
    for key in list(spec.keys):
        spec.delete(key)

    vis = spec.visual
    vis.quality.offsamples = 4 if config.multisampling else 0
    vis.quality.shadowsize = SHADOW_MAP_SIZE
    human_size = (
        (preset.human_camera.width, preset.human_camera.height) if preset.human_camera else (0, 0)
    )
    vis.global_.offwidth = max(640, config.camera_width, config.wrist_width, human_size[0])
    vis.global_.offheight = max(480, config.camera_height, config.wrist_height, human_size[1])
    vis.headlight.ambient = [preset.ambient] * 3
    vis.headlight.diffuse = [preset.headlight] * 3
    vis.headlight.specular = [0.0, 0.0, 0.0]
    for light in spec.lights:
        light.castshadow = config.shadows and preset.robot_light
        light.active = preset.robot_light

    world = spec.worldbody
    for body in spec.bodies:
        if body.name != "world":
            body.gravcomp = 1.0
    if preset.robot_base_z != 0.0:
        for body in world.bodies:
            body.pos = [body.pos[0], body.pos[1], body.pos[2] + preset.robot_base_z]

    default_slot = (profile.tile_slot_x, profile.tile_slot_y)
    left_xy = preset.tile_left_xy or default_slot
    right_xy = preset.tile_right_xy or (default_slot[0], -default_slot[1])
    slots = (tuple(left_xy), tuple(right_xy))
    centre_x = (left_xy[0] + right_xy[0]) / 2
    for index, light in enumerate(preset.lights):
        direction = np.asarray(light.direction, dtype=float)
        direction /= np.linalg.norm(direction)
        world.add_light(
            name=f"light{index}",
            type=mujoco.mjtLightType.mjLIGHT_DIRECTIONAL,
            pos=(np.array([centre_x, 0.0, 0.0]) - 1.5 * direction).tolist(),
            dir=direction.tolist(),
            diffuse=[light.diffuse] * 3,
            specular=[light.specular] * 3,
            castshadow=config.shadows and index == 0,  # one shadow map: the main light's
        )
    table_half, table_xy, table_yaw = _table_box(preset.table, centre_x)
    world.add_geom(
        name="table",
        type=mujoco.mjtGeom.mjGEOM_BOX,
        size=list(table_half),
        pos=[*table_xy, -table_half[2]],
        quat=[math.cos(table_yaw / 2), 0.0, 0.0, math.sin(table_yaw / 2)],
        rgba=list(preset.table_rgba),
        friction=[0.8, 0.005, 0.0001],
        group=TABLE_GROUP,
    )

    # Tiles: mocap bodies (moved at reset), yawed so images read upright.
    camera = preset.camera
    if preset.tile_yaw_deg is not None:
        tile_yaw = math.radians(preset.tile_yaw_deg)
    elif isinstance(camera, CameraPreset):
        tile_yaw = math.radians(camera.azimuth_deg - 90.0)
    else:
        tile_yaw = 0.0
    tile_quat = [math.cos(tile_yaw / 2), 0.0, 0.0, math.sin(tile_yaw / 2)]
    size = config.texture_size
    # Built at the largest size any category uses; set_tiles sets each episode's size.
    half = preset.max_tile_size / 2
    plain_sides = preset.tile_side_rgba is not None or any(
        style.side_rgba is not None for style in preset.tile_styles.values()
    )
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
            emission=preset.tile_emission,
        )
        material.textures[mujoco.mjtTextureRole.mjTEXROLE_RGB] = name
        dynamic = preset.dynamic_tiles
        tile = world.add_body(name=name, mocap=not dynamic, pos=[x, y, 0.0], quat=tile_quat)
        if dynamic:
            tile.add_freejoint(name=name)
        body = tile.add_geom(
            name=name,
            type=mujoco.mjtGeom.mjGEOM_BOX,
            material=name,
            size=[half, half, preset.tile_thickness / 2],
            pos=[0.0, 0.0, preset.tile_thickness / 2],
            friction=[1.0, 0.005, 0.0001] if dynamic else [0.8, 0.005, 0.0001],
            density=TILE_DENSITY,
        )
        if plain_sides:
            # Plain sides (as the reference tile mesh): the body is one colour (set per
            # episode by set_tiles) and the image is a visual-only skin on its top face,
            # too thin for its own sides to show.
            body.material = ""
            body.rgba = [0.5, 0.5, 0.5, 1.0]
            tile.add_geom(
                name=f"{name}_face",
                type=mujoco.mjtGeom.mjGEOM_BOX,
                material=name,
                size=[half, half, TILE_FACE_HALF_THICKNESS],
                pos=[0.0, 0.0, preset.tile_thickness + TILE_FACE_HALF_THICKNESS],
                contype=0,
                conaffinity=0,
                mass=0.0,
            )

    cube = world.add_body(name="cube", pos=[centre_x, 0.0, 0.3])
    cube.add_freejoint(name="cube")
    cube_half = preset.cube_size / 2
    cube.add_geom(
        name="cube",
        type=mujoco.mjtGeom.mjGEOM_BOX,
        size=[cube_half] * 3,
        mass=preset.cube_mass,
        rgba=list(preset.cube_rgba),
        condim=4,
        friction=[preset.cube_friction, 0.005, 0.0001],
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

    if isinstance(camera, MountedCamera):
        cam_pos, xyaxes = mounted_camera_pose(camera, preset.robot_base_z)
        fovy = math.degrees(2.0 * math.atan(camera.height / 2.0 / camera.fy))
        native: tuple[int, int] | None = (camera.width, camera.height)
    else:
        target = np.asarray(camera.target if camera.target is not None else (centre_x, 0.0, 0.0))
        distance = camera.distance if camera.distance is not None else profile.camera_distance
        el, az = math.radians(camera.elevation_deg), math.radians(camera.azimuth_deg)
        forward = np.array(
            [math.cos(el) * math.cos(az), math.cos(el) * math.sin(az), -math.sin(el)]
        )
        cam_pos = target - distance * forward
        xyaxes = _look_at(tuple(cam_pos), target)
        fovy = camera.fovy_deg
        native = None
    third = world.add_camera(name=THIRD_PERSON, pos=list(cam_pos), xyaxes=list(xyaxes), fovy=fovy)
    if isinstance(camera, MountedCamera):
        _set_pinhole(third, camera)
    if preset.human_camera is not None:
        human_pos, human_axes = mounted_camera_pose(preset.human_camera, preset.robot_base_z)
        human = world.add_camera(name=HUMAN, pos=list(human_pos), xyaxes=list(human_axes))
        _set_pinhole(human, preset.human_camera)
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
    return _collect_ids(model, profile, tile_yaw, slots, fovy, native)


def _set_pinhole(camera_spec: mujoco.MjsCamera, camera: MountedCamera) -> None:
    """Give a MuJoCo camera a mounted camera's pinhole intrinsics, in pixel units.

    The frustum then no longer depends on the viewport, so any render size is
    the native image scaled (squashed) to it. MuJoCo's principal-point entries
    are offsets of the image content from the centre, positive to the left and up.
    """
    camera_spec.sensor_size = [camera.width, camera.height]
    camera_spec.resolution = [camera.width, camera.height]
    camera_spec.focal_pixel = [camera.fx, camera.fy]
    camera_spec.principal_pixel = [
        (camera.width - 1) / 2 - camera.cx,
        (camera.height - 1) / 2 - camera.cy,
    ]


def _table_box(
    table: TableTop | None, centre_x: float
) -> tuple[tuple[float, float, float], tuple[float, float], float]:
    """Half sizes, centre xy and yaw (radians) of the table box, 4 cm thick."""
    if table is None:  # around the tile slots (the legacy scene)
        return (0.45 + centre_x / 2, 0.7, 0.02), (centre_x - 0.1, 0.0), 0.0
    yaw = math.radians(table.yaw_deg)
    along = ((table.far + table.near) / 2, (table.left + table.right) / 2)
    centre = (
        along[0] * math.cos(yaw) - along[1] * math.sin(yaw),
        along[0] * math.sin(yaw) + along[1] * math.cos(yaw),
    )
    return ((table.far - table.near) / 2, (table.left - table.right) / 2, 0.02), centre, yaw


def mounted_camera_pose(
    camera: MountedCamera, robot_base_z: float
) -> tuple[np.ndarray, list[float]]:
    """World position and MuJoCo ``xyaxes`` of a camera mounted on the base link.

    SAPIEN cameras look along their +x with +y left and +z up; MuJoCo cameras
    look along -z with +x right and +y up. So MuJoCo's x axis is SAPIEN's -y
    and MuJoCo's y axis is SAPIEN's +z. The base link sits ``robot_base_z``
    above the table-top origin, with axes equal to the world's.

    Args:
        camera: The mounted camera.
        robot_base_z: Height of the base-link origin in the world (table top = 0).

    Returns:
        ``(position, xyaxes)``.
    """
    rotation = np.zeros(9)
    mujoco.mju_quat2Mat(rotation, np.asarray(camera.quat_wxyz, dtype=float))
    rotation = rotation.reshape(3, 3)
    position = np.asarray(camera.position, dtype=float) + np.array([0.0, 0.0, robot_base_z])
    return position, [*(-rotation[:, 1]).tolist(), *rotation[:, 2].tolist()]


def _free_adr(model: mujoco.MjModel, name: str, qpos: bool) -> int:
    """qpos (or dof) address of a free joint, -1 when there is none."""
    joint = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_JOINT, name)
    if joint < 0:
        return -1
    return int(model.jnt_qposadr[joint] if qpos else model.jnt_dofadr[joint])


def _tile_geoms(model: mujoco.MjModel, name: str) -> tuple[int, int]:
    """Geom ids of a tile's body and its face skin (-1 when it has none)."""
    body = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_GEOM, name)
    return body, mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_GEOM, f"{name}_face")


def _collect_ids(
    model: mujoco.MjModel,
    profile: RobotProfile,
    tile_yaw: float,
    slots: tuple[tuple[float, ...], ...],
    fovy: float,
    native: tuple[int, int] | None,
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
        tile_bodies=(tiles[0], tiles[1]),
        tile_qpos_adr=(
            _free_adr(model, TILE_NAMES[0], True),
            _free_adr(model, TILE_NAMES[1], True),
        ),
        tile_dof_adr=(
            _free_adr(model, TILE_NAMES[0], False),
            _free_adr(model, TILE_NAMES[1], False),
        ),
        tile_tex=(texs[0], texs[1]),
        tile_geoms=(_tile_geoms(model, TILE_NAMES[0]), _tile_geoms(model, TILE_NAMES[1])),
        tile_yaw=tile_yaw,
        tile_slots=((slots[0][0], slots[0][1]), (slots[1][0], slots[1][1])),
        camera=mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_CAMERA, THIRD_PERSON),
        camera_fovy=fovy,
        camera_native=native,
        table_geom=mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_GEOM, "table"),
        wrist_camera=mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_CAMERA, WRIST),
        human_camera=mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_CAMERA, HUMAN),
    )
