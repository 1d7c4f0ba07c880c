"""Simulator configuration: scene presets as data, and one frozen, JSON-serialisable config.

Frames: everything is in the robot's base frame (+x forward, +y to the robot's
left, +z up) with the origin on the table top straight above (or below) the
base link origin, so the table top is z = 0. The reference scene's base link
is level with the surface its tiles rest on (``ScenePreset.robot_base_z = 0``;
see ``reference_camera.STAGE_TOP_Z``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class CameraPreset(BaseModel):
    """A look-at camera and the tile rotation that shows images upright in it.

    The camera looks at ``target`` from ``distance`` metres away, along a
    direction pitched ``elevation_deg`` below the horizon and turned
    ``azimuth_deg`` from the base +x axis (positive turns towards +y, so a
    positive azimuth puts the camera over the robot's right shoulder, looking
    forward and to the left).

    Attributes:
        kind: Discriminator, always ``"look_at"``.
        target: Point the camera looks at, base frame, metres. ``None`` uses the
            midpoint between the robot's two tile slots.
        distance: Camera distance to the target, metres; ``None`` uses the
            robot's default (0.50 m WidowX, 0.80 m Panda).
        elevation_deg: Downward pitch of the view direction, degrees.
        azimuth_deg: Yaw of the view direction from base +x, degrees.
        fovy_deg: Vertical field of view for a 4:3 image, degrees. For other
            aspect ratios the field of view is widened so the horizontal extent
            of the 4:3 view still fits (never narrowed).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["look_at"] = "look_at"
    target: tuple[float, float, float] | None = None
    distance: float | None = Field(None, gt=0.0)
    elevation_deg: float = Field(42.0, gt=0.0, lt=90.0)
    azimuth_deg: float = 27.0
    fovy_deg: float = Field(42.0, gt=1.0, lt=170.0)


class MountedCamera(BaseModel):
    """A pinhole camera fixed to the robot's base link, as SAPIEN/ManiSkill mounts it.

    The pose follows the SAPIEN convention (the camera looks along its own +x,
    +y left, +z up); the scene converts it to MuJoCo's (looks along -z, +y up).
    Frames of any other size are the same pinhole image scaled to that size
    (like resizing the 640x480 frame), so a 224x224 observation is the
    reference frame squashed, as VLA pre-processing does.

    Attributes:
        kind: Discriminator, always ``"mounted"``.
        position: Camera position in the base-link frame, metres.
        quat_wxyz: Camera orientation in the base-link frame, (w, x, y, z).
        width: Native image width, pixels.
        height: Native image height, pixels.
        fx: Focal length, pixels.
        fy: Focal length, pixels.
        cx: Principal point column, pixels.
        cy: Principal point row, pixels.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["mounted"] = "mounted"
    position: tuple[float, float, float]
    quat_wxyz: tuple[float, float, float, float]
    width: int = Field(640, ge=16)
    height: int = Field(480, ge=16)
    fx: float = Field(gt=0.0)
    fy: float = Field(gt=0.0)
    cx: float
    cy: float


class DirectionalLight(BaseModel):
    """A directional light, base frame.

    Attributes:
        direction: Direction the light travels.
        diffuse: Diffuse intensity (grey).
        specular: Specular intensity (grey): highlights on shiny materials.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    direction: tuple[float, float, float]
    diffuse: float = Field(ge=0.0)
    specular: float = Field(0.0, ge=0.0)


class TableTop(BaseModel):
    """The table top as a rectangle in the base frame, turned by ``yaw_deg``.

    Edges are signed distances from the base-link origin along the table's own
    axes: its x axis is base +x turned by ``yaw_deg`` about z (forward), its y
    axis points to the robot's left.

    Attributes:
        far: Far edge (away from the robot), metres along the table's x.
        near: Near edge (behind the robot's base), metres along the table's x.
        left: Left edge, metres along the table's y.
        right: Right edge, metres along the table's y.
        yaw_deg: Yaw of the table's axes from the base axes, degrees.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    far: float
    near: float
    left: float
    right: float
    yaw_deg: float = 0.0

    @model_validator(mode="after")
    def _check(self) -> TableTop:
        if self.far <= self.near or self.left <= self.right:
            raise ValueError("table edges must satisfy far > near and left > right")
        return self


class RobotLook(BaseModel):
    """Material of the robot model (applied to every material the model defines).

    Attributes:
        specular: MuJoCo material specular (0..1).
        shininess: MuJoCo material shininess (0..1; high = small, sharp highlights).
        rgba: Material colour, multiplies the model's texture; None keeps the model's.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    specular: float = Field(0.5, ge=0.0, le=1.0)
    shininess: float = Field(0.5, ge=0.0, le=1.0)
    rgba: tuple[float, float, float, float] | None = None


#: Tile side colour taken from the face image (see :class:`TileStyle`).
IMAGE_EDGE = "image_edge"

Rgba = tuple[float, float, float, float]


class TileStyle(BaseModel):
    """Size and side colour of the answer tiles of one category (asset set).

    Attributes:
        size: Edge length of the square tile, metres (rendered and physical).
        side_rgba: Colour of the side and bottom faces: an RGBA, ``"image_edge"``
            (the colour at the face image's edge, as the study's tile mesh takes
            one texel of the face texture on its sides) or None (the image wraps
            onto the sides, MuJoCo box mapping).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    size: float = Field(gt=0.0, le=0.3)
    side_rgba: Rgba | Literal["image_edge"] | None = IMAGE_EDGE


def category_key(category: str) -> str:
    """Normalised category name for style look-ups (``"Public Info"`` -> ``"public_info"``)."""
    return "_".join(category.lower().replace("-", " ").replace("_", " ").split())


class ScenePreset(BaseModel):
    """Everything that defines what the scene looks like and where things are.

    Attributes:
        name: Preset name (``reference``, ``legacy`` or a user's own).
        robot: Robot the preset was made for, or None for any robot.
        tile_left_xy: Left tile centre, base frame; None: the robot's default slot.
        tile_right_xy: Right tile centre; None: the robot's default slot.
        tile_size: Edge length of the square answer tiles, metres.
        tile_thickness: Tile thickness, metres.
        tile_yaw_deg: Yaw of the tiles; an image's top edge points along the
            tile's local +y. None: turn it away from a look-at camera.
        tile_jitter: Each tile centre moves uniformly within +- this (x and y), m.
        cube_size: Edge length of the carried cube, metres.
        cube_mass: Cube mass, kg.
        cube_friction: Sliding friction of the cube.
        cube_rgba: Cube colour.
        table_rgba: Colour of the rendered table (hidden under a background photo).
        table: Table-top rectangle; None: a table around the tile slots.
        robot_look: Robot material; None: the robot model's own materials.
        tile_side_rgba: Colour of the tiles' side and bottom faces; ``"image_edge"``:
            the colour at the face image's edge; None: the image texture wraps
            onto them (MuJoCo box mapping).
        tile_styles: Tile size and side colour per item category (keys as
            :func:`category_key` writes them); other categories use
            ``tile_size`` and ``tile_side_rgba``. An item's own
            ``meta["tile_edge_m"]`` overrides the size.
        robot_base_z: Height of the robot's base-link origin relative to the table top.
        start_qpos: Arm joints at reset; None: IK to the robot's start position.
        start_jitter: The start end-effector position moves uniformly within
            +- this (x, y and z), metres.
        grasp_steps: Scripted control steps of zero motion with the gripper
            closed, run inside ``reset`` before the first observation.
        gripper_command: How the action's gripper number drives the fingers:
            ``"binary"`` (<= 0 closes, > 0 opens) or ``"continuous"`` (the
            study's ``gripper_pd_joint_pos`` with ``normalize_action``: -1..+1
            maps linearly onto the finger target from closed - 1 mm to open +
            1 mm, so 0 is half open).
        rotation_delta: How the action's three rotation numbers turn the target:
            ``"rpy"`` (act2answer's convention: extrinsic roll-pitch-yaw; our
            adapters convert policies' axis-angle to it) or ``"euler_xyz"`` (the
            study's controller: intrinsic XYZ Euler angles, R = Rx Ry Rz, applied
            in the base frame), for policies fed raw in the study's convention.
        workspace_clip: Clip the accumulated end-effector target to the robot's
            workspace box (the study does not; see docs/concepts/reference-fidelity.md).
        dynamic_tiles: Tiles are free bodies a policy can push (as the study's:
            density 6368 kg/m^3, friction 1); False: fixed (mocap) tiles.
        camera: Third-person camera: what the policy observes.
        human_camera: A second mounted camera for videos (``env.render("human")``),
            or None. The reference preset's is the study's 512x512 human view.
        ambient: Ambient light (grey).
        lights: Directional lights.
        headlight: Diffuse intensity of MuJoCo's camera headlight.
        robot_light: Keep the light that comes with the robot model.
        tile_emission: Tile material emission (keeps images readable).
        background: Default photo for visual matching (a name in the
            background cache or a path), or None for the rendered table.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    robot: Literal["widowx", "panda"] | None = None
    tile_left_xy: tuple[float, float] | None = None
    tile_right_xy: tuple[float, float] | None = None
    tile_size: float = Field(0.11, gt=0.0)
    tile_thickness: float = Field(0.006, gt=0.0)
    tile_yaw_deg: float | None = None
    tile_jitter: float = Field(0.02, ge=0.0)
    cube_size: float = Field(0.035, gt=0.0, le=0.045)
    cube_mass: float = Field(0.03, gt=0.0)
    cube_friction: float = Field(1.0, gt=0.0)
    cube_rgba: tuple[float, float, float, float] = (0.85, 0.15, 0.12, 1.0)
    table_rgba: tuple[float, float, float, float] = (0.62, 0.55, 0.47, 1.0)
    table: TableTop | None = None
    robot_look: RobotLook | None = None
    tile_side_rgba: Rgba | Literal["image_edge"] | None = None
    tile_styles: dict[str, TileStyle] = Field(default_factory=dict)
    robot_base_z: float = 0.0
    start_qpos: tuple[float, ...] | None = None
    start_jitter: float = Field(0.01, ge=0.0)
    grasp_steps: int = Field(0, ge=0)
    gripper_command: Literal["binary", "continuous"] = "binary"
    rotation_delta: Literal["rpy", "euler_xyz"] = "rpy"
    workspace_clip: bool = True
    dynamic_tiles: bool = False
    camera: CameraPreset | MountedCamera = Field(default_factory=CameraPreset, discriminator="kind")
    human_camera: MountedCamera | None = None
    ambient: float = Field(0.45, ge=0.0)
    lights: tuple[DirectionalLight, ...] = (DirectionalLight(direction=(0, 0, -1), diffuse=0.5),)
    headlight: float = Field(0.45, ge=0.0)
    robot_light: bool = True
    tile_emission: float = Field(0.35, ge=0.0)
    background: str | None = None

    @model_validator(mode="after")
    def _style_keys(self) -> ScenePreset:
        for key in self.tile_styles:
            if key != category_key(key):
                raise ValueError(f"tile_styles key {key!r} must be written {category_key(key)!r}")
        return self

    @property
    def max_tile_size(self) -> float:
        """The largest tile any category of this preset may show, metres."""
        return max([self.tile_size, *(style.size for style in self.tile_styles.values())])

    def tile_style_for(self, category: str | None, size: float | None = None) -> TileStyle:
        """Tile style of one item: its category's, else the preset's defaults.

        Args:
            category: The item's category (None: the preset's defaults).
            size: The item's own tile size, metres, if it states one (overrides).
        """
        default = TileStyle(size=self.tile_size, side_rgba=self.tile_side_rgba)
        style = self.tile_styles.get(category_key(category), default) if category else default
        return style if size is None else style.model_copy(update={"size": size})


def _world_to_base(x: float, y: float) -> tuple[float, float]:
    """Reference world xy -> base xy: base at (0.147, 0.028), turned 180 degrees about z."""
    return (round(-(x - 0.147), 6), round(-(y - 0.028), 6))


#: The policy's camera: ``3rd_view_camera`` of ``WidowX250SBridgeDatasetFlatTable``
#: (haosulab/ManiSkill @ 039f80d1, mani_skill/envs/tasks/digital_twins/bridge_dataset_eval/
#: base_env.py; same in SimplerEnv agents/configs/widowx/defaults.py), C920 intrinsics.
_BRIDGE_3RD_VIEW_CAMERA = MountedCamera(
    position=(0.0, -0.16, 0.36),
    quat_wxyz=(0.8992917, -0.09263245, 0.35892478, 0.23209205),
    width=640,
    height=480,
    fx=623.588,
    fy=623.588,
    cx=319.501,
    cy=239.545,
)

#: The scene of the reference study's ``Act2AnswerV4-v1`` (see the README table for sources).
REFERENCE_SCENE = ScenePreset(
    name="reference",
    robot="widowx",
    tile_left_xy=_world_to_base(-0.25, -0.155),  # (0.397, 0.183)
    tile_right_xy=_world_to_base(-0.25, 0.155),  # (0.397, -0.127)
    tile_size=0.11,
    tile_thickness=0.006,
    tile_yaw_deg=-90.0,  # image top towards base +x (away from the camera), edges along the table
    tile_jitter=0.0,
    cube_size=0.03,
    cube_mass=0.005,  # reference: 1e-6 kg; MuJoCo needs a mass the contact solver can hold
    cube_friction=1.5,  # reference: static 50 / dynamic 30 (PhysX); see the README note
    cube_rgba=(200 / 255, 200 / 255, 200 / 255, 1.0),
    table_rgba=(0.45, 0.25, 0.15, 1.0),
    # The real table of bridge_real_eval_1.png: its far and left edges, found in the photo and
    # back-projected onto the stage top (z = 0.870) through the observation camera (a rectangle
    # fitted to both, max 1.0 px off the photo's edges; benchmarks/reference_figure.py
    # --fit-table). Through
    # this camera the edges come out square to the axes (0.39 deg; the -3.02 deg of an
    # earlier fit came from using the human-view camera). Near and right edges are out of
    # view: generous.
    table=TableTop(far=0.4908, near=-0.35, left=0.3220, right=-0.70, yaw_deg=0.39),
    # Base (z 0.870) level with the surface the study's tiles rest on: they are spawned at the
    # nominal TABLE_Z 0.88 but drop ~1 cm onto the stage (measured on the study's frames:
    # reference_camera.STAGE_TOP_Z); an earlier preset put the table at 0.88 (base_z -0.01)
    # and its tiles showed 7-10 px too high.
    robot_base_z=0.870 - 0.870,
    start_qpos=(-0.0184, 0.0399, 0.2224, -0.0046, 1.3652, 0.0015),
    start_jitter=0.0,
    grasp_steps=10,
    # arm_pd_ee_target_delta_pose_align2_gripper_pd_joint_pos: gripper lower 0.015 - 0.001,
    # upper 0.037 + 0.001, normalize_action=True (haosulab/ManiSkill @ 039f80d1, base_env.py).
    gripper_command="continuous",
    # Act2AnswerV4-v1 builds its tiles as dynamic actors (density 6368, friction 1.0); ours stay
    # fixed by default: a random-weight SmolVLA pinched dynamic tiles against the table and
    # flung them (8 of 40 episodes moved > 1 cm, one diverged at 150 Hz; see
    # docs/concepts/reference-fidelity.md). dynamic_tiles=True gives the study's behaviour.
    dynamic_tiles=False,
    camera=_BRIDGE_3RD_VIEW_CAMERA,
    # The env's 512x512 human view ("render_camera", _default_human_render_camera_configs,
    # same file; also in Act2Answer's put_on_in_scene_multi_v4.py): for videos only.
    human_camera=_BRIDGE_3RD_VIEW_CAMERA.model_copy(
        update={
            "position": (0.0, -0.16, 0.336),
            "quat_wxyz": (0.909182, -0.0819809, 0.347277, 0.214629),
            "width": 512,
            "height": 512,
        }
    ),
    ambient=0.3,
    # Reference world directions (0,0,-1), (-1,-0.5,-1), (1,1,-1) turned into the base
    # frame (x, y negated); intensities scaled from SAPIEN's 2.2 / 0.7 to MuJoCo's range.
    lights=(
        DirectionalLight(direction=(0.0, 0.0, -1.0), diffuse=0.9, specular=0.3),
        DirectionalLight(direction=(1.0, 0.5, -1.0), diffuse=0.3, specular=0.3),
        DirectionalLight(direction=(-1.0, -1.0, -1.0), diffuse=0.3, specular=0.3),
    ),
    headlight=0.0,
    robot_light=False,
    # Reference robot material: specular 0.9, roughness 0.3 (shininess ~ 1 - roughness); the
    # colour lifts the Menagerie's near-black texture to the dark grey of the study's frames.
    robot_look=RobotLook(specular=0.9, shininess=0.7, rgba=(1.3, 1.3, 1.3, 1.0)),
    # The 11 cm tile mesh (editor template, public_info_v1) takes one texel of the face image
    # on its sides: light sides on light images, as in the study's Traffic/Public Info frames.
    tile_side_rgba=IMAGE_EDGE,
    # Counting, Time and Symmetry sets were built on the 14.52 cm mesh (collision.obj
    # +-0.0726 in the study's editor template, tttonyalpha.github.io act2answer/editor/
    # asset-template @ 83cb0e7, and in yerincho04/YeahPick emotion_pilot_v1); their tiles
    # measure 12.9-13.4 cm on the study's page frames (best fit 14.52 cm) and show dark
    # sides. Scoring still uses the model_db bbox (+-0.055) under the reference rule.
    tile_styles={
        name: TileStyle(size=0.1452, side_rgba=(0.08, 0.08, 0.08, 1.0))
        for name in ("counting", "time", "symmetry")
    },
    tile_emission=0.3,
    background="bridge_real_eval_1.png",
)

#: The scene act2answer used before the reference environment was released.
LEGACY_SCENE = ScenePreset(name="legacy")

SCENE_PRESETS: dict[str, ScenePreset] = {"reference": REFERENCE_SCENE, "legacy": LEGACY_SCENE}


class SimConfig(BaseModel):
    """Everything that defines the tabletop simulation.

    Attributes:
        robot: ``"widowx"`` (Trossen WidowX 250 S, default) or ``"panda"``.
        scene: Scene preset, or a preset name (``reference`` or ``legacy``); default:
            the robot's (``reference`` for the WidowX, ``legacy`` for the Panda).
        camera_width: Third-person image width in pixels.
        camera_height: Third-person image height in pixels.
        background: Visual matching: ``"auto"`` (the scene's default photo),
            ``"none"`` (the rendered table), a background name or an image path.
        wrist_camera: Whether a wrist camera is built into the scene.
        wrist_width: Wrist image width in pixels.
        wrist_height: Wrist image height in pixels.
        control_hz: Policy control rate, Hz.
        physics_timestep: Physics step, seconds; ``1 / (control_hz *
            physics_timestep)`` must be a whole number of substeps. Default:
            the robot's (5 ms for the WidowX, 2 ms for the Panda; README
            "Throughput" says how they were chosen).
        max_steps: Policy steps per episode (the reference protocol runs exactly this many).
        early_stop: End an episode once the cube has been released and rests
            (a speed option; departs from the reference protocol).
        gripper_hold_steps: The gripper is forced closed for this many policy steps.
        tile_jitter: Override of the scene's tile jitter, metres.
        start_jitter: Override of the scene's start jitter, metres.
        rest_speed: The cube is at rest below this linear speed, m/s.
        rest_angular_speed: ... and below this angular speed, rad/s.
        texture_size: Side of the square tile textures (256 or 512 pixels).
        shadows: Render shadows (main light only; +5 ms per 640x480 frame on software GL).
        reflections: Render reflections (slow).
        multisampling: Multisample anti-aliasing (slow).
        skybox: Render the skybox.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    robot: Literal["widowx", "panda"] = "widowx"
    scene: ScenePreset = REFERENCE_SCENE
    camera_width: int = Field(640, ge=16, le=4096)
    camera_height: int = Field(480, ge=16, le=4096)
    background: str = "auto"
    wrist_camera: bool = False
    wrist_width: int = Field(224, ge=16, le=4096)
    wrist_height: int = Field(224, ge=16, le=4096)
    control_hz: float = Field(5.0, gt=0.0)
    physics_timestep: float = Field(None, gt=0.0, le=0.01, validate_default=False)
    max_steps: int = Field(80, ge=1)
    early_stop: bool = False
    gripper_hold_steps: int = Field(15, ge=0)
    tile_jitter: float | None = Field(None, ge=0.0)
    start_jitter: float | None = Field(None, ge=0.0)
    rest_speed: float = Field(0.01, gt=0.0)
    rest_angular_speed: float = Field(0.5, gt=0.0)
    texture_size: Literal[256, 512] = 256
    shadows: bool = False
    reflections: bool = False
    multisampling: bool = False
    skybox: bool = False

    @model_validator(mode="before")
    @classmethod
    def _robot_timestep(cls, values: Any) -> Any:
        if isinstance(values, dict) and values.get("physics_timestep") is None:
            from act2answer.sim._robots import PROFILES

            profile = PROFILES.get(values.get("robot", "widowx"))
            if profile is not None:  # an unknown robot is reported by its own field
                values = {**values, "physics_timestep": profile.physics_timestep}
        return values

    @model_validator(mode="before")
    @classmethod
    def _scene_by_name(cls, values: Any) -> Any:
        if isinstance(values, dict) and values.get("scene") is None:
            # The robot's default scene: the reference scene is made for the WidowX.
            robot = values.get("robot", "widowx")
            values = {**values, "scene": "legacy" if robot == "panda" else "reference"}
        if isinstance(values, dict) and isinstance(values.get("scene"), str):
            name = values["scene"]
            if name not in SCENE_PRESETS:
                raise ValueError(f"unknown scene {name!r}; known: {', '.join(SCENE_PRESETS)}")
            values = {**values, "scene": SCENE_PRESETS[name]}
        return values

    @model_validator(mode="after")
    def _check(self) -> SimConfig:
        ratio = 1.0 / (self.control_hz * self.physics_timestep)
        if abs(ratio - round(ratio)) > 1e-6 or round(ratio) < 1:
            raise ValueError(
                f"1 / (control_hz * physics_timestep) must be a whole number, got {ratio:.6g}"
            )
        if self.scene.robot is not None and self.scene.robot != self.robot:
            raise ValueError(
                f"scene {self.scene.name!r} is made for robot {self.scene.robot!r}, not "
                f"{self.robot!r}; use scene='legacy' for other robots"
            )
        return self

    @property
    def substeps(self) -> int:
        """Physics steps per control step."""
        return round(1.0 / (self.control_hz * self.physics_timestep))

    @property
    def tile_size(self) -> float:
        """Tile edge length of the scene, metres."""
        return self.scene.tile_size

    @property
    def tile_thickness(self) -> float:
        """Tile thickness of the scene, metres."""
        return self.scene.tile_thickness

    @property
    def cube_size(self) -> float:
        """Cube edge length of the scene, metres."""
        return self.scene.cube_size

    @property
    def effective_tile_jitter(self) -> float:
        """Tile jitter in use (override or the scene's)."""
        return self.scene.tile_jitter if self.tile_jitter is None else self.tile_jitter

    @property
    def effective_start_jitter(self) -> float:
        """Start jitter in use (override or the scene's)."""
        return self.scene.start_jitter if self.start_jitter is None else self.start_jitter

    @property
    def background_source(self) -> str | None:
        """The background photo to composite, or None (``"auto"`` resolved)."""
        if self.background == "auto":
            return self.scene.background
        return None if self.background == "none" else self.background
