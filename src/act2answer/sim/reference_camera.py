"""The reference camera model of Act2AnswerV4-v1, in the reference world frame (numpy only).

Independent of our MuJoCo scene on purpose: it is what our rendered frames are
checked against. The camera is SimplerEnv's ``3rd_view_camera`` (C920
intrinsics) mounted on the WidowX base link; the base stands at (0.147,
0.028, 0.870) turned 180 degrees about z; the table top is z = 0.88. SAPIEN
cameras look along their +x with +y left and +z up.

The background photo ``bridge_real_eval_1.png`` was taken with this camera, so
the real table's edges seen in it, back-projected onto the table plane, give
the table's edges in the reference world (:func:`photo_table_edges`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TABLE_Z = 0.88
BASE_POSITION = np.array([0.147, 0.028, 0.870])
MOUNT_POSITION = np.array([0.0, -0.16, 0.336])
MOUNT_QUAT_WXYZ = (0.909182, -0.0819809, 0.347277, 0.214629)
FX = FY = 623.588
CX, CY = 319.501, 239.545
WIDTH, HEIGHT = 640, 480


def quat_matrix(w: float, x: float, y: float, z: float) -> np.ndarray:
    """Rotation matrix of a unit quaternion (w, x, y, z)."""
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )


def camera_pose() -> tuple[np.ndarray, np.ndarray]:
    """World position and rotation (columns: forward, left, up) of the reference camera."""
    base_rotation = quat_matrix(0.0, 0.0, 0.0, 1.0)  # 180 degrees about z
    return (
        BASE_POSITION + base_rotation @ MOUNT_POSITION,
        base_rotation @ quat_matrix(*MOUNT_QUAT_WXYZ),
    )


def project(points_world: np.ndarray) -> np.ndarray:
    """Pixel (column, row) of reference-world points in the 640x480 image, shape ``(n, 2)``."""
    position, rotation = camera_pose()
    local = (np.atleast_2d(points_world) - position) @ rotation  # (forward, left, up)
    cols = CX - FX * local[:, 1] / local[:, 0]
    rows = CY - FY * local[:, 2] / local[:, 0]
    return np.stack([cols, rows], axis=1)


def back_project_to_table(pixels: np.ndarray, height: float = TABLE_Z) -> np.ndarray:
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
