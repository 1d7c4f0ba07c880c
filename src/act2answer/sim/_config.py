"""Simulator configuration: one frozen, JSON-serialisable pydantic model."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class CameraPreset(BaseModel):
    """A look-at camera and the tile rotation that shows images upright in it.

    The camera looks at ``target`` from ``distance`` metres away, along a
    direction pitched ``elevation_deg`` below the horizon and turned
    ``azimuth_deg`` from the base +x axis (positive turns towards +y, so a
    positive azimuth puts the camera over the robot's right shoulder, looking
    forward and to the left). Tiles are yawed so that an image's top edge points
    away from the camera; images then read upright.

    Attributes:
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

    target: tuple[float, float, float] | None = None
    distance: float | None = Field(None, gt=0.0)
    elevation_deg: float = Field(42.0, gt=0.0, lt=90.0)
    azimuth_deg: float = 27.0
    fovy_deg: float = Field(42.0, gt=1.0, lt=170.0)


class SimConfig(BaseModel):
    """Everything that defines the tabletop simulation.

    Attributes:
        robot: ``"widowx"`` (Trossen WidowX 250 S, default) or ``"panda"``.
        camera_width: Third-person image width in pixels.
        camera_height: Third-person image height in pixels.
        camera: Third-person camera preset (Bridge-like view by default).
        wrist_camera: Whether a wrist camera is built into the scene.
        wrist_width: Wrist image width in pixels.
        wrist_height: Wrist image height in pixels.
        control_hz: Policy control rate, Hz.
        physics_timestep: Physics step, seconds; ``1 / (control_hz *
            physics_timestep)`` must be a whole number of substeps.
        max_steps: Control steps before the episode is truncated.
        gripper_hold_steps: The gripper is forced closed for this many steps.
        tile_size: Edge length of the square answer tiles, metres.
        tile_thickness: Tile thickness, metres.
        cube_size: Edge length of the carried cube, metres.
        cube_mass: Cube mass, kg.
        cube_friction: Sliding friction of the cube (0.5-1 grips well).
        tile_jitter: Each tile centre moves uniformly within +- this (x and y), m.
        start_jitter: The start end-effector position moves uniformly within
            +- this (x, y and z), metres.
        rest_speed: The cube is at rest below this linear speed, m/s.
        rest_angular_speed: ... and below this angular speed, rad/s.
        texture_size: Side of the square tile textures (256 or 512 pixels).
        shadows: Render shadows (slow on software GL).
        reflections: Render reflections (slow).
        multisampling: Multisample anti-aliasing (slow).
        skybox: Render the skybox.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    robot: Literal["widowx", "panda"] = "widowx"
    camera_width: int = Field(640, ge=16, le=4096)
    camera_height: int = Field(480, ge=16, le=4096)
    camera: CameraPreset = CameraPreset()
    wrist_camera: bool = False
    wrist_width: int = Field(224, ge=16, le=4096)
    wrist_height: int = Field(224, ge=16, le=4096)
    control_hz: float = Field(5.0, gt=0.0)
    physics_timestep: float = Field(0.002, gt=0.0, le=0.01)
    max_steps: int = Field(80, ge=1)
    gripper_hold_steps: int = Field(15, ge=0)
    tile_size: float = Field(0.11, gt=0.0)
    tile_thickness: float = Field(0.006, gt=0.0)
    cube_size: float = Field(0.035, gt=0.0, le=0.045)
    cube_mass: float = Field(0.03, gt=0.0)
    cube_friction: float = Field(1.0, gt=0.0)
    tile_jitter: float = Field(0.02, ge=0.0)
    start_jitter: float = Field(0.01, ge=0.0)
    rest_speed: float = Field(0.01, gt=0.0)
    rest_angular_speed: float = Field(0.5, gt=0.0)
    texture_size: Literal[256, 512] = 256
    shadows: bool = False
    reflections: bool = False
    multisampling: bool = False
    skybox: bool = False

    @model_validator(mode="after")
    def _check_substeps(self) -> SimConfig:
        ratio = 1.0 / (self.control_hz * self.physics_timestep)
        if abs(ratio - round(ratio)) > 1e-6 or round(ratio) < 1:
            raise ValueError(
                f"1 / (control_hz * physics_timestep) must be a whole number, got {ratio:.6g}"
            )
        return self

    @property
    def substeps(self) -> int:
        """Physics steps per control step."""
        return round(1.0 / (self.control_hz * self.physics_timestep))
