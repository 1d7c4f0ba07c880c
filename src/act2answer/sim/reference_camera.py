"""The reference camera model of Act2AnswerV4-v1, in the reference world frame (numpy only).

Independent of our MuJoCo scene on purpose: it is what our rendered frames are
checked against, and its constants are copied from the upstream files, not from
our preset. The observation camera is ``3rd_view_camera`` (C920 intrinsics,
640x480) of the robot class ``WidowX250SBridgeDatasetFlatTable``, mounted on
the WidowX base link: haosulab/ManiSkill @ 039f80d1b50e00963d89e57b8ec4a7945740a2e5,
``mani_skill/envs/tasks/digital_twins/bridge_dataset_eval/base_env.py``
(``_sensor_configs``); the same pose is in SimplerEnv's
``mani_skill2_real2sim/agents/configs/widowx/defaults.py`` (written there as
``look_at([1, 0.553, -1.085])``, "aligns the sim table with
bridge_real_eval_1.png"). The env's 512x512 human-view camera ("render_camera",
``_default_human_render_camera_configs`` in the same file and in
CognitiveAISystems/Act2Answer @ d22e22fc ``put_on_in_scene_multi_v4.py``) has
another pose: :data:`RENDER_CAMERA_POSITION`, :data:`RENDER_CAMERA_QUAT_WXYZ`.
The base stands at (0.147, 0.028, 0.870) turned 180 degrees about z; the table
top is z = 0.88. SAPIEN cameras look along their +x with +y left and +z up.

The background photo ``bridge_real_eval_1.png`` was taken with this camera, so
the real table's edges seen in it, back-projected onto the table plane
(:data:`STAGE_TOP_Z`), give the table's edges in the reference world
(:func:`photo_table_edges`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The released env's nominal table top (``TABLE_Z`` in ``put_on_in_scene_multi_v4.py``):
#: tiles are spawned on it and the cube spawn is given from it.
TABLE_Z = 0.88
#: Where the study's tiles actually rest, measured (not an upstream constant): its tiles are
#: dynamic bodies spawned at TABLE_Z + 0.003 and, on the study's page frames, sit where tiles
#: 1.0 cm lower would (a 0.7-1.3 cm scan; benchmarks/reference_overlay.py): they drop onto the
#: Bridge stage's surface, level with the robot base (z = 0.870), before the first frame.
#: The photo's table edges are back-projected onto this plane too.
STAGE_TOP_Z = 0.870
BASE_POSITION = np.array([0.147, 0.028, 0.870])
#: ``3rd_view_camera`` (the policy's observation camera) on the base link.
MOUNT_POSITION = np.array([0.0, -0.16, 0.36])
MOUNT_QUAT_WXYZ = (0.8992917, -0.09263245, 0.35892478, 0.23209205)
#: ``render_camera`` (the 512x512 human view of the study's videos) on the base link.
RENDER_CAMERA_POSITION = np.array([0.0, -0.16, 0.336])
RENDER_CAMERA_QUAT_WXYZ = (0.909182, -0.0819809, 0.347277, 0.214629)
FX = FY = 623.588
CX, CY = 319.501, 239.545
WIDTH, HEIGHT = 640, 480
#: Where ``Act2AnswerV4-v1`` spawns the cube (world frame; CognitiveAISystems/Act2Answer
#: @ d22e22fc, ``put_on_in_scene_multi_v4.py``): (-0.131, 0.0411, TABLE_Z + 0.015 + 0.118).
CUBE_SPAWN = np.array([-0.131, 0.0411, 0.88 + 0.015 + 0.118])
#: Released tile centres (world): left at y = -0.155, right at +0.155; 0.6 cm thick.
TILE_CENTRES = {"left": (-0.25, -0.155), "right": (-0.25, 0.155)}
TILE_THICKNESS = 0.006


def quat_matrix(w: float, x: float, y: float, z: float) -> np.ndarray:
    """Rotation matrix of a unit quaternion (w, x, y, z)."""
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )


def camera_pose(render_camera: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """World position and rotation (columns: forward, left, up) of a reference camera.

    Args:
        render_camera: The 512x512 human-view camera instead of ``3rd_view_camera``.
    """
    base_rotation = quat_matrix(0.0, 0.0, 0.0, 1.0)  # 180 degrees about z
    mount, quat = (
        (RENDER_CAMERA_POSITION, RENDER_CAMERA_QUAT_WXYZ)
        if render_camera
        else (MOUNT_POSITION, MOUNT_QUAT_WXYZ)
    )
    return BASE_POSITION + base_rotation @ mount, base_rotation @ quat_matrix(*quat)


def tile_corners_world(side: str, tile_size: float = 0.11) -> np.ndarray:
    """Top-face corners of a released tile (``"left"``/``"right"``) resting on the stage.

    World frame, ``(4, 3)``; the tile lies on :data:`STAGE_TOP_Z` (see there).
    """
    x, y = TILE_CENTRES[side]
    half = tile_size / 2
    signs = ((-1, -1), (1, -1), (1, 1), (-1, 1))
    top = STAGE_TOP_Z + TILE_THICKNESS
    return np.array([[x + dx * half, y + dy * half, top] for dx, dy in signs])


def project(points_world: np.ndarray, render_camera: bool = False) -> np.ndarray:
    """Pixel (column, row) of reference-world points, shape ``(n, 2)``.

    Args:
        points_world: ``(n, 3)`` points in the reference world frame.
        render_camera: Project through the human-view camera (its 512x512 image
            has the same intrinsics, so it shows the top-left 512x480 of the
            pinhole image and 32 rows below it).
    """
    position, rotation = camera_pose(render_camera)
    local = (np.atleast_2d(points_world) - position) @ rotation  # (forward, left, up)
    cols = CX - FX * local[:, 1] / local[:, 0]
    rows = CY - FY * local[:, 2] / local[:, 0]
    return np.stack([cols, rows], axis=1)


def back_project_to_table(pixels: np.ndarray, height: float = STAGE_TOP_Z) -> np.ndarray:
    """Reference-world points on the plane z = ``height`` seen at ``pixels`` (column, row)."""
    pixels = np.atleast_2d(np.asarray(pixels, dtype=float))
    position, rotation = camera_pose()
    local = np.stack(
        [np.ones(len(pixels)), -(pixels[:, 0] - CX) / FX, -(pixels[:, 1] - CY) / FY], axis=1
    )
    rays = local @ rotation.T
    if np.any(rays[:, 2] >= 0):
        raise ValueError("a pixel looks at or above the horizon; it never meets the table")
    scale = (height - position[2]) / rays[:, 2]
    return position + rays * scale[:, None]


@dataclass(frozen=True)
class ImageLine:
    """A straight line in an image, ``row = slope * column + intercept``, fitted on columns.

    Attributes:
        slope: Rows per column.
        intercept: Row at column 0.
        columns: ``(first, last)`` column of the points it was fitted on.
        residual: Root-mean-square residual of the kept points, pixels.
    """

    slope: float
    intercept: float
    columns: tuple[int, int]
    residual: float

    def row_at(self, columns: np.ndarray) -> np.ndarray:
        """Rows of the line at ``columns``."""
        return self.slope * np.asarray(columns, dtype=float) + self.intercept

    def end_points(self) -> np.ndarray:
        """The line's two pixels at its first and last fitted column, shape ``(2, 2)``."""
        cols = np.array(self.columns, dtype=float)
        return np.stack([cols, self.row_at(cols)], axis=1)


def fit_image_line(columns: np.ndarray, rows: np.ndarray) -> ImageLine:
    """Least-squares line through (column, row) points, refitted without outliers (> 3 px)."""
    columns, rows = np.asarray(columns, float), np.asarray(rows, float)
    keep = np.isfinite(rows)
    for _ in range(3):
        slope, intercept = np.polyfit(columns[keep], rows[keep], 1)
        keep = keep & (np.abs(rows - (slope * columns + intercept)) <= 3.0)
    slope, intercept = np.polyfit(columns[keep], rows[keep], 1)
    residual = float(np.sqrt(np.mean((rows[keep] - (slope * columns[keep] + intercept)) ** 2)))
    return ImageLine(float(slope), float(intercept), (int(columns[0]), int(columns[-1])), residual)


def first_rows(mask: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """First row where ``mask`` is true in each column (NaN where it never is)."""
    hits = mask[:, columns]
    first = hits.argmax(axis=0).astype(float)
    first[~hits.any(axis=0)] = np.nan
    return first


#: Column ranges of the two table edges visible against the wall in
#: ``bridge_real_eval_1.png``: the far edge (right of the table's far-left
#: corner near column 150) and the left edge (left of it).
PHOTO_EDGE_COLUMNS = {"far": (190, 636), "left": (4, 120)}


def photo_table_edges(photo: np.ndarray) -> dict[str, ImageLine]:
    """Fit the real table's far and left edges in a 640x480 Bridge photo.

    The table is orange-brown wood, the wall blue-grey: a pixel is table where
    red exceeds blue by more than 50. Both edges are top-surface edges seen
    against the wall (their side faces point away from the camera), so the
    first table pixel from the top of each column lies on the edge.

    Args:
        photo: ``(480, 640, 3)`` uint8 image (``bridge_real_eval_1.png``).

    Returns:
        ``{"far": line, "left": line}`` in pixel coordinates.
    """
    if photo.shape[:2] != (HEIGHT, WIDTH):
        got = f"{photo.shape[1]}x{photo.shape[0]}"
        raise ValueError(f"expected a {WIDTH}x{HEIGHT} photo, got {got}")
    signed = photo.astype(np.int16)
    table = (signed[..., 0] - signed[..., 2]) > 50
    edges = {}
    for name, (first, last) in PHOTO_EDGE_COLUMNS.items():
        columns = np.arange(first, last + 1)
        edges[name] = fit_image_line(columns, first_rows(table, columns))
    return edges


def line_on_table(line: ImageLine) -> tuple[np.ndarray, np.ndarray]:
    """Back-project an image line onto the table plane: (point, unit direction), world xy."""
    ends = back_project_to_table(line.end_points())[:, :2]
    direction = ends[1] - ends[0]
    return ends[0], direction / np.linalg.norm(direction)
