"""Demonstrations as a LeRobot v3.0 dataset (what LeRobot 0.4.x's ``LeRobotDataset`` reads).

Layout written (all paths relative to the dataset root)::

    meta/info.json                              codebase_version "v3.0", fps, features
    meta/stats.json                             min/max/mean/std/count/q01..q99 per feature
    meta/tasks.parquet                          index: task text, column task_index
    meta/episodes/chunk-000/file-000.parquet    one row per episode (+ our item columns)
    data/chunk-000/file-000.parquet             one row per frame, PNG frames embedded

Frames are stored as ``image`` features (PNG bytes inside the parquet, the
``datasets.Image`` struct ``{bytes, path}``), not video: no encoder is needed
to write them and decoding is exact. Only pyarrow is needed (the ``sources``
extra); LeRobot itself is not imported.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from act2answer.errors import Act2AnswerError

if TYPE_CHECKING:
    from act2answer.lab.demos import DemoEpisode

CODEBASE_VERSION = "v3.0"
IMAGE_KEY = "observation.image"
STATE_KEY = "observation.state"
ACTION_KEY = "action"
STATE_NAMES = ["x", "y", "z", "roll", "pitch", "yaw", "gripper_opening"]
ACTION_NAMES = ["dx", "dy", "dz", "droll", "dpitch", "dyaw", "gripper"]
QUANTILES = (0.01, 0.10, 0.50, 0.90, 0.99)
DATA_FILE = "data/chunk-000/file-000.parquet"
EPISODES_FILE = "meta/episodes/chunk-000/file-000.parquet"
#: Robot type written to ``info.json``.
ROBOT_TYPE = "widowx_act2answer"


class DatasetFormatError(Act2AnswerError):
    """A folder is not a demonstration dataset this module can read."""


def features(height: int, width: int) -> dict[str, dict[str, Any]]:
    """The LeRobot feature dictionary of a demonstration dataset."""
    vector = {"dtype": "float32", "shape": [7]}
    scalar_int = {"dtype": "int64", "shape": [1], "names": None}
    return {
        IMAGE_KEY: {
            "dtype": "image",
            "shape": [height, width, 3],
            "names": ["height", "width", "channels"],
        },
        STATE_KEY: {**vector, "names": STATE_NAMES},
        ACTION_KEY: {**vector, "names": ACTION_NAMES},
        "timestamp": {"dtype": "float32", "shape": [1], "names": None},
        "frame_index": dict(scalar_int),
        "episode_index": dict(scalar_int),
        "index": dict(scalar_int),
        "task_index": dict(scalar_int),
    }


def _png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _stats(values: np.ndarray, axis: int | tuple[int, ...], keepdims: bool) -> dict[str, Any]:
    values = np.asarray(values, dtype=np.float64)
    stats = {
        "min": values.min(axis=axis, keepdims=keepdims),
        "max": values.max(axis=axis, keepdims=keepdims),
        "mean": values.mean(axis=axis, keepdims=keepdims),
        "std": values.std(axis=axis, keepdims=keepdims),
    }
    for q in QUANTILES:
        stats[f"q{round(q * 100):02d}"] = np.quantile(values, q, axis=axis, keepdims=keepdims)
    count = values.shape[0]
    out: dict[str, Any] = {key: np.asarray(value).tolist() for key, value in stats.items()}
    out["count"] = [int(count)]
    return out


class _PixelStats:
    """Per-channel statistics of uint8 frames in [0, 1] from a 256-bin histogram per channel.

    The histogram of uint8 values is exact, so min, max, mean, std and the
    quantiles (linear interpolation between order statistics, as
    :func:`numpy.quantile`) equal those of the pixels themselves, without
    holding the frames.
    """

    def __init__(self) -> None:
        self.counts = np.zeros((3, 256), dtype=np.int64)
        self.frames = 0

    def add(self, images: np.ndarray) -> None:
        """Count ``(T, H, W, 3)`` uint8 frames."""
        for channel in range(3):
            self.counts[channel] += np.bincount(images[..., channel].ravel(), minlength=256)
        self.frames += len(images)

    def _quantile(self, channel: int, q: float) -> float:
        cumulative = np.cumsum(self.counts[channel])
        position = q * (cumulative[-1] - 1)
        below, fraction = int(np.floor(position)), position - np.floor(position)
        # the value at sorted index k is the first v with more than k pixels <= v
        low, high = (int(np.searchsorted(cumulative, k, side="right")) for k in (below, below + 1))
        return (low + fraction * (high - low)) / 255.0

    def stats(self) -> dict[str, Any]:
        """LeRobot's image statistics: each value of shape (3, 1, 1); ``count`` = frames."""
        values = np.arange(256) / 255.0
        total = self.counts.sum(axis=1)
        mean = self.counts @ values / total
        variance = self.counts @ values**2 / total - mean**2
        present = [np.flatnonzero(row) for row in self.counts]
        per_channel: dict[str, list[float]] = {
            "min": [values[p[0]] for p in present],
            "max": [values[p[-1]] for p in present],
            "mean": mean.tolist(),
            "std": np.sqrt(np.maximum(variance, 0.0)).tolist(),
        }
        for q in QUANTILES:
            per_channel[f"q{round(q * 100):02d}"] = [self._quantile(c, q) for c in range(3)]
        out: dict[str, Any] = {
            key: [[[float(v)]] for v in value] for key, value in per_channel.items()
        }
        out["count"] = [self.frames]
        return out


_EPISODE_COLUMNS = (
    "episode_index",
    "tasks",
    "length",
    "data/chunk_index",
    "data/file_index",
    "dataset_from_index",
    "dataset_to_index",
    "meta/episodes/chunk_index",
    "meta/episodes/file_index",
    "item_id",
    "category",
    "answer_side",
    "seed",
    "success",
)


def write_dataset(
    episodes: Iterable[DemoEpisode], root: Path | str, *, fps: float = 5.0
) -> dict[str, Any]:
    """Write demonstrations as a LeRobot v3.0 dataset folder.

    Episodes are streamed: each is written to the data file as its own
    parquet row group and only its states, actions and pixel histogram are
    kept, so memory does not grow with the number of frames.

    Args:
        episodes: The demonstrations (all frames must share one size).
        root: Dataset folder (created; must not already hold a dataset).
        fps: Control rate, frames per second (5 Hz in the reference protocol).

    Returns:
        The ``info.json`` content.

    Raises:
        DatasetFormatError: no episodes, frames of different sizes, or the
            folder already holds a dataset.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = Path(root)
    if (root / "meta" / "info.json").exists():
        raise DatasetFormatError(f"{root} already holds a dataset; choose a new folder")
    index_keys = ("timestamp", "frame_index", "episode_index", "index", "task_index")
    indices: dict[str, list[Any]] = {key: [] for key in index_keys}
    episode_rows: dict[str, list[Any]] = {key: [] for key in _EPISODE_COLUMNS}
    tasks: dict[str, int] = {}
    states, actions, pixels = [], [], _PixelStats()
    shape: tuple[int, ...] | None = None
    writer: Any = None
    total = 0
    image_type = pa.struct([("bytes", pa.binary()), ("path", pa.string())])
    vector_type = pa.list_(pa.float32(), 7)
    try:
        for episode_index, episode in enumerate(episodes):
            if shape is None:
                shape = episode.images.shape[1:]
            elif episode.images.shape[1:] != shape:
                raise DatasetFormatError(f"frame size {episode.images.shape[1:]} != {shape}")
            task_index = tasks.setdefault(episode.instruction, len(tasks))
            length = episode.length
            frames = range(length)
            columns = {
                "timestamp": [i / fps for i in frames],
                "frame_index": list(frames),
                "episode_index": [episode_index] * length,
                "index": [total + i for i in frames],
                "task_index": [task_index] * length,
            }
            table = pa.table(
                {
                    IMAGE_KEY: pa.array(
                        [{"bytes": _png(image), "path": None} for image in episode.images],
                        type=image_type,
                    ),
                    STATE_KEY: pa.array(episode.states.tolist(), type=vector_type),
                    ACTION_KEY: pa.array(episode.actions.tolist(), type=vector_type),
                    "timestamp": pa.array(columns["timestamp"], type=pa.float32()),
                    **{
                        key: pa.array(columns[key], type=pa.int64())
                        for key in ("frame_index", "episode_index", "index", "task_index")
                    },
                }
            )
            if writer is None:
                metadata = {"huggingface": json.dumps(_hf_features(features(*shape[:2])))}
                table = table.replace_schema_metadata(metadata)
                (root / "data" / "chunk-000").mkdir(parents=True, exist_ok=True)
                writer = pq.ParquetWriter(root / DATA_FILE, table.schema)
            writer.write_table(table.replace_schema_metadata(writer.schema.metadata))
            for key in index_keys:
                indices[key].extend(columns[key])
            states.append(episode.states)
            actions.append(episode.actions)
            # Per-channel pixel statistics in [0, 1], from every 4th frame (as LeRobot samples).
            pixels.add(episode.images[::4])
            for key, value in zip(
                _EPISODE_COLUMNS,
                (
                    episode_index, [episode.instruction], length, 0, 0, total, total + length,
                    0, 0, episode.item_id, episode.category, episode.answer_side.value,
                    episode.seed, episode.success,
                ),
                strict=True,
            ):  # fmt: skip
                episode_rows[key].append(value)
            total += length
    finally:
        if writer is not None:
            writer.close()
    if shape is None:
        raise DatasetFormatError("no demonstrations to write (did every episode fail?)")
    height, width = int(shape[0]), int(shape[1])
    feature_dict = features(height, width)

    (root / "meta" / "episodes" / "chunk-000").mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(episode_rows), root / EPISODES_FILE)
    import pandas as pd

    task_frame = pd.DataFrame({"task_index": list(tasks.values())}, index=list(tasks))
    task_frame.to_parquet(root / "meta" / "tasks.parquet")

    index_stats = {
        key: _stats(np.asarray(indices[key], dtype=np.float64)[:, None], 0, False)
        for key in index_keys
    }
    stats = {
        IMAGE_KEY: pixels.stats(),
        STATE_KEY: _stats(np.concatenate(states), 0, False),
        ACTION_KEY: _stats(np.concatenate(actions), 0, False),
        **index_stats,
    }
    (root / "meta" / "stats.json").write_text(json.dumps(stats, indent=2))

    n_episodes = len(episode_rows["episode_index"])
    info = {
        "codebase_version": CODEBASE_VERSION,
        "robot_type": ROBOT_TYPE,
        "total_episodes": n_episodes,
        "total_frames": total,
        "total_tasks": len(tasks),
        "chunks_size": 1000,
        "data_files_size_in_mb": 100,
        "video_files_size_in_mb": 200,
        "fps": int(fps) if float(fps).is_integer() else fps,
        "splits": {"train": f"0:{n_episodes}"},
        "data_path": "data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet",
        "video_path": None,
        "features": feature_dict,
    }
    (root / "meta" / "info.json").write_text(json.dumps(info, indent=4))
    return info


def _hf_features(feature_dict: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The ``datasets`` feature description stored in the parquet schema metadata."""
    described: dict[str, Any] = {}
    for key, feature in feature_dict.items():
        if feature["dtype"] == "image":
            described[key] = {"_type": "Image"}
        elif feature["shape"] == [1]:
            described[key] = {"dtype": feature["dtype"], "_type": "Value"}
        else:
            described[key] = {
                "feature": {"dtype": feature["dtype"], "_type": "Value"},
                "length": feature["shape"][0],
                "_type": "List",
            }
    return {"info": {"features": described}}


@dataclass
class DemoFrames:
    """A demonstration dataset read back as arrays (for the lab's own training).

    Attributes:
        images: ``(N, H, W, 3)`` uint8 frames.
        states: ``(N, 7)`` float32.
        actions: ``(N, 7)`` float32.
        episode_index: ``(N,)`` int64.
        frame_index: ``(N,)`` int64.
        instructions: ``(N,)`` instruction of each frame's episode.
        categories: ``(N,)`` category of each frame's episode.
        answer_sides: ``(N,)`` ``"left"`` / ``"right"`` of each frame's episode.
        info: ``meta/info.json``.
    """

    images: np.ndarray
    states: np.ndarray
    actions: np.ndarray
    episode_index: np.ndarray
    frame_index: np.ndarray
    instructions: np.ndarray
    categories: np.ndarray
    answer_sides: np.ndarray
    info: dict[str, Any]


def read_dataset(root: Path | str) -> DemoFrames:
    """Read a dataset written by :func:`write_dataset` into arrays.

    Raises:
        DatasetFormatError: the folder lacks ``meta/info.json`` or its data file.
    """
    import pyarrow.parquet as pq

    root = Path(root)
    info_path = root / "meta" / "info.json"
    if not info_path.exists() or not (root / DATA_FILE).exists():
        raise DatasetFormatError(f"{root} is not a demonstration dataset (no {info_path.name})")
    info = json.loads(info_path.read_text())
    data = pq.read_table(root / DATA_FILE).to_pydict()
    episodes = pq.read_table(root / EPISODES_FILE).to_pydict()
    by_episode = {
        index: (tasks[0], category, side)
        for index, tasks, category, side in zip(
            episodes["episode_index"],
            episodes["tasks"],
            episodes["category"],
            episodes["answer_side"],
            strict=True,
        )
    }
    episode_index = np.asarray(data["episode_index"], dtype=np.int64)
    meta = [by_episode[int(i)] for i in episode_index]
    images = np.stack(
        [
            np.asarray(Image.open(io.BytesIO(cell["bytes"])).convert("RGB"))
            for cell in data[IMAGE_KEY]
        ]
    )
    return DemoFrames(
        images=images,
        states=np.asarray(data[STATE_KEY], dtype=np.float32),
        actions=np.asarray(data[ACTION_KEY], dtype=np.float32),
        episode_index=episode_index,
        frame_index=np.asarray(data["frame_index"], dtype=np.int64),
        instructions=np.asarray([m[0] for m in meta], dtype=object),
        categories=np.asarray([m[1] for m in meta], dtype=object),
        answer_sides=np.asarray([m[2] for m in meta], dtype=object),
        info=info,
    )


__all__ = [
    "CODEBASE_VERSION",
    "DatasetFormatError",
    "DemoFrames",
    "features",
    "read_dataset",
    "write_dataset",
]
