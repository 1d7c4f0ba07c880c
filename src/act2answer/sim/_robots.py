"""Per-robot constants: which Menagerie model, joints, gripper and workspace."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RobotProfile:
    """How the tabletop scene uses one Menagerie arm.

    Attributes:
        menagerie_name: Robot name in ``mujoco_menagerie``.
        entry: Entry point (MJCF file stem) of the robot.
        arm_joints: Joints driven by IK, base to wrist.
        arm_actuators: Position actuators of those joints, same order.
        gripper_actuator: Actuator that opens/closes the gripper.
        gripper_open_ctrl: Control value that opens the gripper.
        gripper_close_ctrl: Control value that closes it.
        finger_joint: Slide joint whose position measures the opening.
        finger_open_qpos: That joint's position when fully open.
        finger_closed_qpos: ... and when fully closed.
        finger_joints_open: ``(joint, qpos)`` of every finger joint when open.
        ee_body: Body carrying the grasp site.
        ee_offset: Grasp point (cube centre) in the ee body frame, metres.
        approach_axis: Direction the gripper points, in the ee body frame.
        finger_axis: Direction the fingers close along, in the ee body frame.
        gripper_bodies: Bodies whose contact with the cube means "held".
        tile_slot_x: Nominal x of both tile centres, metres.
        tile_slot_y: Nominal |y| of the tile centres, metres.
        start_position: Nominal start ee position, metres.
        workspace_low: Lower corner of the box the ee target is clipped to.
        workspace_high: Upper corner of that box.
        camera_distance: Camera distance for the default camera preset.
        fingertip_pads: Add flat box pads on the finger tips (WidowX).
        home_qpos: Arm joint seed for the first IK solve.
        physics_timestep: Default physics step, seconds: the largest step whose
            placements match 2 ms ones (``benchmarks/physics_timestep_check.py``).
    """

    menagerie_name: str
    entry: str
    arm_joints: tuple[str, ...]
    arm_actuators: tuple[str, ...]
    gripper_actuator: str
    gripper_open_ctrl: float
    gripper_close_ctrl: float
    finger_joint: str
    finger_open_qpos: float
    finger_closed_qpos: float
    finger_joints_open: tuple[tuple[str, float], ...]
    ee_body: str
    ee_offset: tuple[float, float, float]
    approach_axis: tuple[float, float, float]
    finger_axis: tuple[float, float, float]
    gripper_bodies: tuple[str, ...]
    tile_slot_x: float
    tile_slot_y: float
    start_position: tuple[float, float, float]
    workspace_low: tuple[float, float, float]
    workspace_high: tuple[float, float, float]
    camera_distance: float
    fingertip_pads: bool
    home_qpos: tuple[float, ...]
    physics_timestep: float


WIDOWX = RobotProfile(
    menagerie_name="trossen_wx250s",
    entry="wx250s",
    arm_joints=("waist", "shoulder", "elbow", "forearm_roll", "wrist_angle", "wrist_rotate"),
    arm_actuators=("waist", "shoulder", "elbow", "forearm_roll", "wrist_angle", "wrist_rotate"),
    gripper_actuator="gripper",
    gripper_open_ctrl=0.037,
    gripper_close_ctrl=0.015,
    finger_joint="left_finger",
    finger_open_qpos=0.037,
    finger_closed_qpos=0.015,
    finger_joints_open=(("left_finger", 0.037), ("right_finger", -0.037)),
    ee_body="wx250s/gripper_link",
    ee_offset=(0.102, 0.0, 0.0),
    approach_axis=(1.0, 0.0, 0.0),
    finger_axis=(0.0, 1.0, 0.0),
    gripper_bodies=("wx250s/gripper_link", "wx250s/left_finger_link", "wx250s/right_finger_link"),
    tile_slot_x=0.30,
    tile_slot_y=0.095,
    start_position=(0.17, -0.03, 0.21),
    workspace_low=(0.08, -0.35, 0.015),
    workspace_high=(0.45, 0.35, 0.30),
    camera_distance=0.50,
    fingertip_pads=True,
    home_qpos=(0.0, -0.3, 0.6, 0.0, 1.2, 0.0),
    # 30 substeps per 5 Hz control step: same outcomes as 2 ms, placements within 0.3 mm
    physics_timestep=1 / 150,
)

PANDA = RobotProfile(
    menagerie_name="franka_emika_panda",
    entry="panda",
    arm_joints=tuple(f"joint{i}" for i in range(1, 8)),
    arm_actuators=tuple(f"actuator{i}" for i in range(1, 8)),
    gripper_actuator="actuator8",
    gripper_open_ctrl=255.0,
    gripper_close_ctrl=0.0,
    finger_joint="finger_joint1",
    finger_open_qpos=0.04,
    finger_closed_qpos=0.0,
    finger_joints_open=(("finger_joint1", 0.04), ("finger_joint2", 0.04)),
    ee_body="hand",
    ee_offset=(0.0, 0.0, 0.1034),
    approach_axis=(0.0, 0.0, 1.0),
    finger_axis=(0.0, 1.0, 0.0),
    gripper_bodies=("hand", "left_finger", "right_finger"),
    tile_slot_x=0.50,
    tile_slot_y=0.10,
    start_position=(0.42, 0.0, 0.20),
    workspace_low=(0.25, -0.40, 0.015),
    workspace_high=(0.70, 0.40, 0.45),
    camera_distance=0.80,
    fingertip_pads=False,
    home_qpos=(0.0, 0.0, 0.0, -1.57079, 0.0, 1.57079, -0.7853),
    physics_timestep=0.002,  # its placements move by 7 mm at 5 ms, 42 mm at 1/150 s
)

PROFILES: dict[str, RobotProfile] = {"widowx": WIDOWX, "panda": PANDA}
